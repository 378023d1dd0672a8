/**
 * A lean `HttpClient` for Node.js, built directly on undici's `Agent.request` (undici is the
 * HTTP stack of Node's own `fetch`, and what `@effect/platform-node`'s `layerUndici` uses).
 *
 * It is an ordinary `@effect/platform` `HttpClient` (made with `HttpClient.make`, so spans,
 * trace propagation, `HttpClient.*` combinators and interruption behave as with any other)
 * that fails with the same `RequestError` (`Transport`, cause = undici's error with its `code`)
 * and `ResponseError` (`Decode`) as the platform's clients, so code mapping those keeps working.
 * What it adds over `NodeHttpClient.layerUndici`:
 *
 * - **less work per request**: the callback form of `Agent.request` (no promise per request),
 *   reply headers converted only when read, bodies read straight from undici's readable, and a
 *   reply's `toJSON` that never starts reading its body;
 * - **bounded waits by default**, like rclone: a connect timeout (`connectTimeout`, default
 *   1 min, rclone's `--contimeout`) and an idle timeout (`idleTimeout`, default 5 min, rclone's
 *   `--timeout`): no byte for that long while waiting for the reply's headers (the clock
 *   restarts with every request body chunk written) or between two body chunks fails the
 *   request (`UND_ERR_CONNECT_TIMEOUT`, `UND_ERR_HEADERS_TIMEOUT`, `UND_ERR_BODY_TIMEOUT`);
 * - **streaming both ways**: a `Stream` request body is pulled chunk by chunk as the socket
 *   drains (constant memory; `content-length` is sent when the body declares one), reply
 *   bodies are streamed with backpressure;
 * - **keep-alive pooling** by one `Agent` per layer (closed with it), `connections` per origin;
 * - **interruption frees the socket**: interrupting a request, or a body read, aborts the
 *   request; undici then closes that connection (it cannot be reused mid-reply).
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import type { Dispatcher } from "undici"
import * as internal from "./internal/undiciHttpClient.js"

/**
 * Options of the client.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Time to establish a connection (TCP and TLS); default 1 minute. */
  readonly connectTimeout?: Duration.DurationInput | undefined
  /**
   * The longest wait for a byte: until the reply's headers (restarted by each request body
   * chunk written) and between reply body chunks; default 5 minutes.
   */
  readonly idleTimeout?: Duration.DurationInput | undefined
  /** How long an idle pooled connection is kept open; undici's default (4 s) when omitted. */
  readonly keepAliveTimeout?: Duration.DurationInput | undefined
  /** The most connections per origin; unlimited when omitted. */
  readonly connections?: number | undefined
}

/**
 * A client over its own keep-alive `Agent`, destroyed when the scope closes.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Effect.Effect<HttpClient.HttpClient, never, Scope.Scope> =>
  Effect.map(internal.makeAgent(options), (agent) => internal.make(agent, options))

/**
 * A client over a dispatcher the caller owns (an `Agent`, `Pool`, `Client`, or one with undici
 * interceptors). Only `idleTimeout` applies; the connection options belong to the dispatcher.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeWithDispatcher = (
  dispatcher: Dispatcher,
  options: Pick<Options, "idleTimeout"> = {}
): HttpClient.HttpClient => internal.make(dispatcher, options)

/**
 * The `HttpClient` with the given options.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerWith = (options: Options): Layer.Layer<HttpClient.HttpClient> =>
  Layer.scoped(HttpClient.HttpClient, make(options))

/**
 * The `HttpClient` with the default options (connect timeout 1 min, idle timeout 5 min).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<HttpClient.HttpClient> = layerWith({})
