/**
 * A WebDAV server (RFC 4918 class 1 and 2) over a folder of a Jottacloud remote, as an
 * `HttpApp` or an `HttpRouter` to mount in an Effect HTTP app (`NodeServe` listens with it
 * on its own).
 *
 * Methods: OPTIONS; PROPFIND with Depth 0 or 1 (infinity is refused with 403 and
 * `propfind-finite-depth`, §9.1); GET and HEAD with Range; PUT, streamed (§9.7); DELETE
 * (to the trash unless the client is configured with `hardDelete`); MKCOL; COPY and MOVE,
 * server-side, honouring Destination, Overwrite and Depth (§9.8, §9.9); PROPPATCH (§9.2) of
 * the modification time (`getlastmodified`, or `Win32LastModifiedTime`) through
 * `Files.setModTime`, and of dead properties (kept in memory); LOCK and UNLOCK (§9.10,
 * §9.11; write locks, exclusive or shared, in memory) with the If header (§10.4).
 *
 * Properties: `resourcetype`, `displayname`, `getlastmodified`, `getcontentlength`,
 * `getcontenttype`, `getetag` (the MD5, quoted), `supportedlock`, `lockdiscovery`, and
 * RFC 4331's `quota-used-bytes` and `quota-available-bytes` from `Account.about`.
 *
 * PUT: Jottacloud allocates an upload by MD5 and size before the first byte is sent, so the
 * body is read once, within the request, into a spool (memory up to `md5MemoryLimit`, a
 * temporary file beyond, hashed as written; `NodeFiles.spool`) and uploaded from there.
 *
 * XML: requests are parsed by `saxes` with namespaces; a DOCTYPE is refused (400), and no
 * entity other than XML's five and character references is ever expanded. Responses are
 * written by `fast-xml-parser`'s builder.
 *
 * @since 0.1.0
 */
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as HttpApp from "@effect/platform/HttpApp"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as Account from "@fjord/core/Account"
import * as Files from "@fjord/core/Files"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Paths from "./internal/paths.js"
import * as Internal from "./internal/webdav.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The remote folder served (a path below the configured mountpoint; default its root). */
  readonly root?: string | undefined
  /** The URL path the server is mounted at (default `/`). Hrefs in replies include it. */
  readonly prefix?: string | undefined
  /** Refuse every write (PUT, DELETE, MKCOL, COPY, MOVE, PROPPATCH, LOCK, UNLOCK) with 403. */
  readonly readOnly?: boolean | undefined
  /** How long listings and metadata are cached (rclone's `--dir-cache-time`; default 5 minutes). */
  readonly dirCacheTime?: Duration.DurationInput | undefined
  /** Bytes of a PUT body spooled in memory before a temporary file is used (default: `JottaConfig`'s `md5MemoryLimit`). */
  readonly md5MemoryLimit?: number | undefined
}

/**
 * What the server needs: the SDK's `Files` and `Account`, and a `FileSystem` for the PUT
 * spool.
 *
 * @since 0.1.0
 * @category models
 */
export type Requirements = Files.Files | Account.Account | FileSystem.FileSystem

/** @internal */
export const dirCacheMillis = (input: Duration.DurationInput | undefined): number =>
  Duration.toMillis(Duration.decode(input ?? "5 minutes"))

/**
 * The WebDAV server as an `HttpApp`. Its locks, dead properties and directory cache live as
 * long as the app.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Effect.Effect<HttpApp.Default, never, Requirements> =>
  Effect.gen(function* () {
    const files = yield* Files.Files
    const account = yield* Account.Account
    const context = yield* Effect.context<FileSystem.FileSystem>()
    return Internal.make(
      {
        root: Paths.normalizeRoot(options.root),
        prefix: Paths.normalizePrefix(options.prefix),
        readOnly: options.readOnly ?? false,
        dirCacheMillis: dirCacheMillis(options.dirCacheTime),
        md5MemoryLimit: options.md5MemoryLimit
      },
      { files, account, context, ...(yield* Internal.clientSettings) }
    )
  })

/**
 * The server as an `HttpRouter` answering every method below `options.prefix`, to
 * concatenate with your own routes (`HttpRouter.concat`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const router = (options: Options = {}): Effect.Effect<HttpRouter.HttpRouter, never, Requirements> =>
  Effect.map(make(options), (app) => mount(Paths.normalizePrefix(options.prefix), app))

/** @internal */
export const mount = (prefix: string, app: HttpApp.Default): HttpRouter.HttpRouter =>
  prefix === ""
    ? HttpRouter.empty.pipe(HttpRouter.all("/", app), HttpRouter.all("/*", app))
    : HttpRouter.empty.pipe(HttpRouter.mountApp(prefix as `/${string}`, app, { includePrefix: true }))
