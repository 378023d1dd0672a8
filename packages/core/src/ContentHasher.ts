/**
 * Content hashing for uploads. Jottacloud's allocate step needs the MD5 of the content before
 * any byte is sent, so an upload hashes its (re-runnable) source first.
 *
 * core is platform-free and WebCrypto has neither MD5 nor streaming digests, so core only
 * defines the service; `@fjord/node` provides the implementation. Tests can use
 * {@link layerFunction} with any function over the collected bytes.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"

/**
 * An MD5 digest as 32 lower-case hexadecimal digits.
 *
 * @since 0.1.0
 * @category models
 */
export const Md5 = Schema.String.pipe(
  Schema.pattern(/^[0-9a-f]{32}$/, { message: () => "expected an MD5 digest: 32 lower-case hex digits" }),
  Schema.brand("@fjord/core/Md5")
)

/**
 * @since 0.1.0
 * @category models
 */
export type Md5 = typeof Md5.Type

/** 32 hex digits, either case (see {@link Md5FromHex}). */
const md5Hex = /^[0-9a-fA-F]{32}$/

/**
 * Lenient MD5 codec: accepts upper- or lower-case hex (a few old server replies use upper
 * case) and normalises to lower case.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Md5FromHex: Schema.Schema<Md5, string> = Schema.transform(
  Schema.String.pipe(Schema.pattern(md5Hex)),
  Md5,
  { strict: true, decode: (s) => s.toLowerCase() as Md5, encode: (m) => m }
)

/**
 * `text` as an {@link Md5} when it is 32 hex digits (either case, normalised to lower case),
 * else `undefined`: what decoding with {@link Md5FromHex} gives, without a Schema parse per
 * call (a listing reads one per file: 2,000 of them cost `lsf -R` about 10 ms that way).
 *
 * @since 0.1.0
 * @category constructors
 */
export const md5OrUndefined = (text: string): Md5 | undefined =>
  md5Hex.test(text) ? (text.toLowerCase() as Md5) : undefined

/**
 * Builds an {@link Md5} from a string, checking it.
 *
 * @since 0.1.0
 * @category constructors
 */
export const md5FromString: (s: string) => Md5 = Schema.decodeSync(Md5FromHex)

/**
 * One MD5 computation fed chunk by chunk: what a download verifies as its bytes pass by,
 * without a second reader of the stream.
 *
 * @since 0.1.0
 * @category models
 */
export interface Incremental {
  readonly update: (chunk: Uint8Array) => void
  /** The digest of everything given to `update`; call once, at the end. */
  readonly digest: () => Md5
}

/**
 * The service shape.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** The MD5 of all bytes of `stream`, read once from start to end. */
  readonly md5: <E, R>(stream: Stream.Stream<Uint8Array, E, R>) => Effect.Effect<Md5, E, R>
  /** A fresh incremental MD5. */
  readonly incremental: Effect.Effect<Incremental>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class ContentHasher extends Context.Tag("@fjord/core/ContentHasher")<ContentHasher, Service>() {}

/**
 * Builds the service from its incremental form; `md5` folds a stream's chunks into one.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (incremental: Effect.Effect<Incremental>): Service => ({
  md5: (stream) =>
    Effect.flatMap(incremental, (hash) =>
      Effect.map(
        Stream.runFold(stream, hash, (h, chunk) => {
          h.update(chunk)
          return h
        }),
        (h) => h.digest()
      )
    ),
  incremental
})

/**
 * Builds a service from a function over the whole content (collected in memory: for tests
 * and small data only).
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromFunction = (f: (bytes: Uint8Array) => string): Service =>
  make(
    Effect.sync(() => {
      const chunks: Array<Uint8Array> = []
      return {
        update: (chunk) => void chunks.push(chunk),
        digest: () => {
          let size = 0
          for (const c of chunks) size += c.length
          const all = new Uint8Array(size)
          let offset = 0
          for (const c of chunks) {
            all.set(c, offset)
            offset += c.length
          }
          return md5FromString(f(all))
        }
      }
    })
  )

/**
 * A test double: a layer built from a function over the whole content (see
 * {@link fromFunction}).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerFunction = (f: (bytes: Uint8Array) => string): Layer.Layer<ContentHasher> =>
  Layer.succeed(ContentHasher, fromFunction(f))
