/**
 * Writing a byte `Stream` into a Node `Writable` (a file, an HTTP request body) with real
 * backpressure: the next chunk is pulled only once the writable has room for it.
 *
 * Why not `@effect/platform-node`'s `NodeSink.fromWritable`: it waits for `drain` only
 * between the elements of one `Chunk`, not after the last one, so a stream of one-buffer
 * chunks (a file read, a download) is written as fast as it is produced whatever the
 * writable can take. A 1 GiB upload then held hundreds of MiB in the request's buffer, and a
 * download to a slow disk in the file stream's.
 *
 * @internal
 */
import * as NodeFs from "node:fs"
import type { Writable } from "node:stream"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"

/** Why `writable` cannot take more, when it cannot (errored, or closed). */
const broken = (writable: Writable): unknown =>
  writable.errored ?? (writable.destroyed ? new Error("the stream is closed") : undefined)

/** Resolves when `writable` drains, or fails when it errors or closes first. */
const drained = <E>(writable: Writable, onError: (cause: unknown) => E): Effect.Effect<void, E> =>
  Effect.async<void, E>((resume) => {
    const already = broken(writable)
    if (already !== undefined) return resume(Effect.fail(onError(already)))
    const done = () => {
      cleanup()
      resume(Effect.void)
    }
    const failed = (cause: unknown) => {
      cleanup()
      resume(Effect.fail(onError(cause)))
    }
    const closed = () => failed(writable.errored ?? new Error("the stream closed before it drained"))
    const cleanup = () => {
      writable.off("drain", done)
      writable.off("error", failed)
      writable.off("close", closed)
    }
    writable.on("drain", done)
    writable.on("error", failed)
    writable.on("close", closed)
    return Effect.sync(cleanup)
  })

/**
 * Writes one chunk to `writable`, waiting for `drain` when `write` says the buffer is full.
 *
 * @internal
 */
export const write = <E>(
  writable: Writable,
  chunk: Uint8Array,
  onError: (cause: unknown) => E
): Effect.Effect<void, E> =>
  Effect.suspend(() => {
    const already = broken(writable)
    if (already !== undefined) return Effect.fail(onError(already))
    return writable.write(chunk) ? Effect.void : drained(writable, onError)
  })

/**
 * Writes every chunk of `stream` to `writable`, waiting for `drain` whenever `write` says
 * the buffer is full. Does not end the writable.
 *
 * @internal
 */
export const writeAll = <E1, E2, R>(
  writable: Writable,
  stream: Stream.Stream<Uint8Array, E1, R>,
  onError: (cause: unknown) => E2
): Effect.Effect<void, E1 | E2, R> => Stream.runForEach(stream, (chunk) => write(writable, chunk, onError))

/**
 * Ends `writable` and waits until everything written is flushed (`finish`), or, for a file
 * (`untilClosed`), until its descriptor is closed too (`close`); fails on an error first.
 *
 * @internal
 */
export const end = <E>(
  writable: Writable,
  onError: (cause: unknown) => E,
  options?: { readonly untilClosed?: boolean }
): Effect.Effect<void, E> =>
  Effect.async<void, E>((resume) => {
    const already = broken(writable)
    if (already !== undefined) return resume(Effect.fail(onError(already)))
    const event = options?.untilClosed === true ? "close" : "finish"
    const finished = () => {
      cleanup()
      resume(Effect.void)
    }
    const failed = (cause: unknown) => {
      cleanup()
      resume(Effect.fail(onError(cause)))
    }
    const closed = () => failed(writable.errored ?? new Error("the stream closed before it finished"))
    const cleanup = () => {
      writable.off(event, finished)
      writable.off("error", failed)
      if (event === "finish") writable.off("close", closed)
    }
    writable.on(event, finished)
    writable.on("error", failed)
    if (event === "finish") writable.on("close", closed)
    writable.end()
    return Effect.sync(cleanup)
  })

const ignore = (_: unknown) => {}

/**
 * A write stream to `file` with a 1 MiB buffer; errors are read from `errored` and the waits
 * above, none goes unhandled.
 *
 * @internal
 */
export const fileWriter = (file: string, flags: string): NodeFs.WriteStream => {
  // 1 MiB of buffer: while one write is at the disk, the chunks that arrive meanwhile are
  // gathered and go out together (`writev`), a few large writes instead of one per 64 KiB
  // network chunk (each a hand-off to libuv's thread pool)
  const out = NodeFs.createWriteStream(file, { flags, mode: 0o666, highWaterMark: 1024 * 1024 })
  out.on("error", ignore)
  return out
}

/**
 * Writes `stream` into a new file (`wx`: an existing file is an error) with backpressure and
 * waits until it is closed; a failed write destroys the file stream (the caller removes the
 * file).
 *
 * @internal
 */
export const toNewFile = <E1, E2, R>(
  file: string,
  stream: Stream.Stream<Uint8Array, E1, R>,
  onError: (cause: unknown) => E2
): Effect.Effect<void, E1 | E2, R> =>
  Effect.acquireUseRelease(
    Effect.sync(() => fileWriter(file, "wx")),
    (out) => Effect.zipRight(writeAll(out, stream, onError), end(out, onError, { untilClosed: true })),
    (out, exit) => (exit._tag === "Success" ? Effect.void : Effect.sync(() => out.destroy()))
  )
