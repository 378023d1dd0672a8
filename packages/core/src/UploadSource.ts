/**
 * The content of an upload: its size, a re-runnable byte stream and, when known, its MD5.
 *
 * An upload reads its source twice (once to hash it when the MD5 is unknown, once to send
 * it), and again to resume, so `stream` must start from byte 0 on every run. Sources built
 * from memory or from a file path (the file is reopened per run) satisfy this; copy one-shot
 * streams into a temporary file first.
 *
 * @since 0.1.0
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type { Md5 } from "./ContentHasher.js"

/**
 * Reading an upload source failed.
 *
 * @since 0.1.0
 * @category errors
 */
export class UploadSourceError extends Schema.TaggedError<UploadSourceError>("@fjord/core/UploadSourceError")(
  "UploadSourceError",
  {
    description: Schema.String,
    path: Schema.optional(Schema.String),
    cause: Schema.optional(Schema.Defect)
  }
) {
  override get message(): string {
    return this.path === undefined ? this.description : `${this.description}: ${this.path}`
  }
}

/**
 * @since 0.1.0
 * @category models
 */
export interface UploadSource {
  /** Number of bytes `stream` yields. */
  readonly size: number
  /** The content; each run starts again from byte 0. */
  readonly stream: Stream.Stream<Uint8Array, UploadSourceError>
  /** The content's MD5 when already known (saves a hashing pass). */
  readonly md5: Option.Option<Md5>
}

/**
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: {
  readonly size: number
  readonly stream: Stream.Stream<Uint8Array, UploadSourceError>
  readonly md5?: Md5 | undefined
}): UploadSource => ({
  size: options.size,
  stream: options.stream,
  md5: Option.fromNullable(options.md5)
})

/**
 * A source over bytes in memory (the MD5 is left unknown).
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromUint8Array = (bytes: Uint8Array): UploadSource => ({
  size: bytes.length,
  stream: bytes.length === 0 ? Stream.empty : Stream.succeed(bytes),
  md5: Option.none()
})

/**
 * A source over a file: its size comes from `stat` and every run of `stream` reopens the
 * file. The file must not change while it is uploaded.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromFile = (
  path: string,
  options?: { readonly md5?: Md5 | undefined; readonly chunkSize?: number | undefined }
): Effect.Effect<UploadSource, UploadSourceError, FileSystem.FileSystem> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const info = yield* Effect.mapError(
      fs.stat(path),
      (cause) => new UploadSourceError({ description: "cannot stat upload source", path, cause })
    )
    if (info.type !== "File") {
      return yield* new UploadSourceError({ description: `upload source is not a file (${info.type})`, path })
    }
    const streamOptions =
      options?.chunkSize === undefined ? undefined : { chunkSize: FileSystem.Size(options.chunkSize) }
    return make({
      size: Number(info.size),
      stream: Stream.mapError(
        fs.stream(path, streamOptions),
        (cause) => new UploadSourceError({ description: "cannot read upload source", path, cause })
      ),
      md5: options?.md5
    })
  })

/**
 * Drops the first `n` bytes of a source (to resume an upload), slicing chunks without
 * buffering. The MD5 of the remainder is unknown.
 *
 * @since 0.1.0
 * @category combinators
 */
export const skip = (source: UploadSource, n: number): UploadSource => {
  const drop = Math.max(0, Math.min(Math.floor(n), source.size))
  if (drop === 0) return source
  return {
    size: source.size - drop,
    md5: Option.none(),
    stream: Stream.suspend(() => {
      let remaining = drop
      return Stream.filterMap(source.stream, (bytes) => {
        if (remaining === 0) return Option.some(bytes)
        if (bytes.length <= remaining) {
          remaining -= bytes.length
          return Option.none()
        }
        const rest = bytes.subarray(remaining)
        remaining = 0
        return Option.some(rest)
      })
    })
  }
}
