/**
 * `cphash` (§4.7): makes the item at a path the file with the given size and MD5, if the
 * account holds such content, with the given times (classic format, §6.1). It sets a file's
 * modification time, restores a trashed file in place from its own metadata, and makes an
 * older revision current. A 404 means nothing matched: it is returned, not raised, for the
 * caller to name.
 *
 * @internal
 */
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Jfs from "../../Jfs.js"
import * as JfsTime from "../../JfsTime.js"
import type { Response } from "../../JottaClient.js"
import type * as JottaError from "../../JottaError.js"
import type * as Loc from "../location.js"
import { command, execute, type FilesContext, notFound } from "./context.js"

/** The headers of a cphash request. */
export interface Content {
  readonly size: number
  readonly md5: string
  readonly created: string
  readonly modified: string
}

/** Sends cphash for `loc` (a 404 is returned as a response). */
export const cphash = (
  ctx: FilesContext,
  loc: Loc.Location,
  content: Content
): Effect.Effect<Response, JottaError.JottaError> =>
  execute(
    ctx,
    command(loc.url, { cphash: "true" }).pipe(
      HttpClientRequest.setHeaders({
        JSize: String(content.size),
        JMd5: content.md5,
        JCreated: content.created,
        JModified: content.modified
      })
    ),
    loc,
    { accept: (s) => s === 404 }
  )

/** A time in the classic format, `fallback` when absent. */
export const classic = (t: Option.Option<DateTime.Utc>, fallback: string): string =>
  Option.match(t, { onNone: () => fallback, onSome: JfsTime.formatClassic })

/** Restores a trashed file in place from its own metadata. */
export const restoreFile = (
  ctx: FilesContext,
  loc: Loc.Location,
  file: Jfs.File
): Effect.Effect<void, JottaError.JottaError> =>
  Effect.gen(function* () {
    const rev = file.currentRevision
    if (rev === undefined || rev.md5 === undefined) return yield* notFound(loc, "no completed revision to restore")
    const res = yield* cphash(ctx, loc, {
      size: rev.size ?? 0,
      md5: rev.md5,
      created: classic(rev.created, JfsTime.formatClassic(JfsTime.zero)),
      modified: classic(rev.modified, JfsTime.formatClassic(JfsTime.zero))
    })
    yield* res.discard
    if (res.status === 404) return yield* notFound(loc, "cphash found nothing to restore")
  })
