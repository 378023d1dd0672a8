/**
 * Time formats of the protocol (§6): the classic JFS format in XML, RFC 3339 with
 * milliseconds in liststream, lenient parsing of request headers and allocate bodies.
 */

const pad = (n: number, w = 2): string => String(n).padStart(w, "0")

/** Classic JFS time, UTC with `Z`, truncated to the second: `2018-07-05-T15:08:02Z`. */
export const classic = (ms: number): string => {
  const d = new Date(ms)
  return (
    `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}` +
    `-T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}Z`
  )
}

/** RFC 3339 with three fractional digits: `2021-11-30T10:21:05.123Z`. */
export const rfc3339Millis = (ms: number): string => new Date(ms).toISOString()

const goZero = (() => {
  const d = new Date(0)
  d.setUTCFullYear(1, 0, 1)
  d.setUTCHours(0, 0, 0, 0)
  return d.getTime()
})()

/** True for the Go zero time (rclone sends it to mean "no value"). */
export const isGoZero = (ms: number): boolean => ms === goZero

const TIME_RE =
  /^(-?\d{4,})-(\d{2})-(\d{2})-?[Tt ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/

/**
 * Lenient parser for request times: classic (`2006-01-02-T15:04:05Z0700`) or RFC 3339, offset `Z`,
 * `±hhmm`, `±hh:mm` or `±hh`, with or without the dash before `T`, optional fraction (kept to the
 * millisecond). Integer epoch milliseconds are accepted too. Returns undefined when unparseable.
 */
export const parseLenient = (input: string | number | undefined | null): number | undefined => {
  if (input === undefined || input === null) return undefined
  if (typeof input === "number") return Number.isFinite(input) ? Math.trunc(input) : undefined
  const s = input.trim()
  if (s === "") return undefined
  if (/^-?\d+$/.test(s)) {
    const n = Number(s)
    return Number.isSafeInteger(n) ? n : undefined
  }
  const m = TIME_RE.exec(s)
  if (m === null) return undefined
  const [, y, mo, d, h, mi, se, frac, off] = m
  const d0 = new Date(0)
  d0.setUTCFullYear(Number(y), Number(mo) - 1, Number(d))
  d0.setUTCHours(Number(h), Number(mi), Number(se), frac === undefined ? 0 : Number(frac.slice(0, 3).padEnd(3, "0")))
  let ms = d0.getTime()
  if (Number.isNaN(ms)) return undefined
  if (off !== undefined && off !== "Z" && off !== "z") {
    const sign = off.startsWith("-") ? -1 : 1
    const digits = off.slice(1).replace(":", "")
    const oh = Number(digits.slice(0, 2))
    const om = digits.length > 2 ? Number(digits.slice(2, 4)) : 0
    ms -= sign * (oh * 60 + om) * 60_000
  }
  return ms
}

/** Parses a request time and maps the Go zero time to undefined ("keep the current value"). */
export const parseRequestTime = (input: string | number | undefined | null): number | undefined => {
  const ms = parseLenient(input)
  return ms === undefined || isGoZero(ms) ? undefined : ms
}
