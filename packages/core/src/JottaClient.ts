/**
 * The configured HTTP client every operation goes through.
 *
 * Built once in {@link make} from an `HttpClient`, the `JottaAuth` service and the
 * `JottaConfig`: each request gets a bearer token from `JottaAuth.accessToken` when it is sent
 * (so a retry carries a fresh token); a 401 invalidates that token and the request is sent once
 * more with a new one; transient failures are retried under the `RetryPolicy` read at request
 * time; failed statuses are mapped to the typed errors of `JottaError` (the XML error document
 * or JSON error body supplies the service's message and reason). Errors name the operation
 * the caller called: `RequestOptions.operation`, else the one the SDK's operation wrapper put in
 * the context (so a request made underneath an operation, such as the username lookup, names it).
 * The client knows no model: decoding replies is the callers' concern.
 *
 * Every request is bounded (`JottaConfig`'s `connectTimeout`, `timeout`, `maxResponseSize`):
 *
 * - the response headers must come within `connectTimeout` + `timeout` of sending (each chunk
 *   of a streamed request body read by the transport restarts the wait at `timeout`); a stall
 *   is a `TransportError` with reason `Timeout`, transient like any transport failure;
 * - a body yields each chunk within `timeout` of the previous one ({@link Response.stream});
 * - a reply read whole ({@link Response.text}) is capped at `maxResponseSize`
 *   (`InvalidResponse` beyond it, refused from `Content-Length` before reading);
 * - the body of a failed response is read once per attempt, at most {@link errorBodyLimit}
 *   bytes, and the service's message kept in the error is cut to a few hundred characters
 *   with control characters removed;
 * - the bearer token goes only to trusted origins ({@link isTrusted}): the configured roots,
 *   and for the real service its own `https://*.jottacloud.com` hosts. A request elsewhere
 *   (an `upload_url` on another host, port or scheme) fails with `TransportError` reason
 *   `UntrustedHost` before anything is sent.
 *
 * Errors never hold the platform's request (whose headers carry the token): a transport
 * failure keeps only the underlying error's name, message and code as its cause.
 *
 * @since 0.1.0
 */

import type * as Headers from "@effect/platform/Headers"
import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import type * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import { AuthError, JottaAuth } from "./Auth.js"
import * as Errors from "./internal/errors.js"
import * as Operation from "./internal/operation.js"
import { utf8DecoderLossy } from "./internal/text.js"
import * as JottaConfig from "./JottaConfig.js"
import * as JottaError from "./JottaError.js"
import * as Metrics from "./Metrics.js"
import * as RetryPolicy from "./RetryPolicy.js"

/**
 * How one request is sent.
 *
 * @since 0.1.0
 * @category models
 */
export interface RequestOptions {
  /**
   * Operation name for errors, e.g. `"Files.stat"` (default: the operation the request runs
   * under, as `Files` and `Account` operations set it).
   */
  readonly operation?: string | undefined
  /** The raw path the request is about (for errors; default: the current operation's path). */
  readonly path?: string | undefined
  /**
   * `false` for requests with side effects that must not happen twice (allocate, `mv`, `cp`,
   * `mvDir`): they are retried only when they provably never reached the server.
   */
  readonly idempotent?: boolean | undefined
  /** `false`: no retry at all (the upload data POST consumes its body). */
  readonly retry?: boolean | undefined
  /** Failed statuses returned as responses instead of errors (e.g. 404 for `cphash`). */
  readonly accept?: ((status: number) => boolean) | undefined
  /**
   * Read the reply's body whole (`Response.text`) within the attempt, so that a body broken
   * off (the connection dropped, a stall) is retried like a failed request. For documents
   * decoded whole; the returned `text` is then the body already read.
   */
  readonly wholeBody?: boolean | undefined
}

/**
 * A response whose body reads are bounded (idle timeout, size cap) and fail with
 * `JottaError`s naming the request's operation and path.
 *
 * @since 0.1.0
 * @category models
 */
export interface Response {
  readonly status: number
  readonly headers: Headers.Headers
  /** The body, each chunk within `timeout` of the previous one. */
  readonly stream: Stream.Stream<Uint8Array, JottaError.JottaError>
  /** The body as UTF-8 text, at most `maxResponseSize` bytes. */
  readonly text: Effect.Effect<string, JottaError.JottaError>
  /** Reads and drops a (small) body so the connection can be reused; never fails. */
  readonly discard: Effect.Effect<void>
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  readonly config: JottaConfig.Service
  /**
   * Sends `request` with authentication, 401 handling, retries and error mapping. The
   * response is returned for any 2xx (and for statuses `accept`ed).
   */
  readonly execute: (
    request: HttpClientRequest.HttpClientRequest,
    options?: RequestOptions
  ) => Effect.Effect<Response, JottaError.JottaError>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class JottaClient extends Context.Tag("@fjord/core/JottaClient")<JottaClient, Service>() {}

/**
 * How much of a failed response's body is read (16 KiB): JFS error documents and API error
 * bodies are a few hundred bytes.
 *
 * @since 0.1.0
 * @category constants
 */
export const errorBodyLimit = 16 * 1024

/** Bodies up to this size (by `Content-Length`) are read in one piece, bounded as a whole by `timeout`. */
const wholeReadLimit = 1024 * 1024

const realServiceHost = /(^|\.)jottacloud\.com$/i

interface Origin {
  readonly scheme: string
  readonly host: string
  /** The port, `""` for the scheme's default. */
  readonly port: string
  readonly origin: string
}

const defaultPorts: Record<string, string> = { http: "80", https: "443" }

/** Scheme, host and port of an absolute URL (core runs without the `URL` global's types). */
const originOf = (url: string): Origin | undefined => {
  const m = /^([a-z][a-z0-9+.-]*):\/\/(?:[^/?#@]*@)?(\[[^\]]*\]|[^/?#:]*)(?::(\d*))?(?:[/?#]|$)/i.exec(url)
  if (m === null || m[1] === undefined || m[2] === undefined || m[2] === "") return undefined
  const scheme = m[1].toLowerCase()
  const host = m[2].toLowerCase()
  const port = m[3] === undefined || m[3] === "" || m[3] === defaultPorts[scheme] ? "" : String(Number(m[3]))
  return { scheme, host, port, origin: `${scheme}://${host}${port === "" ? "" : `:${port}`}` }
}

/**
 * The trust rule for the bearer token: `url`'s origin (scheme, host and port) is one of the
 * configured roots' origins, or the roots are the real service's and `url` is an https URL on
 * a `jottacloud.com` host with the default port.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isTrusted = (config: JottaConfig.Service, url: string): boolean => {
  const target = originOf(url)
  if (target === undefined) return false
  let real = false
  for (const root of [config.jfsRoot, config.apiRoot, config.wwwRoot]) {
    const r = originOf(root)
    if (r === undefined) continue
    if (r.origin === target.origin) return true
    if (r.scheme === "https" && realServiceHost.test(r.host)) real = true
  }
  return real && target.scheme === "https" && target.port === "" && realServiceHost.test(target.host)
}

const always = (): boolean => false

const ctxFields = (ctx: Errors.Context) => (ctx.path === undefined ? { operation: ctx.operation } : ctx)

const timedOut = (ctx: Errors.Context, what: string, after: Duration.Duration) =>
  new JottaError.TransportError({
    ...ctxFields(ctx),
    reason: "Timeout",
    description: `${what} within ${Duration.format(after)}`
  })

const tooLarge = (ctx: Errors.Context, status: number, limit: number, size?: number) =>
  new JottaError.InvalidResponse({
    ...ctxFields(ctx),
    status,
    issue: `the reply is larger than the ${limit}-byte limit (maxResponseSize)${size === undefined ? "" : `: ${size} bytes`}`
  })

const contentLength = (headers: Headers.Headers): number | undefined => {
  const v = headers["content-length"]
  if (v === undefined || !/^\d+$/.test(v)) return undefined
  return Number(v)
}

const utf8 = utf8DecoderLossy()

const concat = (parts: ReadonlyArray<Uint8Array>, size: number): Uint8Array => {
  if (parts.length === 1 && parts[0] !== undefined) return parts[0]
  const all = new Uint8Array(size)
  let offset = 0
  for (const p of parts) {
    all.set(p, offset)
    offset += p.length
  }
  return all
}

/**
 * Reads at most `limit` bytes of `stream`. `onOver`: fail (the reply is too large) or stop
 * quietly with what was read (error bodies).
 */
const readUpTo = <E, E2 = never>(
  stream: Stream.Stream<Uint8Array, E>,
  limit: number,
  onOver: (() => E2) | "truncate"
): Effect.Effect<string, E | E2> =>
  Effect.suspend(() => {
    const parts: Array<Uint8Array> = []
    let size = 0
    let over = false
    return Effect.flatMap(
      Stream.runForEachWhile(stream, (chunk) =>
        Effect.sync(() => {
          if (size + chunk.length > limit) {
            over = true
            if (onOver === "truncate") parts.push(chunk.subarray(0, limit - size))
            size = limit
            return false
          }
          parts.push(chunk)
          size += chunk.length
          return true
        })
      ),
      (): Effect.Effect<string, E2> =>
        over && onOver !== "truncate" ? Effect.fail(onOver()) : Effect.succeed(utf8.decode(concat(parts, size)))
    )
  })

/**
 * Builds the client.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<Service, never, HttpClient.HttpClient | JottaAuth | JottaConfig.JottaConfig> =
  Effect.gen(function* () {
    const http = yield* HttpClient.HttpClient
    const auth = yield* JottaAuth
    const config = yield* JottaConfig.JottaConfig
    const idle = config.timeout
    const idleMillis = Duration.toMillis(idle)
    const headersWithin = Duration.sum(config.connectTimeout, idle)
    const headersMillis = Duration.toMillis(headersWithin)

    const bounded = (res: HttpClientResponse.HttpClientResponse, ctx: Errors.Context): Response => {
      const stream = res.stream.pipe(
        Stream.mapError((e) => Errors.fromHttpClientError(e, ctx)),
        Stream.timeoutFail(() => timedOut(ctx, "no body data", idle), idle)
      )
      const length = contentLength(res.headers)
      const text: Effect.Effect<string, JottaError.JottaError> =
        length !== undefined && length > config.maxResponseSize
          ? Effect.fail(tooLarge(ctx, res.status, config.maxResponseSize, length))
          : length !== undefined && length <= wholeReadLimit
            ? res.text.pipe(
                Effect.mapError((e) => Errors.fromHttpClientError(e, ctx)),
                Effect.timeoutFail({ duration: idle, onTimeout: () => timedOut(ctx, "no complete body", idle) })
              )
            : readUpTo(stream, config.maxResponseSize, () => tooLarge(ctx, res.status, config.maxResponseSize))
      const discard = Effect.ignore(readUpTo(stream, errorBodyLimit, "truncate"))
      return { status: res.status, headers: res.headers, stream, text, discard }
    }

    /**
     * Sends one request: the token only to trusted origins, the response headers within
     * `connectTimeout` + `timeout` (pushed out by request-body progress).
     */
    const send = (
      request: HttpClientRequest.HttpClientRequest,
      ctx: Errors.Context
    ): Effect.Effect<HttpClientResponse.HttpClientResponse, JottaError.TransportError | AuthError> => {
      if (!isTrusted(config, request.url)) {
        const origin = originOf(request.url)?.origin ?? "an invalid URL"
        return Effect.fail(
          new JottaError.TransportError({
            ...ctxFields(ctx),
            reason: "UntrustedHost",
            description: `refusing to send the request to ${origin}: not a configured or Jottacloud origin`
          })
        )
      }
      const token = Effect.mapError(
        auth.accessToken,
        (e) =>
          new AuthError({
            ...e,
            ...ctxFields(ctx),
            description: e.description === undefined ? e.operation : `${e.operation}: ${e.description}`
          })
      )
      const withToken = Effect.flatMap(token, (token) => {
        const authed = HttpClientRequest.bearerToken(request, token)
        if (authed.body._tag !== "Stream") {
          return http.execute(authed).pipe(
            Effect.mapError((e) => Errors.fromHttpClientError(e, ctx)),
            Effect.timeoutFail({
              duration: headersWithin,
              onTimeout: () => timedOut(ctx, "no response", headersWithin)
            })
          )
        }
        // A streamed body: each chunk the transport reads is progress.
        const body = authed.body
        let last = -1
        const counted = Stream.mapChunksEffect(body.stream, (chunk: Chunk.Chunk<Uint8Array>) =>
          Effect.map(Clock.currentTimeMillis, (now) => {
            last = now
            return chunk
          })
        )
        const streamed = HttpClientRequest.setBody(
          authed,
          HttpBody.stream(counted, body.contentType, body.contentLength)
        )
        const watchdog = Effect.flatMap(Clock.currentTimeMillis, (start) => {
          const loop: Effect.Effect<never, JottaError.TransportError> = Effect.flatMap(
            Clock.currentTimeMillis,
            (now) => {
              const deadline = last < 0 ? start + headersMillis : last + idleMillis
              return now >= deadline
                ? Effect.fail(timedOut(ctx, "no progress", last < 0 ? headersWithin : idle))
                : Effect.zipRight(Effect.sleep(Duration.millis(deadline - now)), loop)
            }
          )
          return loop
        })
        // Both racers are made interruptible: the race ends by interrupting the loser, and a
        // caller in an uninterruptible region (a plain `HttpApp` handler, which the platform's
        // server runs uninterruptibly; an `acquireRelease` acquisition) would otherwise pass
        // that on to them, so the race would wait for ever for the watchdog's sleep to stop.
        return Effect.raceFirst(
          Effect.interruptible(Effect.mapError(http.execute(streamed), (e) => Errors.fromHttpClientError(e, ctx))),
          Effect.interruptible(watchdog)
        )
      })
      return Metrics.trackRequest(ctx.operation, request, withToken)
    }

    const failed = (res: HttpClientResponse.HttpClientResponse, ctx: Errors.Context) =>
      Effect.flatMap(
        Errors.fromResponse(
          {
            status: res.status,
            headers: res.headers,
            text: readUpTo(bounded(res, ctx).stream, errorBodyLimit, "truncate")
          },
          ctx
        ),
        Effect.fail
      )

    /** The token a request was sent with (to invalidate exactly that one). */
    const tokenOf = (res: HttpClientResponse.HttpClientResponse): Redacted.Redacted<string> | undefined => {
      const header = res.request.headers.authorization
      return header?.startsWith("Bearer ") ? Redacted.make(header.slice(7)) : undefined
    }

    const attempt = (
      request: HttpClientRequest.HttpClientRequest,
      ctx: Errors.Context,
      accept: (status: number) => boolean
    ): Effect.Effect<Response, JottaError.JottaError> =>
      Effect.flatMap(send(request, ctx), (res) => {
        if (res.status < 400 || accept(res.status)) return Effect.succeed(bounded(res, ctx))
        if (res.status !== 401) return failed(res, ctx)
        // 401: drop the token it was sent with and send once more (with a fresh token).
        const token = tokenOf(res)
        return Effect.zipRight(
          Effect.zipRight(bounded(res, ctx).discard, token === undefined ? Effect.void : auth.invalidate(token)),
          Effect.flatMap(send(request, ctx), (again) =>
            again.status < 400 || accept(again.status) ? Effect.succeed(bounded(again, ctx)) : failed(again, ctx)
          )
        )
      })

    const execute = (
      request: HttpClientRequest.HttpClientRequest,
      options: RequestOptions = {}
    ): Effect.Effect<Response, JottaError.JottaError> => {
      const run = (ctx: Errors.Context) => {
        const sent = attempt(request, ctx, options.accept ?? always)
        const once =
          options.wholeBody === true
            ? Effect.flatMap(sent, (res) =>
                Effect.map(res.text, (text): Response => ({ ...res, text: Effect.succeed(text), discard: Effect.void }))
              )
            : sent
        if (options.retry === false) return once
        const allow = options.idempotent === false ? RetryPolicy.isUnsent : undefined
        return Metrics.countRetries(ctx.operation, once, (counted) => RetryPolicy.retry(counted, allow))
      }
      if (options.operation !== undefined) return run({ operation: options.operation, path: options.path })
      return Effect.flatMap(Operation.at(options.path), run)
    }

    return { config, execute }
  })

/**
 * The client layer; needs an `HttpClient`, `JottaAuth` and `JottaConfig`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerWithoutConfig: Layer.Layer<
  JottaClient,
  never,
  HttpClient.HttpClient | JottaAuth | JottaConfig.JottaConfig
> = Layer.effect(JottaClient, make)

/**
 * The client layer with its configuration from plain values (production endpoints by
 * default).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: typeof JottaConfig.Options.Encoded = {}
): Layer.Layer<JottaClient | JottaConfig.JottaConfig, ConfigError.ConfigError, HttpClient.HttpClient | JottaAuth> =>
  Layer.provideMerge(layerWithoutConfig, JottaConfig.layer(options))

/**
 * The client layer with its configuration read from `FJORD_*` (see `JottaConfig.config`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  config?: Parameters<typeof JottaConfig.layerConfig>[0]
): Layer.Layer<JottaClient | JottaConfig.JottaConfig, ConfigError.ConfigError, HttpClient.HttpClient | JottaAuth> =>
  Layer.provideMerge(layerWithoutConfig, JottaConfig.layerConfig(config))
