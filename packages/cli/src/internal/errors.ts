/**
 * The CLI's own errors (cheap to load: no SDK code).
 */
import * as Schema from "effect/Schema"

export class NotLoggedIn extends Schema.TaggedError<NotLoggedIn>("@fjord/cli/NotLoggedIn")("NotLoggedIn", {
  configDir: Schema.String
}) {
  override get message(): string {
    return `not logged in (no token in ${this.configDir}): run \`fjord login --login-token <token>\` or \`fjord config\` first (create a personal login token in the web UI under Settings → Security)`
  }
}

export class UsageError extends Schema.TaggedError<UsageError>("@fjord/cli/UsageError")("UsageError", {
  description: Schema.String
}) {
  override get message(): string {
    return this.description
  }
}

/** The service refused a personal login token (they work once, and expire). */
export class LoginTokenRefused extends Schema.TaggedError<LoginTokenRefused>("@fjord/cli/LoginTokenRefused")(
  "LoginTokenRefused",
  {}
) {
  override get message(): string {
    return "the login token was refused: a personal login token works once and expires; generate a new one in the web UI (Settings → Security)"
  }
}

/** A login token refused by the service as `LoginTokenRefused`; other failures as they are. */
export const refusedToken = <E extends { readonly _tag: string; readonly reason?: unknown }>(
  e: E
): E | LoginTokenRefused => (e._tag === "AuthError" && e.reason === "InvalidCredentials" ? new LoginTokenRefused() : e)
