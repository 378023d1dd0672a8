/**
 * The cloud side of a transfer, over the public `Files` service: one recursive listing
 * (`mode=liststream`, §3.3) pruned as it streams in, uploads through `Files.upload`
 * (allocate → dedup or send → resume, verified), downloads through `Files.download`
 * (resumed with `Range` when the body breaks off), server-side `cp`/`mv` between two cloud
 * sides (a whole folder with one `mvDir`, §4.6), modification times through cphash,
 * removal to the trash unless hard delete is configured.
 *
 * Names: listing entries decode to raw names; the engine carries them in local-safe form
 * (`names.ts`) and this side maps them back to raw names, or reuses a listed entry's wire
 * names verbatim. Jottacloud compares names case-insensitively.
 *
 * @internal
 */
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { ContentHasher, type Md5 } from "../../ContentHasher.js"
import * as Files from "../../Files.js"
import * as JottaConfig from "../../JottaConfig.js"
import type * as JottaError from "../../JottaError.js"
import * as Name from "../../Name.js"
import * as UploadSource from "../../UploadSource.js"
import * as Names from "./names.js"
import {
  type DirEntry,
  type DirMoveResult,
  type FileEntry,
  type Listed,
  type ListOptions,
  type Side,
  SideError
} from "./side.js"

const FATAL_TAGS = new Set(["Unauthorized", "AuthError", "QuotaExceeded"])

/** Whether an error should stop the whole run: authentication, quota, an endpoint that cannot be reached. */
const isFatal = (e: JottaError.JottaError): boolean => {
  if (FATAL_TAGS.has(e._tag)) return true
  if (e._tag !== "TransportError") return false
  const text = `${e.message} ${e.cause instanceof Error ? e.cause.message : String(e.cause ?? "")}`
  return /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH/.test(text)
}

/** @internal */
export const sideError =
  (path: string) =>
  (e: JottaError.JottaError): SideError =>
    new SideError({
      reason: e._tag === "NotFound" ? "NotFound" : isFatal(e) ? "Fatal" : "Failed",
      path,
      description: e.message,
      cause: e
    })

const toMillis = (t: Option.Option<DateTime.Utc>): number | undefined =>
  Option.getOrUndefined(Option.map(t, DateTime.toEpochMillis))

/**
 * The cloud side rooted at `root` (raw names separated by `/`, "" for the configured root).
 *
 * @internal
 */
export const make = (root: string): Effect.Effect<Side, never, Files.Files> =>
  Effect.gen(function* () {
    const files = yield* Files.Files
    const config = yield* Effect.serviceOption(JottaConfig.JottaConfig)
    const hasher = yield* Effect.serviceOption(ContentHasher)
    const encoding = Option.match(config, { onNone: () => Name.defaultEncoding, onSome: (c) => c.encoding })
    const base = root.split("/").filter((s) => s !== "")
    const rawPath = (path: string): ReadonlyArray<string> => [...base, ...Names.split(path).map(Names.toRaw)]
    const at = (file: FileEntry): Files.Path =>
      file.ref !== undefined ? (file.ref as Files.FileInfo) : rawPath(file.path)
    const engineName = (wire: string) =>
      Names.fromRaw(Option.getOrElse(Name.decodeToString(wire, encoding), () => wire))

    const fromInfo = (path: string, info: Files.FileInfo): FileEntry => ({
      _tag: "File",
      path,
      size: info.size,
      modified: toMillis(info.modified),
      md5: info.md5,
      ref: info
    })

    const stat = (path: string): Effect.Effect<FileEntry | DirEntry | undefined, SideError> =>
      files.stat(rawPath(path)).pipe(
        Effect.map((info): FileEntry | DirEntry => fromInfo(path, info)),
        Effect.catchTags({
          IsADirectory: () => Effect.succeed<DirEntry>({ _tag: "Dir", path, ref: rawPath(path) }),
          NotAFile: () => Effect.succeed<DirEntry>({ _tag: "Dir", path, ref: rawPath(path) }),
          NotFound: () => Effect.succeed(undefined)
        }),
        Effect.mapError(sideError(path))
      )

    /**
     * The folders holding a file of one of `names` (`--exclude-if-present`): the listing
     * stream gives no order within a folder, so a first pass finds them (keeping only those
     * folders' paths, whatever the tree's size).
     */
    const foldersHolding = (names: ReadonlyArray<string>): Effect.Effect<ReadonlySet<string>, SideError> =>
      files.listRecursive(base).pipe(
        Stream.mapError(sideError("")),
        Stream.runFold(new Set<string>(), (found, e) => {
          if (e._tag === "File" && e.wirePath.length > base.length) {
            const below = e.wirePath.slice(base.length).map(engineName)
            if (names.includes(below[below.length - 1]!)) found.add(below.slice(0, -1).join("/"))
          }
          return found
        })
      )

    const list: Side["list"] = (options) =>
      Stream.unwrap(
        Effect.map(
          options.excludeIfPresent === undefined || options.excludeIfPresent.length === 0
            ? Effect.succeed<ReadonlySet<string>>(new Set())
            : foldersHolding(options.excludeIfPresent),
          (marked) => listPruned(options, marked)
        )
      )

    const listPruned = (options: ListOptions, marked: ReadonlySet<string>): Stream.Stream<Listed, SideError> =>
      Stream.suspend(() => {
        if (marked.has("")) return Stream.empty
        // a folder's verdict is kept for the entries below it (the listing is one stream)
        const verdicts = new Map<string, boolean>()
        const descended = (dir: string): boolean => {
          if (dir === "") return true
          const known = verdicts.get(dir)
          if (known !== undefined) return known
          const v = descended(Names.parent(dir)) && !marked.has(dir) && options.descend(dir)
          verdicts.set(dir, v)
          return v
        }
        return files.listRecursive(base).pipe(
          Stream.mapError(sideError("")),
          Stream.filterMap((e): Option.Option<Listed> => {
            if (e.wirePath.length <= base.length) return Option.none()
            const names = e.wirePath.slice(base.length).map(engineName)
            const path = names.join("/")
            const depth = names.length
            if (options.maxDepth !== undefined && depth > options.maxDepth) return Option.none()
            const parent = Names.parent(path)
            if (!descended(parent)) return Option.none()
            if (e.nameBytes !== undefined) {
              return Option.some({ _tag: "Invalid", path, description: "the name is not valid UTF-8" })
            }
            if (e._tag === "Folder") {
              if (options.maxDepth !== undefined && depth >= options.maxDepth) return Option.some({ _tag: "Dir", path })
              return descended(path) ? Option.some({ _tag: "Dir", path, ref: e }) : Option.none()
            }
            const file = fromInfo(path, e)
            return options.keep(file) ? Option.some(file) : Option.none()
          })
        )
      })

    const read = (file: FileEntry) => Stream.mapError(files.download(at(file)), sideError(file.path))

    const hashContent = (file: FileEntry): Effect.Effect<Md5, SideError> =>
      Option.isNone(hasher)
        ? Effect.fail(
            new SideError({ reason: "Failed", path: file.path, description: "no ContentHasher to hash content" })
          )
        : hasher.value.md5(read(file))

    const hash = (file: FileEntry): Effect.Effect<Md5, SideError> =>
      file.md5 !== undefined
        ? Effect.succeed(file.md5)
        : Effect.flatMap(files.stat(at(file)).pipe(Effect.mapError(sideError(file.path))), (info) =>
            info.md5 !== undefined ? Effect.succeed(info.md5) : hashContent(file)
          )

    const write: Side["write"] = (path, content) =>
      files
        .upload(
          rawPath(path),
          UploadSource.make({
            size: content.size,
            md5: content.md5,
            stream: Stream.mapError(
              content.stream,
              (e) => new UploadSource.UploadSourceError({ description: e.description, path: e.path, cause: e })
            )
          }),
          content.modified === undefined ? {} : { modified: DateTime.unsafeMake(content.modified) }
        )
        .pipe(Effect.asVoid, Effect.mapError(sideError(path)))

    const within =
      (op: "copy" | "move") =>
      (file: FileEntry, to: string): Effect.Effect<void, SideError> =>
        files[op](at(file), rawPath(to)).pipe(Effect.asVoid, Effect.mapError(sideError(file.path)))

    // §4.6: one mvDir; Files.moveDir lists the destination first and refuses a live one
    const moveDirWithin = (dir: DirEntry, to: string): Effect.Effect<DirMoveResult, SideError> =>
      dir.ref === undefined
        ? Effect.succeed("Cannot")
        : files.moveDir(dir.ref as Files.Path, rawPath(to)).pipe(
            Effect.as<DirMoveResult>("Moved"),
            Effect.catchTags({
              AlreadyExists: () => Effect.succeed<DirMoveResult>("Exists"),
              InvalidName: () => Effect.succeed<DirMoveResult>("Cannot")
            }),
            Effect.mapError(sideError(dir.path))
          )

    return {
      kind: "cloud",
      root: `jotta:${root}`,
      caseInsensitive: true,
      writeNeedsMd5: true,
      // the upload body is written chunk by chunk, each after the last one drained, and the
      // server checks the MD5 of what it received against the one given at allocation
      writeTakesTransient: true,
      // Files.download checks size and MD5 as it streams (the MD5 before its last chunk ends)
      readVerifies: true,
      stat,
      list,
      read,
      hash,
      hashContent,
      write,
      setModTime: (path, modified) =>
        files
          .setModTime(rawPath(path), DateTime.unsafeMake(modified))
          .pipe(Effect.asVoid, Effect.mapError(sideError(path))),
      remove: (file) => files.remove(at(file)).pipe(Effect.mapError(sideError(file.path))),
      removeDir: (path) => files.purge(rawPath(path)).pipe(Effect.mapError(sideError(path))),
      removeEmptyDir: (path) =>
        files.rmdir(rawPath(path)).pipe(
          Effect.as(true),
          Effect.catchTag("DirectoryNotEmpty", () => Effect.succeed(false)),
          Effect.mapError(sideError(path))
        ),
      mkdir: (path) => files.mkdir(rawPath(path)).pipe(Effect.mapError(sideError(path))),
      copyWithin: within("copy"),
      moveWithin: within("move"),
      moveDirWithin
    } satisfies Side
  })
