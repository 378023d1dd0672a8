/**
 * Listening on Node: serves an `HttpApp` (a `WebDav` or `HttpIndex` app, with or without
 * `BasicAuth`) on one address with `@effect/platform-node`'s HTTP server, for as long as the
 * scope lives. It binds exactly the address given (`127.0.0.1:8080` by default, as rclone's
 * `serve`); `:PORT` means every interface. An optional access log sees each request.
 *
 * Requests are bounded: headers within 60 s, a whole request (an upload) within one hour
 * (rclone's `--server-read-timeout`).
 *
 * @since 0.1.0
 */
import * as Http from "node:http"
import type * as HttpApp from "@effect/platform/HttpApp"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"

/**
 * The address could not be parsed or bound.
 *
 * @since 0.1.0
 * @category errors
 */
export class ServeError extends Schema.TaggedError<ServeError>("@fjord/serve/ServeError")("ServeError", {
  addr: Schema.String,
  description: Schema.String,
  cause: Schema.optional(Schema.Defect)
}) {
  override get message(): string {
    return `${this.addr}: ${this.description}`
  }
}

/**
 * One request, for the access log.
 *
 * @since 0.1.0
 * @category models
 */
export interface AccessEntry {
  readonly method: string
  readonly url: string
  readonly status: number
  readonly millis: number
  readonly remoteAddress: string | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** `HOST:PORT`, `[IPv6]:PORT` or `:PORT` (every interface); default `127.0.0.1:8080`. Port 0 picks a free one. */
  readonly addr?: string | undefined
  /** Called after each request. */
  readonly accessLog?: ((entry: AccessEntry) => Effect.Effect<void>) | undefined
}

/**
 * A listening server.
 *
 * @since 0.1.0
 * @category models
 */
export interface Listening {
  /** The base URL (`http://127.0.0.1:8080`). */
  readonly url: string
  readonly host: string | undefined
  readonly port: number
}

/**
 * The default address.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultAddr = "127.0.0.1:8080"

/**
 * Parses `HOST:PORT`, `[IPv6]:PORT` or `:PORT` (`host` undefined: every interface).
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseAddr = (
  addr: string
): Effect.Effect<{ readonly host: string | undefined; readonly port: number }, ServeError> => {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(addr.trim())
  const port = Number(m?.[3])
  if (m === null || port > 65535) {
    return Effect.fail(new ServeError({ addr, description: "expected HOST:PORT, [IPV6]:PORT or :PORT" }))
  }
  const host = m[1] ?? (m[2] === "" ? undefined : m[2])
  return Effect.succeed({ host, port })
}

const withAccessLog =
  (log: (entry: AccessEntry) => Effect.Effect<void>) =>
  <E, R>(app: HttpApp.Default<E, R>): HttpApp.Default<E, R> =>
    Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) =>
      Effect.timed(app).pipe(
        Effect.tap(([elapsed, response]) =>
          log({
            method: request.method,
            url: request.url,
            status: response.status,
            millis: Math.round(Duration.toMillis(elapsed)),
            remoteAddress: request.remoteAddress._tag === "Some" ? request.remoteAddress.value : undefined
          })
        ),
        Effect.map(([, response]) => response)
      )
    )

/**
 * Serves `app` on the address until the scope closes.
 *
 * @since 0.1.0
 * @category running
 */
export const serve = <E, R>(
  app: HttpApp.Default<E, R>,
  options: Options = {}
): Effect.Effect<Listening, ServeError, Scope.Scope | Exclude<R, HttpServerRequest.HttpServerRequest>> =>
  Effect.gen(function* () {
    const addr = options.addr ?? defaultAddr
    const { host, port } = yield* parseAddr(addr)
    const server = yield* NodeHttpServer.make(
      () => Http.createServer({ headersTimeout: 60_000, requestTimeout: 3_600_000 }),
      host === undefined ? { port } : { port, host }
    ).pipe(Effect.mapError((cause) => new ServeError({ addr, description: "cannot listen", cause })))
    const address = server.address
    const bound = address._tag === "TcpAddress" ? address.port : port
    yield* server.serve(options.accessLog === undefined ? app : withAccessLog(options.accessLog)(app))
    const shown = host === undefined ? "0.0.0.0" : host.includes(":") ? `[${host}]` : host
    return { url: `http://${shown}:${bound}`, host, port: bound }
  })
