/**
 * rclone's filters: `--include`, `--exclude`, `--filter`, `--include-from`,
 * `--exclude-from`, `--filter-from` with rclone's glob rules (`*`, `**`, `?`, `[…]`,
 * `{a,b}`, `{{regexp}}`, a leading `/` anchors at the root, otherwise a pattern matches whole
 * trailing path elements), `--min-size`, `--max-size`, `--min-age`, `--max-age` and
 * `--max-depth`, `--files-from` / `--files-from-raw` (only the listed paths; they override
 * every other filter, which rclone refuses alongside them) and `--exclude-if-present` (a
 * folder holding that file is left out). The engine applies a filter while listing: a folder
 * that no rule can match inside is not descended into (rclone's implied directory rules).
 *
 * Globs are translated to regular expressions exactly as rclone's `fs/filter/glob.go` does
 * (see the package README for why not a glob library).
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as Internal from "./internal/transfer/filter.js"

/**
 * The filter options, named after rclone's flags. The `*From` options take the lines of the
 * named files (comments `#`/`;` and blank lines are skipped). Ages are milliseconds.
 *
 * @since 0.1.0
 * @category models
 */
export type Options = Internal.FilterOptions

/**
 * A compiled filter.
 *
 * @since 0.1.0
 * @category models
 */
export interface Filter {
  readonly compiled: Internal.Compiled
}

/**
 * A rule that does not parse.
 *
 * @since 0.1.0
 * @category errors
 */
export class FilterError extends Schema.TaggedError<FilterError>("@fjord/core/FilterError")("FilterError", {
  description: Schema.String
}) {
  override get message(): string {
    return this.description
  }
}

/**
 * Compiles filter options.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options): Effect.Effect<Filter, FilterError> =>
  Effect.try({
    try: () => ({ compiled: Internal.compile(options) }),
    catch: (e) => new FilterError({ description: e instanceof Error ? e.message : String(e) })
  })

/**
 * Whether a file at `path` (engine path below the root) passes, at time `now` (epoch ms).
 *
 * @since 0.1.0
 * @category matching
 */
export const includeFile = (
  filter: Filter,
  path: string,
  size: number,
  modified: number | undefined,
  now: number
): boolean => Internal.includeFile(filter.compiled, path, size, modified, now)

/**
 * Whether the folder at `path` is looked into.
 *
 * @since 0.1.0
 * @category matching
 */
export const includeDir = (filter: Filter, path: string): boolean => Internal.includeDir(filter.compiled, path)

/**
 * rclone's glob → regular expression (path mode, anchored).
 *
 * @since 0.1.0
 * @category matching
 */
export const globToRegExp = (glob: string, ignoreCase = false): Effect.Effect<RegExp, FilterError> =>
  Effect.try({
    try: () => Internal.globToRegExp(glob, ignoreCase),
    catch: (e) => new FilterError({ description: e instanceof Error ? e.message : String(e) })
  })
