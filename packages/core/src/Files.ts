/**
 * Files and folders below the configured device, mountpoint and root: listing (one folder or
 * the whole tree as a stream), metadata, folders, uploads (allocate → dedup or send → resume),
 * downloads (a byte stream, optional range), trash and permanent deletion, copy and move,
 * modification times, public links, the trash, and older revisions of a file.
 *
 * Paths are raw names separated by `/` (or arrays of raw names, or entries from a listing,
 * whose wire names are reused verbatim). Names are mapped with the configured rclone encoding;
 * names the service cannot store (longer than 255 UTF-16 units, invalid UTF-8 the encoding
 * cannot carry, a case variant of a different existing item) fail with `InvalidName` before
 * the mutating request is sent.
 *
 * @since 0.1.0
 */
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Queue from "effect/Queue"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as Take from "effect/Take"
import { ContentHasher, type Md5, Md5FromHex } from "./ContentHasher.js"
import * as JfsFast from "./internal/jfsFast.js"
import * as Loc from "./internal/location.js"
import * as Op from "./internal/operation.js"
import * as utf8 from "./internal/utf8.js"
import * as Jfs from "./Jfs.js"
import * as JfsTime from "./JfsTime.js"
import { decodeJson, decodeXml, JottaClient, type RequestOptions, type Response } from "./JottaClient.js"
import type * as JottaConfig from "./JottaConfig.js"
import * as JottaError from "./JottaError.js"
import * as ListStream from "./ListStream.js"
import * as Name from "./Name.js"
import * as RetryPolicy from "./RetryPolicy.js"
import * as UploadSource from "./UploadSource.js"

// ---------------------------------------------------------------------------------------------
// models
// ---------------------------------------------------------------------------------------------

/**
 * A path: `"docs/report.txt"` (raw names separated by `/`), an array of raw names (a
 * `Uint8Array` name may hold invalid UTF-8), or an entry from a listing (its wire names are
 * reused verbatim, so names other clients stored without rclone's mapping stay reachable).
 *
 * @since 0.1.0
 * @category models
 */
export type Path = Loc.PathInput

/**
 * A file.
 *
 * @since 0.1.0
 * @category models
 */
export interface FileInfo {
  readonly _tag: "File"
  /** Raw name (decoded; if it is not valid UTF-8, invalid bytes show as U+FFFD and `nameBytes` holds them). */
  readonly name: string
  /** The raw name's bytes, present only when the raw name is not valid UTF-8. */
  readonly nameBytes?: Uint8Array | undefined
  /** The name as stored on the service. */
  readonly wireName: string
  /** Raw path below the configured root. */
  readonly path: string
  /** Wire names below the configured root (pass the entry itself to reuse them). */
  readonly wirePath: ReadonlyArray<string>
  readonly size: number
  readonly md5: Md5 | undefined
  /** Modification time (`mtime`). */
  readonly modified: Option.Option<DateTime.Utc>
  /** Creation time (`btime`). */
  readonly created: Option.Option<DateTime.Utc>
  /** Upload time of the current revision (`utime`); absent in recursive listings. */
  readonly updated: Option.Option<DateTime.Utc>
  /** MIME type; absent in recursive listings. */
  readonly contentType: string | undefined
  /** Current revision number (0 in recursive listings). */
  readonly revision: number
  readonly uuid: string | undefined
  /** When the file was moved to the trash (trashed-only views). */
  readonly deleted: Option.Option<DateTime.Utc>
}

/**
 * A folder.
 *
 * @since 0.1.0
 * @category models
 */
export interface FolderInfo {
  readonly _tag: "Folder"
  readonly name: string
  readonly nameBytes?: Uint8Array | undefined
  readonly wireName: string
  readonly path: string
  readonly wirePath: ReadonlyArray<string>
  readonly modified: Option.Option<DateTime.Utc>
  readonly deleted: Option.Option<DateTime.Utc>
}

/**
 * @since 0.1.0
 * @category models
 */
export type Entry = FileInfo | FolderInfo

/**
 * One revision of a file.
 *
 * @since 0.1.0
 * @category models
 */
export interface RevisionInfo {
  readonly number: number
  readonly current: boolean
  readonly state: string
  readonly size: number | undefined
  readonly md5: Md5 | undefined
  readonly modified: Option.Option<DateTime.Utc>
  readonly created: Option.Option<DateTime.Utc>
  readonly updated: Option.Option<DateTime.Utc>
  readonly contentType: string | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface UploadOptions {
  /** Modification time (default: now). */
  readonly modified?: DateTime.DateTime | undefined
  /** Creation time (default: the modification time). */
  readonly created?: DateTime.DateTime | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface DownloadOptions {
  /** Byte range, inclusive `start`, exclusive `end` (to the end when omitted). */
  readonly range?: { readonly start: number; readonly end?: number | undefined } | undefined
}

/**
 * The counts `emptyTrash` reports.
 *
 * @since 0.1.0
 * @category models
 */
export interface PurgeResult {
  readonly folders: number
  readonly files: number
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** One folder: its visible folders, then its visible files. */
  readonly list: (path?: Path) => Effect.Effect<ReadonlyArray<Entry>, JottaError.JottaError>
  /** The whole tree below `path` via `mode=liststream`, decoded incrementally (constant memory). */
  readonly listRecursive: (path?: Path) => Stream.Stream<Entry, JottaError.JottaError>
  /** Metadata of one file (`NotFound`, `IsADirectory`, `NotAFile`). */
  readonly stat: (path: Path) => Effect.Effect<FileInfo, JottaError.JottaError>
  /** Creates a folder and its missing parents. */
  readonly mkdir: (path: Path) => Effect.Effect<void, JottaError.JottaError>
  /** Uploads a file (dedup, resume); returns the stored file's metadata. */
  readonly upload: (
    path: Path,
    source: UploadSource.UploadSource,
    options?: UploadOptions
  ) => Effect.Effect<FileInfo, JottaError.JottaError>
  /** The content of a file (or a byte range of it). */
  readonly download: (path: Path, options?: DownloadOptions) => Stream.Stream<Uint8Array, JottaError.JottaError>
  /** Moves a file to the trash (deletes it for good with `hardDelete`). */
  readonly remove: (path: Path) => Effect.Effect<void, JottaError.JottaError>
  /** Removes an empty folder (trash, or for good with `hardDelete`); refuses a non-empty one. */
  readonly rmdir: (path: Path) => Effect.Effect<void, JottaError.JottaError>
  /** Removes a folder and everything below it (trash, or for good with `hardDelete`). */
  readonly purge: (path: Path) => Effect.Effect<void, JottaError.JottaError>
  /** Server-side copy of a file. */
  readonly copy: (source: Path, destination: Path) => Effect.Effect<FileInfo, JottaError.JottaError>
  /** Server-side move (rename) of a file. */
  readonly move: (source: Path, destination: Path) => Effect.Effect<FileInfo, JottaError.JottaError>
  /** Server-side move of a folder; refuses an existing destination. */
  readonly moveDir: (source: Path, destination: Path) => Effect.Effect<void, JottaError.JottaError>
  /** Sets a file's modification time (cphash). */
  readonly setModTime: (path: Path, modified: DateTime.DateTime) => Effect.Effect<FileInfo, JottaError.JottaError>
  /** Shares a file or folder; returns the direct-download URL. */
  readonly publicLink: (path: Path) => Effect.Effect<string, JottaError.JottaError>
  /** Stops sharing a file or folder. */
  readonly removePublicLink: (path: Path) => Effect.Effect<void, JottaError.JottaError>
  /** Trashed files in their original folders (and every folder): the trashed-only view of `list`. */
  readonly listTrash: (path?: Path) => Effect.Effect<ReadonlyArray<Entry>, JottaError.JottaError>
  /** Restores a trashed file at its original path (cphash with its own size and MD5). */
  readonly restore: (path: Path) => Effect.Effect<FileInfo, JottaError.JottaError>
  /** Deletes everything in the trash for good. */
  readonly emptyTrash: () => Effect.Effect<PurgeResult, JottaError.JottaError>
  /** The revisions of a file, current first. */
  readonly revisions: (path: Path) => Effect.Effect<ReadonlyArray<RevisionInfo>, JottaError.JottaError>
  /** The content of revision `revision` of a file. */
  readonly downloadRevision: (
    path: Path,
    revision: number,
    options?: DownloadOptions
  ) => Stream.Stream<Uint8Array, JottaError.JottaError>
  /** Makes an older revision current again (a new revision with that content). */
  readonly restoreRevision: (path: Path, revision: number) => Effect.Effect<FileInfo, JottaError.JottaError>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class Files extends Context.Tag("@fjord/core/Files")<Files, Service>() {}

// ---------------------------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------------------------

const decodeName = (
  wire: string,
  encoding: Name.Encoding
): { readonly name: string; readonly nameBytes?: Uint8Array | undefined } => {
  const s = Name.decodeToString(wire, encoding)
  if (Option.isSome(s)) return { name: s.value }
  const bytes = Name.decode(wire, encoding)
  return { name: utf8.toStringLossy(bytes), nameBytes: bytes }
}

/** `JottaPath.displayWire` through {@link decodeName} (which skips the byte round trip for plain names). */
const displayWire = (wire: ReadonlyArray<string>, encoding: Name.Encoding): string =>
  wire.map((w) => decodeName(w, encoding).name).join("/")

const decodeMd5 = Schema.decodeOption(Md5FromHex)

const joinDisplay = (parent: string, name: string): string => (parent === "" ? name : `${parent}/${name}`)

/** The name and path fields of an entry named `wireName` under `parentWire` / `parentDisplay`. */
const entryNaming = (
  config: JottaConfig.Service,
  wireName: string,
  parentWire: ReadonlyArray<string>,
  parentDisplay: string
) => {
  const n = decodeName(wireName, config.encoding)
  return { ...n, wireName, path: joinDisplay(parentDisplay, n.name), wirePath: [...parentWire, wireName] }
}

const fromJfsFile = (
  config: JottaConfig.Service,
  file: Jfs.File,
  parentWire: ReadonlyArray<string>,
  parentDisplay: string
): FileInfo => {
  const rev = file.currentRevision ?? file.latestRevision
  return {
    _tag: "File",
    ...entryNaming(config, file.name, parentWire, parentDisplay),
    size: rev?.size ?? 0,
    md5: rev?.md5,
    modified: rev?.modified ?? Option.none(),
    created: rev?.created ?? Option.none(),
    updated: rev?.updated ?? Option.none(),
    contentType: rev?.mime,
    revision: rev?.number ?? 0,
    uuid: file.uuid,
    deleted: file.deleted
  }
}

const fromJfsFolder = (
  config: JottaConfig.Service,
  folder: Jfs.FolderEntry,
  parentWire: ReadonlyArray<string>,
  parentDisplay: string
): FolderInfo => {
  return {
    _tag: "Folder",
    ...entryNaming(config, folder.name, parentWire, parentDisplay),
    modified: folder.modified,
    deleted: folder.deleted
  }
}

const revisionInfo = (rev: Jfs.Revision, current: boolean): RevisionInfo => ({
  number: rev.number,
  current,
  state: rev.state,
  size: rev.size,
  md5: rev.md5,
  modified: rev.modified,
  created: rev.created,
  updated: rev.updated,
  contentType: rev.mime
})

/** A command POST: no body, no Content-Type (§1.7). */
const command = (url: string, params: Record<string, string>): HttpClientRequest.HttpClientRequest =>
  HttpClientRequest.setUrlParams(HttpClientRequest.post(url), params)

const lower = (s: string): string => s.toLowerCase()

const rangeHeader = (range: NonNullable<DownloadOptions["range"]>): string =>
  range.end === undefined ? `bytes=${range.start}-` : `bytes=${range.start}-${Math.max(range.start, range.end - 1)}`

const isFileInfo = (path: Path): path is FileInfo =>
  typeof path === "object" && "_tag" in path && path._tag === "File" && "size" in path

/** Why a 206 reply does not carry bytes `from`..`end - 1` of a `size`-byte file (undefined: it does). */
const rangeProblem = (res: Response, from: number, end: number, size: number): string | undefined => {
  if (res.status !== 206) return `a range request was answered with HTTP ${res.status}, not 206`
  const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec((res.headers["content-range"] ?? "").trim())
  if (m === null)
    return `a range reply without a valid Content-Range (${JSON.stringify(res.headers["content-range"] ?? "")})`
  if (Number(m[1]) !== from || Number(m[2]) !== end - 1 || (m[3] !== "*" && Number(m[3]) !== size)) {
    return `Content-Range ${m[0]} does not match the bytes asked for (${from}-${end - 1}/${size})`
  }
  const length = res.headers["content-length"]
  if (length !== undefined && Number(length) !== end - from) {
    return `Content-Length ${length} does not match the range (${end - from} bytes)`
  }
  return undefined
}

/** Why a reply to a request without `Range` does not carry the whole `size`-byte file. */
const wholeProblem = (res: Response, size: number): string | undefined => {
  if (res.status === 206) return "a request without Range was answered with 206"
  const length = res.headers["content-length"]
  if (length !== undefined && Number(length) !== size) {
    return `Content-Length ${length}, expected ${size}`
  }
  return undefined
}

// ---------------------------------------------------------------------------------------------
// make
// ---------------------------------------------------------------------------------------------

/**
 * Builds the service from the `JottaClient` and a `ContentHasher` (uploads hash sources
 * without a known MD5 with it; whole-file downloads are checked with it).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<Service, never, JottaClient | ContentHasher> = Effect.gen(function* () {
  const client = yield* JottaClient
  const hasher = yield* ContentHasher
  const config = client.config

  const resolve = (path: Path | undefined, operation: string) =>
    Effect.flatMap(client.username, (user) => Loc.resolve(config, user, path ?? "", operation))

  const annotate = (loc: Loc.Location) => Effect.annotateCurrentSpan("path", loc.display)

  /** Resolves `path` and puts it on the current span. */
  const resolveAnnotated = (path: Path | undefined, operation: string) => Effect.tap(resolve(path, operation), annotate)

  const ctx = (operation: string, loc: Loc.Location): { operation: string; path: string } => ({
    operation,
    path: loc.display
  })

  /** The error for an operation that cannot act on the root (`loc`). */
  const rootRefused = (operation: string, loc: Loc.Location, description: string) =>
    new JottaError.InvalidName({ ...ctx(operation, loc), reason: "Empty", description })

  /** Resolves a source and a destination and puts both on the current span. */
  const resolvePair = (source: Path, destination: Path, operation: string) =>
    Effect.gen(function* () {
      const src = yield* resolve(source, operation)
      const dst = yield* resolve(destination, operation)
      yield* Effect.annotateCurrentSpan({ path: src.display, destination: dst.display })
      return { src, dst }
    })

  const get = (url: string, options: RequestOptions) => client.execute(HttpClientRequest.get(url), options)

  /** GET of an item's document (a 404 is `NotFound` with the service's message). */
  const fetchItem = (loc: Loc.Location, operation: string): Effect.Effect<Jfs.ItemDocument, JottaError.JottaError> =>
    Effect.flatMap(
      get(loc.url, ctx(operation, loc)),
      decodeXml(Jfs.ItemDocument, ctx(operation, loc), { fast: JfsFast.itemDocument })
    )

  /** Like `fetchItem`, with `None` for a missing item. */
  const fetchItemOption = (
    loc: Loc.Location,
    operation: string
  ): Effect.Effect<Option.Option<Jfs.ItemDocument>, JottaError.JottaError> =>
    Effect.catchTag(Effect.map(fetchItem(loc, operation), Option.some), "NotFound", () =>
      Effect.succeed(Option.none<Jfs.ItemDocument>())
    )

  const notFound = (operation: string, loc: Loc.Location, description?: string) =>
    new JottaError.NotFound({
      ...ctx(operation, loc),
      ...(description === undefined ? {} : { description })
    })

  const visibleFile = (f: Jfs.File, trashedOnly: boolean): boolean => f.isComplete && f.isTrashed === trashedOnly

  /** The file at `loc`, as `stat` sees it. */
  const statLoc = (
    loc: Loc.Location,
    operation: string,
    trashedOnly = config.trashedOnly
  ): Effect.Effect<{ readonly info: FileInfo; readonly file: Jfs.File }, JottaError.JottaError> =>
    Effect.flatMap(
      fetchItem(loc, operation),
      (doc): Effect.Effect<{ readonly info: FileInfo; readonly file: Jfs.File }, JottaError.JottaError> => {
        const d = doc
        if ("file" in d) {
          const f = d.file
          if (!f.isComplete) return Effect.fail(notFound(operation, loc, "no completed revision"))
          if (f.isTrashed && !trashedOnly) return Effect.fail(notFound(operation, loc, "in the trash"))
          const parentWire = loc.relative.slice(0, -1)
          const parentDisplay = displayWire(parentWire, config.encoding)
          return Effect.succeed({ info: fromJfsFile(config, f, parentWire, parentDisplay), file: f })
        }
        if ("folder" in d) return Effect.fail(new JottaError.IsADirectory(ctx(operation, loc)))
        return Effect.fail(new JottaError.NotAFile(ctx(operation, loc)))
      }
    )

  /** The listing at `loc`: folder or mountpoint document. */
  const listing = (
    loc: Loc.Location,
    operation: string,
    trashedOnly: boolean
  ): Effect.Effect<
    { readonly folders: ReadonlyArray<Jfs.FolderEntry>; readonly files: ReadonlyArray<Jfs.File> },
    JottaError.JottaError
  > =>
    Effect.flatMap(
      fetchItem(loc, operation),
      (
        doc
      ): Effect.Effect<
        { readonly folders: ReadonlyArray<Jfs.FolderEntry>; readonly files: ReadonlyArray<Jfs.File> },
        JottaError.JottaError
      > => {
        const d = doc
        if ("folder" in d) {
          if (d.folder.isTrashed && !trashedOnly) return Effect.fail(notFound(operation, loc, "directory in the trash"))
          return Effect.succeed(d.folder)
        }
        if ("mountPoint" in d) return Effect.succeed(d.mountPoint)
        return Effect.fail(new JottaError.NotAFile({ ...ctx(operation, loc), description: "not a directory" }))
      }
    )

  const entriesOf = (
    loc: Loc.Location,
    doc: { readonly folders: ReadonlyArray<Jfs.FolderEntry>; readonly files: ReadonlyArray<Jfs.File> },
    trashedOnly: boolean
  ): ReadonlyArray<Entry> => {
    const out: Array<Entry> = []
    for (const f of doc.folders) {
      if (trashedOnly || !f.isTrashed) out.push(fromJfsFolder(config, f, loc.relative, loc.display))
    }
    for (const f of doc.files) {
      if (visibleFile(f, trashedOnly)) out.push(fromJfsFile(config, f, loc.relative, loc.display))
    }
    return out
  }

  const listWith = (operation: string, trashedOnly: boolean) =>
    Op.fn(
      operation,
      Loc.displayUnknown
    )(function* (path?: Path) {
      const loc = yield* resolveAnnotated(path, operation)
      const doc = yield* listing(loc, operation, trashedOnly)
      return entriesOf(loc, doc, trashedOnly)
    })

  const list = listWith("Files.list", config.trashedOnly)
  const listTrash = listWith("Files.listTrash", true)

  const listRecursive = (path?: Path): Stream.Stream<Entry, JottaError.JottaError> =>
    Stream.unwrap(
      Effect.gen(function* () {
        const operation = "Files.listRecursive"
        const loc = yield* resolve(path, operation)
        if (config.trashedOnly) {
          return yield* new JottaError.NotFound({
            ...ctx(operation, loc),
            description: "recursive listing is not available in the trashed-only view"
          })
        }
        const res = yield* client.execute(
          HttpClientRequest.get(loc.url).pipe(HttpClientRequest.setUrlParam("mode", "liststream")),
          ctx(operation, loc)
        )
        return ListStream.decode(res.stream, {
          mountpoint: config.mountpoint,
          root: loc.wire,
          operation,
          path: loc.display
        }).pipe(
          Stream.filter((e) => e._tag === "File" || e.path.length > 0),
          Stream.map((e): Entry => fromListStream(e, loc))
        )
      })
    ).pipe(
      Stream.provideService(Op.CurrentOperation, { operation: "Files.listRecursive", path: Loc.displayUnknown(path) }),
      Stream.withSpan("Files.listRecursive")
    )

  const fromListStream = (e: ListStream.ListStreamEntry, base: Loc.Location): Entry => {
    // e.path: wire names below the listed folder
    const wirePath = [...base.relative, ...e.path]
    const display = wirePath.map((w) => Option.getOrElse(Name.decodeToString(w, config.encoding), () => w)).join("/")
    const wireName = wirePath[wirePath.length - 1] ?? ""
    const n = decodeName(wireName, config.encoding)
    if (e._tag === "Folder") {
      return {
        _tag: "Folder",
        ...n,
        wireName,
        path: display,
        wirePath,
        modified: Option.none(),
        deleted: Option.none()
      }
    }
    return {
      _tag: "File",
      ...n,
      wireName,
      path: display,
      wirePath,
      size: e.size,
      md5: Option.getOrUndefined(decodeMd5(e.md5)),
      modified: Option.some(e.modified),
      created: Option.some(e.created),
      updated: Option.none(),
      contentType: undefined,
      revision: 0,
      uuid: undefined,
      deleted: Option.none()
    }
  }

  const stat = Op.fn(
    "Files.stat",
    Loc.displayUnknown
  )(function* (path: Path) {
    const loc = yield* resolveAnnotated(path, "Files.stat")
    return (yield* statLoc(loc, "Files.stat")).info
  })

  /** Fails with `CaseCollision` when `loc` names an existing item whose stored name differs in case. */
  const checkCase = (
    loc: Loc.Location,
    operation: string,
    doc: Option.Option<Jfs.ItemDocument>,
    sameItem?: (d: Jfs.ItemDocument) => boolean
  ): Effect.Effect<void, JottaError.InvalidName> => {
    if (Option.isNone(doc) || loc.isRoot) return Effect.void
    const d = doc.value
    const stored = "file" in d ? d.file.name : "folder" in d ? d.folder.name : undefined
    const wanted = Loc.basename(loc)
    if (stored === undefined || stored === wanted || lower(stored) !== lower(wanted)) return Effect.void
    if (sameItem?.(d)) return Effect.void
    return Effect.fail(
      new JottaError.InvalidName({
        ...ctx(operation, loc),
        reason: "CaseCollision",
        name: decodeName(wanted, config.encoding).name,
        description: `differs only in case from the existing ${JSON.stringify(decodeName(stored, config.encoding).name)}`
      })
    )
  }

  const mkdirLoc = (loc: Loc.Location, operation: string): Effect.Effect<void, JottaError.JottaError> =>
    Effect.gen(function* () {
      const doc = yield* fetchItemOption(loc, operation)
      yield* checkCase(loc, operation, doc)
      if (Option.isSome(doc)) {
        const d = doc.value
        if ("mountPoint" in d) return
        if ("folder" in d && !d.folder.isTrashed) return
        if ("file" in d && !d.file.isTrashed && d.file.isComplete) {
          return yield* new JottaError.AlreadyExists({ ...ctx(operation, loc), description: "a file has this name" })
        }
      }
      const res = yield* client.execute(command(loc.url, { mkDir: "true" }), ctx(operation, loc))
      yield* res.discard
    })

  /** mkDir of a parent before cp/mv, without the case check (rclone does the same). */
  const ensureParent = (loc: Loc.Location, operation: string) => {
    if (loc.relative.length <= 1) return Effect.void
    return Effect.flatMap(client.username, (user) => {
      const parent = Loc.parent(config, user, loc)
      return Effect.flatMap(
        client.execute(command(parent.url, { mkDir: "true" }), ctx(operation, parent)),
        (res) => res.discard
      )
    })
  }

  const mkdir = Op.fn(
    "Files.mkdir",
    Loc.displayUnknown
  )(function* (path: Path) {
    const loc = yield* resolve(path, "Files.mkdir")
    yield* annotate(loc)
    yield* mkdirLoc(loc, "Files.mkdir")
  })

  /**
   * Sends a non-idempotent request. On a transient failure the state is checked first
   * (`check` returns the result when the request evidently took effect); only then is it
   * sent again, under the retry policy.
   */
  const nonIdempotent = <A>(
    send: Effect.Effect<A, JottaError.JottaError>,
    check: Effect.Effect<Option.Option<A>, JottaError.JottaError>
  ): Effect.Effect<A, JottaError.JottaError> =>
    RetryPolicy.retry(
      Effect.catchIf(
        send,
        (e) => RetryPolicy.isTransientDefault(e) && !RetryPolicy.isUnsent(e),
        (e) =>
          Effect.flatMap(Effect.orElseSucceed(check, Option.none), (done) =>
            Option.match(done, { onNone: () => Effect.fail(e), onSome: Effect.succeed })
          )
      )
    )

  const cphash = (
    loc: Loc.Location,
    operation: string,
    headers: { size: number; md5: string; created: string; modified: string }
  ) =>
    client.execute(
      command(loc.url, { cphash: "true" }).pipe(
        HttpClientRequest.setHeaders({
          JSize: String(headers.size),
          JMd5: headers.md5,
          JCreated: headers.created,
          JModified: headers.modified
        })
      ),
      { ...ctx(operation, loc), accept: (s) => s === 404 }
    )

  const classic = (t: Option.Option<DateTime.Utc>, fallback: string) =>
    Option.match(t, { onNone: () => fallback, onSome: JfsTime.formatClassic })

  /** Restores a trashed file in place from its own metadata (cphash). */
  const restoreFile = (loc: Loc.Location, file: Jfs.File, operation: string) =>
    Effect.gen(function* () {
      const rev = file.currentRevision
      if (rev === undefined || rev.md5 === undefined) {
        return yield* notFound(operation, loc, "no completed revision to restore")
      }
      const res = yield* cphash(loc, operation, {
        size: rev.size ?? 0,
        md5: rev.md5,
        created: classic(rev.created, JfsTime.formatClassic(JfsTime.zero)),
        modified: classic(rev.modified, JfsTime.formatClassic(JfsTime.zero))
      })
      if (res.status === 404) {
        yield* res.discard
        return yield* notFound(operation, loc, "cphash found nothing to restore")
      }
      yield* res.discard
    })

  const copyOrMove = (kind: "cp" | "mv") =>
    Op.fn(
      kind === "cp" ? "Files.copy" : "Files.move",
      Loc.displayUnknown
    )(function* (source: Path, destination: Path) {
      const operation = kind === "cp" ? "Files.copy" : "Files.move"
      const { src, dst } = yield* resolvePair(source, destination, operation)
      if (dst.isRoot) return yield* rootRefused(operation, dst, "destination is the root")
      const { file: srcFile } = yield* statLoc(src, operation)
      const dstDoc = yield* fetchItemOption(dst, operation)
      const sameAsSource = (d: Jfs.ItemDocument) =>
        kind === "mv" && "file" in d && d.file.uuid !== undefined && d.file.uuid === srcFile.uuid
      yield* checkCase(dst, operation, dstDoc, sameAsSource)
      if (Option.isSome(dstDoc) && ("folder" in dstDoc.value || "mountPoint" in dstDoc.value)) {
        return yield* new JottaError.IsADirectory({ ...ctx(operation, dst), description: "destination is a folder" })
      }
      yield* ensureParent(dst, operation)
      const srcRev = srcFile.currentRevision
      const landed = Effect.map(Effect.option(statLoc(dst, operation, false)), (o) =>
        Option.filter(o, ({ info }) => info.md5 === srcRev?.md5 && info.size === (srcRev?.size ?? 0))
      )
      const check: Effect.Effect<Option.Option<Jfs.File | undefined>, JottaError.JottaError> = kind === "cp"
        ? Effect.map(
            landed,
            Option.map(({ file }) => file)
          )
        : Effect.flatMap(landed, (o) =>
            Option.isNone(o)
              ? Effect.succeed(Option.none())
              : Effect.map(Effect.option(statLoc(src, operation, false)), (s) =>
                  Option.isNone(s) ? Option.some(o.value.file) : Option.none()
                )
          )
      const send = Effect.flatMap(
        client.execute(command(src.url, { [kind]: dst.absolute }), {
          ...ctx(operation, src),
          idempotent: false,
          retry: false
        }),
        (res) =>
          Effect.map(
            Effect.option(decodeXml(Jfs.FileDocument, ctx(operation, dst))(res)),
            (doc): Jfs.File | undefined => Option.getOrUndefined(Option.map(doc, (d) => d.file))
          )
      )
      const reply = yield* nonIdempotent(send, check)
      if (reply?.isTrashed === true) {
        // §4.5 quirk: the destination held a trashed file and stays in the trash; restore it.
        yield* restoreFile(dst, reply, operation)
      }
      const { info } = yield* statLoc(dst, operation, false)
      return info
    })

  const copy = copyOrMove("cp")
  const move = copyOrMove("mv")

  const moveDir = Op.fn(
    "Files.moveDir",
    Loc.displayUnknown
  )(function* (source: Path, destination: Path) {
    const operation = "Files.moveDir"
    const { src, dst } = yield* resolvePair(source, destination, operation)
    if (src.isRoot) return yield* rootRefused(operation, src, "refusing to move the root")
    if (dst.isRoot) {
      return yield* new JottaError.AlreadyExists({ ...ctx(operation, dst), description: "destination is the root" })
    }
    yield* listing(src, operation, false)
    const dstDoc = yield* fetchItemOption(dst, operation)
    if (Option.isSome(dstDoc)) {
      const d = dstDoc.value
      const sameFolder =
        "folder" in d &&
        lower(d.folder.name) === lower(Loc.basename(src)) &&
        lower(dst.relative.slice(0, -1).join("/")) === lower(src.relative.slice(0, -1).join("/"))
      const live =
        ("folder" in d && !d.folder.isTrashed) ||
        "mountPoint" in d ||
        ("file" in d && !d.file.isTrashed && d.file.isComplete)
      if (live && !sameFolder) {
        return yield* new JottaError.AlreadyExists({ ...ctx(operation, dst), description: "directory already exists" })
      }
    }
    yield* ensureParent(dst, operation)
    const check = Effect.gen(function* () {
      const there = yield* fetchItemOption(dst, operation)
      const gone = yield* fetchItemOption(src, operation)
      const arrived = Option.isSome(there) && "folder" in there.value && !there.value.folder.isTrashed
      const left = Option.isNone(gone) || ("folder" in gone.value && gone.value.folder.isTrashed)
      return arrived && left ? Option.some(undefined) : Option.none()
    })
    const send = Effect.flatMap(
      client.execute(command(`${src.url}/`, { mvDir: dst.absolute }), {
        ...ctx(operation, src),
        idempotent: false,
        retry: false
      }),
      (res) => res.discard
    )
    yield* nonIdempotent(send, check)
  })

  const removeWith = Op.fn(
    "Files.remove",
    Loc.displayUnknown
  )(function* (path: Path) {
    const operation = "Files.remove"
    const loc = yield* resolveAnnotated(path, operation)
    yield* statLoc(loc, operation)
    const res = yield* client.execute(
      command(loc.url, config.hardDelete ? { rm: "true" } : { dl: "true" }),
      ctx(operation, loc)
    )
    yield* res.discard
  })

  const removeDir = (operation: string, requireEmpty: boolean) =>
    Op.fn(
      operation,
      Loc.displayUnknown
    )(function* (path: Path) {
      const loc = yield* resolveAnnotated(path, operation)
      if (loc.isRoot) return yield* rootRefused(operation, loc, "refusing to remove the root folder")
      const doc = yield* listing(loc, operation, false)
      if (requireEmpty && entriesOf(loc, doc, false).length > 0) {
        return yield* new JottaError.DirectoryNotEmpty(ctx(operation, loc))
      }
      const res = yield* client.execute(
        command(loc.url, config.hardDelete ? { rmDir: "true" } : { dlDir: "true" }),
        ctx(operation, loc)
      )
      yield* res.discard
    })

  const rmdir = removeDir("Files.rmdir", true)
  const purge = removeDir("Files.purge", false)

  const download = (path: Path, options?: DownloadOptions): Stream.Stream<Uint8Array, JottaError.JottaError> =>
    downloadWith("Files.download", path, undefined, options)

  /**
   * A download, verified as it streams against the file's size and MD5 (from `path` when it
   * is a `FileInfo` of the current revision, else from the file's document):
   *
   * - a request without `Range` must be answered 200 with a matching `Content-Length` (when
   *   sent); a ranged one (a caller's range, or a resume) 206 with `Content-Range` for
   *   exactly the bytes asked for, else `DownloadFailed` (`RangeMismatch`): nothing is ever
   *   spliced onto bytes it does not continue;
   * - the first byte beyond the expected end fails the stream at once (`SizeMismatch`), so
   *   is a body that ends short; a whole-file download checks the MD5 at the end (hashed
   *   alongside by the `ContentHasher`, in constant memory).
   *
   * When the body breaks off (connection reset, idle timeout) it is resumed with a `Range`
   * request from the first missing byte, under the retry policy; failures of the request
   * itself are retried by the client as usual.
   */
  const downloadWith = (
    operation: string,
    path: Path,
    revision: number | undefined,
    options?: DownloadOptions
  ): Stream.Stream<Uint8Array, JottaError.JottaError> =>
    Stream.unwrapScoped(
      Effect.gen(function* () {
        const loc = yield* resolveAnnotated(path, operation)
        const expected = yield* expectedContent(loc, path, revision, operation)
        const policy = yield* RetryPolicy.RetryPolicy
        const size = expected.size
        const start = options?.range?.start ?? 0
        const end = Math.min(options?.range?.end ?? size, size)
        if (start >= end) return Stream.empty
        const failed = (reason: JottaError.DownloadFailedReason, description: string) =>
          new JottaError.DownloadFailed({ ...ctx(operation, loc), reason, description })
        let delivered = 0
        let bodyBroke = false
        const open = Stream.suspend(() => {
          const from = start + delivered
          let request = HttpClientRequest.get(loc.url).pipe(HttpClientRequest.setUrlParam("mode", "bin"))
          if (revision !== undefined) request = HttpClientRequest.setUrlParam(request, "revision", String(revision))
          const ranged = from > 0 || options?.range?.end !== undefined
          if (ranged) {
            request = HttpClientRequest.setHeader(
              request,
              "range",
              rangeHeader({ start: from, end: options?.range?.end })
            )
          }
          return Stream.unwrap(
            Effect.flatMap(client.execute(request, ctx(operation, loc)), (res) => {
              bodyBroke = false
              const problem = ranged ? rangeProblem(res, from, end, size) : wholeProblem(res, size)
              if (problem !== undefined) {
                return Effect.zipRight(
                  res.discard,
                  Effect.fail(failed(ranged ? "RangeMismatch" : "SizeMismatch", problem))
                )
              }
              return Effect.succeed(
                Stream.mapError(res.stream, (e) => {
                  bodyBroke = true
                  return e
                })
              )
            })
          )
        })
        const resumable = Schedule.intersect(
          policy.schedule,
          Schedule.recurWhile((e: JottaError.JottaError) => bodyBroke && policy.isTransient(e))
        )
        const want = end - start
        const counted = open.pipe(
          Stream.retry(resumable),
          Stream.mapChunksEffect((chunk) => {
            for (const c of chunk) delivered += c.length
            return delivered > want
              ? Effect.fail(failed("SizeMismatch", `the body runs past the expected ${want} bytes`))
              : Effect.succeed(chunk)
          }),
          Stream.ensuring(Effect.suspend(() => Effect.annotateCurrentSpan("bytes", delivered)))
        )
        const lengthChecked = Effect.suspend(() =>
          delivered === want
            ? Effect.void
            : Effect.fail(failed("SizeMismatch", `the body ended after ${delivered} of ${want} bytes`))
        )
        const md5 = expected.md5
        if (start !== 0 || end !== size || md5 === undefined) {
          return Stream.concat(counted, Stream.drain(Stream.fromEffect(lengthChecked)))
        }
        // The whole file: hash alongside (a small bounded queue keeps memory constant).
        const queue = yield* Queue.bounded<Take.Take<Uint8Array>>(4)
        const digest = yield* Effect.forkScoped(hasher.md5(Stream.flattenTake(Stream.fromQueue(queue))))
        const md5Checked = Effect.gen(function* () {
          yield* lengthChecked
          yield* Queue.offer(queue, Take.end)
          const got = yield* Fiber.join(digest)
          if (got !== md5) return yield* failed("Md5Mismatch", `received MD5 ${got}, expected ${md5}`)
        })
        return Stream.concat(
          Stream.mapChunksEffect(counted, (chunk) => Effect.as(Queue.offer(queue, Take.chunk(chunk)), chunk)),
          Stream.drain(Stream.fromEffect(md5Checked))
        )
      })
    ).pipe(
      Stream.provideService(Op.CurrentOperation, { operation, path: Loc.displayUnknown(path) }),
      Stream.withSpan(operation)
    )

  /** The size and MD5 a download of `loc` must deliver. */
  const expectedContent = (
    loc: Loc.Location,
    path: Path,
    revision: number | undefined,
    operation: string
  ): Effect.Effect<{ readonly size: number; readonly md5: Md5 | undefined }, JottaError.JottaError> => {
    if (revision === undefined && isFileInfo(path)) return Effect.succeed({ size: path.size, md5: path.md5 })
    return Effect.flatMap(fileDoc(loc, operation), (file) => {
      if (revision === undefined) {
        const rev = file.currentRevision
        if (rev === undefined) return Effect.fail(notFound(operation, loc, "no completed revision"))
        return Effect.succeed({ size: rev.size ?? 0, md5: rev.md5 })
      }
      const rev = revisionsOf(file).find((r) => r.number === revision)
      if (rev === undefined) return Effect.fail(notFound(operation, loc, `no revision ${revision}`))
      return Effect.succeed({ size: rev.size ?? 0, md5: rev.md5 })
    })
  }

  const setModTime = Op.fn(
    "Files.setModTime",
    Loc.displayUnknown
  )(function* (path: Path, modified: DateTime.DateTime) {
    const operation = "Files.setModTime"
    const loc = yield* resolveAnnotated(path, operation)
    const { file } = yield* statLoc(loc, operation)
    const rev = file.currentRevision
    if (rev === undefined || rev.md5 === undefined) return yield* notFound(operation, loc, "no completed revision")
    const res = yield* cphash(loc, operation, {
      size: rev.size ?? 0,
      md5: rev.md5,
      created: classic(rev.created, JfsTime.formatClassic(modified)),
      modified: JfsTime.formatClassic(modified)
    })
    yield* res.discard
    if (res.status === 404) return yield* notFound(operation, loc, "metadata did not match")
    const { info } = yield* statLoc(loc, operation)
    return info
  })

  const shareRequest = (loc: Loc.Location, mode: "enableShare" | "disableShare", operation: string) =>
    Effect.flatMap(
      client.execute(
        HttpClientRequest.get(loc.url).pipe(HttpClientRequest.setUrlParam("mode", mode)),
        ctx(operation, loc)
      ),
      decodeXml(Jfs.ItemDocument, ctx(operation, loc), { fast: JfsFast.itemDocument })
    )

  const publicUriOf = (d: Jfs.ItemDocument): string | undefined =>
    "file" in d ? d.file.publicURI : "folder" in d ? d.folder.publicURI : undefined

  const publicLink = Op.fn(
    "Files.publicLink",
    Loc.displayUnknown
  )(function* (path: Path) {
    const operation = "Files.publicLink"
    const loc = yield* resolveAnnotated(path, operation)
    const doc = yield* shareRequest(loc, "enableShare", operation)
    const uri = publicUriOf(doc)
    if (uri === undefined || uri === "") {
      return yield* new JottaError.InvalidResponse({ ...ctx(operation, loc), issue: "no publicURI received" })
    }
    const user = yield* client.username
    return `${config.wwwRoot}opin/io/downloadPublic/${Loc.escapePath(user)}/${Loc.escapePath(uri)}`
  })

  const removePublicLink = Op.fn(
    "Files.removePublicLink",
    Loc.displayUnknown
  )(function* (path: Path) {
    const operation = "Files.removePublicLink"
    const loc = yield* resolveAnnotated(path, operation)
    const doc = yield* shareRequest(loc, "disableShare", operation)
    const uri = publicUriOf(doc)
    if (uri !== undefined && uri !== "") {
      return yield* new JottaError.ServerError({ ...ctx(operation, loc), description: "the item is still shared" })
    }
  })

  const restore = Op.fn(
    "Files.restore",
    Loc.displayUnknown
  )(function* (path: Path) {
    const operation = "Files.restore"
    const loc = yield* resolveAnnotated(path, operation)
    const { file } = yield* statLoc(loc, operation, true)
    if (file.isTrashed) yield* restoreFile(loc, file, operation)
    const { info } = yield* statLoc(loc, operation, false)
    return info
  })

  const emptyTrash = Op.fn("Files.emptyTrash")(function* () {
    const operation = "Files.emptyTrash"
    const res = yield* client.execute(HttpClientRequest.post(`${config.apiRoot}files/v1/purge_trash`), { operation })
    const reply = yield* decodeJson(Jfs.PurgeReply, { operation })(res)
    return { folders: reply.folders, files: reply.files }
  })

  const fileDoc = (loc: Loc.Location, operation: string): Effect.Effect<Jfs.File, JottaError.JottaError> =>
    Effect.flatMap(fetchItem(loc, operation), (d): Effect.Effect<Jfs.File, JottaError.JottaError> => {
      if ("file" in d) {
        if (d.file.isTrashed && !config.trashedOnly) return Effect.fail(notFound(operation, loc, "in the trash"))
        return Effect.succeed(d.file)
      }
      if ("folder" in d) return Effect.fail(new JottaError.IsADirectory(ctx(operation, loc)))
      return Effect.fail(new JottaError.NotAFile(ctx(operation, loc)))
    })

  const revisionsOf = (file: Jfs.File): ReadonlyArray<RevisionInfo> => {
    const out: Array<RevisionInfo> = []
    if (file.latestRevision !== undefined) out.push(revisionInfo(file.latestRevision, false))
    if (file.currentRevision !== undefined) out.push(revisionInfo(file.currentRevision, true))
    for (const r of file.revisions) out.push(revisionInfo(r, false))
    return out
  }

  const revisions = Op.fn(
    "Files.revisions",
    Loc.displayUnknown
  )(function* (path: Path) {
    const operation = "Files.revisions"
    const loc = yield* resolveAnnotated(path, operation)
    return revisionsOf(yield* fileDoc(loc, operation))
  })

  const downloadRevision = (path: Path, revision: number, options?: DownloadOptions) =>
    downloadWith("Files.downloadRevision", path, revision, options)

  const restoreRevision = Op.fn(
    "Files.restoreRevision",
    Loc.displayUnknown
  )(function* (path: Path, revision: number) {
    const operation = "Files.restoreRevision"
    const loc = yield* resolve(path, operation)
    yield* Effect.annotateCurrentSpan({ path: loc.display, revision })
    const file = yield* fileDoc(loc, operation)
    const rev = revisionsOf(file).find((r) => r.number === revision && r.state === "COMPLETED")
    if (rev === undefined || rev.md5 === undefined) {
      return yield* notFound(operation, loc, `no completed revision ${revision}`)
    }
    if (!rev.current) {
      const now = DateTime.unsafeMake(yield* Clock.currentTimeMillis)
      const res = yield* cphash(loc, operation, {
        size: rev.size ?? 0,
        md5: rev.md5,
        created: classic(rev.created, JfsTime.formatClassic(now)),
        modified: classic(rev.modified, JfsTime.formatClassic(now))
      })
      yield* res.discard
      if (res.status === 404) return yield* notFound(operation, loc, `revision ${revision} cannot be restored`)
    }
    const { info } = yield* statLoc(loc, operation)
    return info
  })

  // -------------------------------------------------------------------------------------------
  // upload
  // -------------------------------------------------------------------------------------------

  const sourceError = (operation: string, loc: Loc.Location) => (e: UploadSource.UploadSourceError) =>
    new JottaError.UploadFailed({ ...ctx(operation, loc), reason: "Source", description: e.message, cause: e })

  /** Hashes the source, checking that it yields exactly its declared size. */
  const hashChecked = (
    h: ContentHasher["Type"],
    source: UploadSource.UploadSource,
    operation: string,
    loc: Loc.Location
  ): Effect.Effect<Md5, JottaError.UploadFailed> =>
    Effect.suspend(() => {
      let seen = 0
      const counted = Stream.mapChunks(source.stream, (chunk) => {
        for (const c of chunk) seen += c.length
        return chunk
      })
      return Effect.flatMap(Effect.mapError(h.md5(counted), sourceError(operation, loc)), (md5) =>
        seen === source.size
          ? Effect.succeed(md5)
          : Effect.fail(
              new JottaError.UploadFailed({
                ...ctx(operation, loc),
                reason: "SizeMismatch",
                description: `the source yielded ${seen} bytes, declared ${source.size}`
              })
            )
      )
    })

  const upload = Op.fn(
    "Files.upload",
    Loc.displayUnknown
  )(function* (path: Path, source: UploadSource.UploadSource, options?: UploadOptions) {
    const operation = "Files.upload"
    const loc = yield* resolve(path, operation)
    yield* Effect.annotateCurrentSpan({ path: loc.display, bytes: source.size })
    if (loc.isRoot) return yield* rootRefused(operation, loc, "no file name")
    const md5: Md5 = Option.isSome(source.md5) ? source.md5.value : yield* hashChecked(hasher, source, operation, loc)
    if (config.noVersions) {
      const res = yield* client.execute(command(loc.url, { rm: "true" }), {
        ...ctx(operation, loc),
        accept: (s) => s === 404
      })
      yield* res.discard
    }
    const modified = options?.modified ?? DateTime.unsafeMake(yield* Clock.currentTimeMillis)
    const created = options?.created ?? modified
    const body = {
      bytes: source.size,
      created: JfsTime.formatRfc3339(created),
      md5,
      modified: JfsTime.formatRfc3339(modified),
      path: loc.allocate
    }
    const allocate = Effect.flatMap(
      client.execute(
        HttpClientRequest.bodyUnsafeJson(HttpClientRequest.post(`${config.apiRoot}files/v1/allocate`), body),
        { ...ctx(operation, loc), idempotent: false, retry: false }
      ),
      decodeJson(Jfs.AllocateReply, ctx(operation, loc))
    )
    const sendData = (reply: Jfs.AllocateReply) =>
      Effect.gen(function* () {
        if (reply.uploadUrl === undefined) {
          return yield* new JottaError.InvalidResponse({
            ...ctx(operation, loc),
            issue: "allocate reply without upload_url"
          })
        }
        const from = Math.max(0, Math.min(reply.resumePos, source.size))
        const rest = UploadSource.skip(source, from)
        let request = HttpClientRequest.post(reply.uploadUrl)
        if (from > 0) request = HttpClientRequest.setHeader(request, "range", `bytes=${from}-${source.size - 1}`)
        request =
          rest.size === 0
            ? HttpClientRequest.setHeader(request, "content-type", "application/octet-stream")
            : HttpClientRequest.bodyStream(request, rest.stream, {
                contentType: "application/octet-stream",
                contentLength: rest.size
              })
        const res = yield* client.execute(request, { ...ctx(operation, loc), retry: false })
        yield* res.discard
      })
    // allocate → (dedup | send from resume_pos); a broken attempt restarts the whole sequence,
    // and the next allocation reports how far the server got.
    const sequence = Effect.flatMap(allocate, (reply) => (reply.state === "COMPLETED" ? Effect.void : sendData(reply)))
    yield* RetryPolicy.retry(sequence)
    const { info } = yield* statLoc(loc, operation, false)
    if (info.size !== source.size) {
      return yield* new JottaError.UploadFailed({
        ...ctx(operation, loc),
        reason: "SizeMismatch",
        description: `stored ${info.size} bytes, expected ${source.size}`
      })
    }
    if (info.md5 !== undefined && info.md5 !== md5) {
      return yield* new JottaError.UploadFailed({
        ...ctx(operation, loc),
        reason: "Md5Mismatch",
        description: `stored MD5 ${info.md5}, expected ${md5}`
      })
    }
    return info
  })

  return Files.of({
    list,
    listRecursive,
    stat,
    mkdir,
    upload,
    download,
    remove: removeWith,
    rmdir,
    purge,
    copy,
    move,
    moveDir,
    setModTime,
    publicLink,
    removePublicLink,
    listTrash,
    restore,
    emptyTrash,
    revisions,
    downloadRevision,
    restoreRevision
  })
})

/**
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<Files, never, JottaClient | ContentHasher> = Layer.effect(Files, make)
