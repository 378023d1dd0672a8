/**
 * Changes to the tree: folders (`mkDir`, §4.3), deletion to the trash or for good (`dl`,
 * `dlDir`, `rm`, `rmDir`, §4.4), server-side copy and move of a file (`cp`, `mv`, §4.5), move of
 * a folder (`mvDir`, §4.6) and a file's modification time (`cphash`, §4.7).
 *
 * - Names differing only in case name the same item on the service (§8.1): creating or
 *   copying onto a case variant of another item fails with `CaseCollision` before sending.
 * - cp, mv and mvDir are not idempotent: after a transient failure the outcome is checked
 *   before the command is sent again ({@link nonIdempotent}).
 * - A cp/mv onto a trashed file leaves the result in the trash (§4.5): it is restored.
 * - Missing parents of a cp/mv/mvDir destination are created first, as rclone does.
 *
 * @internal
 */
import type * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type { Path } from "../../Files.js"
import * as Jfs from "../../Jfs.js"
import * as JfsTime from "../../JfsTime.js"
import * as JottaError from "../../JottaError.js"
import * as RetryPolicy from "../../RetryPolicy.js"
import * as Decode from "../decode.js"
import * as Loc from "../location.js"
import {
  annotate,
  at,
  command,
  execute,
  type FilesContext,
  notFound,
  op,
  resolve,
  resolveAnnotated,
  resolvePair,
  rootRefused,
  run,
  username
} from "./context.js"
import { classic, cphash, restoreFile } from "./cphash.js"
import { entriesOf } from "./entries.js"
import { checkCase, fetchItemOption, listing, statLoc } from "./item.js"

const decodeFile = Decode.xml(Jfs.FileDocument)

const lower = (s: string): string => s.toLowerCase()

const alreadyExists = (loc: Loc.Location, description: string): Effect.Effect<never, JottaError.AlreadyExists> =>
  Effect.flatMap(at(loc), (where) => Effect.fail(new JottaError.AlreadyExists({ ...where, description })))

/** Creates the folder at `loc` unless it exists (a file of that name is `AlreadyExists`). */
const mkdirLoc = (ctx: FilesContext, loc: Loc.Location): Effect.Effect<void, JottaError.JottaError> =>
  Effect.gen(function* () {
    const doc = yield* fetchItemOption(ctx, loc)
    yield* checkCase(ctx, loc, doc)
    if (Option.isSome(doc)) {
      const d = doc.value
      if ("mountPoint" in d) return
      if ("folder" in d && !d.folder.isTrashed) return
      if ("file" in d && !d.file.isTrashed && d.file.isComplete)
        return yield* alreadyExists(loc, "a file has this name")
    }
    yield* run(ctx, command(loc.url, { mkDir: "true" }), loc)
  })

/** mkDir of a parent before cp/mv/mvDir, without the case check (rclone does the same). */
const ensureParent = (ctx: FilesContext, loc: Loc.Location): Effect.Effect<void, JottaError.JottaError> => {
  if (loc.relative.length <= 1) return Effect.void
  return Effect.flatMap(username(ctx), (user) => {
    const parent = Loc.parent(ctx.config, user, loc)
    return run(ctx, command(parent.url, { mkDir: "true" }), parent)
  })
}

/**
 * Sends a non-idempotent request. On a transient failure the state is checked first
 * (`check` returns the result when the request evidently took effect); only then is it sent
 * again, under the retry policy.
 */
const nonIdempotent = <A>(
  send: Effect.Effect<A, JottaError.JottaError>,
  check: Effect.Effect<Option.Option<A>, JottaError.JottaError>
): Effect.Effect<A, JottaError.JottaError> =>
  RetryPolicy.retry(
    Effect.catchIf(
      send,
      (e) => RetryPolicy.isTransientDefault(e) && !RetryPolicy.isUnsent(e),
      (e) =>
        Effect.flatMap(Effect.orElseSucceed(check, Option.none), (done) =>
          Option.match(done, { onNone: () => Effect.fail(e), onSome: Effect.succeed })
        )
    )
  )

/** `Files.mkdir`: creates a folder and its missing parents. */
export const mkdir = (ctx: FilesContext) =>
  op("Files.mkdir")(function* (path: Path) {
    const loc = yield* resolve(ctx, path)
    yield* annotate(loc)
    yield* mkdirLoc(ctx, loc)
  })

/** cp or mv of a file: the body of {@link copy} and {@link move}. */
const copyOrMove = (ctx: FilesContext, kind: "cp" | "mv") =>
  function* (source: Path, destination: Path) {
    const { src, dst } = yield* resolvePair(ctx, source, destination)
    if (dst.isRoot) return yield* rootRefused(dst, "destination is the root")
    const { file: srcFile } = yield* statLoc(ctx, src)
    const dstDoc = yield* fetchItemOption(ctx, dst)
    const sameAsSource = (d: Jfs.ItemDocument) =>
      kind === "mv" && "file" in d && d.file.uuid !== undefined && d.file.uuid === srcFile.uuid
    yield* checkCase(ctx, dst, dstDoc, sameAsSource)
    if (Option.isSome(dstDoc) && ("folder" in dstDoc.value || "mountPoint" in dstDoc.value)) {
      return yield* new JottaError.IsADirectory({ ...(yield* at(dst)), description: "destination is a folder" })
    }
    yield* ensureParent(ctx, dst)
    const srcRev = srcFile.currentRevision
    const landed = Effect.map(Effect.option(statLoc(ctx, dst, false)), (o) =>
      Option.filter(o, ({ info }) => info.md5 === srcRev?.md5 && info.size === (srcRev?.size ?? 0))
    )
    const check: Effect.Effect<Option.Option<Jfs.File | undefined>, JottaError.JottaError> = kind === "cp"
      ? Effect.map(
          landed,
          Option.map(({ file }) => file)
        )
      : Effect.flatMap(landed, (o) =>
          Option.isNone(o)
            ? Effect.succeed(Option.none())
            : Effect.map(Effect.option(statLoc(ctx, src, false)), (s) =>
                Option.isNone(s) ? Option.some(o.value.file) : Option.none()
              )
        )
    const send = Effect.flatMap(
      execute(ctx, command(src.url, { [kind]: dst.absolute }), src, { idempotent: false, retry: false }),
      (res) =>
        Effect.map(Effect.option(Decode.body(decodeFile, res, dst.display)), (doc): Jfs.File | undefined =>
          Option.getOrUndefined(Option.map(doc, (d) => d.file))
        )
    )
    const reply = yield* nonIdempotent(send, check)
    if (reply?.isTrashed === true) {
      // §4.5 quirk: the destination held a trashed file and stays in the trash; restore it.
      yield* restoreFile(ctx, dst, reply)
    }
    const { info } = yield* statLoc(ctx, dst, false)
    return info
  }

/** `Files.copy`: server-side copy of a file. */
export const copy = (ctx: FilesContext) => op("Files.copy")(copyOrMove(ctx, "cp"))

/** `Files.move`: server-side move (rename) of a file. */
export const move = (ctx: FilesContext) => op("Files.move")(copyOrMove(ctx, "mv"))

/** `Files.moveDir`: server-side move of a folder; refuses an existing destination. */
export const moveDir = (ctx: FilesContext) =>
  op("Files.moveDir")(function* (source: Path, destination: Path) {
    const { src, dst } = yield* resolvePair(ctx, source, destination)
    if (src.isRoot) return yield* rootRefused(src, "refusing to move the root")
    if (dst.isRoot) return yield* alreadyExists(dst, "destination is the root")
    yield* listing(ctx, src, false)
    const dstDoc = yield* fetchItemOption(ctx, dst)
    if (Option.isSome(dstDoc)) {
      const d = dstDoc.value
      const sameFolder =
        "folder" in d &&
        lower(d.folder.name) === lower(Loc.basename(src)) &&
        lower(dst.relative.slice(0, -1).join("/")) === lower(src.relative.slice(0, -1).join("/"))
      const live =
        ("folder" in d && !d.folder.isTrashed) ||
        "mountPoint" in d ||
        ("file" in d && !d.file.isTrashed && d.file.isComplete)
      if (live && !sameFolder) return yield* alreadyExists(dst, "directory already exists")
    }
    yield* ensureParent(ctx, dst)
    const check = Effect.gen(function* () {
      const there = yield* fetchItemOption(ctx, dst)
      const gone = yield* fetchItemOption(ctx, src)
      const arrived = Option.isSome(there) && "folder" in there.value && !there.value.folder.isTrashed
      const left = Option.isNone(gone) || ("folder" in gone.value && gone.value.folder.isTrashed)
      return arrived && left ? Option.some(undefined) : Option.none()
    })
    const send = Effect.flatMap(
      execute(ctx, command(`${src.url}/`, { mvDir: dst.absolute }), src, { idempotent: false, retry: false }),
      (res) => res.discard
    )
    yield* nonIdempotent(send, check)
  })

/** `Files.remove`: moves a file to the trash (deletes it for good with `hardDelete`). */
export const remove = (ctx: FilesContext) =>
  op("Files.remove")(function* (path: Path) {
    const loc = yield* resolveAnnotated(ctx, path)
    yield* statLoc(ctx, loc)
    yield* run(ctx, command(loc.url, ctx.config.hardDelete ? { rm: "true" } : { dl: "true" }), loc)
  })

/** Removes the folder at `path` (trash, or for good with `hardDelete`); `requireEmpty`: refuse a non-empty one. */
const removeDir = (ctx: FilesContext, requireEmpty: boolean) =>
  function* (path: Path) {
    const loc = yield* resolveAnnotated(ctx, path)
    if (loc.isRoot) return yield* rootRefused(loc, "refusing to remove the root folder")
    const doc = yield* listing(ctx, loc, false)
    if (requireEmpty && entriesOf(ctx.config, loc, doc, false).length > 0) {
      return yield* new JottaError.DirectoryNotEmpty(yield* at(loc))
    }
    yield* run(ctx, command(loc.url, ctx.config.hardDelete ? { rmDir: "true" } : { dlDir: "true" }), loc)
  }

/** `Files.rmdir`: removes an empty folder; refuses a non-empty one. */
export const rmdir = (ctx: FilesContext) => op("Files.rmdir")(removeDir(ctx, true))

/** `Files.purge`: removes a folder and everything below it. */
export const purge = (ctx: FilesContext) => op("Files.purge")(removeDir(ctx, false))

/** `Files.setModTime`: sets a file's modification time (cphash with its own size and MD5). */
export const setModTime = (ctx: FilesContext) =>
  op("Files.setModTime")(function* (path: Path, modified: DateTime.DateTime) {
    const loc = yield* resolveAnnotated(ctx, path)
    const { file } = yield* statLoc(ctx, loc)
    const rev = file.currentRevision
    if (rev === undefined || rev.md5 === undefined) return yield* notFound(loc, "no completed revision")
    const res = yield* cphash(ctx, loc, {
      size: rev.size ?? 0,
      md5: rev.md5,
      created: classic(rev.created, JfsTime.formatClassic(modified)),
      modified: JfsTime.formatClassic(modified)
    })
    yield* res.discard
    if (res.status === 404) return yield* notFound(loc, "metadata did not match")
    const { info } = yield* statLoc(ctx, loc)
    return info
  })
