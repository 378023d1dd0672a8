/**
 * The streaming decoder of Jottacloud's recursive listing (`?mode=liststream`, protocol
 * §4.9): bytes in, {@link ListStreamEntry} values out, incrementally and in constant memory
 * (apart from the set of folder paths the consistency check needs).
 *
 * Entries are emitted as their elements close, one output chunk per input chunk. At the end
 * of the body the decoder runs rclone's consistency check: it counts `file` elements and
 * `folder` elements plus every file parent not seen before, and compares them with the
 * `stats` element. A missing `stats`, a count mismatch, truncated or malformed XML fail the
 * stream with `InvalidResponse` — after the entries already emitted, so a consumer must
 * treat a failed stream as a failed listing.
 *
 * Paths are wire names relative to the listed folder. The listed folder itself is not
 * emitted. A file whose parent folder was not announced by a `folder` element implies that
 * folder: it is emitted once, before the file (rclone does the same); a `folder` element for
 * an already-known path is not emitted again (but counts, as in rclone).
 *
 * The listed folder's prefix (`/<mountpoint>/<root>`) is stripped from every path; its
 * names are compared case-insensitively, like the service does.
 *
 * Deviations from rclone, which is lenient: a path that is not under the listed folder, a
 * `file` without `filename`, and a non-numeric size fail the listing instead of being
 * listed wrongly. Empty times are Go's zero time, as in rclone. More than 64 Ki characters
 * without a tag boundary (longer than any name or path can be) fail the listing at once, so
 * a hostile reply cannot make the decoder buffer an endless name.
 *
 * @since 0.1.0
 */
import * as Chunk from "effect/Chunk"
import * as Data from "effect/Data"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { Decoder, ListStreamIssue } from "./internal/listStream.js"
import { InvalidResponse } from "./JottaError.js"

/**
 * A folder of the listing. `path` holds wire names relative to the listed folder.
 *
 * @since 0.1.0
 * @category models
 */
export class Folder extends Data.TaggedClass("Folder")<{
  /** Wire names from the listed folder down to this folder. */
  readonly path: ReadonlyArray<string>
}> {}

/**
 * A file of the listing: its parent folder (wire names relative to the listed folder),
 * its wire name, size, MD5 (as sent) and the times the uploader supplied (liststream
 * carries neither the MIME type nor the upload time).
 *
 * @since 0.1.0
 * @category models
 */
export class File extends Data.TaggedClass("File")<{
  /** Wire names of the parent folder, relative to the listed folder (`[]` for the listed folder). */
  readonly parent: ReadonlyArray<string>
  /** The file's wire name. */
  readonly name: string
  /** Size in bytes. */
  readonly size: number
  /** The MD5 as sent (normally 32 lower-case hex digits). */
  readonly md5: string
  /** Modification time supplied by the uploader (Go's zero time when empty). */
  readonly modified: DateTime.Utc
  /** Creation time supplied by the uploader (Go's zero time when empty). */
  readonly created: DateTime.Utc
}> {
  /** Wire names from the listed folder down to this file. */
  get path(): ReadonlyArray<string> {
    return [...this.parent, this.name]
  }
}

/**
 * @since 0.1.0
 * @category models
 */
export type ListStreamEntry = Folder | File

/**
 * Whether an entry is a file.
 *
 * @since 0.1.0
 * @category guards
 */
export const isFile = (entry: ListStreamEntry): entry is File => entry._tag === "File"

/**
 * Whether an entry is a folder.
 *
 * @since 0.1.0
 * @category guards
 */
export const isFolder = (entry: ListStreamEntry): entry is Folder => entry._tag === "Folder"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The mountpoint name as it appears in the listing's paths (e.g. `Archive`). */
  readonly mountpoint: string
  /** Wire names of the listed folder below the mountpoint (`[]` for the mountpoint root). */
  readonly root: ReadonlyArray<string>
  /** The operation reported in errors (e.g. `"Files.listRecursive"`). */
  readonly operation: string
  /** The path reported in errors. */
  readonly path?: string | undefined
}

const makeFolder = (path: ReadonlyArray<string>): Folder => new Folder({ path })

// One reusable Date: DateTime.unsafeMake(Date) reads its time and keeps no reference to it.
const scratch = new Date(0)
const utc = (millis: number): DateTime.Utc => {
  scratch.setTime(millis)
  return DateTime.unsafeMake(scratch)
}

const makeFile = (
  parent: ReadonlyArray<string>,
  name: string,
  size: number,
  md5: string,
  modifiedMillis: number,
  createdMillis: number
): File => {
  const modified = utc(modifiedMillis)
  const created = createdMillis === modifiedMillis ? modified : utc(createdMillis)
  return new File({ parent, name, size, md5, modified, created })
}

/**
 * Decodes a liststream body incrementally (see the module documentation).
 *
 * @since 0.1.0
 * @category decoding
 */
export const decode = <E, R>(
  bytes: Stream.Stream<Uint8Array, E, R>,
  options: Options
): Stream.Stream<ListStreamEntry, E | InvalidResponse, R> =>
  Stream.suspend(() => {
    const decoder = new Decoder<File, Folder>(options.mountpoint, options.root, makeFolder, makeFile)
    const fail = (cause: unknown) =>
      new InvalidResponse({
        operation: options.operation,
        issue: `liststream: ${cause instanceof ListStreamIssue || cause instanceof Error ? cause.message : String(cause)}`,
        ...(options.path === undefined ? {} : { path: options.path }),
        ...(cause instanceof ListStreamIssue ? {} : { cause })
      })
    const body = Stream.mapChunksEffect(bytes, (chunk) =>
      Effect.try({
        try: () => {
          if (chunk.length === 1)
            return Chunk.unsafeFromArray<ListStreamEntry>(decoder.write(Chunk.unsafeGet(chunk, 0)))
          const out: Array<ListStreamEntry> = []
          for (const b of chunk) for (const e of decoder.write(b)) out.push(e)
          return Chunk.unsafeFromArray(out)
        },
        catch: fail
      })
    )
    const end = Stream.flatMap(Stream.fromEffect(Effect.try({ try: () => decoder.end(), catch: fail })), (entries) =>
      Stream.fromIterable<ListStreamEntry>(entries)
    )
    return Stream.concat(body, end)
  })
