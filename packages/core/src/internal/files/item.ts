/**
 * An item's document, `GET <item>` (§4.2): a file, folder or mountpoint element (a 404 is
 * `NotFound` with the service's message), and the views of it operations share. The reply is
 * decoded on the fast path (`jfsFast.ts`), the Schema decoder deciding whenever it declines.
 *
 * Trashed items still answer with their document, marked `deleted` (§4.11): outside the
 * trashed-only view they count as missing. A file without a completed revision (an
 * unfinished upload, §5.7) is missing too.
 *
 * @internal
 */
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type { FileInfo } from "../../Files.js"
import * as Jfs from "../../Jfs.js"
import * as JottaError from "../../JottaError.js"
import * as Decode from "../decode.js"
import * as JfsFast from "../jfsFast.js"
import * as Loc from "../location.js"
import { at, execute, type FilesContext, notFound } from "./context.js"
import { decodeName, displayWire, fromJfsFile } from "./entries.js"

const decodeItem = Decode.xml(Jfs.ItemDocument, { fast: JfsFast.itemDocument })

/** GET of an item's document (a 404 is `NotFound` with the service's message). */
export const fetchItem = (
  ctx: FilesContext,
  loc: Loc.Location
): Effect.Effect<Jfs.ItemDocument, JottaError.JottaError> =>
  Effect.flatMap(execute(ctx, HttpClientRequest.get(loc.url), loc, { wholeBody: true }), (res) =>
    Decode.body(decodeItem, res, loc.display)
  )

/** A request whose reply is an item document (enableShare, disableShare), decoded as one. */
export const itemReply = (
  ctx: FilesContext,
  request: HttpClientRequest.HttpClientRequest,
  loc: Loc.Location
): Effect.Effect<Jfs.ItemDocument, JottaError.JottaError> =>
  Effect.flatMap(execute(ctx, request, loc, { wholeBody: true }), (res) => Decode.body(decodeItem, res, loc.display))

/** Like {@link fetchItem}, with `None` for a missing item. */
export const fetchItemOption = (
  ctx: FilesContext,
  loc: Loc.Location
): Effect.Effect<Option.Option<Jfs.ItemDocument>, JottaError.JottaError> =>
  Effect.catchTag(Effect.map(fetchItem(ctx, loc), Option.some), "NotFound", () =>
    Effect.succeed(Option.none<Jfs.ItemDocument>())
  )

/** `IsADirectory` or `NotAFile` for a document that is not a file. */
const notAFile = (d: Jfs.ItemDocument, loc: Loc.Location): Effect.Effect<never, JottaError.JottaError> =>
  Effect.flatMap(at(loc), (where) =>
    Effect.fail("folder" in d ? new JottaError.IsADirectory(where) : new JottaError.NotAFile(where))
  )

/** The file at `loc`, as `stat` sees it (`trashedOnly`: the trashed-only view, default the configured one). */
export const statLoc = (
  ctx: FilesContext,
  loc: Loc.Location,
  trashedOnly = ctx.config.trashedOnly
): Effect.Effect<{ readonly info: FileInfo; readonly file: Jfs.File }, JottaError.JottaError> =>
  Effect.flatMap(
    fetchItem(ctx, loc),
    (d): Effect.Effect<{ readonly info: FileInfo; readonly file: Jfs.File }, JottaError.JottaError> => {
      if (!("file" in d)) return notAFile(d, loc)
      const f = d.file
      if (!f.isComplete) return notFound(loc, "no completed revision")
      if (f.isTrashed && !trashedOnly) return notFound(loc, "in the trash")
      const parentWire = loc.relative.slice(0, -1)
      const parentDisplay = displayWire(parentWire, ctx.config.encoding)
      return Effect.succeed({ info: fromJfsFile(ctx.config, f, parentWire, parentDisplay), file: f })
    }
  )

/** The file element at `loc` with all its revisions (a trashed one only in the trashed-only view). */
export const fileDoc = (ctx: FilesContext, loc: Loc.Location): Effect.Effect<Jfs.File, JottaError.JottaError> =>
  Effect.flatMap(fetchItem(ctx, loc), (d): Effect.Effect<Jfs.File, JottaError.JottaError> => {
    if (!("file" in d)) return notAFile(d, loc)
    if (d.file.isTrashed && !ctx.config.trashedOnly) return notFound(loc, "in the trash")
    return Effect.succeed(d.file)
  })

/** A folder or mountpoint listing (§4.1). */
export interface Listing {
  readonly folders: ReadonlyArray<Jfs.FolderEntry>
  readonly files: ReadonlyArray<Jfs.File>
}

/** The listing at `loc`: its folder or mountpoint document. */
export const listing = (
  ctx: FilesContext,
  loc: Loc.Location,
  trashedOnly: boolean
): Effect.Effect<Listing, JottaError.JottaError> =>
  Effect.flatMap(fetchItem(ctx, loc), (d): Effect.Effect<Listing, JottaError.JottaError> => {
    if ("folder" in d) {
      if (d.folder.isTrashed && !trashedOnly) return notFound(loc, "directory in the trash")
      return Effect.succeed(d.folder)
    }
    if ("mountPoint" in d) return Effect.succeed(d.mountPoint)
    return Effect.flatMap(at(loc), (where) =>
      Effect.fail(new JottaError.NotAFile({ ...where, description: "not a directory" }))
    )
  })

const lower = (s: string): string => s.toLowerCase()

/**
 * Fails with `CaseCollision` when `loc` names an existing item whose stored name differs in
 * case (the service's names are case-insensitive, §8.1), unless `sameItem` says it is the
 * item being acted on.
 */
export const checkCase = (
  ctx: FilesContext,
  loc: Loc.Location,
  doc: Option.Option<Jfs.ItemDocument>,
  sameItem?: (d: Jfs.ItemDocument) => boolean
): Effect.Effect<void, JottaError.InvalidName> => {
  if (Option.isNone(doc) || loc.isRoot) return Effect.void
  const d = doc.value
  const stored = "file" in d ? d.file.name : "folder" in d ? d.folder.name : undefined
  const wanted = Loc.basename(loc)
  if (stored === undefined || stored === wanted || lower(stored) !== lower(wanted)) return Effect.void
  if (sameItem?.(d)) return Effect.void
  const encoding = ctx.config.encoding
  return Effect.flatMap(at(loc), (where) =>
    Effect.fail(
      new JottaError.InvalidName({
        ...where,
        reason: "CaseCollision",
        name: decodeName(wanted, encoding).name,
        description: `differs only in case from the existing ${JSON.stringify(decodeName(stored, encoding).name)}`
      })
    )
  )
}
