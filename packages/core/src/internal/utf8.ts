/**
 * UTF-8 helpers that follow Go's `unicode/utf8` rules (one byte per invalid unit), used by the
 * name encoder, plus conversions between JS strings and UTF-8 bytes.
 *
 * @internal
 */

/** Go's utf8.RuneError. */
export const RuneError = 0xfffd

/** Width of the rune decoded by the last `decodeRune` / `decodeLastRune` call. */
export let runeSize = 0

/**
 * Decodes the rune at `i` (bytes before `end`) like Go's utf8.DecodeRune: an invalid or
 * truncated sequence gives RuneError with width 1; an empty input gives RuneError, width 0.
 */
export const decodeRune = (b: Uint8Array, i: number, end: number): number => {
  if (i >= end) {
    runeSize = 0
    return RuneError
  }
  const b0 = b[i]!
  if (b0 < 0x80) {
    runeSize = 1
    return b0
  }
  runeSize = 1
  if (b0 < 0xc2 || b0 > 0xf4) return RuneError
  if (b0 < 0xe0) {
    if (i + 1 >= end) return RuneError
    const b1 = b[i + 1]!
    if (b1 < 0x80 || b1 > 0xbf) return RuneError
    runeSize = 2
    return ((b0 & 0x1f) << 6) | (b1 & 0x3f)
  }
  let lo = 0x80
  let hi = 0xbf
  if (b0 === 0xe0) lo = 0xa0
  else if (b0 === 0xed) hi = 0x9f
  else if (b0 === 0xf0) lo = 0x90
  else if (b0 === 0xf4) hi = 0x8f
  if (i + 1 >= end) return RuneError
  const b1 = b[i + 1]!
  if (b1 < lo || b1 > hi) return RuneError
  if (i + 2 >= end) return RuneError
  const b2 = b[i + 2]!
  if (b2 < 0x80 || b2 > 0xbf) return RuneError
  if (b0 < 0xf0) {
    runeSize = 3
    return ((b0 & 0x0f) << 12) | ((b1 & 0x3f) << 6) | (b2 & 0x3f)
  }
  if (i + 3 >= end) return RuneError
  const b3 = b[i + 3]!
  if (b3 < 0x80 || b3 > 0xbf) return RuneError
  runeSize = 4
  return ((b0 & 0x07) << 18) | ((b1 & 0x3f) << 12) | ((b2 & 0x3f) << 6) | (b3 & 0x3f)
}

/** Go's utf8.DecodeLastRune over `b[start:end]`. */
export const decodeLastRune = (b: Uint8Array, start: number, end: number): number => {
  if (end <= start) {
    runeSize = 0
    return RuneError
  }
  let s = end - 1
  const last = b[s]!
  if (last < 0x80) {
    runeSize = 1
    return last
  }
  const lim = Math.max(start, end - 4)
  for (s--; s >= lim; s--) {
    if ((b[s]! & 0xc0) !== 0x80) break
  }
  if (s < start) s = start
  const r = decodeRune(b, s, end)
  if (s + runeSize !== end) {
    runeSize = 1
    return RuneError
  }
  return r
}

/** A growable byte buffer. */
export class ByteWriter {
  buf: Uint8Array
  len = 0
  constructor(capacity: number) {
    this.buf = new Uint8Array(Math.max(16, capacity))
  }
  private grow(n: number): void {
    if (this.len + n <= this.buf.length) return
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + n))
    next.set(this.buf.subarray(0, this.len))
    this.buf = next
  }
  byte(x: number): void {
    this.grow(1)
    this.buf[this.len++] = x
  }
  bytes(src: Uint8Array, from: number, to: number): void {
    this.grow(to - from)
    this.buf.set(src.subarray(from, to), this.len)
    this.len += to - from
  }
  rune(r: number): void {
    this.grow(4)
    const b = this.buf
    if (r < 0x80) {
      b[this.len++] = r
    } else if (r < 0x800) {
      b[this.len++] = 0xc0 | (r >> 6)
      b[this.len++] = 0x80 | (r & 0x3f)
    } else if (r < 0x10000) {
      b[this.len++] = 0xe0 | (r >> 12)
      b[this.len++] = 0x80 | ((r >> 6) & 0x3f)
      b[this.len++] = 0x80 | (r & 0x3f)
    } else {
      b[this.len++] = 0xf0 | (r >> 18)
      b[this.len++] = 0x80 | ((r >> 12) & 0x3f)
      b[this.len++] = 0x80 | ((r >> 6) & 0x3f)
      b[this.len++] = 0x80 | (r & 0x3f)
    }
  }
  result(): Uint8Array {
    return this.buf.slice(0, this.len)
  }
}

/** UTF-8 bytes of a string; lone surrogates become U+FFFD (like TextEncoder). */
export const fromString = (s: string): Uint8Array => {
  const w = new ByteWriter(s.length * 3)
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i)
    if (c >= 0xd800 && c <= 0xdfff) {
      const d = i + 1 < s.length ? s.charCodeAt(i + 1) : 0
      if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00)
        i++
      } else {
        c = RuneError
      }
    }
    w.rune(c)
  }
  return w.result()
}

/** True when the string has a lone surrogate (it is not valid Unicode). */
export const hasLoneSurrogate = (s: string): boolean => /\p{Surrogate}/u.test(s)

/** The string of valid UTF-8 bytes, or undefined when they are not valid UTF-8 (Go's rules). */
export const toString = (b: Uint8Array): string | undefined => {
  const parts: Array<string> = []
  let units: Array<number> = []
  for (let i = 0; i < b.length; ) {
    const r = decodeRune(b, i, b.length)
    if (r === RuneError && runeSize === 1) return undefined
    if (r >= 0x10000) {
      units.push(0xd800 + ((r - 0x10000) >> 10), 0xdc00 + ((r - 0x10000) & 0x3ff))
    } else {
      units.push(r)
    }
    i += runeSize
    if (units.length >= 4096) {
      parts.push(String.fromCharCode(...units))
      units = []
    }
  }
  parts.push(String.fromCharCode(...units))
  return parts.join("")
}

/** The string of UTF-8 bytes with each invalid unit replaced by U+FFFD (Go's rules). */
export const toStringLossy = (b: Uint8Array): string => {
  let out = ""
  for (let i = 0; i < b.length; ) {
    const r = decodeRune(b, i, b.length)
    out += String.fromCodePoint(r)
    i += runeSize
  }
  return out
}
