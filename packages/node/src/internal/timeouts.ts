/**
 * The waits every fjord Node `HttpClient` bounds by default, as rclone does: a connection must
 * be made within `--contimeout` (1 min) and no byte may take longer than `--timeout` (5 min).
 *
 * @internal
 */
import * as Duration from "effect/Duration"

/** The options every client takes. @internal */
export interface Options {
  /** Time to establish a connection (TCP and TLS); default 1 minute. */
  readonly connectTimeout?: Duration.DurationInput | undefined
  /**
   * The longest wait for a byte: for the reply's headers (restarted by each request body chunk
   * written) and between reply body chunks; default 5 minutes.
   */
  readonly idleTimeout?: Duration.DurationInput | undefined
  /** The most connections per origin; unlimited when omitted. */
  readonly connections?: number | undefined
}

/** rclone's `--contimeout` default. @internal */
export const defaultConnectTimeout = Duration.minutes(1)
/** rclone's `--timeout` default. @internal */
export const defaultIdleTimeout = Duration.minutes(5)

/** The connect and idle timeouts of `options`, in milliseconds. @internal */
export const millisOf = (options: Options): { readonly connect: number; readonly idle: number } => ({
  connect: Duration.toMillis(Duration.decode(options.connectTimeout ?? defaultConnectTimeout)),
  idle: Duration.toMillis(Duration.decode(options.idleTimeout ?? defaultIdleTimeout))
})
