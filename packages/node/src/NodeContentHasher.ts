/**
 * The MD5 content hasher for Node.js, built on `node:crypto`. It implements core's
 * `ContentHasher` service: the digest is created inside the effect (so the effect can be run
 * any number of times) and the stream's chunks are folded into it with `Stream.runFold`, so
 * memory use is constant whatever the size of the content.
 *
 * @since 0.1.0
 */

import * as Crypto from "node:crypto"
import * as ContentHasher from "@fjord/core/ContentHasher"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Stream from "effect/Stream"

/**
 * The MD5 of all bytes of `stream` (read once, in constant memory).
 *
 * @since 0.1.0
 * @category hashing
 */
export const md5 = <E, R>(stream: Stream.Stream<Uint8Array, E, R>): Effect.Effect<ContentHasher.Md5, E, R> =>
  make.md5(stream)

/**
 * The MD5 of bytes in memory.
 *
 * @since 0.1.0
 * @category hashing
 */
export const md5Sync = (bytes: Uint8Array): ContentHasher.Md5 =>
  Crypto.createHash("md5").update(bytes).digest("hex") as ContentHasher.Md5

/**
 * The service.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: ContentHasher.Service = ContentHasher.make(
  Effect.sync(() => {
    const hash = Crypto.createHash("md5")
    return { update: (chunk) => void hash.update(chunk), digest: () => hash.digest("hex") as ContentHasher.Md5 }
  })
)

/**
 * Provides core's `ContentHasher` with the `node:crypto` implementation.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<ContentHasher.ContentHasher> = Layer.succeed(ContentHasher.ContentHasher, make)
