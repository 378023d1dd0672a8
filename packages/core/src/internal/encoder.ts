/**
 * A byte-exact re-implementation of rclone's `lib/encoder` MultiEncoder (Encode and Decode),
 * working on UTF-8 bytes like Go strings.
 *
 * @internal
 */
import { ByteWriter, decodeLastRune, decodeRune, RuneError, runeSize } from "./utf8.js"

/** rclone's flag bits (MultiEncoder values). */
export const Flags = {
  None: 0,
  Raw: 1 << 0,
  Slash: 1 << 1,
  LtGt: 1 << 2,
  DoubleQuote: 1 << 3,
  SingleQuote: 1 << 4,
  BackQuote: 1 << 5,
  Dollar: 1 << 6,
  Colon: 1 << 7,
  Question: 1 << 8,
  Asterisk: 1 << 9,
  Pipe: 1 << 10,
  Hash: 1 << 11,
  Percent: 1 << 12,
  BackSlash: 1 << 13,
  CrLf: 1 << 14,
  Del: 1 << 15,
  Ctl: 1 << 16,
  LeftSpace: 1 << 17,
  LeftPeriod: 1 << 18,
  LeftTilde: 1 << 19,
  LeftCrLfHtVt: 1 << 20,
  RightSpace: 1 << 21,
  RightPeriod: 1 << 22,
  RightCrLfHtVt: 1 << 23,
  InvalidUtf8: 1 << 24,
  Dot: 1 << 25,
  SquareBracket: 1 << 26,
  Semicolon: 1 << 27,
  Exclamation: 1 << 28
} as const

const FULL = 0xfee0
const SYMBOL = 0x2400
const QUOTE = 0x201b
const SYMBOL_SPACE = 0x2420
const FULL_STOP = 0xff0e
const FULL_TILDE = 0xff5e
const QUOTE_ONLY = -1

const has = (mask: number, flag: number): boolean => (mask & flag) !== 0

/** Per-mask tables: raw rune -> replacement (or QUOTE_ONLY), wire rune -> raw rune. */
interface Tables {
  readonly enc: Map<number, number>
  readonly dec: Map<number, number>
}

const cache = new Map<number, Tables>()

const fullwidthFlags: ReadonlyArray<readonly [number, string]> = [
  [Flags.Asterisk, "*"],
  [Flags.LtGt, "<>"],
  [Flags.SquareBracket, "[]"],
  [Flags.Semicolon, ";"],
  [Flags.Exclamation, "!"],
  [Flags.Question, "?"],
  [Flags.Colon, ":"],
  [Flags.Pipe, "|"],
  [Flags.DoubleQuote, '"'],
  [Flags.SingleQuote, "'"],
  [Flags.BackQuote, "`"],
  [Flags.Dollar, "$"],
  [Flags.Slash, "/"],
  [Flags.BackSlash, "\\"],
  [Flags.Hash, "#"],
  [Flags.Percent, "%"]
]

export const tables = (mask: number): Tables => {
  let t = cache.get(mask)
  if (t !== undefined) return t
  const enc = new Map<number, number>()
  const dec = new Map<number, number>()
  const add = (raw: number, wire: number) => {
    if (!enc.has(raw)) enc.set(raw, wire)
    if (!enc.has(wire)) enc.set(wire, QUOTE_ONLY)
    if (!dec.has(wire)) dec.set(wire, raw)
  }
  for (const [flag, chars] of fullwidthFlags) {
    if (!has(mask, flag)) continue
    for (const ch of chars) add(ch.charCodeAt(0), ch.charCodeAt(0) + FULL)
  }
  if (has(mask, Flags.CrLf)) {
    add(0x0d, 0x0d + SYMBOL)
    add(0x0a, 0x0a + SYMBOL)
  }
  if (has(mask, Flags.Del)) add(0x7f, 0x2421)
  if (has(mask, Flags.Ctl)) {
    for (let c = 1; c <= 0x1f; c++) add(c, c + SYMBOL)
  }
  t = { enc, dec }
  cache.set(mask, t)
  return t
}

const eqBytes = (b: Uint8Array, s: ReadonlyArray<number>): boolean => {
  if (b.length !== s.length) return false
  for (let i = 0; i < s.length; i++) if (b[i] !== s[i]) return false
  return true
}

// UTF-8 of ".", "..", "．", "．．", "‛．", "‛．‛．"
const DOT = [0x2e]
const DOTDOT = [0x2e, 0x2e]
const FDOT = [0xef, 0xbc, 0x8e]
const FDOTDOT = [...FDOT, ...FDOT]
const QFDOT = [0xe2, 0x80, 0x9b, ...FDOT]
const QFDOTQFDOT = [...QFDOT, ...QFDOT]

const isCrLfHtVt = (c: number) => c === 0x09 || c === 0x0a || c === 0x0b || c === 0x0d
const isSymCrLfHtVt = (r: number) => r >= SYMBOL && isCrLfHtVt(r - SYMBOL)

const isHex = (c: number) => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66)
const hexVal = (c: number) => (c <= 0x39 ? c - 0x30 : (c | 0x20) - 0x61 + 10)
const HEX = "0123456789ABCDEF"

/**
 * One-character edge rule on `input[s, e)` (the first character, or the last when `atEnd`): an
 * ASCII `ascii` there becomes `symbol`, a `symbol` there is quoted; the replacement goes to
 * `out`. Returns how many input bytes it consumed (0: no match).
 */
const swapEdge = (
  input: Uint8Array,
  s: number,
  e: number,
  atEnd: boolean,
  ascii: number,
  symbol: number,
  out: Array<number>
): number => {
  if (input[atEnd ? e - 1 : s] === ascii) {
    out.push(symbol)
    return 1
  }
  if ((atEnd ? decodeLastRune(input, s, e) : decodeRune(input, s, e)) === symbol) {
    out.push(QUOTE, symbol)
    return runeSize
  }
  return 0
}

/** rclone's MultiEncoder.Encode over UTF-8 bytes. */
export const encode = (mask: number, input: Uint8Array): Uint8Array => {
  if (mask === Flags.Raw || input.length === 0) return input
  if (has(mask, Flags.Dot)) {
    if (eqBytes(input, DOT)) return Uint8Array.from(FDOT)
    if (eqBytes(input, DOTDOT)) return Uint8Array.from(FDOTDOT)
    if (eqBytes(input, FDOT)) return Uint8Array.from(QFDOT)
    if (eqBytes(input, FDOTDOT)) return Uint8Array.from(QFDOTQFDOT)
  }
  const out = new ByteWriter(input.length + 16)
  let s = 0
  let e = input.length
  // prefix-only replacements
  const prefix: Array<number> = []
  if (has(mask, Flags.LeftSpace)) s += swapEdge(input, s, e, false, 0x20, SYMBOL_SPACE, prefix)
  if (has(mask, Flags.LeftPeriod) && prefix.length === 0) s += swapEdge(input, s, e, false, 0x2e, FULL_STOP, prefix)
  if (has(mask, Flags.LeftTilde) && prefix.length === 0) s += swapEdge(input, s, e, false, 0x7e, FULL_TILDE, prefix)
  if (has(mask, Flags.LeftCrLfHtVt) && prefix.length === 0) {
    const c = input[s]!
    if (isCrLfHtVt(c)) {
      prefix.push(SYMBOL + c)
      s++
    } else {
      const r = decodeRune(input, s, e)
      if (isSymCrLfHtVt(r)) {
        prefix.push(QUOTE, r)
        s += runeSize
      }
    }
  }
  // suffix-only replacements
  const suffix: Array<number> = []
  if (s < e) {
    if (has(mask, Flags.RightSpace)) e -= swapEdge(input, s, e, true, 0x20, SYMBOL_SPACE, suffix)
    if (has(mask, Flags.RightPeriod) && suffix.length === 0) e -= swapEdge(input, s, e, true, 0x2e, FULL_STOP, suffix)
    if (has(mask, Flags.RightCrLfHtVt) && suffix.length === 0) {
      const c = input[e - 1]!
      if (isCrLfHtVt(c)) {
        suffix.push(SYMBOL + c)
        e--
      } else {
        const r = decodeLastRune(input, s, e)
        if (isSymCrLfHtVt(r)) {
          suffix.push(QUOTE, r)
          e -= runeSize
        }
      }
    }
  }
  for (const r of prefix) out.rune(r)
  const { enc } = tables(mask)
  const invalidUtf8 = has(mask, Flags.InvalidUtf8)
  for (let i = s; i < e; ) {
    const r = decodeRune(input, i, e)
    const l = runeSize
    if (r === 0) {
      out.rune(SYMBOL)
    } else if (r === SYMBOL || r === QUOTE) {
      out.rune(QUOTE)
      out.rune(r)
    } else if (r === RuneError && l === 1) {
      // an invalid byte (a real U+FFFD has width 3 and is kept)
      if (invalidUtf8) {
        const b = input[i]!
        out.rune(QUOTE)
        out.byte(HEX.charCodeAt(b >> 4))
        out.byte(HEX.charCodeAt(b & 15))
      } else {
        out.byte(input[i]!)
      }
    } else {
      const m = enc.get(r)
      if (m === undefined) {
        out.bytes(input, i, i + l)
      } else if (m === QUOTE_ONLY) {
        out.rune(QUOTE)
        out.rune(r)
      } else {
        out.rune(m)
      }
    }
    i += l
  }
  for (const r of suffix) out.rune(r)
  return out.result()
}

/** rclone's MultiEncoder.Decode over UTF-8 bytes. */
export const decode = (mask: number, input: Uint8Array): Uint8Array => {
  if (mask === Flags.Raw) return input
  if (has(mask, Flags.Dot)) {
    if (eqBytes(input, FDOT)) return Uint8Array.from(DOT)
    if (eqBytes(input, FDOTDOT)) return Uint8Array.from(DOTDOT)
    if (eqBytes(input, QFDOT)) return Uint8Array.from(FDOT)
    if (eqBytes(input, QFDOTQFDOT)) return Uint8Array.from(FDOTDOT)
  }
  let s = 0
  let e = input.length
  const prefix: Array<number> = []
  {
    const r = decodeRune(input, s, e)
    const l1 = runeSize
    if (has(mask, Flags.LeftSpace) && r === SYMBOL_SPACE) {
      prefix.push(0x20)
      s += l1
    } else if (has(mask, Flags.LeftPeriod) && r === FULL_STOP) {
      prefix.push(0x2e)
      s += l1
    } else if (has(mask, Flags.LeftTilde) && r === FULL_TILDE) {
      prefix.push(0x7e)
      s += l1
    } else if (has(mask, Flags.LeftCrLfHtVt) && isSymCrLfHtVt(r)) {
      prefix.push(r - SYMBOL)
      s += l1
    } else if (r === QUOTE) {
      const r2 = decodeRune(input, s + l1, e)
      const l2 = runeSize
      if (
        (has(mask, Flags.LeftSpace) && r2 === SYMBOL_SPACE) ||
        (has(mask, Flags.LeftPeriod) && r2 === FULL_STOP) ||
        (has(mask, Flags.LeftTilde) && r2 === FULL_TILDE) ||
        (has(mask, Flags.LeftCrLfHtVt) && isSymCrLfHtVt(r2))
      ) {
        prefix.push(r2)
        s += l1 + l2
      }
    }
  }
  const suffix: Array<number> = []
  {
    const r = decodeLastRune(input, s, e)
    const l = runeSize
    const quoted = (literal: number, plain: number) => {
      e -= l
      const q = decodeLastRune(input, s, e)
      if (q === QUOTE) {
        suffix.push(literal)
        e -= runeSize
      } else {
        suffix.push(plain)
      }
    }
    if (has(mask, Flags.RightSpace) && r === SYMBOL_SPACE) quoted(SYMBOL_SPACE, 0x20)
    else if (has(mask, Flags.RightPeriod) && r === FULL_STOP) quoted(FULL_STOP, 0x2e)
    else if (has(mask, Flags.RightCrLfHtVt) && isSymCrLfHtVt(r)) quoted(r, r - SYMBOL)
  }
  const out = new ByteWriter(input.length)
  for (const r of prefix) out.rune(r)
  const { dec } = tables(mask)
  const invalidUtf8 = has(mask, Flags.InvalidUtf8)
  let unquote = false
  let unquoteNext = false
  let skipNext = false
  for (let i = s; i < e; ) {
    const r = decodeRune(input, i, e)
    const l = runeSize
    const at = i
    i += l
    if (skipNext) {
      skipNext = false
      continue
    }
    unquote = unquoteNext
    unquoteNext = false
    if (r === SYMBOL) {
      out.rune(unquote ? r : 0)
      continue
    }
    if (r === QUOTE) {
      if (unquote) out.rune(r)
      else unquoteNext = true
      continue
    }
    const m = dec.get(r)
    if (m !== undefined) {
      out.rune(unquote ? r : m)
      continue
    }
    if (unquote) {
      if (invalidUtf8 && e - at >= 2 && isHex(input[at]!) && isHex(input[at + 1]!)) {
        out.byte(hexVal(input[at]!) * 16 + hexVal(input[at + 1]!))
        skipNext = true
        continue
      }
      out.rune(QUOTE)
    }
    out.bytes(input, at, at + l)
  }
  if (unquoteNext) out.rune(QUOTE)
  for (const r of suffix) out.rune(r)
  return out.result()
}
