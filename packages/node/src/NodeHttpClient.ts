/**
 * A lean `HttpClient` on Node's own `node:http` / `node:https`, the one `NodeJotta.layer`
 * provides.
 *
 * It is an ordinary `@effect/platform` `HttpClient` (made with `HttpClient.make`, so spans,
 * trace propagation, `HttpClient.*` combinators and interruption behave as with any other)
 * that fails with the platform's `RequestError` (`Transport`, cause = Node's error with its
 * `code`; `Encode` when the request body's own stream fails, cause = that failure) and
 * `ResponseError` (`Decode`). Why this and not another client:
 *
 * - **start-up and memory**: `node:http` is part of Node (compiled into its snapshot), while
 *   undici from npm costs a command-line program about 35 ms and 40 MB before its first
 *   request (`fjord about`: 0.13 s CPU and 83 MB with this client, 0.18 s and 128 MB over
 *   `UndiciHttpClient`); per request both cost about the same;
 * - **real backpressure**: a `Stream` request body is pulled chunk by chunk as the socket
 *   drains (constant memory; `content-length` is sent when the body declares one).
 *   `@effect/platform-node`'s `NodeHttpClient` writes a stream of one-buffer chunks without
 *   waiting for the socket, so a 1 GiB upload over it held some 700 MB;
 * - **bounded waits by default**, like rclone: a connect timeout (`connectTimeout`, default
 *   1 min, rclone's `--contimeout`) and an idle timeout (`idleTimeout`, default 5 min, rclone's
 *   `--timeout`): a socket without traffic for that long, waiting for the reply or between
 *   body chunks, fails the request (`code` `FJORD_CONNECT_TIMEOUT`, `FJORD_IDLE_TIMEOUT`);
 * - **keep-alive pooling** by one `Agent` per protocol and layer (destroyed with it),
 *   `connections` per origin;
 * - **interruption frees the socket**: interrupting a request, or a body read, destroys its
 *   connection (a reply can no longer arrive on it); the pool opens a new one.
 *
 * An early reply (a server answering `4xx` before it has read a request body) is the
 * result, not a transport error. Replies are read as `clientResponse.ts` describes: headers
 * converted when read, bodies memoised, never read by inspection.
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as internal from "./internal/nodeHttpClient.js"

/**
 * Options of the client: `connectTimeout` (default 1 min), `idleTimeout` (the longest a socket
 * may go without traffic, waiting for the reply or its body; default 5 min), `connections`
 * (per origin; unlimited when omitted).
 *
 * @since 0.1.0
 * @category models
 */
export type Options = internal.Options

/**
 * The keep-alive agents a client sends through (`node:http` and `node:https`).
 *
 * @since 0.1.0
 * @category models
 */
export type Agents = internal.Agents

/**
 * A client over its own keep-alive agents, destroyed when the scope closes.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Effect.Effect<HttpClient.HttpClient, never, Scope.Scope> =>
  Effect.map(internal.makeAgents(options), (agents) => internal.make(agents, options))

/**
 * A client over agents the caller owns. Only the timeouts apply; pooling belongs to the agents.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeWithAgents = (
  agents: Agents,
  options: Pick<Options, "connectTimeout" | "idleTimeout"> = {}
): HttpClient.HttpClient => internal.make(agents, options)

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
