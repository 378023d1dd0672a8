/**
 * core's `ContentHasher` (MD5) without `node:crypto`, for Bun, Deno, browsers and workers:
 * streaming MD5 on [hash-wasm](https://github.com/Daninet/hash-wasm) (WebAssembly; WebCrypto
 * has no MD5 and no incremental digests). A fresh hasher instance is created inside the
 * effect, so the effect can be run any number of times, and the stream's chunks are folded
 * into it: constant memory whatever the size.
 *
 * @since 0.1.0
 */
import * as ContentHasher from "@fjord/core/ContentHasher"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Stream from "effect/Stream"
import { createMD5 } from "hash-wasm"

/**
 * The MD5 of all bytes of `stream` (read once, in constant memory).
 *
 * @since 0.1.0
 * @category hashing
 */
export const md5 = <E, R>(stream: Stream.Stream<Uint8Array, E, R>): Effect.Effect<ContentHasher.Md5, E, R> =>
  make.md5(stream)

/**
 * The service.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: ContentHasher.Service = ContentHasher.make(
  Effect.map(
    // instantiating the WebAssembly module cannot fail once it compiled; a failure is a defect
    Effect.promise(() => createMD5()),
    (hasher) => ({
      update: (chunk) => void hasher.update(chunk),
      digest: () => hasher.digest("hex") as ContentHasher.Md5
    })
  )
)

/**
 * Provides core's `ContentHasher` with the hash-wasm implementation.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<ContentHasher.ContentHasher> = Layer.succeed(ContentHasher.ContentHasher, make)
