/**
 * The `HttpClient` on `node:http` / `node:https` (see `NodeHttpClient.ts` for the contract).
 * `HttpClient.make` supplies the URL, the span, the `AbortSignal` and interruption; this file
 * sends the request (its body with backpressure, `writable.ts`) and wraps the reply
 * (`clientResponse.ts`).
 *
 * @internal
 */
import * as Http from "node:http"
import * as Https from "node:https"
import type * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { ClientResponse } from "./clientResponse.js"
import * as Timeouts from "./timeouts.js"
import * as Writable from "./writable.js"

/** Options of the client and of the agents it owns. @internal */
export type Options = Timeouts.Options

/** The keep-alive agents of one client. @internal */
export interface Agents {
  readonly http: Http.Agent
  readonly https: Https.Agent
}

/** Keep-alive pooling agents, destroyed with the scope. @internal */
export const makeAgents = (options: Options = {}): Effect.Effect<Agents, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const agentOptions: Http.AgentOptions = {
        keepAlive: true,
        ...(options.connections === undefined ? {} : { maxSockets: options.connections })
      }
      return { http: new Http.Agent(agentOptions), https: new Https.Agent(agentOptions) }
    }),
    (agents) =>
      Effect.sync(() => {
        agents.http.destroy()
        agents.https.destroy()
      })
  )

/** A transport error whose `code` names the timeout, like Node's own errors. */
const timeoutError = (code: "FJORD_CONNECT_TIMEOUT" | "FJORD_IDLE_TIMEOUT", ms: number): Error =>
  Object.assign(
    new Error(code === "FJORD_CONNECT_TIMEOUT" ? `no connection within ${ms} ms` : `no data for ${ms} ms`),
    { code }
  )

/** The client over `agents`; `idleTimeout` bounds every wait for a byte, `connectTimeout` the connection. @internal */
export const make = (agents: Agents, options: Options = {}): HttpClient.HttpClient => {
  const { connect, idle } = Timeouts.millisOf(options)
  return HttpClient.make((request, url, signal) =>
    Effect.suspend(() => {
      const https = url.protocol === "https:"
      const nodeRequest = (https ? Https : Http).request(url, {
        agent: https ? agents.https : agents.http,
        method: request.method,
        headers: request.headers,
        signal
      })
      // errors before the reply fail `waitForResponse`; later ones (an abort while the body is
      // read) reach the reply's body, and must not crash the process as unhandled events here
      nodeRequest.on("error", ignore)
      bound(nodeRequest, connect, idle)
      const state = { responded: false }
      const body = request.body
      if (body._tag !== "Stream" && body._tag !== "FormData") {
        // a body in memory is handed over at once; a failure to send it fails the request
        nodeRequest.end(body._tag === "Empty" ? undefined : (body.body as Uint8Array | string))
        return waitForResponse(nodeRequest, request, state)
      }
      const send = sendBody(nodeRequest, request, body).pipe(
        // a server may answer before it has read the whole body (an early 4xx): the reply counts
        Effect.catchAll((e) => (state.responded ? Effect.void : Effect.fail(e)))
      )
      return Effect.zipRight(send, waitForResponse(nodeRequest, request, state), { concurrent: true })
    })
  )
}

/** Fails the request when the connection is not made in `connect` ms or the socket idles `idle` ms. */
const bound = (nodeRequest: Http.ClientRequest, connect: number, idle: number) => {
  let response: Http.IncomingMessage | undefined
  nodeRequest.once("response", (r) => {
    response = r
  })
  // a reply being read gets the error itself (destroying only the request would show as a reset)
  const fail = (e: Error) => {
    if (response !== undefined && !response.complete) response.destroy(e)
    nodeRequest.destroy(e)
  }
  nodeRequest.setTimeout(idle, () => fail(timeoutError("FJORD_IDLE_TIMEOUT", idle)))
  nodeRequest.once("socket", (socket) => {
    if (!socket.connecting) return
    const timer = setTimeout(() => fail(timeoutError("FJORD_CONNECT_TIMEOUT", connect)), connect)
    const clear = () => clearTimeout(timer)
    socket.once("connect", clear)
    socket.once("close", clear)
  })
}

const ignore = (_: unknown) => {}

const transport = (request: HttpClientRequest.HttpClientRequest) => (cause: unknown) =>
  new HttpClientError.RequestError({ request, reason: "Transport", cause })

/** Writes a body that is not in memory: a form (encoded first) or a stream (with backpressure). */
const sendBody = (
  nodeRequest: Http.ClientRequest,
  request: HttpClientRequest.HttpClientRequest,
  body: HttpBody.FormData | HttpBody.Stream
): Effect.Effect<void, HttpClientError.RequestError> => {
  if (body._tag === "FormData") {
    const encoded = new Response(body.formData)
    for (const [key, value] of encoded.headers) nodeRequest.setHeader(key, value)
    return Effect.tryPromise({ try: () => encoded.arrayBuffer(), catch: transport(request) }).pipe(
      Effect.flatMap((bytes) => {
        nodeRequest.write(new Uint8Array(bytes))
        return Writable.end(nodeRequest, transport(request))
      })
    )
  }
  return Effect.zipRight(
    Writable.writeAll(
      nodeRequest,
      Stream.mapError(body.stream, (cause) => new HttpClientError.RequestError({ request, reason: "Encode", cause })),
      transport(request)
    ),
    Writable.end(nodeRequest, transport(request))
  )
}

const waitForResponse = (
  nodeRequest: Http.ClientRequest,
  request: HttpClientRequest.HttpClientRequest,
  state: { responded: boolean }
): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.RequestError> =>
  Effect.async((resume) => {
    const onError = (cause: unknown) => resume(Effect.fail(transport(request)(cause)))
    const onResponse = (response: Http.IncomingMessage) => {
      state.responded = true
      nodeRequest.off("error", onError)
      resume(
        Effect.succeed(
          new ClientResponse(request, {
            statusCode: response.statusCode ?? 0,
            headers: response.headers,
            body: response
          })
        )
      )
    }
    nodeRequest.once("error", onError)
    nodeRequest.once("response", onResponse)
    return Effect.sync(() => {
      nodeRequest.off("error", onError)
      nodeRequest.off("response", onResponse)
    })
  })
