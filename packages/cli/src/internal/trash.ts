/**
 * The trash and revision commands' implementations (`commands/trash.ts`): trash, restore,
 * cleanup, revisions.
 */
import * as Files from "@fjord/core/Files"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { json, out, remoteOf, remotePath } from "./common.js"
import { entryJson, iso, relativeTo, time } from "./entries.js"
import * as Format from "./format.js"
import { GlobalFlags } from "./globalArgs.js"
import * as Sdk from "./sdk.js"

interface PathArgs {
  readonly path: string
}

/**
 * What is in the trash in `base`: the trashed entries (a live folder is not listed), and with
 * `recursive` the trashed entries in every folder below (live or trashed).
 */
const trashed = (files: Files.Service, base: string, recursive: boolean) =>
  Effect.gen(function* () {
    const found: Array<Files.Entry> = []
    const visit = (folder: string): Effect.Effect<void, unknown> =>
      Effect.gen(function* () {
        const entries = yield* files.listTrash(folder)
        for (const e of entries) {
          if (Option.isSome(e.deleted)) found.push(e)
          if (recursive && e._tag === "Folder") yield* visit(e.path)
        }
      })
    yield* visit(base)
    return found
  })

export const trash = (a: PathArgs & { readonly recursive: boolean }) =>
  Effect.gen(function* () {
    const g = yield* GlobalFlags
    const base = remotePath(a.path)
    const entries = yield* trashed(yield* Files.Files, base, a.recursive)
    if (g.json) return yield* json(entries.map((e) => ({ ...entryJson(base, e), Deleted: iso(e.deleted) })))
    for (const e of entries) {
      yield* out(
        `${Format.padSize(e._tag === "File" ? e.size : -1)} ${Format.lsdTime(time(e.deleted))} ${relativeTo(base, e.path)}${e._tag === "Folder" ? "/" : ""}`
      )
    }
  }).pipe(Sdk.withSdk(remoteOf(a.path)))

export const restore = (a: PathArgs) =>
  Effect.gen(function* () {
    const g = yield* GlobalFlags
    const f = yield* (yield* Files.Files).restore(remotePath(a.path))
    yield* g.json ? json({ path: f.path, size: f.size }) : out(`Restored ${f.path}`)
  }).pipe(Sdk.withSdk(remoteOf(a.path)))

export const cleanup = (a: { readonly remote: string }) =>
  Effect.gen(function* () {
    const g = yield* GlobalFlags
    const r = yield* (yield* Files.Files).emptyTrash()
    yield* g.json ? json(r) : out(`Emptied the trash: ${r.files} files, ${r.folders} folders`)
  }).pipe(Sdk.withSdk(remoteOf(a.remote)))

export const revisions = (a: PathArgs & { readonly restore: Option.Option<number> }) =>
  Effect.gen(function* () {
    const g = yield* GlobalFlags
    const files = yield* Files.Files
    if (Option.isSome(a.restore)) {
      const f = yield* files.restoreRevision(remotePath(a.path), a.restore.value)
      return yield* g.json
        ? json({ path: f.path, revision: f.revision, size: f.size, md5: f.md5 ?? null })
        : out(`Restored revision ${a.restore.value} of ${f.path} as revision ${f.revision}`)
    }
    const revs = yield* files.revisions(remotePath(a.path))
    if (g.json) {
      return yield* json(
        revs.map((r) => ({
          number: r.number,
          current: r.current,
          state: r.state,
          size: r.size ?? null,
          modified: iso(r.modified),
          updated: iso(r.updated)
        }))
      )
    }
    for (const r of revs) {
      yield* out(
        `${String(r.number).padStart(4)} ${Format.padSize(r.size ?? -1)} ${Format.lsdTime(time(r.modified))} ${r.state}${r.current ? " (current)" : ""}`
      )
    }
  }).pipe(Sdk.withSdk(remoteOf(a.path)))
