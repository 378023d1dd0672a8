/**
 * The read-only HTTP file server: GET and HEAD only. A folder answers with its HTML index
 * (a folder URL without its trailing slash is redirected to it, so relative links work), a
 * file with its content, Range honoured. Anything else is 405.
 */
import type * as HttpApp from "@effect/platform/HttpApp"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import type * as Account from "@fjord/core/Account"
import type * as Files from "@fjord/core/Files"
import * as Effect from "effect/Effect"
import * as HtmlIndex from "./htmlIndex.js"
import * as Mime from "./mime.js"
import * as Paths from "./paths.js"
import * as Remote from "./remote.js"
import { statusOf } from "./webdav.js"

export interface Config {
  readonly root: string
  readonly prefix: string
  readonly dirCacheMillis: number
}

export const make = (
  config: Config,
  services: { readonly files: Files.Service; readonly account: Account.Service }
): HttpApp.Default => {
  const remote = Remote.make({ ...services, root: config.root, dirCacheMillis: config.dirCacheMillis })
  return Effect.gen(function* () {
    const request = yield* HttpServerRequest.HttpServerRequest
    if (request.method !== "GET" && request.method !== "HEAD") {
      return HttpServerResponse.empty({ status: 405, headers: { allow: "GET, HEAD" } })
    }
    const rel = Paths.fromUrl(config.prefix, request.url)
    if (rel === undefined) return HttpServerResponse.text("bad request path", { status: 400 })
    const r = yield* Remote.lookup(remote, rel)
    if (r === undefined) return HttpServerResponse.text("not found", { status: 404 })
    if (!r.folder) return yield* Remote.download(remote, r, Mime.of(r))
    const path = request.url.split("?")[0] ?? ""
    if (!path.endsWith("/")) {
      return HttpServerResponse.empty({ status: 301, headers: { location: Paths.href(config.prefix, rel, true) } })
    }
    return HtmlIndex.response(config.prefix, rel, yield* Remote.list(remote, rel))
  }).pipe(
    Effect.interruptible,
    Effect.catchAll((e) => Effect.succeed(HttpServerResponse.text(e.message, { status: statusOf(e) })))
  )
}
