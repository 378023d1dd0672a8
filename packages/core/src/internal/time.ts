/**
 * Fast, allocation-light parsing and formatting of the JFS time formats.
 *
 * @internal
 */

const daysFromCivil = (y: number, m: number, d: number): number => {
  y -= m <= 2 ? 1 : 0
  const era = Math.floor(y / 400)
  const yoe = y - era * 400
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy
  return era * 146097 + doe - 719468
}

const daysInMonth = (y: number, m: number): number =>
  m === 2
    ? y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0)
      ? 29
      : 28
    : m === 4 || m === 6 || m === 9 || m === 11
      ? 30
      : 31

const classicRe = /^(\d{4})-(\d{2})-(\d{2})-?T(\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?(Z|[+-]\d{2}:?\d{2})$/
const rfc3339Re = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})$/

const fromMatch = (m: RegExpExecArray): number | undefined => {
  const y = +m[1]!
  const mo = +m[2]!
  const d = +m[3]!
  const h = +m[4]!
  const mi = +m[5]!
  const s = +m[6]!
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 59) return undefined
  const frac = m[7]
  const ms = frac === undefined ? 0 : Math.floor(+`${frac.slice(0, 3).padEnd(3, "0")}`)
  const zone = m[8]!
  let offset = 0
  if (zone !== "Z" && zone !== "z") {
    const sign = zone[0] === "-" ? -1 : 1
    const oh = +zone.slice(1, 3)
    const om = +zone.slice(zone.length - 2)
    if (oh > 23 || om > 59) return undefined
    offset = sign * (oh * 60 + om) * 60_000
  }
  return daysFromCivil(y, mo, d) * 86_400_000 + ((h * 60 + mi) * 60 + s) * 1000 + ms - offset
}

/** Epoch millis of a classic JFS time (`2018-07-05-T15:08:02Z`), or undefined. */
export const parseClassic = (s: string): number | undefined => {
  const m = classicRe.exec(s)
  return m === null ? undefined : fromMatch(m)
}

const digit = (s: string, i: number): number => {
  const c = s.charCodeAt(i) - 48
  return c >= 0 && c <= 9 ? c : -1000000
}
const d2 = (s: string, i: number): number => digit(s, i) * 10 + digit(s, i + 1)

/**
 * Fast path for `YYYY-MM-DDTHH:MM:SS[.fff…](Z|±HH:MM)` without allocations; undefined when
 * the string does not have exactly this shape (the caller then tries the regex).
 */
const fastRfc3339 = (s: string): number | undefined => {
  const n = s.length
  if (
    n < 20 ||
    s.charCodeAt(4) !== 45 ||
    s.charCodeAt(7) !== 45 ||
    s.charCodeAt(13) !== 58 ||
    s.charCodeAt(16) !== 58
  ) {
    return undefined
  }
  const t = s.charCodeAt(10)
  if (t !== 84 && t !== 116) return undefined
  const y = d2(s, 0) * 100 + d2(s, 2)
  const mo = d2(s, 5)
  const d = d2(s, 8)
  const h = d2(s, 11)
  const mi = d2(s, 14)
  const sec = d2(s, 17)
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h < 0 || h > 23 || mi < 0 || mi > 59) {
    return undefined
  }
  if (sec < 0 || sec > 59) return undefined
  let i = 19
  let ms = 0
  if (s.charCodeAt(i) === 46) {
    i++
    let scale = 100
    const start = i
    while (i < n) {
      const c = digit(s, i)
      if (c < 0) break
      ms += c * scale
      scale /= 10
      i++
    }
    if (i === start) return undefined
    ms = Math.floor(ms)
  }
  let offset = 0
  const z = s.charCodeAt(i)
  if (z === 90 || z === 122) {
    if (i + 1 !== n) return undefined
  } else if (z === 43 || z === 45) {
    if (i + 6 !== n || s.charCodeAt(i + 3) !== 58) return undefined
    const oh = d2(s, i + 1)
    const om = d2(s, i + 4)
    if (oh < 0 || oh > 23 || om < 0 || om > 59) return undefined
    offset = (z === 45 ? -1 : 1) * (oh * 60 + om) * 60_000
  } else {
    return undefined
  }
  return daysFromCivil(y, mo, d) * 86_400_000 + ((h * 60 + mi) * 60 + sec) * 1000 + ms - offset
}

/** Epoch millis of an RFC 3339 time (fraction optional), or undefined. */
export const parseRfc3339 = (s: string): number | undefined => {
  const fast = fastRfc3339(s)
  if (fast !== undefined) return fast
  const m = rfc3339Re.exec(s)
  return m === null ? undefined : fromMatch(m)
}

const p2 = (n: number) => (n < 10 ? `0${n}` : `${n}`)

const parts = (millis: number) => {
  const days = Math.floor(millis / 86_400_000)
  let rest = millis - days * 86_400_000
  // civil from days (Howard Hinnant)
  const z = days + 719468
  const era = Math.floor(z / 146097)
  const doe = z - era * 146097
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365)
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100))
  const mp = Math.floor((5 * doy + 2) / 153)
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1
  const m = mp < 10 ? mp + 3 : mp - 9
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0)
  const ms = rest % 1000
  rest = (rest - ms) / 1000
  const sec = rest % 60
  rest = (rest - sec) / 60
  const min = rest % 60
  const hour = (rest - min) / 60
  const year = y < 0 ? `-${String(-y).padStart(4, "0")}` : String(y).padStart(4, "0")
  return { date: `${year}-${p2(m)}-${p2(d)}`, time: `${p2(hour)}:${p2(min)}:${p2(sec)}`, ms }
}

/** `2018-07-05-T15:08:02Z` (UTC, truncated to the second). */
export const formatClassic = (millis: number): string => {
  const { date, time } = parts(millis)
  return `${date}-T${time}Z`
}

/** `2018-07-05T15:08:02Z` (UTC, truncated to the second). */
export const formatRfc3339 = (millis: number): string => {
  const { date, time } = parts(millis)
  return `${date}T${time}Z`
}

/** `2018-07-05T15:08:02.123Z` (UTC, milliseconds). */
export const formatRfc3339Millis = (millis: number): string => {
  const { date, time, ms } = parts(millis)
  return `${date}T${time}.${String(ms).padStart(3, "0")}Z`
}
