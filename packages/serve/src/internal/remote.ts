/**
 * The served folder as the servers see it: resources (files and folders) looked up and
 * listed through core's `Files`, kept for `--dir-cache-time`, and downloads with Range
 * shared by the WebDAV and HTTP servers.
 */
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import type * as Account from "@fjord/core/Account"
import type * as Files from "@fjord/core/Files"
import type * as JottaError from "@fjord/core/JottaError"
import * as Clock from "effect/Clock"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Cache from "./cache.js"
import * as Paths from "./paths.js"
import * as Range from "./range.js"

export interface Resource {
  readonly rel: string
  readonly folder: boolean
  readonly name: string
  readonly size: number
  readonly md5: string | undefined
  readonly modified: Option.Option<DateTime.Utc>
  readonly contentType: string | undefined
}

export interface Remote {
  readonly files: Files.Service
  readonly account: Account.Service
  readonly root: string
  /** Resources by path (`undefined`: known not to exist). */
  readonly stats: Cache.DirCache<Resource | undefined>
  /** Folder listings by path. */
  readonly lists: Cache.DirCache<ReadonlyArray<Resource>>
  /** `about`, under the key `""`. */
  readonly about: Cache.DirCache<Account.About>
}

export const make = (options: {
  readonly files: Files.Service
  readonly account: Account.Service
  readonly root: string
  readonly dirCacheMillis: number
}): Remote => ({
  files: options.files,
  account: options.account,
  root: Paths.normalizeRoot(options.root),
  stats: Cache.make(options.dirCacheMillis),
  lists: Cache.make(options.dirCacheMillis),
  about: Cache.make(options.dirCacheMillis)
})

export const path = (remote: Remote, rel: string): string => Paths.remote(remote.root, rel)

const fromEntry = (rel: string, e: Files.Entry): Resource =>
  e._tag === "File"
    ? {
        rel,
        folder: false,
        name: e.name,
        size: e.size,
        md5: e.md5,
        modified: e.modified,
        contentType: e.contentType
      }
    : { rel, folder: true, name: e.name, size: 0, md5: undefined, modified: e.modified, contentType: undefined }

const folder = (rel: string): Resource => ({
  rel,
  folder: true,
  name: Paths.basename(rel),
  size: 0,
  md5: undefined,
  modified: Option.none(),
  contentType: undefined
})

/** The resource at `rel`, or `undefined` when there is none. */
export const lookup = (remote: Remote, rel: string): Effect.Effect<Resource | undefined, JottaError.JottaError> =>
  Effect.gen(function* () {
    const now = yield* Clock.currentTimeMillis
    const hit = Cache.get(remote.stats, rel, now)
    if (hit !== undefined) return hit.value
    const found: Resource | undefined =
      rel === "" && remote.root === ""
        ? folder("")
        : yield* remote.files.stat(path(remote, rel)).pipe(
            Effect.map((f): Resource | undefined => fromEntry(rel, f)),
            Effect.catchTags({
              // a folder (which may be in the trash: stat does not tell) is looked up in its
              // parent's listing, which also gives its modification time
              IsADirectory: () => folderInParent(remote, rel),
              NotAFile: () => (rel === "" ? Effect.succeed(folder(rel)) : folderInParent(remote, rel)),
              // a served root that does not exist yet is an empty folder (created by the first write)
              NotFound: () => Effect.succeed(rel === "" ? folder("") : undefined)
            })
          )
    Cache.put(remote.stats, rel, found, now)
    return found
  })

const folderInParent = (remote: Remote, rel: string): Effect.Effect<Resource | undefined, JottaError.JottaError> =>
  rel === ""
    ? Effect.succeed(folder(rel))
    : Effect.map(list(remote, Paths.parent(rel)), (members) => members.find((m) => m.rel === rel && m.folder))

/** The members of the folder `rel`. */
export const list = (remote: Remote, rel: string): Effect.Effect<ReadonlyArray<Resource>, JottaError.JottaError> =>
  Effect.gen(function* () {
    const now = yield* Clock.currentTimeMillis
    const hit = Cache.get(remote.lists, rel, now)
    if (hit !== undefined) return hit.value
    const entries = yield* remote.files
      .list(path(remote, rel))
      .pipe(Effect.catchTag("NotFound", (e) => (rel === "" ? Effect.succeed([]) : Effect.fail(e))))
    const members = entries.map((e) => fromEntry(rel === "" ? e.name : `${rel}/${e.name}`, e))
    Cache.put(remote.lists, rel, members, now)
    for (const m of members) Cache.put(remote.stats, m.rel, m, now)
    return members
  })

/** Storage use (RFC 4331 quota properties), cached like listings. */
export const about = (remote: Remote): Effect.Effect<Account.About, JottaError.JottaError> =>
  Effect.gen(function* () {
    const now = yield* Clock.currentTimeMillis
    const hit = Cache.get(remote.about, "", now)
    if (hit !== undefined) return hit.value
    const about = yield* remote.account.about()
    Cache.put(remote.about, "", about, now)
    return about
  })

/** Forgets what a write to `rel` changed. */
export const changed = (remote: Remote, rel: string) =>
  Effect.sync(() => {
    Cache.invalidate(remote.stats, rel)
    Cache.invalidate(remote.lists, rel)
    remote.about.entries.clear()
  })

export const etag = (r: Resource): string | undefined => (r.md5 === undefined ? undefined : `"${r.md5}"`)

export const httpDate = (t: Option.Option<DateTime.Utc>): string | undefined =>
  Option.match(t, { onNone: () => undefined, onSome: (d) => DateTime.toDateUtc(d).toUTCString() })

/** The headers that describe a file. */
export const fileHeaders = (r: Resource, contentType: string): Record<string, string> => {
  const headers: Record<string, string> = { "accept-ranges": "bytes", "content-type": contentType }
  const tag = etag(r)
  if (tag !== undefined) headers.etag = tag
  const modified = httpDate(r.modified)
  if (modified !== undefined) headers["last-modified"] = modified
  return headers
}

/** GET or HEAD of a file, honouring `Range`. */
export const download = (
  remote: Remote,
  r: Resource,
  contentType: string
): Effect.Effect<HttpServerResponse.HttpServerResponse, never, HttpServerRequest.HttpServerRequest> =>
  Effect.map(HttpServerRequest.HttpServerRequest, (request) => {
    const headers = fileHeaders(r, contentType)
    const head = request.method === "HEAD"
    const range = Range.parse(request.headers.range, r.size)
    if (range._tag === "Unsatisfiable") {
      return HttpServerResponse.empty({ status: 416, headers: { ...headers, "content-range": `bytes */${r.size}` } })
    }
    const [status, start, end] = range._tag === "Part" ? [206, range.start, range.end] : [200, 0, r.size]
    const partHeaders =
      range._tag === "Part" ? { ...headers, "content-range": `bytes ${start}-${end - 1}/${r.size}` } : headers
    if (head || end - start === 0) {
      return HttpServerResponse.empty({
        status,
        headers: { ...partHeaders, "content-length": String(end - start) }
      })
    }
    const body = remote.files.download(
      path(remote, r.rel),
      range._tag === "Part" ? { range: { start, end } } : undefined
    )
    return HttpServerResponse.stream(body, { status, headers: partHeaders, contentLength: end - start, contentType })
  })
