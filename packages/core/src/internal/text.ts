/**
 * The WHATWG TextDecoder, present in every JS runtime core targets. core compiles with
 * `types: []` and `lib: ES2022`, which do not declare it, so it is declared here (module-local).
 *
 * @internal
 */

interface TextDecoderLike {
  decode(input?: Uint8Array, options?: { readonly stream?: boolean }): string
}

declare const TextDecoder: new (label?: string, options?: { readonly fatal?: boolean }) => TextDecoderLike

/** A fresh UTF-8 decoder (fatal: invalid UTF-8 throws a TypeError). */
export const utf8Decoder = (): TextDecoderLike => new TextDecoder("utf-8", { fatal: true })

/** A UTF-8 decoder that replaces invalid sequences with U+FFFD (like `Response.text()`). */
export const utf8DecoderLossy = (): TextDecoderLike => new TextDecoder("utf-8")
