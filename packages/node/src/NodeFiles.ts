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
 *
 * Directory trees (copy, sync, move, check) go through the transfer engine
 * (`@fjord/core/Transfer` with `NodeTransfer.side`).
 *
 * @since 0.1.0
 */

import * as Crypto from "node:crypto"
import * as NodeFs from "node:fs"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
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
import * as Writable from "./internal/writable.js"

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

/** The read size of {@link md5File}. */
const HASH_READ = 1024 * 1024

/**
 * The MD5 of a local file of `size` bytes, read in 1 MiB blocks into two buffers it reuses
 * (the next block is read while this one is hashed): no allocation per block, so hashing a
 * large file adds no garbage and no memory. Fails with `SizeMismatch` when the file does not
 * hold exactly `size` bytes (it changed since it was listed).
 *
 * @since 0.1.0
 * @category files
 */
export const md5File = (path: string, size: number): Effect.Effect<ContentHasher.Md5, LocalFileError> =>
  Effect.tryPromise({
    try: async () => {
      const file = await NodeFs.promises.open(path, "r")
      try {
        const hash = Crypto.createHash("md5")
        const buffers = [
          Buffer.allocUnsafe(Math.min(HASH_READ, size + 1)),
          Buffer.allocUnsafe(Math.min(HASH_READ, size + 1))
        ]
        let position = 0
        let current = 0
        let reading = file.read(buffers[0]!, 0, buffers[0]!.length, 0)
        for (;;) {
          const { bytesRead } = await reading
          if (bytesRead === 0) break
          const block = buffers[current]!
          position += bytesRead
          current ^= 1
          reading = file.read(buffers[current]!, 0, buffers[current]!.length, position)
          hash.update(block.subarray(0, bytesRead))
        }
        await reading
        return { md5: hash.digest("hex") as ContentHasher.Md5, read: position }
      } finally {
        await file.close()
      }
    },
    catch: io("hash", path)
  }).pipe(
    Effect.flatMap(({ md5, read }) =>
      read === size
        ? Effect.succeed(md5)
        : Effect.fail(
            new LocalFileError({
              reason: "SizeMismatch",
              operation: "hash",
              path,
              description: `the file holds ${read} bytes, expected ${size}: it changed while being read`
            })
          )
    )
  )

/**
 * The read size for sending a file of `size` bytes: `max`, or the file's size when smaller. A read
 * stream allocates a buffer of its chunk size for every read, so a 4 KiB file read in 1 MiB
 * chunks would allocate 1 MiB (twice per upload: hashing, then sending), and that memory
 * outside the JS heap makes V8 collect garbage far more often over a tree of small files.
 *
 * At most 256 KiB: a buffer handed to a socket lives until the kernel has taken it, long
 * enough to outlive V8's young generation, and 1 MiB buffers then filled the old generation
 * fast enough to cost a 1 GiB upload a second of full garbage collections (measured: 3.1 s
 * CPU with 1 MiB, 2.0 s with 256 KiB, 2.3 s with 64 KiB, the same wall time or less).
 * Hashing does not read through here: `NodeFiles.md5File` reuses two buffers.
 *
 * @since 0.1.0
 * @category files
 */
export const sendChunkSize = (size: number): number => Math.min(256 * 1024, Math.max(size + 1, 16 * 1024))

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
      fileStream(path, { chunkSize: sendChunkSize(Number(info.size)) }),
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
  const source = yield* uploadSource(local, { md5: yield* md5File(local, Number(info.size)) })
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
 * up to `memoryLimit` bytes, else in a temporary file removed when the scope closes. The file
 * is written through a Node write stream (buffered, written behind the reads, as
 * `downloadFile` does), so spooling runs at the speed of the disk rather than one awaited
 * write per chunk.
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
    let file: { readonly ws: NodeFs.WriteStream; readonly path: string } | undefined
    const open = Effect.gen(function* () {
      const path = yield* Effect.mapError(
        fs.makeTempFileScoped({ prefix: "fjord-md5-" }),
        io("spool", "temporary file")
      )
      const ws = yield* Effect.acquireRelease(
        Effect.sync(() => Writable.fileWriter(path, "w")),
        (ws) => Effect.sync(() => ws.destroy())
      )
      return { ws, path }
    })
    yield* Stream.runForEach(stream, (chunk) =>
      Effect.gen(function* () {
        hash.update(chunk)
        size += chunk.length
        if (file === undefined && size <= memoryLimit) {
          chunks.push(chunk)
          return
        }
        if (file === undefined) {
          file = yield* open
          for (const c of chunks) yield* Writable.write(file.ws, c, io("spool", file.path))
          chunks.length = 0
        }
        yield* Writable.write(file.ws, chunk, io("spool", file.path))
      })
    )
    const md5 = hash.digest("hex") as ContentHasher.Md5
    if (file === undefined) {
      return UploadSource.make({ size, md5, stream: Stream.fromIterable(chunks) })
    }
    const { ws, path } = file
    yield* Writable.end(ws, io("spool", path), { untilClosed: true })
    return UploadSource.make({
      size,
      md5,
      stream: Stream.mapError(
        fileStream(path, { chunkSize: sendChunkSize(size) }),
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
  const written = Writable.toNewFile(tmp, files.download(info), io("download", tmp)).pipe(
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
