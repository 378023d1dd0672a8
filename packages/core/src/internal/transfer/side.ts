/**
 * What the transfer engine sees of one end of a transfer: entries below a root, addressed by
 * engine paths, and the few operations a copy, sync, move or check needs.
 *
 * Engine paths are `/`-joined names in rclone's standard (local-safe) form: a name that
 * decodes to `.` or `..`, or that contains `/`, is carried as U+FF0E / U+FF0F (see
 * `names.ts`), so a path never walks outside its root on any side.
 *
 * @internal
 */
import type * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type * as Stream from "effect/Stream"
import type { Md5 } from "../../ContentHasher.js"

/** A file below a side's root. @internal */
export interface FileEntry {
  readonly _tag: "File"
  /** Engine path below the root. */
  readonly path: string
  readonly size: number
  /** Modification time, epoch milliseconds. */
  readonly modified: number | undefined
  /** The MD5 when the side knows it without reading the content. */
  readonly md5: Md5 | undefined
  /** A side-specific handle (the cloud side keeps the listing entry, whose wire names it reuses). */
  readonly ref?: unknown
}

/** A folder below a side's root. @internal */
export interface DirEntry {
  readonly _tag: "Dir"
  readonly path: string
  readonly ref?: unknown
}

/** A listed name the engine cannot carry (reported as a per-file error). @internal */
export interface InvalidEntry {
  readonly _tag: "Invalid"
  readonly path: string
  readonly description: string
}

/** @internal */
export type Listed = FileEntry | DirEntry | InvalidEntry

/**
 * Why a side operation failed: `NotFound`; `Fatal` (authentication, endpoint unreachable,
 * quota full: the whole run stops); `Failed` (this file only).
 *
 * @internal
 */
export class SideError extends Schema.TaggedError<SideError>("@fjord/core/Transfer/SideError")("SideError", {
  reason: Schema.Literal("NotFound", "Fatal", "Failed"),
  path: Schema.String,
  description: Schema.String,
  cause: Schema.optional(Schema.Defect)
}) {
  override get message(): string {
    return this.path === "" ? this.description : `${this.path}: ${this.description}`
  }
}

/** How a listing is pruned while it is produced. @internal */
export interface ListOptions {
  /** Whether to look inside the folder at this engine path (an excluded folder is not descended). */
  readonly descend: (dir: string) => boolean
  /** Whether a listed file is kept (path, size, modification time). */
  readonly keep: (file: FileEntry) => boolean
  /** Only this many levels (1 = the root's own entries). */
  readonly maxDepth?: number | undefined
  /**
   * A folder (the root included) that holds a file of one of these names is left out with
   * everything below it, the folder's own entry too (rclone's `--exclude-if-present`).
   */
  readonly excludeIfPresent?: ReadonlyArray<string> | undefined
}

/** The content of a file on its way to a destination. @internal */
export interface Content {
  readonly size: number
  readonly md5: Md5 | undefined
  readonly modified: number | undefined
  /** Re-runnable: every run starts again from byte 0. */
  readonly stream: Stream.Stream<Uint8Array, SideError>
  /**
   * Whether `stream` itself fails unless it delivers exactly `size` bytes with MD5 `md5` (a
   * cloud download is checked as it streams), so the destination need not hash it again.
   */
  readonly verified?: boolean | undefined
}

/** One end of a transfer. @internal */
export interface Side {
  /** `"cloud"` or `"local"`; two sides of one kind copy and move server-side (`copyWithin`). */
  readonly kind: string
  /** The root, for messages. */
  readonly root: string
  /** Whether names differing only in case are the same name (Jottacloud: yes). */
  readonly caseInsensitive: boolean
  /** Whether `write` needs the MD5 before the first byte (Jottacloud's allocate step). */
  readonly writeNeedsMd5: boolean
  /** Whether `read` of a file with a known MD5 fails unless its bytes have that size and MD5. */
  readonly readVerifies?: boolean | undefined
  /** The entry at an engine path ("" is the root), or `None`. */
  readonly stat: (path: string) => Effect.Effect<FileEntry | DirEntry | undefined, SideError>
  /** Every entry below the root, pruned as `options` says. */
  readonly list: (options: ListOptions) => Stream.Stream<Listed, SideError>
  /** The content of a file. */
  readonly read: (file: FileEntry) => Stream.Stream<Uint8Array, SideError>
  /**
   * The content of a file in buffers the side uses again: an element is only valid until
   * three more have been pulled. Used instead of `read` toward a destination whose `write`
   * is done with a chunk before it pulls the next (`writeTakesTransient`); saves allocating
   * (and collecting) a buffer per read of a large file.
   */
  readonly readTransient?: ((file: FileEntry) => Stream.Stream<Uint8Array, SideError>) | undefined
  /**
   * Whether `write` is done with each chunk of its content before it pulls the next, so it can
   * take a source's `readTransient` (the cloud: an upload's body waits for the socket to
   * drain after each chunk, and the server checks the MD5 of what it received).
   */
  readonly writeTakesTransient?: boolean | undefined
  /** The MD5 of a file: the stored one when known, else computed from the content. */
  readonly hash: (file: FileEntry) => Effect.Effect<Md5, SideError>
  /** The MD5 computed from the content, whatever is stored (`check --download`). */
  readonly hashContent: (file: FileEntry) => Effect.Effect<Md5, SideError>
  /** Writes a file (parents created), verified before it replaces what was there. */
  readonly write: (path: string, content: Content) => Effect.Effect<void, SideError>
  readonly setModTime: (path: string, modified: number) => Effect.Effect<void, SideError>
  /** Removes a file (Jottacloud: to the trash unless hard delete is configured). */
  readonly remove: (file: FileEntry) => Effect.Effect<void, SideError>
  /** Removes a folder and everything below it. */
  readonly removeDir: (path: string) => Effect.Effect<void, SideError>
  /**
   * Removes a folder only when it is empty (rclone's `TryRmdir`): `true` when it was removed,
   * `false` when something is still in it.
   */
  readonly removeEmptyDir: (path: string) => Effect.Effect<boolean, SideError>
  readonly mkdir: (path: string) => Effect.Effect<void, SideError>
  /** Copies a file of a side of the same kind without moving its bytes through here. */
  readonly copyWithin?: ((file: FileEntry, to: string) => Effect.Effect<void, SideError>) | undefined
  /** Moves a file of a side of the same kind without moving its bytes through here. */
  readonly moveWithin?: ((file: FileEntry, to: string) => Effect.Effect<void, SideError>) | undefined
  /**
   * Moves a whole folder of a side of the same kind (`dir` as that side's `stat` gave it) to
   * the engine path `to` in one request (rclone's `DirMove`, Jottacloud's `mvDir`): `"Moved"`,
   * or why it cannot be done so the engine moves file by file: `"Exists"` (the destination is
   * there), `"Cannot"` (for example the source is the account's root).
   */
  readonly moveDirWithin?: ((dir: DirEntry, to: string) => Effect.Effect<DirMoveResult, SideError>) | undefined
}

/** What `moveDirWithin` did. @internal */
export type DirMoveResult = "Moved" | "Exists" | "Cannot"
