/**
 * The request log: one entry per request, with redacted headers, kept to the most recent
 * {@link LOG_LIMIT} entries, and the per-request context (log entry, the faults that fired, the
 * raw path and query) the routes and the fault injection read.
 */
import type * as Http from "node:http"
import type { Fault } from "../faults.js"

export interface RequestLogEntry {
  readonly method: string
  readonly path: string
  readonly query: string
  /** Operation name as used by fault matching. */
  readonly op: string
  status: number
  requestBytes: number
  responseBytes: number
  readonly headers: Readonly<Record<string, string>>
  /** True when the emulator cut or dropped the connection. */
  connectionCut: boolean
}

export interface RequestContext {
  readonly entry: RequestLogEntry
  readonly faults: ReadonlyArray<Fault>
  readonly path: string
  readonly query: URLSearchParams
}

/** The request log keeps this many most recent entries. */
export const LOG_LIMIT = 10_000

/** The log of one server and the context of each request in flight. */
export class RequestLog {
  readonly entries: Array<RequestLogEntry> = []
  readonly contexts = new WeakMap<Http.IncomingMessage, RequestContext>()

  add(req: Http.IncomingMessage, ctx: RequestContext): void {
    this.entries.push(ctx.entry)
    if (this.entries.length > LOG_LIMIT) this.entries.splice(0, this.entries.length - LOG_LIMIT)
    this.contexts.set(req, ctx)
  }

  /** The context of a request; a request the instrumentation did not see gets a bare one. */
  contextOf(req: Http.IncomingMessage): RequestContext {
    const ctx = this.contexts.get(req)
    if (ctx !== undefined) return ctx
    const { path, rawQuery } = splitUrl(req.url)
    const fresh: RequestContext = {
      entry: newEntry(req.method ?? "GET", path, "", "other", {}),
      faults: [],
      path,
      query: new URLSearchParams(rawQuery)
    }
    this.contexts.set(req, fresh)
    return fresh
  }
}

export const splitUrl = (url: string | undefined): { readonly path: string; readonly rawQuery: string } => {
  const u = url ?? "/"
  const qi = u.indexOf("?")
  return qi < 0 ? { path: u, rawQuery: "" } : { path: u.slice(0, qi), rawQuery: u.slice(qi + 1) }
}

export const newEntry = (
  method: string,
  path: string,
  query: string,
  op: string,
  headers: Readonly<Record<string, string>>
): RequestLogEntry => ({
  method,
  path,
  query,
  op,
  status: 0,
  requestBytes: 0,
  responseBytes: 0,
  headers,
  connectionCut: false
})

const REDACTED = "<redacted>"

/**
 * Headers whose value is a credential: the bearer or basic credentials, cookies. The 2FA code
 * (`X-JottaCloud-Otp`) stays readable: it is single-use, and tests assert that it was sent.
 */
const SECRET_HEADERS = new Set(["authorization", "cookie", "set-cookie", "proxy-authorization"])

/**
 * Query parameters whose value is a credential: the legacy grant's password (§2.8 accepts it
 * in the query string), tokens of every kind (access, refresh, id, login/auth tokens), client
 * secrets, authorization codes and verifiers.
 */
const SECRET_PARAMS = new Set([
  "password",
  "passwd",
  "pass",
  "token",
  "access_token",
  "refresh_token",
  "id_token",
  "auth_token",
  "login_token",
  "logintoken",
  "client_secret",
  "code",
  "code_verifier",
  "session_state"
])

export const redactHeaders = (h: Http.IncomingHttpHeaders): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined) continue
    out[k] = SECRET_HEADERS.has(k) ? REDACTED : Array.isArray(v) ? v.join(", ") : v
  }
  return out
}

const decodeKey = (k: string): string => {
  try {
    return decodeURIComponent(k.replace(/\+/g, " ")).toLowerCase()
  } catch {
    return k.toLowerCase()
  }
}

/**
 * The raw query string with the value of every credential parameter replaced by
 * `<redacted>`; the other parameters stay as they were sent. Request bodies are never logged.
 */
export const redactQuery = (raw: string): string =>
  raw === ""
    ? raw
    : raw
        .split("&")
        .map((pair) => {
          const eq = pair.indexOf("=")
          const k = eq < 0 ? pair : pair.slice(0, eq)
          return eq >= 0 && SECRET_PARAMS.has(decodeKey(k)) ? `${k}=${REDACTED}` : pair
        })
        .join("&")
