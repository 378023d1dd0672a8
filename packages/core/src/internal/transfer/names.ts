/**
 * Engine names: rclone's local backend stores a name that is `.` or `..`, or that contains
 * `/`, with the full-width look-alikes U+FF0E and U+FF0F (its `Dot` and `Slash` encodings),
 * so such names from the cloud can never address a parent or another folder locally. The
 * engine carries every name in that form; the cloud side maps it back to the raw name.
 *
 * @internal
 */

const FULL_DOT = "\uFF0E"
const FULL_SLASH = "\uFF0F"

/** A raw name (as stored in the cloud) in engine form. @internal */
export const fromRaw = (raw: string): string => {
  if (raw === ".") return FULL_DOT
  if (raw === "..") return FULL_DOT + FULL_DOT
  return raw.includes("/") ? raw.replaceAll("/", FULL_SLASH) : raw
}

/** The raw name of an engine name. @internal */
export const toRaw = (name: string): string => {
  if (name === FULL_DOT) return "."
  if (name === FULL_DOT + FULL_DOT) return ".."
  return name.includes(FULL_SLASH) ? name.replaceAll(FULL_SLASH, "/") : name
}

/** The names of an engine path ("" has none). @internal */
export const split = (path: string): ReadonlyArray<string> => (path === "" ? [] : path.split("/"))

/** `parent/name` ("" is the root). @internal */
export const join = (parent: string, name: string): string => (parent === "" ? name : `${parent}/${name}`)

/** The parent of an engine path ("" for a top-level entry). @internal */
export const parent = (path: string): string => {
  const i = path.lastIndexOf("/")
  return i < 0 ? "" : path.slice(0, i)
}

/** The last name of an engine path. @internal */
export const basename = (path: string): string => path.slice(path.lastIndexOf("/") + 1)

/** Why a single engine name cannot be used as a local name, or `undefined`. @internal */
export const unsafeName = (name: string): string | undefined => {
  if (name === "") return "empty name"
  if (name === "." || name === "..") return `the name ${name} would leave the folder`
  if (name.includes("/") || name.includes("\0")) return "the name contains a separator"
  return undefined
}
