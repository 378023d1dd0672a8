/**
 * The HTTP server: one loopback origin for every host (§1.1 emulator rule), bearer
 * authentication, the request log and fault injection, persistence hooks.
 */

import * as Http from "node:http"
import { Readable } from "node:stream"
import * as HttpRouter from "@effect/platform/HttpRouter"
import type { RouteNotFound } from "@effect/platform/HttpServerError"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as NodeHttpServerRequest from "@effect/platform-node/NodeHttpServerRequest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as Api from "./api.js"
import type { Fault } from "./faults.js"
import { FaultTable, groupOf, operationOf } from "./faults.js"
import type { Identity, IdentityOptions, IdentitySnapshot } from "./identity.js"
import { handleJfs } from "./jfs.js"
import type { Reply } from "./reply.js"
import { apiErrorReply, Failure, jfsErrorReply, reason, TOKEN_MISMATCH } from "./reply.js"
import type { AccountSeed, PathChecks } from "./state.js"
import { EmuState } from "./state.js"

export interface ServerOptions {
  readonly port: number
  readonly host: string
  readonly dataDir?: string | undefined
  readonly accessTokenTtlSeconds: number
  readonly quotaBytes: number
  readonly accounts: ReadonlyArray<AccountSeed>
  readonly faults: ReadonlyArray<Fault>
  readonly pathChecks: PathChecks
  readonly lenientParents: boolean
  readonly onRequest?: ((entry: RequestLogEntry) => void) | undefined
}

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

export type MakeIdentity = (options: IdentityOptions, restore?: IdentitySnapshot) => Effect.Effect<Identity>

export interface Running {
  readonly url: string
  readonly state: EmuState
  readonly identity: Identity
  readonly faults: FaultTable
  readonly log: Array<RequestLogEntry>
  /** Writes metadata and the identity snapshot to the data dir (no-op in memory). */
  readonly persist: Effect.Effect<void>
}

interface RequestContext {
  readonly entry: RequestLogEntry
  readonly faults: ReadonlyArray<Fault>
  readonly path: string
  readonly query: URLSearchParams
}

// ---------------------------------------------------------------- helpers

const toResponse = (r: Reply): HttpServerResponse.HttpServerResponse => {
  const { status, headers, body } = r
  if (body === undefined) return HttpServerResponse.empty({ status, headers })
  if (body instanceof Readable) return HttpServerResponse.raw(body, { status, headers })
  const bytes = typeof body === "string" ? Buffer.from(body, "utf8") : body
  return HttpServerResponse.uint8Array(bytes, { status, headers })
}

const run = (f: () => Reply): HttpServerResponse.HttpServerResponse => {
  try {
    return toResponse(f())
  } catch (e) {
    if (e instanceof Failure) return toResponse(e.reply)
    throw e
  }
}

const redactHeaders = (h: Http.IncomingHttpHeaders): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined) continue
    out[k] = k === "authorization" || k === "cookie" ? "<redacted>" : Array.isArray(v) ? v.join(", ") : v
  }
  return out
}

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

/** Idle keep-alive timeout: longer than rclone's (Go transport) 60 s IdleConnTimeout. */
const KEEP_ALIVE_MS = 65_000

/**
 * Stream high-water mark of the connections (Node's default is 16 KiB): a download streamed from
 * many stored socket-sized chunks queues up to 1 MiB on the socket, so it is written in large
 * writes rather than one syscall per chunk.
 */
const HIGH_WATER_MARK = 1024 * 1024

/** The request log keeps this many most recent entries. */
const LOG_LIMIT = 10_000

type WriteFn = (chunk: unknown, enc?: unknown, cb?: unknown) => boolean
type EndFn = (chunk?: unknown, enc?: unknown, cb?: unknown) => Http.ServerResponse

/** Node-level instrumentation: request log entry, response byte counting, cut-response faults. */
const instrument = (
  faults: FaultTable,
  log: Array<RequestLogEntry>,
  contexts: WeakMap<Http.IncomingMessage, RequestContext>,
  onRequest: ((e: RequestLogEntry) => void) | undefined,
  req: Http.IncomingMessage,
  res: Http.ServerResponse
): void => {
  const url = req.url ?? "/"
  const qi = url.indexOf("?")
  const path = qi < 0 ? url : url.slice(0, qi)
  const rawQuery = qi < 0 ? "" : url.slice(qi + 1)
  const query = new URLSearchParams(rawQuery)
  const method = req.method ?? "GET"
  const op = operationOf(method, path, query)
  const fired = faults.take(method, path, op)
  const entry: RequestLogEntry = {
    method,
    path,
    query: rawQuery,
    op,
    status: 0,
    requestBytes: 0,
    responseBytes: 0,
    headers: redactHeaders(req.headers),
    connectionCut: false
  }
  log.push(entry)
  if (log.length > LOG_LIMIT) log.splice(0, log.length - LOG_LIMIT)
  contexts.set(req, { entry, faults: fired, path, query })

  // request body bytes, counted (and cut, for CutRequest faults) where the HTTP parser hands
  // them to the request stream, whichever route reads them
  const cutRequest = fired.find((f): f is Extract<Fault, { _tag: "CutRequest" }> => f._tag === "CutRequest")
  const limit = cutRequest?.afterBytes
  let seen = 0
  let cutIn = false
  entry.requestBytes = 0
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

  let finished = false
  const finish = () => {
    if (finished) return
    finished = true
    if (entry.status === 0) entry.status = res.headersSent ? res.statusCode : 0
    onRequest?.(entry)
  }
  const cutFault = fired.find((f): f is Extract<Fault, { _tag: "CutResponse" }> => f._tag === "CutResponse")
  const cut = cutFault?.afterBytes
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
  const end: EndFn = (chunk, enc, cb) => {
    if (typeof chunk === "function") return end(undefined, undefined, chunk)
    if (typeof enc === "function") return end(chunk, undefined, enc)
    if (cutDone) return res
    if (chunk !== undefined && chunk !== null && cutHere(chunk, enc)) return res
    if (cut !== undefined && (chunk === undefined || chunk === null) && sent < cut) {
      // body shorter than the cut point: the reply completes normally
    }
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

/** Reads a small request body (JSON); undefined when the connection broke. */
const readSmallBody = (req: Http.IncomingMessage, limit = 1 << 20): Promise<Buffer | undefined> =>
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

/** Applies truncate / corrupt faults to a reply. */
const mangle = (
  response: HttpServerResponse.HttpServerResponse,
  fault: Fault
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
  if (fault._tag === "Corrupt") {
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
  }
  return response
}

const faultStatusReply = (path: string, status: number): Reply =>
  groupOf(path) === "jfs"
    ? jfsErrorReply(status, `Injected fault: ${status} ${reason(status)}`)
    : apiErrorReply(status, "InjectedFaultException", `Injected fault: ${status} ${reason(status)}`)

/** Wall-clock sleep, independent of the fiber's Clock (tests often run the server under TestClock). */
const realSleep = (millis: number): Effect.Effect<void> =>
  Effect.async<void>((resume) => {
    const t = setTimeout(() => resume(Effect.void), millis)
    return Effect.sync(() => clearTimeout(t))
  })

// ---------------------------------------------------------------- start

export const start = (options: ServerOptions, makeIdentity: MakeIdentity): Effect.Effect<Running, never, Scope.Scope> =>
  Effect.gen(function* () {
    const state = new EmuState({
      dataDir: options.dataDir,
      accounts: options.accounts,
      quotaBytes: options.quotaBytes,
      pathChecks: options.pathChecks,
      lenientParents: options.lenientParents
    })
    const loaded = state.load()
    state.seed()

    const faults = new FaultTable()
    for (const f of options.faults) faults.add(f)
    const log: Array<RequestLogEntry> = []
    const contexts = new WeakMap<Http.IncomingMessage, RequestContext>()

    // Idle keep-alive connections outlive the client's idle timeout (rclone/Go: 60 s), so the
    // server never closes a connection the client may be reusing for a POST at that instant;
    // no whole-request deadline (Node's default 300 s would cut long uploads with 408).
    const nodeServer = Http.createServer({
      keepAliveTimeout: KEEP_ALIVE_MS,
      requestTimeout: 0,
      highWaterMark: HIGH_WATER_MARK
    })
    const emit = nodeServer.emit.bind(nodeServer) as (event: string, ...args: Array<unknown>) => boolean
    nodeServer.emit = ((event: string, ...args: Array<unknown>) => {
      if (event === "request") {
        instrument(
          faults,
          log,
          contexts,
          options.onRequest,
          args[0] as Http.IncomingMessage,
          args[1] as Http.ServerResponse
        )
      }
      return emit(event, ...args)
    }) as typeof nodeServer.emit

    const server = yield* NodeHttpServer.make(() => nodeServer, { port: options.port, host: options.host }).pipe(
      Effect.orDie
    )
    const address = server.address
    const port = address._tag === "TcpAddress" ? address.port : options.port
    const host =
      options.host === "0.0.0.0" || options.host === "" ? "127.0.0.1" : options.host === "::" ? "::1" : options.host
    const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`

    const identity = yield* makeIdentity(
      {
        baseUrl: url,
        accessTokenTtlSeconds: options.accessTokenTtlSeconds,
        now: Effect.sync(() => state.now()),
        accounts: Array.from(state.accounts.values(), (a) => ({
          username: a.username,
          email: a.email,
          password: a.password,
          otp: a.otp
        }))
      },
      loaded?.identity
    )

    let savedVersion = -1
    const persist: Effect.Effect<void> = options.dataDir
      ? Effect.flatMap(identity.snapshot, (snap) =>
          Effect.sync(() => {
            savedVersion = state.version
            state.save(snap)
          })
        )
      : Effect.void
    yield* Effect.addFinalizer(() => persist)

    // ---- per-request plumbing
    const contextOf = (request: HttpServerRequest.HttpServerRequest): RequestContext => {
      const nreq = NodeHttpServerRequest.toIncomingMessage(request)
      const ctx = contexts.get(nreq)
      if (ctx !== undefined) return ctx
      const url0 = nreq.url ?? "/"
      const qi = url0.indexOf("?")
      const fresh: RequestContext = {
        entry: {
          method: nreq.method ?? "GET",
          path: qi < 0 ? url0 : url0.slice(0, qi),
          query: "",
          op: "other",
          status: 0,
          requestBytes: 0,
          responseBytes: 0,
          headers: {},
          connectionCut: false
        },
        faults: [],
        path: qi < 0 ? url0 : url0.slice(0, qi),
        query: new URLSearchParams(qi < 0 ? "" : url0.slice(qi + 1))
      }
      contexts.set(nreq, fresh)
      return fresh
    }

    /** Resolves the bearer token, or yields the 401 reply of the host. */
    const authenticate = (
      request: HttpServerRequest.HttpServerRequest,
      kind: "jfs" | "api"
    ): Effect.Effect<{ readonly user: string } | { readonly response: HttpServerResponse.HttpServerResponse }> =>
      Effect.gen(function* () {
        const h = request.headers.authorization ?? ""
        const m = /^Bearer\s+(.+)$/i.exec(h.trim())
        if (m !== null) {
          const user = yield* identity.authenticate(m[1]!.trim())
          if (Option.isSome(user)) return { user: user.value }
        }
        const reply =
          kind === "jfs"
            ? jfsErrorReply(401, TOKEN_MISMATCH)
            : apiErrorReply(401, "BadCredentialsException", "Full authentication is required to access this resource")
        return {
          response: toResponse({
            ...reply,
            headers: { ...reply.headers, "www-authenticate": 'Bearer realm="jottacloud"' }
          })
        }
      })

    const withAuth = (
      kind: "jfs" | "api",
      f: (
        request: HttpServerRequest.HttpServerRequest,
        user: string,
        ctx: RequestContext
      ) => Effect.Effect<HttpServerResponse.HttpServerResponse>
    ) =>
      Effect.gen(function* () {
        const request = yield* HttpServerRequest.HttpServerRequest
        const ctx = contextOf(request)
        const auth = yield* authenticate(request, kind)
        if ("response" in auth) return auth.response
        return yield* f(request, auth.user, ctx)
      })

    const account = (user: string) => {
      const a = state.account(user)
      if (a === undefined) throw new Failure(apiErrorReply(401, "BadCredentialsException", "Unknown account"))
      return a
    }

    const jfsRoute = withAuth("jfs", (request, user, ctx) =>
      Effect.sync(() =>
        run(() =>
          handleJfs(state, {
            method: request.method,
            rawPath: ctx.path.slice(4),
            query: ctx.query,
            header: (name) => {
              const v = request.headers[name.toLowerCase()]
              return v === undefined ? undefined : String(v)
            },
            username: user
          })
        )
      )
    )

    const customerRoute = withAuth("api", (_request, user) => Effect.sync(() => run(() => Api.customer(account(user)))))

    const purgeRoute = withAuth("api", (_request, user) =>
      Effect.sync(() => run(() => Api.purgeTrash(state, account(user))))
    )

    const allocateRoute = withAuth("api", (request, user) =>
      Effect.gen(function* () {
        const nreq = NodeHttpServerRequest.toIncomingMessage(request)
        const body = yield* Effect.tryPromise({ try: () => readSmallBody(nreq), catch: (e) => e }).pipe(
          Effect.catchAll((e) => (e instanceof Failure ? Effect.succeed(e) : Effect.die(e)))
        )
        if (body instanceof Failure) return toResponse(body.reply)
        if (body === undefined) return HttpServerResponse.empty({ status: 400 })
        let parsed: unknown
        try {
          parsed = JSON.parse(body.toString("utf8"))
        } catch {
          return toResponse(apiErrorReply(400, "InvalidArgumentException", "Invalid JSON body"))
        }
        return run(() => Api.allocate(state, account(user), parsed, url))
      })
    )

    const uploadRoute = withAuth("api", (request, user, ctx) =>
      Effect.gen(function* () {
        const nreq = NodeHttpServerRequest.toIncomingMessage(request)
        const id = decodeURIComponent(ctx.path.slice("/upload/".length))
        const result = yield* Effect.tryPromise({
          try: () => Api.upload(state, account(user), id, nreq),
          catch: (e) => e
        }).pipe(Effect.either)
        if (result._tag === "Left") {
          const e = result.left
          if (e instanceof Failure) return toResponse(e.reply)
          return yield* Effect.die(e)
        }
        if (result.right === undefined) return HttpServerResponse.empty({ status: 400 })
        return toResponse(result.right)
      })
    )

    const publicRoute = Effect.gen(function* () {
      const request = yield* HttpServerRequest.HttpServerRequest
      const ctx = contextOf(request)
      const [user = "", uri = ""] = ctx.path.slice("/www/opin/io/downloadPublic/".length).split("/")
      return run(() =>
        Api.publicDownload(state, decodeURIComponent(user), decodeURIComponent(uri), request.headers.range)
      )
    })

    const router = HttpRouter.empty.pipe(
      HttpRouter.get("/jfs", jfsRoute),
      HttpRouter.post("/jfs", jfsRoute),
      HttpRouter.all("/jfs/*", jfsRoute),
      HttpRouter.get("/api/account/v1/customer", customerRoute),
      HttpRouter.post("/api/files/v1/allocate", allocateRoute),
      HttpRouter.post("/api/files/v1/purge_trash", purgeRoute),
      HttpRouter.post("/upload/*", uploadRoute),
      HttpRouter.get("/www/opin/io/downloadPublic/*", publicRoute),
      HttpRouter.concat(identity.router)
    )

    const notFound = (path: string) =>
      toResponse(
        path.startsWith("/jfs")
          ? jfsErrorReply(404, `no.jotta.backup.errors.NoSuchPathException: ${path}`)
          : apiErrorReply(404, "NoSuchPathException", `No route for ${path}`)
      )

    const app = Effect.gen(function* () {
      const request = yield* HttpServerRequest.HttpServerRequest
      const ctx = contextOf(request)
      for (const f of ctx.faults) if (f._tag === "Delay") yield* realSleep(f.millis)
      if (ctx.faults.some((f) => f._tag === "ExpireTokens")) yield* identity.expireAllAccessTokens
      const status = ctx.faults.find((f): f is Extract<Fault, { _tag: "Status" }> => f._tag === "Status")
      if (status !== undefined) {
        const r = faultStatusReply(ctx.path, status.status)
        const headers: Record<string, string> = { ...r.headers, connection: "close" }
        const retryAfter = status.retryAfter ?? (status.status === 429 ? 1 : undefined)
        if (retryAfter !== undefined) headers["retry-after"] = String(retryAfter)
        return toResponse({ ...r, headers })
      }
      // JFS paths are decoded by the JFS handler itself (§1.6), not by the router's matcher,
      // so malformed escapes get the JFS 400 instead of a router 404
      const handler: Effect.Effect<
        HttpServerResponse.HttpServerResponse,
        RouteNotFound,
        HttpServerRequest.HttpServerRequest
      > = ctx.path === "/jfs" || ctx.path.startsWith("/jfs/") ? jfsRoute : router
      let response = yield* handler.pipe(
        Effect.catchTag("RouteNotFound", () => Effect.succeed(notFound(ctx.path))),
        Effect.catchAllCause((cause) =>
          // an interruption (the client went away mid-request) is not a server fault: no error log
          (Cause.isInterruptedOnly(cause)
            ? Effect.logDebug("emulator handler interrupted")
            : Effect.logError("emulator handler failed", cause)
          ).pipe(Effect.as(toResponse(jfsErrorReply(500, "java.lang.RuntimeException: emulator internal error"))))
        )
      )
      if (request.method === "HEAD" && response.body._tag === "Raw" && response.body.body instanceof Readable) {
        response.body.body.destroy()
      }
      // persist after every change of the tree and after identity traffic (tokens)
      if (options.dataDir && (state.version !== savedVersion || groupOf(ctx.path) === "identity")) yield* persist
      if (ctx.faults.some((f) => f._tag === "LostReply")) {
        const body = response.body
        if (body._tag === "Raw" && body.body instanceof Readable) body.body.destroy()
        ctx.entry.connectionCut = true
        NodeHttpServerRequest.toIncomingMessage(request).socket.destroy()
        return HttpServerResponse.empty({ status: response.status })
      }
      for (const f of ctx.faults) if (f._tag === "Truncate" || f._tag === "Corrupt") response = mangle(response, f)
      return response
    })

    yield* server.serve(app)

    return { url, state, identity, faults, log, persist } satisfies Running
  })
