/**
 * File-name encoding, byte-exact with rclone's `lib/encoder` as used by its Jottacloud
 * backend. Each name (path segment) is encoded on its own: raw name → wire name with
 * {@link encode}, wire name → raw bytes with {@link decode}.
 *
 * Raw names are bytes: a name read from a POSIX file system need not be valid UTF-8, and
 * decoding a wire name can produce such bytes (`‛XX` stands for any byte). A JS string
 * argument is taken as its UTF-8 bytes (a lone surrogate becomes U+FFFD, like TextEncoder).
 *
 * Every flag behaves as in rclone, including its quirks: with the positional `Right*` flags,
 * or `LeftPeriod` together with `Dot`, a few names do not survive encode → decode (e.g. `"‛ "`
 * under `RightSpace`, `".．"` under `LeftPeriod,Dot`). The default encoding round-trips every
 * name.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as internal from "./internal/encoder.js"
import * as utf8 from "./internal/utf8.js"

/**
 * The names of rclone's encoder flags (`lib/encoder`), spelled as in rclone's `encoding`
 * option. `None` (the value 0) still encodes NUL and quotes `␀` and `‛`; `Raw` alone turns
 * the encoding off entirely.
 *
 * @since 0.1.0
 * @category models
 */
export type EncodingFlag = keyof typeof internal.Flags

/**
 * Each flag's bit, equal to rclone's `MultiEncoder` value.
 *
 * @since 0.1.0
 * @category constants
 */
export const flags: { readonly [K in EncodingFlag]: number } = internal.Flags

/**
 * A set of encoding flags: rclone's `MultiEncoder` bit set (an unsigned 32-bit integer).
 *
 * @since 0.1.0
 * @category models
 */
export const Encoding = Schema.Number.pipe(
  Schema.int(),
  Schema.between(0, 0xffffffff),
  Schema.brand("@fjord/core/Name/Encoding")
)

/**
 * @since 0.1.0
 * @category models
 */
export type Encoding = typeof Encoding.Type

const unsafeEncoding = (n: number): Encoding => (n >>> 0) as Encoding

/**
 * Builds an encoding from flag names.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (...names: ReadonlyArray<EncodingFlag>): Encoding =>
  unsafeEncoding(names.reduce((acc, n) => acc | internal.Flags[n], 0))

/**
 * Whether `encoding` contains `flag`.
 *
 * @since 0.1.0
 * @category predicates
 */
export const has = (encoding: Encoding, flag: EncodingFlag): boolean => (encoding & internal.Flags[flag]) !== 0

/**
 * rclone's default `encoding` for the Jottacloud backend
 * (`Slash,LtGt,DoubleQuote,Colon,Question,Asterisk,Pipe,Percent,Del,Ctl,InvalidUtf8,Dot`,
 * numerically `0x301978E`).
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultEncoding: Encoding = make(
  "Slash",
  "LtGt",
  "DoubleQuote",
  "Colon",
  "Question",
  "Asterisk",
  "Pipe",
  "Percent",
  "Del",
  "Ctl",
  "InvalidUtf8",
  "Dot"
)

/**
 * rclone's `Raw` encoding: names are sent exactly as they are.
 *
 * @since 0.1.0
 * @category constants
 */
export const raw: Encoding = make("Raw")

// Aliases in rclone's registration order (the first one for a value names it).
const aliasOrder: ReadonlyArray<EncodingFlag> = [
  "Raw",
  "None",
  "Slash",
  "LtGt",
  "SquareBracket",
  "Semicolon",
  "Exclamation",
  "DoubleQuote",
  "SingleQuote",
  "BackQuote",
  "Dollar",
  "Colon",
  "Question",
  "Asterisk",
  "Pipe",
  "Hash",
  "Percent",
  "BackSlash",
  "CrLf",
  "Del",
  "Ctl",
  "LeftSpace",
  "LeftPeriod",
  "LeftTilde",
  "LeftCrLfHtVt",
  "RightSpace",
  "RightPeriod",
  "RightCrLfHtVt",
  "InvalidUtf8",
  "Dot"
]

const parseNumber = (part: string): number | undefined => {
  let m: RegExpExecArray | null
  let n: number
  if ((m = /^0[xX]([0-9a-fA-F]+)$/.exec(part))) n = Number.parseInt(m[1]!, 16)
  else if ((m = /^0[oO]?([0-7]+)$/.exec(part))) n = Number.parseInt(m[1]!, 8)
  else if ((m = /^0[bB]([01]+)$/.exec(part))) n = Number.parseInt(m[1]!, 2)
  else if (/^(0|[1-9][0-9]*)$/.test(part)) n = Number.parseInt(part, 10)
  else return undefined
  return n <= 0xffffffff ? n : undefined
}

/**
 * Parses rclone's comma-separated form of an encoding (as `MultiEncoder.Set` does): flag
 * names (case-sensitive, surrounding spaces ignored) or numbers (`0x…`, `0o…`, `0b…`,
 * decimal), or'ed together. `"None"` is 0. Fails on an empty or unknown part.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseEncoding = (text: string): Either.Either<Encoding, string> => {
  let out = 0
  for (const raw of text.split(",")) {
    const part = raw.trim()
    if (Object.hasOwn(internal.Flags, part)) {
      out |= internal.Flags[part as EncodingFlag]
      continue
    }
    const n = parseNumber(part)
    if (n === undefined) {
      return Either.left(`bad encoding "${part}": possible values are: ${[...aliasOrder].sort().join(", ")}`)
    }
    out = (out | n) >>> 0
  }
  return Either.right(unsafeEncoding(out))
}

/**
 * Formats an encoding like rclone's `MultiEncoder.String`: the alias when there is one
 * (`"None"`, `"Raw"`, `"Dot"`), otherwise the flag names from the lowest bit up, unknown bits
 * as `0x…`.
 *
 * @since 0.1.0
 * @category formatting
 */
export const formatEncoding = (encoding: Encoding): string => {
  for (const name of aliasOrder) if (internal.Flags[name] === encoding) return name
  const out: Array<string> = []
  for (let bit = 0; bit < 32; bit++) {
    const value = 2 ** bit
    if (Math.floor(encoding / value) % 2 === 1) {
      const name = aliasOrder.find((n) => internal.Flags[n] === value)
      out.push(name ?? `0x${value.toString(16).toUpperCase()}`)
    }
  }
  return out.join(",")
}

/**
 * An encoding in rclone's text form, e.g. `"Slash,LtGt,Dot"` or `"None"`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const EncodingFromString: Schema.Schema<Encoding, string> = Schema.transformOrFail(Schema.String, Encoding, {
  strict: true,
  decode: (s, _, ast) =>
    Either.match(parseEncoding(s), {
      onLeft: (message) => ParseResult.fail(new ParseResult.Type(ast, s, message)),
      onRight: ParseResult.succeed
    }),
  encode: (e) => ParseResult.succeed(formatEncoding(unsafeEncoding(e)))
})

const toBytes = (x: string | Uint8Array): Uint8Array => (typeof x === "string" ? utf8.fromString(x) : x)

/**
 * Encodes a raw name into its wire form as UTF-8 bytes, exactly as rclone does. Without the
 * `InvalidUtf8` flag, invalid input bytes are copied and the result may be invalid UTF-8.
 *
 * @since 0.1.0
 * @category encoding
 */
export const encodeBytes = (rawName: string | Uint8Array, encoding: Encoding = defaultEncoding): Uint8Array =>
  internal.encode(encoding, toBytes(rawName))

/**
 * Encodes a raw name into its wire name, or `None` when the wire name would not be valid
 * UTF-8 (invalid input bytes and an encoding without `InvalidUtf8`).
 *
 * @since 0.1.0
 * @category encoding
 */
export const encodeOption = (
  rawName: string | Uint8Array,
  encoding: Encoding = defaultEncoding
): Option.Option<string> => Option.fromNullable(utf8.toString(encodeBytes(rawName, encoding)))

/**
 * Encodes a raw name into its wire name, exactly as rclone does. Invalid wire bytes (only
 * possible without `InvalidUtf8`) become U+FFFD; use {@link encodeOption} to detect that.
 *
 * @since 0.1.0
 * @category encoding
 */
export const encode = (rawName: string | Uint8Array, encoding: Encoding = defaultEncoding): string => {
  if (typeof rawName === "string" && encoding === defaultEncoding && isPlainDefault(rawName)) return rawName
  return utf8.toStringLossy(encodeBytes(rawName, encoding))
}

// Names that the default encoding leaves unchanged in both directions (fast path).
const isPlainChar = (c: number): boolean => {
  if (c < 0x20 || c === 0x7f) return false
  if (c < 0x80)
    return (
      c !== 0x22 &&
      c !== 0x25 &&
      c !== 0x2a &&
      c !== 0x2f &&
      c !== 0x3a &&
      c !== 0x3c &&
      c !== 0x3e &&
      c !== 0x3f &&
      c !== 0x7c
    )
  if (c < 0x2000) return true
  if (c === 0x201b || (c >= 0x2400 && c <= 0x2421) || (c >= 0xd800 && c <= 0xdfff) || c === 0xfffd) return false
  if (c >= 0xff02 && c <= 0xff5c) {
    return (
      c !== 0xff02 &&
      c !== 0xff05 &&
      c !== 0xff0a &&
      c !== 0xff0f &&
      c !== 0xff1a &&
      c !== 0xff1c &&
      c !== 0xff1e &&
      c !== 0xff1f &&
      c !== 0xff5c
    )
  }
  return true
}
const plainDefault = {
  test: (s: string): boolean => {
    for (let i = 0; i < s.length; i++) if (!isPlainChar(s.charCodeAt(i))) return false
    return true
  }
}
const isPlainDefault = (s: string): boolean =>
  s !== "." && s !== ".." && s !== "\uff0e" && s !== "\uff0e\uff0e" && plainDefault.test(s)

/**
 * Decodes a wire name into the raw name's bytes, exactly as rclone does (the result can be
 * invalid UTF-8: `‛XX` stands for any byte). The wire name may also be given as bytes.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decode = (wire: string | Uint8Array, encoding: Encoding = defaultEncoding): Uint8Array =>
  internal.decode(encoding, toBytes(wire))

/**
 * Decodes a wire name into the raw name as a string, or `None` when the raw bytes are not
 * valid UTF-8.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeToString = (wire: string, encoding: Encoding = defaultEncoding): Option.Option<string> => {
  if (encoding === defaultEncoding && wire !== "\u201b\uff0e" && wire !== "\u201b\uff0e\u201b\uff0e") {
    if (isPlainDefault(wire)) return Option.some(wire)
  }
  return Option.fromNullable(utf8.toString(decode(wire, encoding)))
}

/**
 * The length of a wire name in UTF-16 code units (the unit of the service's 255 limit).
 *
 * @since 0.1.0
 * @category utils
 */
export const utf16Length = (wire: string): number => wire.length

/**
 * The service's limit on a wire name, in UTF-16 code units.
 *
 * @since 0.1.0
 * @category constants
 */
export const maxNameLength = 255
