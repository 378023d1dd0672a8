/**
 * A local file's bytes read into a ring of four buffers that are used again and again: no
 * allocation per read. Each element is a view of one of them, valid until three more have
 * been pulled, so this stream is only for a consumer that is done with a chunk before it asks
 * for the next one: the transfer engine hands it to a cloud upload, whose body writer waits
 * for the socket to drain after every chunk (a chunk is never smaller than the request's
 * 16 KiB buffer), and whose bytes the server checks against the MD5 given at allocation, so
 * a consumer that broke the rule would fail the upload, never store other bytes.
 *
 * Why: a read stream allocates a fresh buffer per read, and those buffers are memory outside
 * V8's heap that only a garbage collection returns. In the CLI's process (its heap is large
 * enough for V8 to schedule full collections by the external memory allocated since the last
 * one) a 1 GiB upload made about 60 full collections, whose marking ran on the machine's
 * other core, the one the receiving server needed. Measured on a 1 GiB upload to the
 * emulator: 4.1-4.8 s wall, 2.2-3.5 s CPU and 130-150 MiB peak RSS with fresh buffers;
 * 3.75-3.9 s, 1.8 s CPU and 109 MiB with the ring.
 *
 * The next block is read while the current one is being sent (into the slot three pulls
 * behind), so reading never waits on the consumer, nor the consumer on a read it could have
 * had already.
 *
 * @internal
 */
import * as NodeFs from "node:fs"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"

/**
 * The ring's size: a slot is overwritten `slots - 1` pulls after it was handed out, so a file
 * of fewer blocks than this reuses nothing.
 *
 * @internal
 */
export const slots = 4

const ignore = (_: unknown) => {}

/**
 * The bytes of `path` in blocks of `blockSize`, each a view of a reused buffer (see the
 * module documentation for the rule its consumer must keep). Every run reopens the file.
 *
 * @internal
 */
export const fileStream = <E>(
  path: string,
  blockSize: number,
  onError: (cause: unknown) => E
): Stream.Stream<Uint8Array, E> =>
  Stream.unwrapScoped(
    Effect.gen(function* () {
      const file = yield* Effect.acquireRelease(
        Effect.tryPromise({ try: () => NodeFs.promises.open(path, "r"), catch: onError }),
        (file) => Effect.promise(() => file.close().catch(ignore))
      )
      const ring: Array<Buffer> = []
      let slot = 0
      let position = 0
      const readInto = (i: number, at: number) => {
        const buffer = (ring[i] ??= Buffer.allocUnsafe(blockSize))
        const reading = file.read(buffer, 0, blockSize, at).then(({ bytesRead }) => bytesRead)
        // a read still under way when the stream ends early fails once the file is closed
        reading.catch(ignore)
        return reading
      }
      let next = readInto(0, 0)
      const pull = Effect.flatMap(
        Effect.tryPromise({ try: () => next, catch: (cause) => Option.some(onError(cause)) }),
        (bytesRead): Effect.Effect<Uint8Array, Option.Option<E>> => {
          if (bytesRead === 0) return Effect.fail(Option.none())
          const block = ring[slot]!.subarray(0, bytesRead)
          position += bytesRead
          slot = (slot + 1) % slots
          next = readInto(slot, position)
          return Effect.succeed(block)
        }
      )
      return Stream.repeatEffectOption(pull)
    })
  )
