/**
 * Wire instrumentation at the Node level, below the router: every request gets its log entry
 * and its fired faults before any route runs; request and response bytes are counted where the
 * HTTP parser and the socket see them, and the connection-level faults (`CutRequest`,
 * `CutResponse`) cut the socket there, whichever route reads or writes the body.
 */
import type * as Http from "node:http"
import type { Fault, FaultTable } from "../faults.js"
import { operationOf } from "../faults.js"
import type { RequestLog, RequestLogEntry } from "./requestLog.js"
import { newEntry, redactHeaders, redactQuery, splitUrl } from "./requestLog.js"

type WriteFn = (chunk: unknown, enc?: unknown, cb?: unknown) => boolean
type EndFn = (chunk?: unknown, enc?: unknown, cb?: unknown) => Http.ServerResponse

const byteLength = (chunk: unknown, enc?: unknown): number =>
  typeof chunk === "string"
    ? Buffer.byteLength(chunk, typeof enc === "string" ? (enc as BufferEncoding) : "utf8")
    : chunk instanceof Uint8Array
      ? chunk.byteLength
      : 0

const toBuffer = (chunk: unknown, enc?: unknown): Buffer =>
  typeof chunk === "string"
    ? Buffer.from(chunk, typeof enc === "string" ? (enc as BufferEncoding) : "utf8")
    : Buffer.from(chunk as Uint8Array)

const faultOf = <T extends Fault["_tag"]>(fired: ReadonlyArray<Fault>, tag: T) =>
  fired.find((f): f is Extract<Fault, { _tag: T }> => f._tag === tag)

/** Logs a request, takes its faults, and instruments its request and response streams. */
export const instrument = (
  faults: FaultTable,
  log: RequestLog,
  onRequest: ((e: RequestLogEntry) => void) | undefined,
  req: Http.IncomingMessage,
  res: Http.ServerResponse
): void => {
  const { path, rawQuery } = splitUrl(req.url)
  const query = new URLSearchParams(rawQuery)
  const method = req.method ?? "GET"
  const op = operationOf(method, path, query)
  const fired = faults.take(method, path, op)
  const entry = newEntry(method, path, redactQuery(rawQuery), op, redactHeaders(req.headers))
  log.add(req, { entry, faults: fired, path, query })
  countRequest(req, entry, faultOf(fired, "CutRequest")?.afterBytes)
  countResponse(res, entry, faultOf(fired, "CutResponse")?.afterBytes, onRequest)
}

/**
 * Counts request body bytes where the HTTP parser pushes them into the request stream, and for
 * a `CutRequest` fault destroys the socket after `limit` bytes.
 */
const countRequest = (req: Http.IncomingMessage, entry: RequestLogEntry, limit: number | undefined): void => {
  let seen = 0
  let cutIn = false
  const origPush = req.push.bind(req) as (chunk: unknown, encoding?: BufferEncoding) => boolean
  req.push = ((chunk: unknown, encoding?: BufferEncoding): boolean => {
    if (cutIn) return false
    if (chunk === null || chunk === undefined || !(chunk instanceof Uint8Array)) return origPush(chunk, encoding)
    if (limit !== undefined && seen + chunk.byteLength >= limit) {
      const part = chunk.subarray(0, limit - seen)
      seen = limit
      entry.requestBytes = seen
      entry.connectionCut = true
      cutIn = true
      if (part.byteLength > 0) origPush(part)
      setImmediate(() => req.socket.destroy())
      return false
    }
    seen += chunk.byteLength
    entry.requestBytes = seen
    return origPush(chunk, encoding)
  }) as typeof req.push
}

/**
 * Counts response bytes at `write`/`end`, completes the log entry (and calls `onRequest`) once,
 * and for a `CutResponse` fault writes only the first `cut` bytes and destroys the socket.
 */
const countResponse = (
  res: Http.ServerResponse,
  entry: RequestLogEntry,
  cut: number | undefined,
  onRequest: ((e: RequestLogEntry) => void) | undefined
): void => {
  let finished = false
  const finish = () => {
    if (finished) return
    finished = true
    if (entry.status === 0) entry.status = res.headersSent ? res.statusCode : 0
    onRequest?.(entry)
  }
  let sent = 0
  let cutDone = false
  const origWrite = res.write.bind(res) as WriteFn
  const origEnd = res.end.bind(res) as EndFn
  const kill = () => res.socket?.destroy()
  const cutHere = (chunk: unknown, enc: unknown): boolean => {
    if (cut === undefined) return false
    const len = byteLength(chunk, enc)
    if (sent + len <= cut) return false
    const part = toBuffer(chunk, enc).subarray(0, Math.max(0, cut - sent))
    sent += part.byteLength
    entry.responseBytes = sent
    entry.status = res.statusCode
    entry.connectionCut = true
    cutDone = true
    origWrite(part, kill)
    setTimeout(kill, 50).unref()
    finish()
    return true
  }
  const write: WriteFn = (chunk, enc, cb) => {
    if (cutDone) return false
    if (cutHere(chunk, enc)) return false
    sent += byteLength(chunk, enc)
    entry.responseBytes = sent
    return origWrite(chunk, enc, cb)
  }
  // a body shorter than the cut point completes normally
  const end: EndFn = (chunk, enc, cb) => {
    if (typeof chunk === "function") return end(undefined, undefined, chunk)
    if (typeof enc === "function") return end(chunk, undefined, enc)
    if (cutDone) return res
    if (chunk !== undefined && chunk !== null && cutHere(chunk, enc)) return res
    sent += chunk === undefined || chunk === null ? 0 : byteLength(chunk, enc)
    entry.responseBytes = sent
    entry.status = res.statusCode
    finish()
    return origEnd(chunk, enc, cb)
  }
  res.write = write as typeof res.write
  res.end = end as typeof res.end
  res.on("close", () => {
    if (!res.writableEnded) entry.connectionCut = true
    finish()
  })
}
