/**
 * Request URLs ⇄ paths below the served root. The URL path (after an optional mount prefix)
 * is split on `/`, each segment percent-decoded; empty segments are dropped and `.` or `..`
 * refused, so a request can never name anything above the root. Hrefs are written back with
 * each segment percent-encoded and a trailing `/` for folders.
 */

/** Normalises a mount prefix: `""` or `/a/b` (no trailing slash). */
export const normalizePrefix = (prefix: string | undefined): string => {
  const segments = (prefix ?? "").split("/").filter((s) => s !== "")
  return segments.length === 0 ? "" : `/${segments.join("/")}`
}

/** Normalises a remote root: names joined by `/`, no leading or trailing slash. */
export const normalizeRoot = (root: string | undefined): string =>
  (root ?? "")
    .split("/")
    .filter((s) => s !== "" && s !== ".")
    .join("/")

/**
 * The path below the root that a request target names, or `undefined` when it is outside the
 * prefix or malformed. Accepts an absolute URL (a `Destination` header) too.
 */
export const fromUrl = (prefix: string, target: string): string | undefined => {
  let path = target
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path)) {
    try {
      path = new URL(path).pathname
    } catch {
      return undefined
    }
  }
  // a fragment never belongs in a request target (RFC 9112 §3.2): refused, not cut off
  if (path.includes("#")) return undefined
  path = path.split("?")[0] ?? ""
  if (prefix !== "") {
    if (path !== prefix && !path.startsWith(`${prefix}/`)) return undefined
    path = path.slice(prefix.length)
  }
  const segments: Array<string> = []
  for (const raw of path.split("/")) {
    if (raw === "") continue
    let segment: string
    try {
      segment = decodeURIComponent(raw)
    } catch {
      return undefined
    }
    if (segment === "." || segment === ".." || segment.includes("/") || segment.includes("\0")) return undefined
    segments.push(segment)
  }
  return segments.join("/")
}

/** The URL path of `rel` (a folder's ends with `/`). */
export const href = (prefix: string, rel: string, folder: boolean): string => {
  const encoded = rel === "" ? "" : rel.split("/").map(encodeURIComponent).join("/")
  if (encoded === "") return `${prefix}/`
  return `${prefix}/${encoded}${folder ? "/" : ""}`
}

/** The remote path of `rel` below `root`. */
export const remote = (root: string, rel: string): string => (root === "" ? rel : rel === "" ? root : `${root}/${rel}`)

export const parent = (rel: string): string => (rel.includes("/") ? rel.slice(0, rel.lastIndexOf("/")) : "")

export const basename = (rel: string): string => rel.slice(rel.lastIndexOf("/") + 1)

/** Is `path` equal to `ancestor` or below it? */
export const isWithin = (path: string, ancestor: string): boolean =>
  ancestor === "" || path === ancestor || path.startsWith(`${ancestor}/`)
