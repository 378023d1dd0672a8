/**
 * The SDK's metrics, through Effect's `Metric`: every HTTP request `JottaClient` sends is
 * counted (by operation and status), timed (a latency histogram by operation) and its bytes
 * summed (the request body's and the response's declared `Content-Length`), and every retry
 * the `RetryPolicy` makes is counted. The operation is the public one the caller called
 * (`Files.upload`, `Account.about`, …), the same name as its span.
 *
 * They live in Effect's metric registry: read them with `Metric.snapshot` / `Metric.value`, or
 * export them with `@effect/opentelemetry`'s `Metrics` layer (see the examples' OpenTelemetry
 * program). Tags carry no path, token or URL.
 *
 * @since 0.1.0
 */
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import * as MetricBoundaries from "effect/MetricBoundaries"
import * as MetricLabel from "effect/MetricLabel"

/**
 * HTTP requests sent, tagged `operation` and `status` (the HTTP status, or `error` when no
 * response came).
 *
 * @since 0.1.0
 * @category metrics
 */
export const requests = Metric.counter("fjord_requests_total", {
  description: "HTTP requests sent to Jottacloud",
  incremental: true
})

/**
 * Request latency (until the response headers) in milliseconds, tagged `operation`.
 *
 * @since 0.1.0
 * @category metrics
 */
export const requestDuration = Metric.timerWithBoundaries(
  "fjord_request_duration",
  MetricBoundaries.exponential({ start: 1, factor: 2, count: 16 }).values,
  "HTTP request latency to Jottacloud (ms)"
)

/**
 * Request body bytes sent (when the body's length is known), tagged `operation`.
 *
 * @since 0.1.0
 * @category metrics
 */
export const bytesSent = Metric.counter("fjord_bytes_sent_total", {
  description: "request body bytes sent to Jottacloud",
  incremental: true
})

/**
 * Response bytes announced by `Content-Length`, tagged `operation`.
 *
 * @since 0.1.0
 * @category metrics
 */
export const bytesReceived = Metric.counter("fjord_bytes_received_total", {
  description: "response bytes announced by Jottacloud (Content-Length)",
  incremental: true
})

/**
 * Retries made under the `RetryPolicy` (attempts after the first), tagged `operation`.
 *
 * @since 0.1.0
 * @category metrics
 */
export const retries = Metric.counter("fjord_retries_total", {
  description: "requests retried after a transient failure",
  incremental: true
})

/**
 * Records one request: its count by status, latency, and bytes both ways.
 *
 * @since 0.1.0
 * @category instrumentation
 */
export const trackRequest = <E, R>(
  operation: string,
  request: HttpClientRequest.HttpClientRequest,
  send: Effect.Effect<HttpClientResponse.HttpClientResponse, E, R>
): Effect.Effect<HttpClientResponse.HttpClientResponse, E, R> => {
  const sent = request.body._tag === "Uint8Array" ? request.body.contentLength : undefined
  const streamed = request.body._tag === "Stream" ? request.body.contentLength : undefined
  const bodyBytes = sent ?? streamed
  return send.pipe(
    Metric.trackDuration(Metric.tagged(requestDuration, "operation", operation)),
    Effect.tapBoth({
      onFailure: () => Metric.increment(Metric.taggedWithLabels(requests, tags(operation, "error"))),
      onSuccess: (res) => {
        const length = Number(res.headers["content-length"])
        return Effect.all(
          [
            Metric.increment(Metric.taggedWithLabels(requests, tags(operation, String(res.status)))),
            bodyBytes === undefined
              ? Effect.void
              : Metric.incrementBy(Metric.tagged(bytesSent, "operation", operation), bodyBytes),
            Number.isFinite(length) && length > 0
              ? Metric.incrementBy(Metric.tagged(bytesReceived, "operation", operation), length)
              : Effect.void
          ],
          { discard: true }
        )
      }
    })
  )
}

/**
 * Runs `retrying` (e.g. `RetryPolicy.retry`) over `attempt`, counting each attempt after the
 * first in {@link retries}.
 *
 * @since 0.1.0
 * @category instrumentation
 */
export const countRetries = <A, E, R, A2, E2, R2>(
  operation: string,
  attempt: Effect.Effect<A, E, R>,
  retrying: (attempt: Effect.Effect<A, E, R>) => Effect.Effect<A2, E2, R2>
): Effect.Effect<A2, E2, R2> =>
  Effect.suspend(() => {
    let runs = 0
    const counted = Effect.suspend(() =>
      runs++ === 0
        ? attempt
        : Effect.zipRight(Metric.increment(Metric.tagged(retries, "operation", operation)), attempt)
    )
    return retrying(counted)
  })

const tags = (operation: string, status: string) => [
  MetricLabel.make("operation", operation),
  MetricLabel.make("status", status)
]
