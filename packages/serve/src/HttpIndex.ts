/**
 * A read-only HTTP file server over a folder of a Jottacloud remote: each folder is a
 * browsable HTML index (names, sizes, modification dates), each file a download with Range
 * (206, or 416 when unsatisfiable), ETag (the MD5) and Last-Modified. Only GET and HEAD.
 *
 * @since 0.1.0
 */
import type * as HttpApp from "@effect/platform/HttpApp"
import type * as HttpRouter from "@effect/platform/HttpRouter"
import * as Account from "@fjord/core/Account"
import * as Files from "@fjord/core/Files"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Internal from "./internal/httpIndex.js"
import * as Paths from "./internal/paths.js"
import * as WebDav from "./WebDav.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The remote folder served (default the mountpoint's root). */
  readonly root?: string | undefined
  /** The URL path the server is mounted at (default `/`). */
  readonly prefix?: string | undefined
  /** How long listings and metadata are cached (default 5 minutes). */
  readonly dirCacheTime?: Duration.DurationInput | undefined
}

/**
 * The server as an `HttpApp`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Effect.Effect<HttpApp.Default, never, Files.Files | Account.Account> =>
  Effect.gen(function* () {
    const files = yield* Files.Files
    const account = yield* Account.Account
    return Internal.make(
      {
        root: Paths.normalizeRoot(options.root),
        prefix: Paths.normalizePrefix(options.prefix),
        dirCacheMillis: WebDav.dirCacheMillis(options.dirCacheTime)
      },
      { files, account }
    )
  })

/**
 * The server as an `HttpRouter` answering GET and HEAD below `options.prefix`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const router = (
  options: Options = {}
): Effect.Effect<HttpRouter.HttpRouter, never, Files.Files | Account.Account> =>
  Effect.map(make(options), (app) => WebDav.mount(Paths.normalizePrefix(options.prefix), app))
