/**
 * Command-line paths, written like rclone's: `jotta:Some/Folder` is a path in the cloud
 * (relative to the configured device and mountpoint, `jotta:` alone is its root); anything
 * else is a local path.
 *
 * @since 0.1.0
 */

/**
 * @since 0.1.0
 * @category models
 */
export type Location =
  | { readonly _tag: "Remote"; readonly path: string }
  | { readonly _tag: "Local"; readonly path: string }

/**
 * The remote name the CLI understands.
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
export const parse = (arg: string): Location =>
  arg.startsWith(`${remoteName}:`)
    ? { _tag: "Remote", path: normalize(arg.slice(remoteName.length + 1)) }
    : { _tag: "Local", path: arg }

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
