/**
 * Local files ⇄ the cloud, on top of core's `Files`:
 *
 * - `uploadFile`: a local file (re-read per pass: hashed by the `ContentHasher`, then sent).
 * - `uploadStream`: a one-shot byte stream. Allocation needs the MD5 first, so the stream is
 *   spooled while it is hashed: in memory up to `md5MemoryLimit` (from `JottaConfig`, 10 MiB
 *   by default, as rclone), beyond that into a scoped temporary file.
 * - `downloadFile`: into a temporary file in the target directory, verified while written
 *   (by `Files.download`, against the remote size and MD5), then renamed over the target and
 *   given the remote modification time. A failed or corrupt download never leaves a partial
 *   target.
 * - `uploadDir` / `downloadDir`: a directory tree, with bounded concurrency, skipping files
 *   whose size and MD5 already match (like `rclone copy`); with `delete: true`, destination
 *   entries absent from the source are removed afterwards (like `rclone sync`).
 *
 * @since 0.1.0
 */

import * as Crypto from "node:crypto"
import * as NodeFs from "node:fs"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as NodeSink from "@effect/platform-node/NodeSink"
import * as NodeStream from "@effect/platform-node/NodeStream"
import type * as ContentHasher from "@fjord/core/ContentHasher"
import * as Files from "@fjord/core/Files"
import * as JottaConfig from "@fjord/core/JottaConfig"
import type * as JottaError from "@fjord/core/JottaError"
import * as UploadSource from "@fjord/core/UploadSource"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { copyOrSkip, type Tally, underAny } from "./internal/copy.js"
import * as NodeContentHasher from "./NodeContentHasher.js"

/**
 * A local file operation failed.
 *
 * @since 0.1.0
 * @category errors
 */
export class LocalFileError extends Schema.TaggedError<LocalFileError>("@fjord/node/LocalFileError")("LocalFileError", {
  reason: Schema.Literal("Io", "NotAFile", "NotADirectory", "ChecksumMismatch", "SizeMismatch"),
  operation: Schema.String,
  path: Schema.String,
  description: Schema.optional(Schema.String),
  cause: Schema.optional(Schema.Defect)
}) {
  override get message(): string {
    const why =
      this.description ??
      (this.reason === "Io" ? "I/O error" : this.reason.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase())
    const cause =
      this.reason === "Io" && this.cause instanceof Error && this.description === undefined
        ? `: ${this.cause.message}`
        : ""
    return `${this.operation}: ${this.path}: ${why}${cause}`
  }
}

const io = (operation: string, path: string) => (cause: unknown) =>
  new LocalFileError({ reason: "Io", operation, path, cause })

/**
 * What the functions here need.
 *
 * @since 0.1.0
 * @category models
 */
export type Requirements = Files.Files | FileSystem.FileSystem | Path.Path

/**
 * A local file's bytes as a stream, read with `fs.createReadStream` (1 MiB chunks by default):
 * Node reads ahead while the consumer works, which makes hashing or sending a file about as
 * fast as plain Node (the platform `FileSystem.stream` reads one chunk at a time, roughly half
 * that speed). Every run reopens the file.
 *
 * @since 0.1.0
 * @category files
 */
export const fileStream = (
  path: string,
  options?: { readonly chunkSize?: number | undefined }
): Stream.Stream<Uint8Array, LocalFileError> =>
  NodeStream.fromReadable<LocalFileError, Uint8Array>(
    () => NodeFs.createReadStream(path, { highWaterMark: options?.chunkSize ?? 1024 * 1024 }),
    io("read", path)
  )

/**
 * An `UploadSource` over a local file, read with {@link fileStream} (re-runnable: each run
 * reopens the file). The file must not change during the upload.
 *
 * @since 0.1.0
 * @category upload
 */
export const uploadSource: (
  path: string,
  options?: { readonly md5?: ContentHasher.Md5 | undefined }
) => Effect.Effect<UploadSource.UploadSource, LocalFileError, FileSystem.FileSystem> = Effect.fnUntraced(function* (
  path: string,
  options?: { readonly md5?: ContentHasher.Md5 | undefined }
) {
  const fs = yield* FileSystem.FileSystem
  const info = yield* Effect.mapError(fs.stat(path), io("read", path))
  if (info.type !== "File") return yield* new LocalFileError({ reason: "NotAFile", operation: "read", path })
  return UploadSource.make({
    size: Number(info.size),
    md5: options?.md5,
    stream: Stream.mapError(
      fileStream(path),
      (e) => new UploadSource.UploadSourceError({ description: "cannot read upload source", path, cause: e })
    )
  })
})

/**
 * Uploads a local file to `remote` (a file path), keeping its modification time.
 *
 * @since 0.1.0
 * @category upload
 */
export const uploadFile: (
  local: string,
  remote: Files.Path,
  options?: Files.UploadOptions
) => Effect.Effect<Files.FileInfo, LocalFileError | JottaError.JottaError, Requirements> = Effect.fn(
  "NodeFiles.uploadFile"
)(function* (local: string, remote: Files.Path, options?: Files.UploadOptions) {
  const fs = yield* FileSystem.FileSystem
  const files = yield* Files.Files
  const info = yield* Effect.mapError(fs.stat(local), io("upload", local))
  if (info.type !== "File") return yield* new LocalFileError({ reason: "NotAFile", operation: "upload", path: local })
  const source = yield* uploadSource(local)
  const modified = Option.getOrUndefined(Option.map(info.mtime, DateTime.unsafeFromDate))
  return yield* files.upload(remote, source, { ...(modified === undefined ? {} : { modified }), ...options })
})

/**
 * Uploads a one-shot stream (read exactly once): spooled to memory up to `md5MemoryLimit`
 * bytes, to a temporary file beyond, and hashed while spooled.
 *
 * @since 0.1.0
 * @category upload
 */
export const uploadStream: <E, R>(
  stream: Stream.Stream<Uint8Array, E, R>,
  remote: Files.Path,
  options?: Files.UploadOptions & { readonly md5MemoryLimit?: number | undefined }
) => Effect.Effect<Files.FileInfo, E | LocalFileError | JottaError.JottaError, R | Requirements> = Effect.fn(
  "NodeFiles.uploadStream"
)(function* <E, R>(
  stream: Stream.Stream<Uint8Array, E, R>,
  remote: Files.Path,
  options?: Files.UploadOptions & { readonly md5MemoryLimit?: number | undefined }
) {
  const files = yield* Files.Files
  const config = yield* Effect.serviceOption(JottaConfig.JottaConfig)
  const limit =
    options?.md5MemoryLimit ??
    Option.match(config, { onNone: () => JottaConfig.tenMebibytes, onSome: (c) => c.md5MemoryLimit })
  return yield* Effect.scoped(
    Effect.gen(function* () {
      const spooled = yield* spool(stream, limit)
      const { md5MemoryLimit: _, ...uploadOptions } = options ?? {}
      return yield* files.upload(remote, spooled, uploadOptions)
    })
  )
})

/**
 * Reads a one-shot stream once into a re-runnable `UploadSource` with a known MD5: in memory
 * up to `memoryLimit` bytes, else in a temporary file removed when the scope closes.
 *
 * @since 0.1.0
 * @category upload
 */
export const spool = <E, R>(
  stream: Stream.Stream<Uint8Array, E, R>,
  memoryLimit: number
): Effect.Effect<UploadSource.UploadSource, E | LocalFileError, R | FileSystem.FileSystem | Scope.Scope> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const hash = Crypto.createHash("md5")
    const chunks: Array<Uint8Array> = []
    let size = 0
    let file: FileSystem.File | undefined
    let tmp: string | undefined
    yield* Stream.runForEach(stream, (chunk) =>
      Effect.gen(function* () {
        hash.update(chunk)
        size += chunk.length
        if (file === undefined && size <= memoryLimit) {
          chunks.push(chunk)
          return
        }
        if (file === undefined) {
          tmp = yield* Effect.mapError(fs.makeTempFileScoped({ prefix: "fjord-md5-" }), io("spool", "temporary file"))
          file = yield* Effect.mapError(fs.open(tmp, { flag: "w" }), io("spool", tmp))
          for (const c of chunks) yield* Effect.mapError(file.writeAll(c), io("spool", tmp))
          chunks.length = 0
        }
        yield* Effect.mapError(file.writeAll(chunk), io("spool", tmp ?? ""))
      })
    )
    const md5 = hash.digest("hex") as ContentHasher.Md5
    if (tmp === undefined) {
      return UploadSource.make({ size, md5, stream: Stream.fromIterable(chunks) })
    }
    const path = tmp
    return UploadSource.make({
      size,
      md5,
      stream: Stream.mapError(
        fileStream(path),
        (cause) => new UploadSource.UploadSourceError({ description: "cannot read spooled upload", path, cause })
      )
    })
  })

/**
 * Downloads the file `remote` to the local path `local`: written to a temporary file in the
 * same directory, then renamed into place with the remote modification time. The bytes are
 * verified as they arrive by `Files.download` against the `stat` taken first: the first byte
 * beyond the expected size stops the download (an endless body cannot fill the disk), and a
 * short body or a wrong MD5 fails it (`DownloadFailed`). On any failure, a stall included,
 * the temporary file is removed and `local` is left as it was.
 *
 * @since 0.1.0
 * @category download
 */
export const downloadFile: (
  remote: Files.Path,
  local: string
) => Effect.Effect<Files.FileInfo, LocalFileError | JottaError.JottaError, Requirements> = Effect.fn(
  "NodeFiles.downloadFile"
)(function* (remote: Files.Path, local: string) {
  const fs = yield* FileSystem.FileSystem
  const path = yield* Path.Path
  const files = yield* Files.Files
  const info = yield* files.stat(remote)
  const dir = path.dirname(path.resolve(local))
  yield* Effect.mapError(fs.makeDirectory(dir, { recursive: true }), io("download", dir))
  const tmp = path.join(dir, `.${path.basename(local)}.${Crypto.randomBytes(4).toString("hex")}.fjord-partial`)
  // Node's WriteStream buffers and writes behind the network reads; then fsync before rename
  const written = files
    .download(info)
    .pipe(
      Stream.run(
        NodeSink.fromWritable<LocalFileError, Uint8Array>(
          () => NodeFs.createWriteStream(tmp, { flags: "wx", mode: 0o666 }),
          io("download", tmp)
        )
      ),
      Effect.zipRight(
        Effect.scoped(
          Effect.flatMap(Effect.mapError(fs.open(tmp, { flag: "r+" }), io("download", tmp)), (f) =>
            Effect.mapError(f.sync, io("download", tmp))
          )
        )
      )
    )
  yield* Effect.gen(function* () {
    yield* written
    if (Option.isSome(info.modified)) {
      const mtime = DateTime.toDate(info.modified.value)
      yield* Effect.mapError(fs.utimes(tmp, mtime, mtime), io("download", tmp))
    }
    yield* Effect.mapError(fs.rename(tmp, local), io("download", local))
  }).pipe(Effect.onExit((exit) => (exit._tag === "Success" ? Effect.void : Effect.ignore(fs.remove(tmp)))))
  return info
})

/**
 * Counts of a directory copy.
 *
 * @since 0.1.0
 * @category models
 */
export interface CopyResult {
  /** Files transferred. */
  readonly copied: number
  /** Files already identical (same size and MD5) at the destination. */
  readonly skipped: number
  /** Bytes transferred. */
  readonly bytes: number
  /** Destination files and folders removed (with `delete`). */
  readonly deleted: number
}

/**
 * @since 0.1.0
 * @category models
 */
export interface CopyOptions {
  /** Files transferred at once (default 4). */
  readonly concurrency?: number | undefined
  /**
   * Sync mode: afterwards, delete destination files and folders that are not in the source
   * (remote ones go to the trash unless `hardDelete` is configured).
   */
  readonly delete?: boolean | undefined
  /** Called after each file (for progress output). */
  readonly onFile?: ((path: string, action: "copied" | "skipped" | "deleted") => Effect.Effect<void>) | undefined
}

const fileMd5 = (file: string) => NodeContentHasher.md5(fileStream(file))

/** Whether the local `file` already holds the remote content: same size (checked first), same MD5. */
const sameContent = (sizeMatches: boolean, file: string, remoteMd5: string | undefined) =>
  sizeMatches ? Effect.map(fileMd5(file), (md5) => md5 === remoteMd5) : Effect.succeed(false)

/**
 * Copies the local directory tree `local` into the remote folder `remote` (created as needed).
 * Files already present with the same size and MD5 are skipped.
 *
 * @since 0.1.0
 * @category upload
 */
export const uploadDir: (
  local: string,
  remote: string,
  options?: CopyOptions
) => Effect.Effect<CopyResult, LocalFileError | JottaError.JottaError, Requirements> = Effect.fn("NodeFiles.uploadDir")(
  function* (local: string, remote: string, options?: CopyOptions) {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const files = yield* Files.Files
    const info = yield* Effect.mapError(fs.stat(local), io("upload", local))
    if (info.type !== "Directory") {
      return yield* new LocalFileError({ reason: "NotADirectory", operation: "upload", path: local })
    }
    const entries = yield* Effect.mapError(fs.readDirectory(local, { recursive: true }), io("upload", local))
    const base = remote.replace(/^\/+|\/+$/g, "")
    const join = (rel: string) => (base === "" ? rel : `${base}/${rel}`)
    yield* files.mkdir(base)
    // Jottacloud names are case-insensitive: compare lower-cased paths
    const key = (p: string) => p.toLowerCase()
    const existing = new Map<string, Files.FileInfo>()
    const remoteDirs = new Map<string, Files.FolderInfo>()
    yield* Stream.runForEach(files.listRecursive(base), (e) =>
      Effect.sync(() => {
        if (e._tag === "File") existing.set(key(e.path), e)
        else remoteDirs.set(key(e.path), e)
      })
    )
    const dirs: Array<string> = []
    const regular: Array<{ rel: string; size: number }> = []
    for (const rel of entries.sort()) {
      const st = yield* Effect.mapError(fs.stat(path.join(local, rel)), io("upload", rel))
      if (st.type === "Directory") dirs.push(rel.split(path.sep).join("/"))
      else if (st.type === "File") regular.push({ rel, size: Number(st.size) })
    }
    for (const d of dirs) yield* files.mkdir(join(d))
    const tally: Tally = { copied: 0, skipped: 0, bytes: 0 }
    yield* Effect.forEach(
      regular,
      ({ rel, size }) => {
        const relPosix = rel.split(path.sep).join("/")
        const target = join(relPosix)
        const abs = path.join(local, rel)
        const there = existing.get(key(target))
        return copyOrSkip(
          tally,
          relPosix,
          size,
          sameContent(there !== undefined && there.size === size, abs, there?.md5),
          uploadFile(abs, target),
          options?.onFile
        )
      },
      { concurrency: options?.concurrency ?? 4, discard: true }
    )
    let deleted = 0
    if (options?.delete === true) {
      const keep = new Set([...dirs, ...regular.map((r) => r.rel.split(path.sep).join("/"))].map((r) => key(join(r))))
      // folders: purge the topmost extraneous ones only
      const extraDirs = [...remoteDirs.entries()].filter(([k]) => !keep.has(k) && k !== key(base))
      const purged = new Set<string>()
      for (const [k, d] of extraDirs.sort(([a], [b]) => a.length - b.length)) {
        if (underAny(purged, k)) continue
        yield* files.purge(d)
        purged.add(k)
        deleted++
        if (options.onFile) yield* options.onFile(relativeTo(base, d.path), "deleted")
      }
      for (const [k, f] of existing) {
        if (keep.has(k) || underAny(purged, k)) continue
        yield* files.remove(f)
        deleted++
        if (options.onFile) yield* options.onFile(relativeTo(base, f.path), "deleted")
      }
    }
    return { ...tally, deleted }
  }
)

const relativeTo = (base: string, p: string) =>
  base === "" ? p : p.startsWith(`${base}/`) ? p.slice(base.length + 1) : p

/**
 * Copies the remote folder tree `remote` into the local directory `local` (created as
 * needed). Files already present with the same size and MD5 are skipped.
 *
 * @since 0.1.0
 * @category download
 */
export const downloadDir: (
  remote: string,
  local: string,
  options?: CopyOptions
) => Effect.Effect<CopyResult, LocalFileError | JottaError.JottaError, Requirements> = Effect.fn(
  "NodeFiles.downloadDir"
)(function* (remote: string, local: string, options?: CopyOptions) {
  const fs = yield* FileSystem.FileSystem
  const path = yield* Path.Path
  const files = yield* Files.Files
  const base = remote.replace(/^\/+|\/+$/g, "")
  const prefix = base === "" ? "" : `${base}/`
  const remoteFiles: Array<Files.FileInfo> = []
  const keep = new Set<string>()
  yield* Effect.mapError(fs.makeDirectory(local, { recursive: true }), io("download", local))
  yield* Stream.runForEach(files.listRecursive(base), (e) =>
    Effect.gen(function* () {
      const rel = e.path.startsWith(prefix) ? e.path.slice(prefix.length) : e.path
      if (rel === "") return
      keep.add(path.join(...rel.split("/")))
      if (e._tag === "File") remoteFiles.push(e)
      else yield* Effect.mapError(fs.makeDirectory(path.join(local, rel), { recursive: true }), io("download", rel))
    })
  )
  const tally: Tally = { copied: 0, skipped: 0, bytes: 0 }
  yield* Effect.forEach(
    remoteFiles,
    (f) => {
      const rel = f.path.startsWith(prefix) ? f.path.slice(prefix.length) : f.path
      const target = path.join(local, ...rel.split("/"))
      const unchanged = Effect.flatMap(Effect.option(fs.stat(target)), (st) =>
        sameContent(Option.isSome(st) && st.value.type === "File" && Number(st.value.size) === f.size, target, f.md5)
      )
      return copyOrSkip(tally, rel, f.size, unchanged, downloadFile(f, target), options?.onFile)
    },
    { concurrency: options?.concurrency ?? 4, discard: true }
  )
  let deleted = 0
  if (options?.delete === true) {
    const entries = yield* Effect.mapError(fs.readDirectory(local, { recursive: true }), io("sync", local))
    const removed: Array<string> = []
    // shortest first, so a removed folder covers everything below it
    for (const rel of entries.sort((a, b) => a.length - b.length)) {
      if (keep.has(rel) || removed.some((r) => rel.startsWith(`${r}${path.sep}`))) continue
      if (rel.includes(".fjord-partial")) continue
      yield* Effect.mapError(fs.remove(path.join(local, rel), { recursive: true }), io("sync", rel))
      removed.push(rel)
      deleted++
      if (options.onFile) yield* options.onFile(rel.split(path.sep).join("/"), "deleted")
    }
  }
  return { ...tally, deleted }
})
