/**
 * The file commands' implementations (`commands/files.ts`): mkdir, cat, delete, rmdir, purge,
 * rmdirs, touch, rcat, link.
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Files from "@fjord/core/Files"
import * as JottaConfig from "@fjord/core/JottaConfig"
import * as UploadSource from "@fjord/core/UploadSource"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { Output } from "../Output.js"
import * as RemotePath from "../RemotePath.js"
import { Stdin } from "../Stdin.js"
import { display, json, out, remoteOf, remotePath } from "./common.js"
import { UsageError } from "./errors.js"
import { GlobalFlags } from "./globalArgs.js"
import * as Sdk from "./sdk.js"

interface PathArgs {
  readonly path: string
}

const isDirectoryError = (e: { readonly _tag: string }) => e._tag === "IsADirectory" || e._tag === "NotAFile"

export const mkdir = (a: PathArgs) =>
  Effect.flatMap(Files.Files, (files) => files.mkdir(remotePath(a.path))).pipe(Sdk.withSdk(remoteOf(a.path)))

export const rmdir = (a: PathArgs) =>
  Effect.flatMap(Files.Files, (files) => files.rmdir(remotePath(a.path))).pipe(Sdk.withSdk(remoteOf(a.path)))

export const purge = (a: PathArgs) =>
  Effect.flatMap(Files.Files, (files) => files.purge(remotePath(a.path))).pipe(Sdk.withSdk(remoteOf(a.path)))

export const remove = (a: PathArgs) =>
  Effect.flatMap(Files.Files, (files) =>
    files.remove(remotePath(a.path)).pipe(
      Effect.catchIf(isDirectoryError, () =>
        Effect.fail(
          new UsageError({
            description: `${display(a.path)} is a folder: use rmdir (empty) or purge (with contents)`
          })
        )
      )
    )
  ).pipe(Sdk.withSdk(remoteOf(a.path)))

/** The byte range `cat`'s flags ask for (rclone's: --head, --tail, --offset (negative: from the end), --count). */
export const catRange = (
  size: number,
  o: {
    readonly head: Option.Option<number>
    readonly tail: Option.Option<number>
    readonly offset: number
    readonly count: number
  }
): { readonly start: number; readonly end: number } => {
  let start = 0
  let end = size
  if (Option.isSome(o.head)) end = Math.min(size, o.head.value)
  else if (Option.isSome(o.tail)) start = Math.max(0, size - o.tail.value)
  else {
    start = o.offset < 0 ? Math.max(0, size + o.offset) : Math.min(size, o.offset)
    if (o.count >= 0) end = Math.min(size, start + o.count)
  }
  return { start, end }
}

export const cat = (
  a: PathArgs & {
    readonly revision: Option.Option<number>
    readonly head: Option.Option<number>
    readonly tail: Option.Option<number>
    readonly offset: number
    readonly count: number
  }
) =>
  Effect.gen(function* () {
    const output = yield* Output
    const files = yield* Files.Files
    const p = remotePath(a.path)
    const whole = Option.isNone(a.head) && Option.isNone(a.tail) && a.offset === 0 && a.count < 0
    if (Option.isSome(a.revision)) {
      if (!whole)
        return yield* new UsageError({
          description: "--revision reads the whole file: leave out --head, --tail, --offset, --count"
        })
      return yield* Stream.runForEach(files.downloadRevision(p, a.revision.value), output.bytes)
    }
    if (whole) return yield* Stream.runForEach(files.download(p), output.bytes)
    const info = yield* files.stat(p)
    const range = catRange(info.size, a)
    if (range.end <= range.start) return
    yield* Stream.runForEach(files.download(p, { range }), output.bytes)
  }).pipe(Sdk.withSdk(remoteOf(a.path)))

/**
 * rclone's rmdirs: removes every folder below the path that holds no file (deepest first), and
 * the path itself unless --leave-root.
 */
export const rmdirs = (a: PathArgs & { readonly leaveRoot: boolean }) =>
  Effect.gen(function* () {
    const files = yield* Files.Files
    const base = remotePath(a.path)
    const folders = new Set<string>(base === "" || a.leaveRoot ? [] : [base])
    const full = new Set<string>()
    yield* Stream.runForEach(files.listRecursive(base), (e) =>
      Effect.sync(() => {
        if (e._tag === "Folder") folders.add(e.path)
        else for (let d = RemotePath.dirname(e.path); d !== "" && !full.has(d); d = RemotePath.dirname(d)) full.add(d)
      })
    )
    const empty = [...folders].filter((f) => !full.has(f)).sort((x, y) => y.split("/").length - x.split("/").length)
    for (const f of empty) yield* files.rmdir(f)
    const g = yield* GlobalFlags
    if (g.json) yield* json({ removed: empty })
  }).pipe(Sdk.withSdk(remoteOf(a.path)))

/** rclone's touch: sets the modification time (now or --timestamp), creating an empty file unless --no-create. */
export const touch = (a: PathArgs & { readonly noCreate: boolean; readonly timestamp: Option.Option<string> }) =>
  Effect.gen(function* () {
    const files = yield* Files.Files
    const p = remotePath(a.path)
    const given = Option.getOrUndefined(a.timestamp)
    const when =
      given === undefined
        ? yield* DateTime.now
        : yield* Option.match(DateTime.make(given), {
            onNone: () =>
              Effect.fail(
                new UsageError({
                  description: `--timestamp: not a time: ${JSON.stringify(given)} (e.g. 2006-01-02T15:04:05Z)`
                })
              ),
            onSome: Effect.succeed
          })
    const exists = yield* files.stat(p).pipe(
      Effect.as(true),
      Effect.catchTag("NotFound", () => Effect.succeed(false))
    )
    if (exists) return yield* files.setModTime(p, when)
    if (a.noCreate) return
    yield* files.upload(p, UploadSource.fromUint8Array(new Uint8Array(0)), { modified: when })
  }).pipe(Sdk.withSdk(remoteOf(a.path)))

/**
 * rclone's rcat: stores standard input as a file. Up to `md5_memory_limit` it is kept in
 * memory; beyond that it is spooled to a temporary file (the MD5 must be known before the
 * upload starts).
 */
export const rcat = (a: PathArgs) =>
  Effect.gen(function* () {
    const files = yield* Files.Files
    const limit = (yield* JottaConfig.JottaConfig).md5MemoryLimit
    const fs = yield* FileSystem.FileSystem
    const stdin = yield* Stdin
    const chunks: Array<Uint8Array> = []
    let size = 0
    let spool: { readonly path: string; readonly file: FileSystem.File } | undefined
    yield* Stream.runForEach(stdin, (chunk) =>
      Effect.gen(function* () {
        size += chunk.length
        if (spool === undefined && size <= limit) return void chunks.push(chunk)
        if (spool === undefined) {
          const path = yield* fs.makeTempFileScoped({ prefix: "fjord-rcat-" })
          spool = { path, file: yield* fs.open(path, { flag: "w" }) }
          for (const c of chunks) yield* spool.file.writeAll(c)
          chunks.length = 0
        }
        yield* spool.file.writeAll(chunk)
      })
    ).pipe(
      Effect.mapError(
        (e) => new UsageError({ description: `reading stdin: ${e instanceof Error ? e.message : String(e)}` })
      )
    )
    const source =
      spool === undefined
        ? UploadSource.fromUint8Array(Buffer.concat(chunks, size))
        : yield* UploadSource.fromFile(spool.path)
    yield* files.upload(remotePath(a.path), source)
  }).pipe(Effect.scoped, Sdk.withSdk(remoteOf(a.path)))

export const link = (a: PathArgs & { readonly remove: boolean }) =>
  Effect.gen(function* () {
    const g = yield* GlobalFlags
    const files = yield* Files.Files
    if (a.remove) return yield* files.removePublicLink(remotePath(a.path))
    const url = yield* files.publicLink(remotePath(a.path))
    yield* g.json ? json({ url }) : out(url)
  }).pipe(Sdk.withSdk(remoteOf(a.path)))
