/**
 * The retry policy of every request the client makes: a `Schedule` and a predicate telling
 * which errors are transient. It is a `Context.Reference`, read at request time, so callers
 * swap it per call or per program with `Effect.provideService(RetryPolicy, …)` or
 * {@link layer}, and turn retries off with {@link none}.
 *
 * The default follows rclone's pacer for this backend: jittered exponential backoff from
 * 10 ms, doubling, capped at 2 s, at most 10 attempts in total; transient are HTTP 429, 500,
 * 502, 503, 504, 509 and transport errors (connection refused or reset, timeouts; not a refused
 * untrusted host). A
 * `Retry-After` header (seconds or HTTP date) is honoured as a minimum delay.
 *
 * Steps that are not idempotent (allocate, `mv`, `cp`, `mvDir`) are only retried by the
 * client when the request provably never reached the server ({@link isUnsent}); the
 * operations check the state themselves otherwise.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import * as Layer from "effect/Layer"
import * as Schedule from "effect/Schedule"
import type { JottaError } from "./JottaError.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Policy {
  /** Fed with each failure; when it ends the last error is reported. */
  readonly schedule: Schedule.Schedule<unknown, JottaError>
  /** Which failures may be retried at all. */
  readonly isTransient: (error: JottaError) => boolean
  /** A `Retry-After` longer than this is not waited for: the error is reported instead. */
  readonly maxRetryAfter: Duration.Duration
}

/**
 * HTTP statuses retried by default (rclone's `retryErrorCodes`).
 *
 * @since 0.1.0
 * @category constants
 */
export const retryStatuses: ReadonlySet<number> = new Set([429, 500, 502, 503, 504, 509])

/**
 * The default transient predicate: rate limiting, the statuses of {@link retryStatuses} and
 * transport errors.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isTransientDefault = (error: JottaError): boolean => {
  switch (error._tag) {
    case "RateLimited":
      return true
    case "TransportError":
      return error.reason !== "InvalidUrl" && error.reason !== "Encode" && error.reason !== "UntrustedHost"
    case "ServerError":
      return error.status !== undefined && retryStatuses.has(error.status)
    default:
      return false
  }
}

/**
 * True when the request provably never reached the server (the connection was refused or the
 * host could not be resolved), so even a non-idempotent request can be sent again.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isUnsent = (error: JottaError): boolean =>
  error._tag === "TransportError" && (error.reason === "ConnectionRefused" || error.reason === "HostNotFound")

/**
 * Builds a policy: exponential backoff from `baseDelay`, doubling, capped at `maxDelay`,
 * jittered, with at most `maxAttempts` attempts in total.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options?: {
  readonly baseDelay?: Duration.DurationInput | undefined
  readonly maxDelay?: Duration.DurationInput | undefined
  readonly maxAttempts?: number | undefined
  readonly jitter?: boolean | undefined
  readonly maxRetryAfter?: Duration.DurationInput | undefined
  readonly isTransient?: ((error: JottaError) => boolean) | undefined
}): Policy => {
  const base = options?.baseDelay ?? Duration.millis(10)
  const cap = Duration.decode(options?.maxDelay ?? Duration.seconds(2))
  const attempts = Math.max(1, Math.floor(options?.maxAttempts ?? 10))
  const backoff = Schedule.exponential(base, 2).pipe(Schedule.modifyDelay((d) => Duration.min(d, cap)))
  const jittered = options?.jitter === false ? backoff : Schedule.jittered(backoff)
  return {
    schedule: Schedule.intersect(jittered, Schedule.recurs(attempts - 1)),
    isTransient: options?.isTransient ?? isTransientDefault,
    maxRetryAfter: Duration.decode(options?.maxRetryAfter ?? Duration.minutes(1))
  }
}

/**
 * rclone's pacer range: 10 ms to 2 s, jittered, 10 attempts.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultPolicy: Policy = make()

/**
 * No retries at all.
 *
 * @since 0.1.0
 * @category constants
 */
export const none: Policy = {
  schedule: Schedule.stop,
  isTransient: () => false,
  maxRetryAfter: Duration.zero
}

/**
 * @since 0.1.0
 * @category tags
 */
export class RetryPolicy extends Context.Reference<RetryPolicy>()("@fjord/core/RetryPolicy", {
  defaultValue: () => defaultPolicy
}) {}

/**
 * @since 0.1.0
 * @category layers
 */
export const layer = (policy: Policy): Layer.Layer<never> => Layer.succeed(RetryPolicy, policy)

/**
 * Runs `effect` with `policy` as the retry policy.
 *
 * @since 0.1.0
 * @category combinators
 */
export const withPolicy: {
  (policy: Policy): <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E, R>(effect: Effect.Effect<A, E, R>, policy: Policy): Effect.Effect<A, E, R>
} = dual(
  2,
  <A, E, R>(effect: Effect.Effect<A, E, R>, policy: Policy): Effect.Effect<A, E, R> =>
    Effect.provideService(effect, RetryPolicy, policy)
)

const retryAfterMillis = (error: JottaError): number | undefined =>
  error._tag === "RateLimited" ? error.retryAfter : undefined

/**
 * Retries `effect` under the current {@link RetryPolicy} (read when the effect runs).
 * `allow` narrows which transient failures may be retried (e.g. {@link isUnsent} for
 * non-idempotent requests). `Retry-After` is honoured as a minimum delay.
 *
 * @since 0.1.0
 * @category combinators
 */
export const retry = <A, E extends JottaError, R>(
  effect: Effect.Effect<A, E, R>,
  allow?: (error: JottaError) => boolean
): Effect.Effect<A, E, R> =>
  Effect.flatMap(RetryPolicy, (policy) => {
    const maxAfter = Duration.toMillis(policy.maxRetryAfter)
    const retryable = (error: JottaError): boolean => {
      if (!policy.isTransient(error)) return false
      if (allow !== undefined && !allow(error)) return false
      const after = retryAfterMillis(error)
      return after === undefined || after <= maxAfter
    }
    // The first attempt runs without any schedule machinery (the common, successful case).
    return Effect.catchIf(effect, retryable, (first) => {
      const schedule = Schedule.intersect(policy.schedule, Schedule.identity<JottaError>()).pipe(
        Schedule.modifyDelay(([, error], delay) => {
          const after = retryAfterMillis(error)
          return after === undefined ? delay : Duration.max(delay, Duration.millis(after))
        })
      )
      return Effect.flatMap(Schedule.driver(schedule), (driver) => {
        const loop = (error: E): Effect.Effect<A, E, R> =>
          Effect.matchEffect(driver.next(error), {
            onFailure: () => Effect.fail(error),
            onSuccess: () => Effect.catchIf(effect, retryable, loop)
          })
        return loop(first)
      })
    })
  })
