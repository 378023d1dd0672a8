/**
 * Older revisions of a file (§4.2): the file document lists them beside the current one (and
 * the latest, possibly incomplete, one). `downloadRevision` is a verified download with
 * `revision=<n>` (§4.8); `restoreRevision` makes revision n current again by cphash with its
 * size and MD5 (§4.7), which the service stores as a new revision with that content.
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import type * as Stream from "effect/Stream"
import type { DownloadOptions, Path } from "../../Files.js"
import * as JfsTime from "../../JfsTime.js"
import type * as JottaError from "../../JottaError.js"
import * as Loc from "../location.js"
import * as Op from "../operation.js"
import { type FilesContext, notFound, op, resolve, resolveAnnotated } from "./context.js"
import { classic, cphash } from "./cphash.js"
import { content } from "./download.js"
import { revisionsOf } from "./entries.js"
import { fileDoc, statLoc } from "./item.js"

/** `Files.revisions`: the revisions of a file, current first. */
export const revisions = (ctx: FilesContext) =>
  op("Files.revisions")(function* (path: Path) {
    const loc = yield* resolveAnnotated(ctx, path)
    return revisionsOf(yield* fileDoc(ctx, loc))
  })

/** `Files.downloadRevision`: the content of revision `revision` of a file. */
export const downloadRevision =
  (ctx: FilesContext) =>
  (path: Path, revision: number, options?: DownloadOptions): Stream.Stream<Uint8Array, JottaError.JottaError> =>
    content(ctx, path, revision, options).pipe(Op.stream("Files.downloadRevision", Loc.displayUnknown(path)))

/** `Files.restoreRevision`: makes an older revision current again. */
export const restoreRevision = (ctx: FilesContext) =>
  op("Files.restoreRevision")(function* (path: Path, revision: number) {
    const loc = yield* resolve(ctx, path)
    yield* Effect.annotateCurrentSpan({ path: loc.display, revision })
    const file = yield* fileDoc(ctx, loc)
    const rev = revisionsOf(file).find((r) => r.number === revision && r.state === "COMPLETED")
    if (rev === undefined || rev.md5 === undefined) return yield* notFound(loc, `no completed revision ${revision}`)
    if (!rev.current) {
      const now = DateTime.unsafeMake(yield* Clock.currentTimeMillis)
      const res = yield* cphash(ctx, loc, {
        size: rev.size ?? 0,
        md5: rev.md5,
        created: classic(rev.created, JfsTime.formatClassic(now)),
        modified: classic(rev.modified, JfsTime.formatClassic(now))
      })
      yield* res.discard
      if (res.status === 404) return yield* notFound(loc, `revision ${revision} cannot be restored`)
    }
    const { info } = yield* statLoc(ctx, loc)
    return info
  })
