/**
 * The auth contract every auth layer implements: a way to get a bearer access token and a
 * way to tell the provider that the token it gave was rejected (HTTP 401).
 *
 * Implementations live in `@fjord/auth` (login token, legacy, white-label OAuth, saved and
 * static tokens); core only consumes this Tag.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { TypeId } from "./internal/errorTypeId.js"

/**
 * Why authentication failed.
 *
 * - `StaleToken`: the refresh token was rotated elsewhere or revoked (`invalid_grant`);
 *   the user must generate a new personal login token and reconnect.
 * - `InvalidCredentials`: a login token, password or code was refused.
 * - `InvalidClient`: the OAuth client id or secret was refused.
 * - `TwoFactorRequired`: the legacy login wants an SMS code and none could be obtained.
 * - `InvalidToken`: a login token or saved token could not be decoded.
 * - `Transport`: the identity endpoint could not be reached or answered garbage.
 * - `Unauthorized`: the service refused a freshly obtained token.
 * - `Storage`: the token store could not be read or written.
 *
 * @since 0.1.0
 * @category errors
 */
export const AuthErrorReason = Schema.Literal(
  "StaleToken",
  "InvalidCredentials",
  "InvalidClient",
  "TwoFactorRequired",
  "InvalidToken",
  "Transport",
  "Unauthorized",
  "Storage"
)

/**
 * @since 0.1.0
 * @category errors
 */
export type AuthErrorReason = typeof AuthErrorReason.Type

/**
 * A typed authentication failure. Never carries a secret: token values are `Redacted`
 * everywhere and are not part of this error.
 *
 * @since 0.1.0
 * @category errors
 */
export class AuthError extends Schema.TaggedError<AuthError>("@fjord/core/AuthError")("AuthError", {
  reason: AuthErrorReason,
  /** The operation the caller called (e.g. `"Files.stat"`), or the auth step run on its own. */
  operation: Schema.String,
  /** The path of the operation, when it has one. */
  path: Schema.optional(Schema.String),
  description: Schema.optional(Schema.String),
  status: Schema.optional(Schema.Number),
  cause: Schema.optional(Schema.Defect)
}) {
  /** Marks it as one of the `JottaError` union (see `JottaError.isJottaError`). */
  readonly [TypeId]: TypeId = TypeId
  override get message(): string {
    const where = this.path === undefined ? this.operation : `${this.operation} ${JSON.stringify(this.path)}`
    const base = `${where}: ${this.reason}${this.description === undefined ? "" : ` (${this.description})`}`
    return this.reason === "StaleToken"
      ? `${base}. The refresh token is no longer valid (it was used elsewhere or revoked): generate a new personal login token and reconnect.`
      : base
  }
}

/**
 * The service shape.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** A currently valid bearer access token (refreshed ahead of expiry when the provider can). */
  readonly accessToken: Effect.Effect<Redacted.Redacted<string>, AuthError>
  /**
   * Called when the service answered 401 to a request made with `token`: the provider drops
   * that token so that the next `accessToken` yields a fresh one. Tokens other than the one
   * currently held are ignored, so concurrent 401s cause at most one refresh.
   */
  readonly invalidate: (token: Redacted.Redacted<string>) => Effect.Effect<void>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class JottaAuth extends Context.Tag("@fjord/core/JottaAuth")<JottaAuth, Service>() {}
