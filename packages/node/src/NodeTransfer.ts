/**
 * The local side of a transfer (`@fjord/core/Transfer`): a directory tree on this machine.
 *
 * - Listing walks the tree with `readdir` (names read as bytes: a name that is not valid
 *   UTF-8 is reported as a per-file error, not mangled), `lstat`s its files in batches of 64
 *   with the synchronous call (on a local disk a few microseconds each; through libuv's
 *   thread pool each cost a round trip several times that, the most of an unchanged copy's
 *   local listing), yielding each batch,
 *   does not descend into folders the filter excludes, and skips symbolic links (as rclone
 *   does without `-L`) and this module's own temporary files. With `excludeIfPresent`, a
 *   folder's entry is given only once its own listing shows none of the marker files.
 * - Every path is resolved below the root and checked to stay there; names that are empty,
 *   `.`, `..` or contain `/` or NUL are refused (the engine already carries cloud names
 *   that decode to `.`, `..` or contain `/` as U+FF0E / U+FF0F look-alikes, as rclone's
 *   local backend stores them).
 * - A write goes to a temporary file next to the target (`.fjord-<12 hex>.partial`, 26 bytes
 *   whatever the target's name, so a 255-byte name still works), is hashed and counted while
 *   written, checked against the expected size and MD5, given its modification time, then
 *   renamed over the target. A failed write leaves the target as it was.
 * - Toward the cloud a file is read into a ring of four reused buffers
 *   (`readTransient`, `internal/ringReader.ts`): an upload allocates nothing per read, which
 *   spares V8 the full collections a gigabyte of fresh buffers caused. Toward a local side,
 *   whose write stream holds chunks until the disk has them, every read is a fresh buffer.
 * - Two local sides copy with `copyFile` and move with `rename`.
 *
 * @since 0.1.0
 */
import * as Crypto from "node:crypto"
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import type { Md5 } from "@fjord/core/ContentHasher"
import * as Transfer from "@fjord/core/Transfer"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as RingReader from "./internal/ringReader.js"
import * as Writable from "./internal/writable.js"
import * as NodeFiles from "./NodeFiles.js"

const PARTIAL = /^\.fjord-[0-9a-f]{12}\.partial$/

const utf8 = new TextDecoder("utf-8", { fatal: true })

/** A listed file's `lstat`, or `undefined` when it is gone or cannot be read (it is skipped). */
const lstatOrUndefined = (abs: string): NodeFs.Stats | undefined => {
  try {
    return NodeFs.lstatSync(abs, { throwIfNoEntry: false })
  } catch {
    return undefined
  }
}

const codeOf = (e: unknown): string | undefined =>
  typeof e === "object" && e !== null && "code" in e && typeof e.code === "string" ? e.code : undefined

const causeOf = (e: unknown): unknown =>
  typeof e === "object" && e !== null && "cause" in e && e.cause !== undefined ? e.cause : e

const failure = (path: string, cause: unknown): Transfer.SideError => {
  const root = causeOf(causeOf(cause))
  const code = codeOf(root)
  const text = root instanceof Error ? root.message : cause instanceof Error ? cause.message : String(cause)
  return new Transfer.SideError({
    reason: code === "ENOENT" ? "NotFound" : code === "ENOSPC" || code === "EDQUOT" ? "Fatal" : "Failed",
    path,
    description: text,
    cause
  })
}

const attempt = <A>(path: string, f: () => Promise<A>): Effect.Effect<A, Transfer.SideError> =>
  Effect.tryPromise({ try: f, catch: (e) => failure(path, e) })

/**
 * The local side rooted at the directory `root` (need not exist yet when it is a
 * destination).
 *
 * @since 0.1.0
 * @category sides
 */
export const side = (root: string): Transfer.Side => {
  const base = NodePath.resolve(root)
  const inside = (abs: string) =>
    abs === base || abs.startsWith(base.endsWith(NodePath.sep) ? base : base + NodePath.sep)

  /** The absolute path of an engine path, checked to stay below the root. */
  const resolve = (path: string): Effect.Effect<string, Transfer.SideError> =>
    Effect.suspend(() => {
      const names = path === "" ? [] : path.split("/")
      for (const n of names) {
        const why =
          n === ""
            ? "empty name"
            : n === "." || n === ".."
              ? `the name ${n} would leave the folder`
              : n.includes("\0")
                ? "the name contains NUL"
                : undefined
        if (why !== undefined) return Effect.fail(new Transfer.SideError({ reason: "Failed", path, description: why }))
      }
      const abs = NodePath.join(base, ...names)
      return inside(abs)
        ? Effect.succeed(abs)
        : Effect.fail(new Transfer.SideError({ reason: "Failed", path, description: "resolves outside the target" }))
    })

  const fileOf = (path: string, abs: string, st: NodeFs.Stats): Transfer.FileEntry => ({
    _tag: "File",
    path,
    size: st.size,
    modified: Math.floor(st.mtimeMs),
    md5: undefined,
    ref: abs
  })

  const absOf = (file: Transfer.FileEntry): Effect.Effect<string, Transfer.SideError> =>
    typeof file.ref === "string" ? Effect.succeed(file.ref) : resolve(file.path)

  const stat: Transfer.Side["stat"] = (path) =>
    Effect.flatMap(resolve(path), (abs) =>
      Effect.map(
        attempt(path, () => NodeFs.promises.stat(abs)).pipe(
          Effect.catchIf(
            (e) => e.reason === "NotFound",
            () => Effect.succeed(undefined)
          )
        ),
        (st): Transfer.FileEntry | Transfer.DirEntry | undefined =>
          st === undefined ? undefined : st.isDirectory() ? { _tag: "Dir", path } : fileOf(path, abs, st)
      )
    )

  const list: Transfer.Side["list"] = (options) =>
    Stream.fromAsyncIterable(walk(base, options), (e) => failure("", e)).pipe(
      Stream.mapConcatChunk((batch) => Chunk.unsafeFromArray(batch))
    )

  /** The tree, a batch of entries at a time (one chunk per batch downstream). */
  async function* walk(dir: string, options: Transfer.ListOptions): AsyncGenerator<Array<Transfer.Listed>> {
    // --exclude-if-present: a folder's entry waits until its own listing shows no marker file
    const markers = (options.excludeIfPresent ?? []).map((name) => Buffer.from(name))
    const deferDirs = markers.length > 0
    const pending: Array<{ abs: string; path: string; depth: number }> = [{ abs: dir, path: "", depth: 0 }]
    while (pending.length > 0) {
      const { abs, path, depth } = pending.pop()!
      let dirents: Array<NodeFs.Dirent<Buffer>>
      try {
        dirents = await NodeFs.promises.readdir(abs, { withFileTypes: true, encoding: "buffer" })
      } catch (e) {
        if (path === "") throw e
        const invalid: Transfer.Listed = {
          _tag: "Invalid",
          path,
          description: `cannot list: ${e instanceof Error ? e.message : String(e)}`
        }
        yield deferDirs ? [{ _tag: "Dir", path }, invalid] : [invalid]
        continue
      }
      if (deferDirs && dirents.some((d) => d.isFile() && markers.some((m) => m.equals(d.name)))) continue
      const files: Array<{ abs: string; path: string }> = []
      const out: Array<Transfer.Listed> = deferDirs && path !== "" ? [{ _tag: "Dir", path }] : []
      for (const d of dirents) {
        let name: string
        try {
          name = utf8.decode(d.name)
        } catch {
          const shown = d.name.toString("utf8")
          out.push({
            _tag: "Invalid",
            path: path === "" ? shown : `${path}/${shown}`,
            description: "the name is not valid UTF-8"
          })
          continue
        }
        if (d.isSymbolicLink()) continue
        const childPath = path === "" ? name : `${path}/${name}`
        const childAbs = NodePath.join(abs, name)
        if (d.isDirectory()) {
          if (options.maxDepth !== undefined && depth + 1 > options.maxDepth) continue
          if (!options.descend(childPath)) continue
          if (!deferDirs) out.push({ _tag: "Dir", path: childPath })
          pending.push({ abs: childAbs, path: childPath, depth: depth + 1 })
        } else if (d.isFile()) {
          if (PARTIAL.test(name)) continue
          if (options.maxDepth !== undefined && depth + 1 > options.maxDepth) continue
          files.push({ abs: childAbs, path: childPath })
        }
      }
      if (out.length > 0) yield out
      for (let i = 0; i < files.length; i += 64) {
        const batch = files.slice(i, i + 64)
        const found: Array<Transfer.Listed> = []
        const stats = batch.map((f) => lstatOrUndefined(f.abs))
        for (let j = 0; j < batch.length; j++) {
          const st = stats[j]
          const f = batch[j]!
          if (st === undefined) continue
          const entry = fileOf(f.path, f.abs, st)
          if (options.keep(entry)) found.push(entry)
        }
        if (found.length > 0) yield found
      }
    }
  }

  const read = (file: Transfer.FileEntry): Stream.Stream<Uint8Array, Transfer.SideError> =>
    Stream.unwrap(
      Effect.map(absOf(file), (abs) =>
        Stream.mapError(NodeFiles.fileStream(abs, { chunkSize: NodeFiles.sendChunkSize(file.size) }), (e) =>
          failure(file.path, e)
        )
      )
    )

  // a cloud upload's content: read into a ring of reused buffers (`internal/ringReader.ts`);
  // a file of fewer blocks than the ring has slots would reuse none, so it is read as usual
  const readTransient = (file: Transfer.FileEntry): Stream.Stream<Uint8Array, Transfer.SideError> => {
    const block = NodeFiles.sendChunkSize(file.size)
    return file.size < RingReader.slots * block
      ? read(file)
      : Stream.unwrap(Effect.map(absOf(file), (abs) => RingReader.fileStream(abs, block, (e) => failure(file.path, e))))
  }

  const hashContent = (file: Transfer.FileEntry) =>
    Effect.flatMap(absOf(file), (abs) =>
      Effect.mapError(NodeFiles.md5File(abs, file.size), (e) => failure(file.path, e))
    )

  const tempNext = (abs: string) =>
    NodePath.join(NodePath.dirname(abs), `.fjord-${Crypto.randomBytes(6).toString("hex")}.partial`)

  const setTimes = (path: string, abs: string, modified: number | undefined) =>
    modified === undefined
      ? Effect.void
      : attempt(path, () => NodeFs.promises.utimes(abs, new Date(modified), new Date(modified)))

  /** Puts a finished temporary file in place (or removes it when `produce` fails). */
  const placed = (
    path: string,
    produce: (tmp: string) => Effect.Effect<void, Transfer.SideError>
  ): Effect.Effect<void, Transfer.SideError> =>
    Effect.gen(function* () {
      const abs = yield* resolve(path)
      yield* attempt(path, () => NodeFs.promises.mkdir(NodePath.dirname(abs), { recursive: true }))
      const tmp = tempNext(abs)
      yield* Effect.zipRight(
        produce(tmp),
        attempt(path, () => NodeFs.promises.rename(tmp, abs))
      ).pipe(Effect.onError(() => Effect.promise(() => NodeFs.promises.rm(tmp, { force: true }))))
    })

  const write: Transfer.Side["write"] = (path, content) =>
    placed(path, (tmp) =>
      Effect.gen(function* () {
        // A verified stream (a cloud download) is hashed by its source already: count only.
        const hash = content.verified === true ? undefined : Crypto.createHash("md5")
        let size = 0
        yield* Writable.toNewFile(
          tmp,
          Stream.map(content.stream, (chunk) => {
            hash?.update(chunk)
            size += chunk.length
            return chunk
          }),
          (e) => failure(path, e)
        )
        if (size !== content.size) {
          return yield* new Transfer.SideError({
            reason: "Failed",
            path,
            description: `received ${size} bytes, expected ${content.size}`
          })
        }
        const md5 = hash?.digest("hex")
        if (md5 !== undefined && content.md5 !== undefined && md5 !== content.md5) {
          return yield* new Transfer.SideError({
            reason: "Failed",
            path,
            description: `MD5 ${md5}, expected ${content.md5}`
          })
        }
        yield* setTimes(path, tmp, content.modified)
      })
    )

  const copyWithin = (file: Transfer.FileEntry, to: string) =>
    Effect.flatMap(absOf(file), (from) =>
      placed(to, (tmp) =>
        Effect.zipRight(
          attempt(to, () => NodeFs.promises.copyFile(from, tmp)),
          setTimes(to, tmp, file.modified)
        )
      )
    )

  const moveWithin = (file: Transfer.FileEntry, to: string) =>
    Effect.gen(function* () {
      const from = yield* absOf(file)
      const abs = yield* resolve(to)
      yield* attempt(to, () => NodeFs.promises.mkdir(NodePath.dirname(abs), { recursive: true }))
      yield* attempt(to, () => NodeFs.promises.rename(from, abs)).pipe(
        Effect.catchIf(
          (e) => codeOf(causeOf(e.cause)) === "EXDEV" || codeOf(e.cause) === "EXDEV",
          () =>
            Effect.zipRight(
              copyWithin(file, to),
              attempt(file.path, () => NodeFs.promises.unlink(from))
            )
        )
      )
    })

  return {
    kind: "local",
    root: base,
    caseInsensitive: false,
    writeNeedsMd5: false,
    stat,
    list,
    read,
    readTransient,
    hash: (file) => (file.md5 !== undefined ? Effect.succeed(file.md5 as Md5) : hashContent(file)),
    hashContent,
    write,
    setModTime: (path, modified) => Effect.flatMap(resolve(path), (abs) => setTimes(path, abs, modified)),
    remove: (file) => Effect.flatMap(absOf(file), (abs) => attempt(file.path, () => NodeFs.promises.unlink(abs))),
    removeDir: (path) =>
      Effect.flatMap(resolve(path), (abs) =>
        abs === base
          ? Effect.fail(new Transfer.SideError({ reason: "Failed", path, description: "refusing to remove the root" }))
          : attempt(path, () => NodeFs.promises.rm(abs, { recursive: true, force: true }))
      ),
    removeEmptyDir: (path) =>
      Effect.flatMap(resolve(path), (abs) =>
        abs === base
          ? Effect.fail(new Transfer.SideError({ reason: "Failed", path, description: "refusing to remove the root" }))
          : Effect.tryPromise({
              try: () =>
                NodeFs.promises.rmdir(abs).then(
                  () => true,
                  (e: unknown) => {
                    const code = codeOf(e)
                    if (code === "ENOTEMPTY" || code === "EEXIST") return false
                    throw e
                  }
                ),
              catch: (e) => failure(path, e)
            })
      ),
    mkdir: (path) =>
      Effect.flatMap(resolve(path), (abs) => attempt(path, () => NodeFs.promises.mkdir(abs, { recursive: true }))),
    copyWithin,
    moveWithin
  }
}
