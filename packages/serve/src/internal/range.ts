/**
 * `Range: bytes=…` (RFC 9110 §14): one range, `a-b`, `a-` or `-n`. Several ranges are
 * answered with the whole content (allowed: a server may ignore Range); a range that starts
 * beyond the end is unsatisfiable (416).
 */
export type Range =
  | { readonly _tag: "Whole" }
  | { readonly _tag: "Part"; readonly start: number; readonly end: number }
  | { readonly _tag: "Unsatisfiable" }

/** `end` is exclusive. */
export const parse = (header: string | undefined, size: number): Range => {
  if (header === undefined) return { _tag: "Whole" }
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header)
  if (m === null) return { _tag: "Whole" }
  const [, a = "", b = ""] = m
  if (a === "" && b === "") return { _tag: "Whole" }
  if (a === "") {
    const n = Number(b)
    if (n === 0) return { _tag: "Unsatisfiable" }
    return size === 0 ? { _tag: "Unsatisfiable" } : { _tag: "Part", start: Math.max(0, size - n), end: size }
  }
  const start = Number(a)
  if (start >= size) return { _tag: "Unsatisfiable" }
  const last = b === "" ? size - 1 : Math.min(Number(b), size - 1)
  if (last < start) return { _tag: "Whole" }
  return { _tag: "Part", start, end: last + 1 }
}
