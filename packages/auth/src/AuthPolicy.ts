/**
 * Composable policies of the auth layers, as `Context.Reference`s with rclone's defaults.
 * They are read when a token is needed or refreshed (not when a layer is built), so they can
 * be overridden per program, per layer or per call:
 *
 * ```ts
 * effect.pipe(Effect.provideService(AuthPolicy.RefreshSkew, Duration.seconds(60)))
 * ```
 *
 * @since 0.1.0
 */
import type { AuthError } from "@fjord/core/Auth"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Schedule from "effect/Schedule"

/**
 * How long before its expiry an access token is treated as expired and refreshed
 * (golang.org/x/oauth2, hence rclone, uses 10 seconds).
 *
 * @since 0.1.0
 * @category references
 */
export class RefreshSkew extends Context.Reference<RefreshSkew>()("@fjord/auth/AuthPolicy/RefreshSkew", {
  defaultValue: (): Duration.Duration => Duration.seconds(10)
}) {}

/**
 * The default retry schedule for refresh requests: up to 5 tries, one second apart
 * (protocol §7.4).
 *
 * @since 0.1.0
 * @category constructors
 */
export const defaultRefreshSchedule: Schedule.Schedule<unknown, AuthError> = Schedule.intersect(
  Schedule.spaced(Duration.seconds(1)),
  Schedule.recurs(4)
)

/**
 * Retry schedule for refresh requests. It is only consulted for transient failures
 * (transport errors, 429 and 5xx); a 400/401 from the token endpoint is never retried.
 * Initial exchanges (login token, password, code) are never retried: they are single-use.
 *
 * @since 0.1.0
 * @category references
 */
export class RefreshRetry extends Context.Reference<RefreshRetry>()("@fjord/auth/AuthPolicy/RefreshRetry", {
  defaultValue: (): Schedule.Schedule<unknown, AuthError> => defaultRefreshSchedule
}) {}

/**
 * Upper bound of one token-endpoint request (connect, reply and body). A timeout counts as a
 * transient failure, so refreshes retry it per `RefreshRetry`. Default 30 seconds.
 *
 * @since 0.1.0
 * @category references
 */
export class TokenRequestTimeout extends Context.Reference<TokenRequestTimeout>()(
  "@fjord/auth/AuthPolicy/TokenRequestTimeout",
  { defaultValue: (): Duration.Duration => Duration.seconds(30) }
) {}

/**
 * Production API root, used for the legacy `auth/v1` endpoints.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultApiUrl = "https://api.jottacloud.com/"
