/**
 * Public links (§4.10): `GET <item>?mode=enableShare` / `mode=disableShare` (GET, not POST),
 * answered with the item's document carrying its `publicURI` (none once unshared). The
 * direct-download URL is `<www root>opin/io/downloadPublic/<username>/<publicURI>`, as rclone
 * builds it.
 *
 * @internal
 */
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type { Path } from "../../Files.js"
import type * as Jfs from "../../Jfs.js"
import * as JottaError from "../../JottaError.js"
import * as Loc from "../location.js"
import { at, type FilesContext, op, resolveAnnotated, username } from "./context.js"
import { itemReply } from "./item.js"

const share = (ctx: FilesContext, loc: Loc.Location, mode: "enableShare" | "disableShare") =>
  itemReply(ctx, HttpClientRequest.get(loc.url).pipe(HttpClientRequest.setUrlParam("mode", mode)), loc)

const publicUriOf = (d: Jfs.ItemDocument): string | undefined =>
  "file" in d ? d.file.publicURI : "folder" in d ? d.folder.publicURI : undefined

/** `Files.publicLink`: shares a file or folder; returns the direct-download URL. */
export const publicLink = (ctx: FilesContext) =>
  op("Files.publicLink")(function* (path: Path) {
    const loc = yield* resolveAnnotated(ctx, path)
    const uri = publicUriOf(yield* share(ctx, loc, "enableShare"))
    if (uri === undefined || uri === "") {
      return yield* new JottaError.InvalidResponse({ ...(yield* at(loc)), issue: "no publicURI received" })
    }
    const user = yield* username(ctx)
    return `${ctx.config.wwwRoot}opin/io/downloadPublic/${Loc.escapePath(user)}/${Loc.escapePath(uri)}`
  })

/** `Files.removePublicLink`: stops sharing a file or folder. */
export const removePublicLink = (ctx: FilesContext) =>
  op("Files.removePublicLink")(function* (path: Path) {
    const loc = yield* resolveAnnotated(ctx, path)
    const uri = publicUriOf(yield* share(ctx, loc, "disableShare"))
    if (uri !== undefined && uri !== "") {
      return yield* new JottaError.ServerError({ ...(yield* at(loc)), description: "the item is still shared" })
    }
  })
