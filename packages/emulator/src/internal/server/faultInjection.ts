/**
 * The reply-level faults, applied around the routes: before a route runs, `Delay`,
 * `ExpireTokens` and `Status` (an injected error reply in the host's error format, §7); after
 * it, `LostReply` (the work is done, the reply never arrives), `Truncate` and `Corrupt`.
 * Connection-level faults are cut in `wire.ts`.
 */
import type * as Http from "node:http"
import { Readable } from "node:stream"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import type { Fault } from "../faults.js"
import { groupOf } from "../faults.js"
import type { Identity } from "../identity.js"
import type { Reply } from "../reply.js"
import { apiErrorReply, jfsErrorReply, reason } from "../reply.js"
import type { RequestContext } from "./requestLog.js"
import { toResponse } from "./respond.js"

/** Wall-clock sleep, independent of the fiber's Clock (tests often run the server under TestClock). */
const realSleep = (millis: number): Effect.Effect<void> =>
  Effect.async<void>((resume) => {
    const t = setTimeout(() => resume(Effect.void), millis)
    return Effect.sync(() => clearTimeout(t))
  })

const faultStatusReply = (path: string, status: number): Reply =>
  groupOf(path) === "jfs"
    ? jfsErrorReply(status, `Injected fault: ${status} ${reason(status)}`)
    : apiErrorReply(status, "InjectedFaultException", `Injected fault: ${status} ${reason(status)}`)

/**
 * Applies the faults that act before the route: waits out `Delay`s, expires every access token
 * for `ExpireTokens`, and answers a `Status` fault itself (429 with `Retry-After`, default 1 s).
 */
export const beforeRoute = (
  ctx: RequestContext,
  identity: Identity
): Effect.Effect<HttpServerResponse.HttpServerResponse | undefined> =>
  Effect.gen(function* () {
    for (const f of ctx.faults) if (f._tag === "Delay") yield* realSleep(f.millis)
    if (ctx.faults.some((f) => f._tag === "ExpireTokens")) yield* identity.expireAllAccessTokens
    const status = ctx.faults.find((f): f is Extract<Fault, { _tag: "Status" }> => f._tag === "Status")
    if (status === undefined) return undefined
    const r = faultStatusReply(ctx.path, status.status)
    const headers: Record<string, string> = { ...r.headers, connection: "close" }
    const retryAfter = status.retryAfter ?? (status.status === 429 ? 1 : undefined)
    if (retryAfter !== undefined) headers["retry-after"] = String(retryAfter)
    return toResponse({ ...r, headers })
  })

/**
 * Applies the faults that act on the route's reply: `LostReply` destroys the socket (the
 * route's effect stands), `Truncate` and `Corrupt` mangle the body.
 */
export const afterRoute = (
  ctx: RequestContext,
  request: Http.IncomingMessage,
  response: HttpServerResponse.HttpServerResponse
): HttpServerResponse.HttpServerResponse => {
  if (ctx.faults.some((f) => f._tag === "LostReply")) {
    const body = response.body
    if (body._tag === "Raw" && body.body instanceof Readable) body.body.destroy()
    ctx.entry.connectionCut = true
    request.socket.destroy()
    return HttpServerResponse.empty({ status: response.status })
  }
  let out = response
  for (const f of ctx.faults) if (f._tag === "Truncate" || f._tag === "Corrupt") out = mangle(out, f)
  return out
}

const corruptBytes = (b: Uint8Array): Uint8Array => {
  const out = Buffer.from(b)
  if (out.length > 0) {
    const i = Math.floor(out.length / 2)
    out[i] = out[i] === 0 ? 0xff : 0
  }
  return out
}

const transformReadable = (src: Readable, f: (chunk: Buffer, offset: number) => Buffer | undefined): Readable =>
  Readable.from(
    (async function* () {
      let offset = 0
      for await (const c of src) {
        const b = c as Buffer
        const out = f(b, offset)
        offset += b.byteLength
        if (out === undefined) {
          src.destroy()
          return
        }
        yield out
      }
    })(),
    { objectMode: false }
  )

/** Applies a truncate / corrupt fault to a reply. */
const mangle = (
  response: HttpServerResponse.HttpServerResponse,
  fault: Extract<Fault, { _tag: "Truncate" | "Corrupt" }>
): HttpServerResponse.HttpServerResponse => {
  const body = response.body
  const headers = { ...response.headers }
  const status = response.status
  if (fault._tag === "Truncate") {
    const n = fault.bytes
    if (body._tag === "Uint8Array") {
      return HttpServerResponse.uint8Array(body.body.subarray(0, n), { status, headers })
    }
    if (body._tag === "Raw" && body.body instanceof Readable) {
      const total = Number(headers["content-length"] ?? Number.NaN)
      if (Number.isFinite(total)) headers["content-length"] = String(Math.min(total, n))
      else delete headers["content-length"]
      const out = transformReadable(body.body, (chunk, offset) =>
        offset >= n ? undefined : chunk.subarray(0, Math.min(chunk.byteLength, n - offset))
      )
      return HttpServerResponse.raw(out, { status, headers })
    }
    return response
  }
  if (body._tag === "Uint8Array") return HttpServerResponse.uint8Array(corruptBytes(body.body), { status, headers })
  if (body._tag === "Raw" && body.body instanceof Readable) {
    const total = Number(headers["content-length"] ?? Number.NaN)
    const at = Number.isFinite(total) ? Math.floor(total / 2) : 0
    const out = transformReadable(body.body, (chunk, offset) => {
      if (at >= offset && at < offset + chunk.byteLength) {
        const c = Buffer.from(chunk)
        c[at - offset] = c[at - offset] === 0 ? 0xff : 0
        return c
      }
      return chunk
    })
    return HttpServerResponse.raw(out, { status, headers })
  }
  return response
}
