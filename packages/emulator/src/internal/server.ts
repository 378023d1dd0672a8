/**
 * The HTTP server: one loopback origin for every host (§1.1 emulator rule), composed of the
 * wire instrumentation (`server/wire.ts`: request log, byte counts, connection cuts), the
 * reply-level faults (`server/faultInjection.ts`), the routes (`server/routes.ts`) and
 * persistence after every change.
 */
import * as Http from "node:http"
import { Readable } from "node:stream"
import type { RouteNotFound } from "@effect/platform/HttpServerError"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import type * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as NodeHttpServerRequest from "@effect/platform-node/NodeHttpServerRequest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type { Fault } from "./faults.js"
import { FaultTable, groupOf } from "./faults.js"
import type { Identity, IdentityOptions, IdentitySnapshot } from "./identity.js"
import { jfsErrorReply } from "./reply.js"
import { afterRoute, beforeRoute } from "./server/faultInjection.js"
import type { RequestLogEntry } from "./server/requestLog.js"
import { RequestLog } from "./server/requestLog.js"
import { toResponse } from "./server/respond.js"
import * as Routes from "./server/routes.js"
import { instrument } from "./server/wire.js"
import type { AccountSeed, PathChecks } from "./state.js"
import { EmuState } from "./state.js"

export type { RequestLogEntry } from "./server/requestLog.js"

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

/** Idle keep-alive timeout: longer than rclone's (Go transport) 60 s IdleConnTimeout. */
const KEEP_ALIVE_MS = 65_000

/**
 * Stream high-water mark of the connections (Node's default is 16 KiB): a download streamed from
 * many stored socket-sized chunks queues up to 1 MiB on the socket, so it is written in large
 * writes rather than one syscall per chunk.
 */
const HIGH_WATER_MARK = 1024 * 1024

/**
 * The Node server, instrumented: every request is logged and gets its faults (`wire.ts`)
 * before the platform's request handler sees it.
 */
const nodeServer = (
  faults: FaultTable,
  log: RequestLog,
  onRequest: ((e: RequestLogEntry) => void) | undefined
): Http.Server => {
  // Idle keep-alive connections outlive the client's idle timeout (rclone/Go: 60 s), so the
  // server never closes a connection the client may be reusing for a POST at that instant;
  // no whole-request deadline (Node's default 300 s would cut long uploads with 408).
  const server = Http.createServer({
    keepAliveTimeout: KEEP_ALIVE_MS,
    requestTimeout: 0,
    highWaterMark: HIGH_WATER_MARK
  })
  const emit = server.emit.bind(server) as (event: string, ...args: Array<unknown>) => boolean
  server.emit = ((event: string, ...args: Array<unknown>) => {
    if (event === "request") {
      instrument(faults, log, onRequest, args[0] as Http.IncomingMessage, args[1] as Http.ServerResponse)
    }
    return emit(event, ...args)
  }) as typeof server.emit
  return server
}

/** The URL clients use: a wildcard listen address is reached on loopback. */
const publicUrl = (host: string, port: number): string => {
  const h = host === "0.0.0.0" || host === "" ? "127.0.0.1" : host === "::" ? "::1" : host
  return `http://${h.includes(":") ? `[${h}]` : h}:${port}`
}

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
    const log = new RequestLog()

    const server = yield* NodeHttpServer.make(() => nodeServer(faults, log, options.onRequest), {
      port: options.port,
      host: options.host
    }).pipe(Effect.orDie)
    const address = server.address
    const url = publicUrl(options.host, address._tag === "TcpAddress" ? address.port : options.port)

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

    const env: Routes.RouteEnv = { state, identity, url, log }
    const router = Routes.router(env)
    const jfsRoute = Routes.jfs(env)

    const app = Effect.gen(function* () {
      const request = yield* HttpServerRequest.HttpServerRequest
      const ctx = Routes.contextOf(env, request)
      const injected = yield* beforeRoute(ctx, identity)
      if (injected !== undefined) return injected
      // JFS paths are decoded by the JFS handler itself (§1.6), not by the router's matcher,
      // so malformed escapes get the JFS 400 instead of a router 404
      const handler: Effect.Effect<
        HttpServerResponse.HttpServerResponse,
        RouteNotFound,
        HttpServerRequest.HttpServerRequest
      > = ctx.path === "/jfs" || ctx.path.startsWith("/jfs/") ? jfsRoute : router
      const response = yield* handler.pipe(
        Effect.catchTag("RouteNotFound", () => Effect.succeed(Routes.notFound(ctx.path))),
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
      // persist after every change of the tree and after identity traffic (tokens), before
      // the reply goes out: an acknowledged change is on disk
      if (options.dataDir && (state.version !== savedVersion || groupOf(ctx.path) === "identity")) yield* persist
      return afterRoute(ctx, NodeHttpServerRequest.toIncomingMessage(request), response)
    })

    yield* server.serve(app)

    return { url, state, identity, faults, log: log.entries, persist } satisfies Running
  })
