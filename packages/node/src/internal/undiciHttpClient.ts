/**
 * The `HttpClient` on undici's `Dispatcher.request` (see `UndiciHttpClient.ts` for the
 * contract). `HttpClient.make` supplies the URL, the span, the `AbortSignal` and interruption;
 * this file sends the request and wraps the reply.
 *
 * Kept lean on purpose (the SDK sends many small requests): the callback form of `request`
 * (no promise per request), headers converted once and only when asked for, bodies read
 * straight from undici's readable. Body reads are memoised like the platform's, so reading
 * `text` twice (an error path re-reading a body) does not wait for bytes that are gone.
 */
import * as Cookies from "@effect/platform/Cookies"
import * as Headers from "@effect/platform/Headers"
import type * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as HttpIncomingMessage from "@effect/platform/HttpIncomingMessage"
import * as UrlParams from "@effect/platform/UrlParams"
import * as NodeStream from "@effect/platform-node/NodeStream"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Inspectable from "effect/Inspectable"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import type * as Stream from "effect/Stream"
import { Agent, type Dispatcher } from "undici"

/** What undici accepts as a request body. */
type Body = Exclude<Dispatcher.DispatchOptions["body"], undefined>

/** Options of the client and of the agent it owns. */
export interface Options {
  readonly connectTimeout?: Duration.DurationInput | undefined
  readonly idleTimeout?: Duration.DurationInput | undefined
  readonly keepAliveTimeout?: Duration.DurationInput | undefined
  readonly connections?: number | undefined
}

/** rclone's `--contimeout` and `--timeout` defaults. */
export const defaultConnectTimeout = Duration.minutes(1)
export const defaultIdleTimeout = Duration.minutes(5)

const millis = (d: Duration.DurationInput | undefined, fallback: Duration.Duration): number =>
  Duration.toMillis(Duration.decode(d ?? fallback))

/** A keep-alive pooling agent with the connect timeout (closed with the scope). */
export const makeAgent = (options: Options = {}): Effect.Effect<Agent, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.sync(
      () =>
        new Agent({
          connect: { timeout: millis(options.connectTimeout, defaultConnectTimeout) },
          ...(options.keepAliveTimeout === undefined
            ? {}
            : { keepAliveTimeout: Duration.toMillis(Duration.decode(options.keepAliveTimeout)) }),
          ...(options.connections === undefined ? {} : { connections: options.connections })
        })
    ),
    (agent) => Effect.promise(() => agent.destroy())
  )

/** The client over `dispatcher`; `idleTimeout` bounds the wait for headers and between body chunks. */
export const make = (dispatcher: Dispatcher, options: Options = {}): HttpClient.HttpClient => {
  const idle = millis(options.idleTimeout, defaultIdleTimeout)
  return HttpClient.make((request, url, signal) => {
    const body = request.body
    if (body._tag === "Stream") {
      return Effect.flatMap(NodeStream.toReadable(body.stream), (readable) =>
        send(dispatcher, idle, request, url, signal, readable)
      )
    }
    return send(dispatcher, idle, request, url, signal, bodyOf(body))
  })
}

const bodyOf = (body: Exclude<HttpBody.HttpBody, HttpBody.Stream>): Body => {
  switch (body._tag) {
    case "Empty":
      return null
    case "Uint8Array":
      return body.body
    case "Raw":
      return body.body as Body
    case "FormData":
      return body.formData as unknown as Body
  }
}

const send = (
  dispatcher: Dispatcher,
  idle: number,
  request: HttpClientRequest.HttpClientRequest,
  url: URL,
  signal: AbortSignal,
  body: Body
): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.RequestError> =>
  Effect.async((resume) => {
    dispatcher.request(
      {
        origin: url.origin,
        path: url.pathname + url.search,
        method: request.method as Dispatcher.HttpMethod,
        headers: request.headers,
        body,
        signal,
        headersTimeout: idle,
        bodyTimeout: idle
      },
      (error, data) => {
        if (error === null) {
          resume(Effect.succeed(new UndiciResponse(request, data)))
        } else {
          resume(Effect.fail(new HttpClientError.RequestError({ request, reason: "Transport", cause: error })))
        }
      }
    )
    // No canceler: `HttpClient.make` aborts the signal when this fiber is interrupted, which
    // makes undici fail the request, destroy the request body and free the socket.
  })

const ignore = (_: unknown) => {}

/** A reply; its body is read once (memoised) whichever accessor reads it. */
class UndiciResponse extends Inspectable.Class implements HttpClientResponse.HttpClientResponse {
  readonly [HttpIncomingMessage.TypeId]: HttpIncomingMessage.TypeId = HttpIncomingMessage.TypeId
  readonly [HttpClientResponse.TypeId]: HttpClientResponse.TypeId = HttpClientResponse.TypeId

  constructor(
    readonly request: HttpClientRequest.HttpClientRequest,
    readonly source: Dispatcher.ResponseData
  ) {
    super()
    // A body error nobody reads (an abort after the reply was dropped) must not crash the process.
    source.body.on("error", ignore)
  }

  get status(): number {
    return this.source.statusCode
  }

  private cachedHeaders: Headers.Headers | undefined
  get headers(): Headers.Headers {
    return (this.cachedHeaders ??= Headers.fromInput(this.source.headers as Headers.Input))
  }

  private cachedCookies: Cookies.Cookies | undefined
  get cookies(): Cookies.Cookies {
    if (this.cachedCookies !== undefined) return this.cachedCookies
    const header = this.source.headers["set-cookie"]
    this.cachedCookies =
      header === undefined ? Cookies.empty : Cookies.fromSetCookie(Array.isArray(header) ? header : [header])
    return this.cachedCookies
  }

  get remoteAddress(): Option.Option<string> {
    return Option.none()
  }

  private decodeError(cause: unknown): HttpClientError.ResponseError {
    return new HttpClientError.ResponseError({ request: this.request, response: this, reason: "Decode", cause })
  }

  get stream(): Stream.Stream<Uint8Array, HttpClientError.ResponseError> {
    return NodeStream.fromReadable(
      () => this.source.body,
      (cause) => this.decodeError(cause)
    )
  }

  private read<A>(f: () => Promise<A>): Effect.Effect<A, HttpClientError.ResponseError> {
    let started: Promise<A> | undefined
    return Effect.async<A, HttpClientError.ResponseError>((resume) => {
      started ??= f()
      started.then(
        (a) => resume(Effect.succeed(a)),
        (cause) => resume(Effect.fail(this.decodeError(cause)))
      )
    })
  }

  private textBody: Effect.Effect<string, HttpClientError.ResponseError> | undefined
  get text(): Effect.Effect<string, HttpClientError.ResponseError> {
    return (this.textBody ??= this.read(() => this.source.body.text()))
  }

  private arrayBufferBody: Effect.Effect<ArrayBuffer, HttpClientError.ResponseError> | undefined
  get arrayBuffer(): Effect.Effect<ArrayBuffer, HttpClientError.ResponseError> {
    return (this.arrayBufferBody ??= this.read(() => this.source.body.arrayBuffer()))
  }

  get json(): Effect.Effect<unknown, HttpClientError.ResponseError> {
    return Effect.flatMap(this.text, (text) =>
      Effect.try({
        try: () => (text === "" ? null : (JSON.parse(text) as unknown)),
        catch: (cause) => this.decodeError(cause)
      })
    )
  }

  get urlParamsBody(): Effect.Effect<UrlParams.UrlParams, HttpClientError.ResponseError> {
    return Effect.flatMap(this.text, (text) =>
      Effect.try({
        try: () => UrlParams.fromInput(new URLSearchParams(text)),
        catch: (cause) => this.decodeError(cause)
      })
    )
  }

  private formDataBody: Effect.Effect<FormData, HttpClientError.ResponseError> | undefined
  get formData(): Effect.Effect<FormData, HttpClientError.ResponseError> {
    // undici's own body mixin no longer parses multipart; the fetch `Response` does.
    return (this.formDataBody ??= this.read(async () => {
      const bytes = await this.source.body.arrayBuffer()
      const type = this.headers["content-type"]
      return new Response(bytes, type === undefined ? {} : { headers: { "content-type": type } }).formData()
    }))
  }

  toJSON(): unknown {
    // Unlike the platform's, inspecting a reply never starts reading its body.
    return {
      _id: "@effect/platform/HttpClientResponse",
      request: this.request.toJSON(),
      status: this.status,
      headers: Inspectable.redact(this.headers)
    }
  }
}
