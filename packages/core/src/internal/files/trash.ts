/**
 * The trash (§4.11). Trashed items keep their place in the tree, marked `deleted`: the
 * trashed-only view of a folder lists exactly those, a trashed file is restored in place by
 * cphash with its own size and MD5 (§4.7), and `POST files/v1/purge_trash` (JSON reply with
 * the counts) empties the trash for good.
 *
 * @internal
 */
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type { Path, PurgeResult } from "../../Files.js"
import * as Jfs from "../../Jfs.js"
import * as Decode from "../decode.js"
import * as Op from "../operation.js"
import { type FilesContext, op, resolveAnnotated } from "./context.js"
import { restoreFile } from "./cphash.js"
import { statLoc } from "./item.js"
import { entriesIn } from "./list.js"

const decodePurge = Decode.json(Jfs.PurgeReply)

/** `Files.listTrash`: trashed files in their original folders (and every folder). */
export const listTrash = (ctx: FilesContext) => op("Files.listTrash")(entriesIn(ctx, true))

/** `Files.restore`: restores a trashed file at its original path. */
export const restore = (ctx: FilesContext) =>
  op("Files.restore")(function* (path: Path) {
    const loc = yield* resolveAnnotated(ctx, path)
    const { file } = yield* statLoc(ctx, loc, true)
    if (file.isTrashed) yield* restoreFile(ctx, loc, file)
    const { info } = yield* statLoc(ctx, loc, false)
    return info
  })

/** `Files.emptyTrash`: deletes everything in the trash for good. */
export const emptyTrash = (ctx: FilesContext) =>
  Op.fn("Files.emptyTrash")(function* () {
    const res = yield* ctx.client.execute(HttpClientRequest.post(`${ctx.config.apiRoot}files/v1/purge_trash`))
    const reply = yield* Decode.body(decodePurge, res)
    const result: PurgeResult = { folders: reply.folders, files: reply.files }
    return result
  })
