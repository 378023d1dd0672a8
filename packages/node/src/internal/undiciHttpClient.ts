/**
 * The `HttpClient` on undici's `Dispatcher.request` (see `UndiciHttpClient.ts` for the
 * contract). `HttpClient.make` supplies the URL, the span, the `AbortSignal` and interruption;
 * this file sends the request and wraps the reply.
 *
 * Kept lean on purpose (the SDK sends many small requests): the callback form of `request`
 * (no promise per request); the reply is `clientResponse.ts`'s, shared with `NodeHttpClient`.
 */
import type * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as NodeStream from "@effect/platform-node/NodeStream"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { Agent, type Dispatcher } from "undici"
import { ClientResponse } from "./clientResponse.js"
import * as Timeouts from "./timeouts.js"

/** What undici accepts as a request body. */
type Body = Exclude<Dispatcher.DispatchOptions["body"], undefined>

/** Options of the client and of the agent it owns. */
export interface Options extends Timeouts.Options {
  readonly keepAliveTimeout?: Duration.DurationInput | undefined
}

/** A keep-alive pooling agent with the connect timeout (closed with the scope). */
export const makeAgent = (options: Options = {}): Effect.Effect<Agent, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.sync(
      () =>
        new Agent({
          connect: { timeout: Timeouts.millisOf(options).connect },
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
  const { idle } = Timeouts.millisOf(options)
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
          resume(Effect.succeed(new ClientResponse(request, data)))
        } else {
          resume(Effect.fail(new HttpClientError.RequestError({ request, reason: "Transport", cause: error })))
        }
      }
    )
    // No canceler: `HttpClient.make` aborts the signal when this fiber is interrupted, which
    // makes undici fail the request, destroy the request body and free the socket.
  })
