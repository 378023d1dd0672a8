/**
 * Command-line paths, written like rclone's: `name:Some/Folder` is a path on the remote
 * `name` (relative to its device and mountpoint, `name:` alone is its root; `jotta:` is the
 * remote of `fjord login`); anything else is a local path.
 *
 * @since 0.1.0
 */

/**
 * @since 0.1.0
 * @category models
 */
export type Location =
  | { readonly _tag: "Remote"; readonly remote: string; readonly path: string }
  | { readonly _tag: "Local"; readonly path: string }

/**
 * The remote of `fjord login` (the token file in the config directory).
 *
 * @since 0.1.0
 * @category constants
 */
export const remoteName = "jotta"

/**
 * Normalises a remote path: no leading, trailing or doubled slashes, no `.` segments.
 *
 * @since 0.1.0
 * @category constructors
 */
export const normalize = (path: string): string =>
  path
    .split("/")
    .filter((s) => s !== "" && s !== ".")
    .join("/")

/**
 * Parses a command-line path.
 *
 * @since 0.1.0
 * @category constructors
 */
export const parse = (arg: string): Location => {
  const m = remotePattern.exec(arg)
  return m === null || m[1] === undefined || m[2] === undefined
    ? { _tag: "Local", path: arg }
    : { _tag: "Remote", remote: m[1], path: normalize(m[2]) }
}

/**
 * rclone's remote names: letters, digits, `_ . - + @` and inner spaces, not starting with `-`
 * or a space; a `/` before the colon makes the argument a local path.
 */
const remotePattern = /^([\p{L}\p{N}_.+@][\p{L}\p{N}_.+@\- ]*):(.*)$/su

/**
 * The last segment of a path ("" for the root).
 *
 * @since 0.1.0
 * @category utils
 */
export const basename = (path: string): string => {
  const n = normalize(path)
  const i = n.lastIndexOf("/")
  return i < 0 ? n : n.slice(i + 1)
}

/**
 * Joins remote path segments.
 *
 * @since 0.1.0
 * @category utils
 */
export const join = (...parts: ReadonlyArray<string>): string => normalize(parts.join("/"))

/**
 * The parent of a remote path ("" for a top-level entry).
 *
 * @since 0.1.0
 * @category utils
 */
export const dirname = (path: string): string => {
  const n = normalize(path)
  const i = n.lastIndexOf("/")
  return i < 0 ? "" : n.slice(0, i)
}
