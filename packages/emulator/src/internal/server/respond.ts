/**
 * From the handlers' plain `Reply` data (and their thrown `Failure`s) to platform responses,
 * and the bounded read of a small request body.
 */
import type * as Http from "node:http"
import { Readable } from "node:stream"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import type { Reply } from "../reply.js"
import { apiErrorReply, Failure } from "../reply.js"

export const toResponse = (r: Reply): HttpServerResponse.HttpServerResponse => {
  const { status, headers, body } = r
  if (body === undefined) return HttpServerResponse.empty({ status, headers })
  if (body instanceof Readable) return HttpServerResponse.raw(body, { status, headers })
  const bytes = typeof body === "string" ? Buffer.from(body, "utf8") : body
  return HttpServerResponse.uint8Array(bytes, { status, headers })
}

/** Runs a synchronous handler; a thrown `Failure` is its error reply. */
export const run = (f: () => Reply): HttpServerResponse.HttpServerResponse => {
  try {
    return toResponse(f())
  } catch (e) {
    if (e instanceof Failure) return toResponse(e.reply)
    throw e
  }
}

/** Reads a small request body (JSON) up to `limit` bytes; undefined when the connection broke. */
export const readSmallBody = (req: Http.IncomingMessage, limit = 1 << 20): Promise<Buffer | undefined> =>
  (async () => {
    const parts: Array<Buffer> = []
    let n = 0
    try {
      for await (const c of req) {
        const b = c as Buffer
        n += b.byteLength
        if (n > limit) throw new Failure(apiErrorReply(413, "InvalidArgumentException", "Request body too large"))
        parts.push(b)
      }
    } catch (e) {
      if (e instanceof Failure) throw e
      return undefined
    }
    if (req.readableAborted) return undefined
    return Buffer.concat(parts)
  })()
