/**
 * The routes of the JFS host (§4), the API host (§3.1, §5, §4.11) and the public-link download
 * on the WWW host (§4.10), one top-level handler each, with bearer authentication (§1.2). The
 * identity routes live in `identity/routes.ts`.
 */
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as NodeHttpServerRequest from "@effect/platform-node/NodeHttpServerRequest"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Api from "../api.js"
import type { Identity } from "../identity.js"
import { handleJfs } from "../jfs.js"
import { apiErrorReply, Failure, jfsErrorReply, TOKEN_MISMATCH } from "../reply.js"
import type { EmuState } from "../state.js"
import type { RequestContext, RequestLog } from "./requestLog.js"
import { readSmallBody, run, toResponse } from "./respond.js"

/** What every route reads: the state, the identity service, the base URL, the request log. */
export interface RouteEnv {
  readonly state: EmuState
  readonly identity: Identity
  readonly url: string
  readonly log: RequestLog
}

type Handler = (
  request: HttpServerRequest.HttpServerRequest,
  user: string,
  ctx: RequestContext
) => Effect.Effect<HttpServerResponse.HttpServerResponse>

export const contextOf = (env: RouteEnv, request: HttpServerRequest.HttpServerRequest): RequestContext =>
  env.log.contextOf(NodeHttpServerRequest.toIncomingMessage(request))

/** Resolves the bearer token, or yields the 401 reply of the host (§7.1 / §7.2). */
const authenticate = (
  env: RouteEnv,
  request: HttpServerRequest.HttpServerRequest,
  kind: "jfs" | "api"
): Effect.Effect<{ readonly user: string } | { readonly response: HttpServerResponse.HttpServerResponse }> =>
  Effect.gen(function* () {
    const h = request.headers.authorization ?? ""
    const m = /^Bearer\s+(.+)$/i.exec(h.trim())
    if (m !== null) {
      const user = yield* env.identity.authenticate(m[1]!.trim())
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

const withAuth = (env: RouteEnv, kind: "jfs" | "api", f: Handler) =>
  Effect.gen(function* () {
    const request = yield* HttpServerRequest.HttpServerRequest
    const ctx = contextOf(env, request)
    const auth = yield* authenticate(env, request, kind)
    if ("response" in auth) return auth.response
    return yield* f(request, auth.user, ctx)
  })

const account = (env: RouteEnv, user: string) => {
  const a = env.state.account(user)
  if (a === undefined) throw new Failure(apiErrorReply(401, "BadCredentialsException", "Unknown account"))
  return a
}

/** Every JFS request (§4): the JFS handler decodes the path itself (§1.6). */
export const jfs = (env: RouteEnv) =>
  withAuth(env, "jfs", (request, user, ctx) =>
    Effect.sync(() =>
      run(() =>
        handleJfs(env.state, {
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

/** `GET /api/account/v1/customer` (§3.1). */
export const customer = (env: RouteEnv) =>
  withAuth(env, "api", (_request, user) => Effect.sync(() => run(() => Api.customer(account(env, user)))))

/** `POST /api/files/v1/purge_trash` (§4.11). */
export const purgeTrash = (env: RouteEnv) =>
  withAuth(env, "api", (_request, user) => Effect.sync(() => run(() => Api.purgeTrash(env.state, account(env, user)))))

/** `POST /api/files/v1/allocate` (§5.2, §5.3): a small JSON body. */
export const allocate = (env: RouteEnv) =>
  withAuth(env, "api", (request, user) =>
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
      return run(() => Api.allocate(env.state, account(env, user), parsed, env.url))
    })
  )

/** `POST /upload/<id>` (§5.4, §5.5): the body streams into the partial blob. */
export const upload = (env: RouteEnv) =>
  withAuth(env, "api", (request, user, ctx) =>
    Effect.gen(function* () {
      const nreq = NodeHttpServerRequest.toIncomingMessage(request)
      const id = decodeURIComponent(ctx.path.slice("/upload/".length))
      const result = yield* Effect.tryPromise({
        try: () => Api.upload(env.state, account(env, user), id, nreq),
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

/** `GET /www/opin/io/downloadPublic/<user>/<uri>` (§4.10): no authentication. */
export const publicDownload = (env: RouteEnv) =>
  Effect.gen(function* () {
    const request = yield* HttpServerRequest.HttpServerRequest
    const ctx = contextOf(env, request)
    const [user = "", uri = ""] = ctx.path.slice("/www/opin/io/downloadPublic/".length).split("/")
    return run(() =>
      Api.publicDownload(env.state, decodeURIComponent(user), decodeURIComponent(uri), request.headers.range)
    )
  })

/** The 404 of a path no route serves, in the format of its host. */
export const notFound = (path: string): HttpServerResponse.HttpServerResponse =>
  toResponse(
    path.startsWith("/jfs")
      ? jfsErrorReply(404, `no.jotta.backup.errors.NoSuchPathException: ${path}`)
      : apiErrorReply(404, "NoSuchPathException", `No route for ${path}`)
  )

/** The router of every host, the identity routes included. */
export const router = (env: RouteEnv) => {
  const jfsRoute = jfs(env)
  return HttpRouter.empty.pipe(
    HttpRouter.get("/jfs", jfsRoute),
    HttpRouter.post("/jfs", jfsRoute),
    HttpRouter.all("/jfs/*", jfsRoute),
    HttpRouter.get("/api/account/v1/customer", customer(env)),
    HttpRouter.post("/api/files/v1/allocate", allocate(env)),
    HttpRouter.post("/api/files/v1/purge_trash", purgeTrash(env)),
    HttpRouter.post("/upload/*", upload(env)),
    HttpRouter.get("/www/opin/io/downloadPublic/*", publicDownload(env)),
    HttpRouter.concat(env.identity.router)
  )
}
