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
import * as Context from "effect/Context"
import type * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Option from "effect/Option"
import type * as Stream from "effect/Stream"
import type { ContentHasher, Md5 } from "./ContentHasher.js"
import * as FilesContext from "./internal/files/context.js"
import * as Download from "./internal/files/download.js"
import * as List from "./internal/files/list.js"
import * as Mutate from "./internal/files/mutate.js"
import * as Revisions from "./internal/files/revisions.js"
import * as Share from "./internal/files/share.js"
import * as Trash from "./internal/files/trash.js"
import * as Upload from "./internal/files/upload.js"
import type * as Loc from "./internal/location.js"
import type { JottaClient } from "./JottaClient.js"
import type * as JottaError from "./JottaError.js"
import type * as UploadSource from "./UploadSource.js"

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
// constructors
// ---------------------------------------------------------------------------------------------

/**
 * Builds the service from the `JottaClient` and a `ContentHasher` (uploads hash sources
 * without a known MD5 with it; whole-file downloads are checked with it). Each operation
 * lives in `internal/files/`, by family.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<Service, never, JottaClient | ContentHasher> = Effect.map(FilesContext.make, (ctx) =>
  Files.of({
    list: List.list(ctx),
    listRecursive: List.listRecursive(ctx),
    stat: List.stat(ctx),
    mkdir: Mutate.mkdir(ctx),
    upload: Upload.upload(ctx),
    download: Download.download(ctx),
    remove: Mutate.remove(ctx),
    rmdir: Mutate.rmdir(ctx),
    purge: Mutate.purge(ctx),
    copy: Mutate.copy(ctx),
    move: Mutate.move(ctx),
    moveDir: Mutate.moveDir(ctx),
    setModTime: Mutate.setModTime(ctx),
    publicLink: Share.publicLink(ctx),
    removePublicLink: Share.removePublicLink(ctx),
    listTrash: Trash.listTrash(ctx),
    restore: Trash.restore(ctx),
    emptyTrash: Trash.emptyTrash(ctx),
    revisions: Revisions.revisions(ctx),
    downloadRevision: Revisions.downloadRevision(ctx),
    restoreRevision: Revisions.restoreRevision(ctx)
  })
)

/**
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<Files, never, JottaClient | ContentHasher> = Layer.effect(Files, make)
