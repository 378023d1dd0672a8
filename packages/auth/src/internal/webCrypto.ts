/**
 * The few WebCrypto calls auth needs (global `crypto` in Node 20, Deno, Bun and browsers).
 * The base tsconfig has no DOM lib, so the shape is declared here.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Encoding from "effect/Encoding"
import * as Option from "effect/Option"

interface WebCrypto {
  readonly getRandomValues: <T extends Uint8Array>(array: T) => T
  readonly subtle: {
    readonly digest: (algorithm: string, data: Uint8Array) => Promise<ArrayBuffer>
    readonly importKey: (
      format: "raw",
      key: Uint8Array,
      algorithm: string,
      extractable: boolean,
      usages: ReadonlyArray<string>
    ) => Promise<unknown>
    readonly decrypt: (
      algorithm: { readonly name: "AES-CTR"; readonly counter: Uint8Array; readonly length: number },
      key: unknown,
      data: Uint8Array
    ) => Promise<ArrayBuffer>
  }
}

const webCrypto = (): WebCrypto => (globalThis as unknown as { readonly crypto: WebCrypto }).crypto

/** Bytes of an ASCII / Latin-1 string (PKCE verifiers are ASCII by definition). */
const asciiBytes = (s: string): Uint8Array => {
  const out = new Uint8Array(s.length)
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff
  return out
}

/** UTF-8 bytes via effect's own encoder (no `TextEncoder` in the ES2022 lib). */
const utf8Bytes = (s: string): Uint8Array => Either.getOrThrow(Encoding.decodeBase64(Encoding.encodeBase64(s)))

export const sha256 = (data: Uint8Array): Effect.Effect<Uint8Array> =>
  Effect.promise(() => webCrypto().subtle.digest("SHA-256", data)).pipe(Effect.map((b) => new Uint8Array(b)))

const unreserved = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
const alphanumeric = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

const randomFrom = (alphabet: string, length: number): Effect.Effect<string> =>
  Effect.sync(() => {
    const out: Array<string> = []
    // rejection sampling keeps the distribution uniform
    const limit = 256 - (256 % alphabet.length)
    while (out.length < length) {
      const bytes = webCrypto().getRandomValues(new Uint8Array(length * 2))
      for (const b of bytes) {
        if (b < limit && out.length < length) out.push(alphabet[b % alphabet.length] ?? "")
      }
    }
    return out.join("")
  })

/** A PKCE code verifier: 64 characters of RFC 7636's unreserved set. */
export const codeVerifier: Effect.Effect<string> = randomFrom(unreserved, 64)

/** A random `state` / device-id suffix. */
export const randomAlphanumeric = (length: number): Effect.Effect<string> => randomFrom(alphanumeric, length)

/** PKCE S256: base64url(sha256(ascii(verifier))), no padding. */
export const s256 = (verifier: string): Effect.Effect<string> =>
  Effect.map(sha256(asciiBytes(verifier)), (digest) => Encoding.encodeBase64Url(digest))

/** A short, non-reversible fingerprint of a secret (first 16 hex digits of its SHA-256). */
export const fingerprint = (secret: string): Effect.Effect<string> =>
  Effect.map(sha256(utf8Bytes(secret)), (digest) => Encoding.encodeHex(digest).slice(0, 16))

/** rclone's published obscure key (fs/config/obscure): obfuscation, not protection. */
const rcloneObscureKey = new Uint8Array([
  0x9c, 0x93, 0x5b, 0x48, 0x73, 0x0a, 0x55, 0x4d, 0x6b, 0xfd, 0x7c, 0x63, 0xc8, 0x86, 0xa9, 0x2b, 0xd3, 0x90, 0x19,
  0x8e, 0xb8, 0x12, 0x8a, 0xfb, 0xf4, 0xde, 0x16, 0x2b, 0x8b, 0x95, 0xf6, 0x38
])

/**
 * Reveals a value in rclone's obscured form: base64url (no padding) of a 16-byte IV followed
 * by AES-256-CTR ciphertext under the published key. `None` when it is not in that form.
 */
export const revealObscured = (obscured: string): Effect.Effect<Option.Option<string>> => {
  const bytes = Encoding.decodeBase64Url(obscured)
  if (Either.isLeft(bytes) || bytes.right.length < 16) return Effect.succeed(Option.none())
  const iv = bytes.right.slice(0, 16)
  const data = bytes.right.slice(16)
  return Effect.promise(async () => {
    const subtle = webCrypto().subtle
    const key = await subtle.importKey("raw", rcloneObscureKey, "AES-CTR", false, ["decrypt"])
    return new Uint8Array(await subtle.decrypt({ name: "AES-CTR", counter: iv, length: 128 }, key, data))
  }).pipe(
    Effect.map((plain) => Option.getRight(Encoding.decodeBase64String(Encoding.encodeBase64(plain)))),
    Effect.catchAllDefect(() => Effect.succeed(Option.none()))
  )
}
