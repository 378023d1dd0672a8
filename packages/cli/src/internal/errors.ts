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
