/**
 * One engine for copy, sync, move, check and delete between any two sides (local ⇄ cloud, cloud →
 * cloud server-side, local → local), modelled on rclone's `fs/sync` and `fs/operations`.
 *
 * - A {@link Side} is one end: a listing as a `Stream`, read, write (verified), remove,
 *   mkdir, set modification time, what it can hash, whether names are case-insensitive.
 *   {@link cloudSide} is the cloud over `Files`; `@fjord/node/NodeTransfer` has the local one.
 * - {@link plan} / {@link decide} are the sync algorithm, pure: rclone's comparisons (size +
 *   modification time within 1 s by default, an equal-content file with another time only
 *   gets its time updated; `checksum`, `sizeOnly`, `ignoreExisting`, `update`).
 * - A `move` of a whole cloud folder to a destination that does not exist, with no filters,
 *   is one server-side folder move (`mvDir`), as rclone's `DirMove`.
 * - {@link run} performs a plan as it streams in and reports a `Stream` of {@link Event}s
 *   (planned, started, bytes, done, skipped, checked, failed, deleted, progress) that ends in a
 *   `Summary`; every event carries a {@link Progress} snapshot. The stream never fails: a
 *   failed file is an event, a fatal error ends the run with `summary.fatal`.
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import type * as Stream from "effect/Stream"
import type * as Files from "./Files.js"
import type * as Filter from "./Filter.js"
import * as CloudSide from "./internal/transfer/cloudSide.js"
import * as Names from "./internal/transfer/names.js"
import * as Plan from "./internal/transfer/plan.js"
import type * as Progress_ from "./internal/transfer/progress.js"
import * as Run from "./internal/transfer/run.js"
import * as Side_ from "./internal/transfer/side.js"

/**
 * A file below a side's root (engine path: `/`-joined names in local-safe form).
 *
 * @since 0.1.0
 * @category models
 */
export type FileEntry = Side_.FileEntry

/**
 * @since 0.1.0
 * @category models
 */
export type DirEntry = Side_.DirEntry

/**
 * A listed name that cannot be carried (a per-file error).
 *
 * @since 0.1.0
 * @category models
 */
export type InvalidEntry = Side_.InvalidEntry

/**
 * @since 0.1.0
 * @category models
 */
export type Listed = Side_.Listed

/**
 * How a listing is pruned while it is produced (filters).
 *
 * @since 0.1.0
 * @category models
 */
export type ListOptions = Side_.ListOptions

/**
 * The content of a file on its way to a destination.
 *
 * @since 0.1.0
 * @category models
 */
export type Content = Side_.Content

/**
 * What a side's server-side folder move did (`Side.moveDirWithin`).
 *
 * @since 0.1.0
 * @category models
 */
export type DirMoveResult = Side_.DirMoveResult

/**
 * One end of a transfer.
 *
 * @since 0.1.0
 * @category models
 */
export type Side = Side_.Side

/**
 * A side operation failed: `NotFound`, `Fatal` (stops the run) or `Failed` (this file).
 *
 * @since 0.1.0
 * @category errors
 */
export const SideError = Side_.SideError

/**
 * @since 0.1.0
 * @category errors
 */
export type SideError = Side_.SideError

/**
 * How files are compared (rclone's `--checksum`, `--size-only`, `--ignore-existing`,
 * `--update`, `--modify-window`).
 *
 * @since 0.1.0
 * @category models
 */
export type Comparison = Plan.Comparison

/**
 * What one source file needs.
 *
 * @since 0.1.0
 * @category models
 */
export type Decision = Plan.Decision

/**
 * One planned step.
 *
 * @since 0.1.0
 * @category models
 */
export type Action = Plan.Action

/**
 * @since 0.1.0
 * @category models
 */
export type PlanOptions = Plan.PlanOptions & { readonly caseInsensitive?: boolean | undefined }

/**
 * @since 0.1.0
 * @category models
 */
export type Mode = Run.Mode

/**
 * @since 0.1.0
 * @category models
 */
export interface Options extends Omit<Run.RunOptions, "filter"> {
  /** Filter rules applied while listing (see `Filter.make`). */
  readonly filter?: Filter.Filter | undefined
}

/**
 * Progress as data.
 *
 * @since 0.1.0
 * @category models
 */
export type Progress = Progress_.Progress

/**
 * @since 0.1.0
 * @category models
 */
export type InFlight = Progress_.InFlight

/**
 * @since 0.1.0
 * @category models
 */
export type Event = Run.Event

/**
 * @since 0.1.0
 * @category models
 */
export type Summary = Run.Summary

/**
 * @since 0.1.0
 * @category models
 */
export type Failure = Run.Failure

/**
 * What `src` needs when the destination holds `dst` (or nothing).
 *
 * @since 0.1.0
 * @category planning
 */
export const decide: (src: FileEntry, dst: FileEntry | undefined, comparison: Comparison) => Decision = Plan.decide

/**
 * The decision of a `CompareHash` once both MD5s are known.
 *
 * @since 0.1.0
 * @category planning
 */
export const afterHash = Plan.afterHash

/**
 * The whole plan of a source listing against a destination listing (pure).
 *
 * @since 0.1.0
 * @category planning
 */
export const plan: (source: Iterable<Listed>, destination: Iterable<Listed>, options: PlanOptions) => Array<Action> =
  Plan.plan

/**
 * Runs `options.mode` from the tree below `source`'s root to the tree below
 * `destination`'s root.
 *
 * @since 0.1.0
 * @category running
 */
export const run = (source: Side, destination: Side, options: Options): Stream.Stream<Event> =>
  Run.run(source, destination, toRun(options), { _tag: "Tree" })

/**
 * rclone's `delete`: deletes the files below `side`'s root that `options.filter` includes
 * (to the trash on the cloud unless hard delete is configured), keeps going past a failed
 * file, and with `rmdirs` removes the folders left empty too (the root stays). Reported as
 * {@link run} reports a sync's deletions; `dryRun` deletes nothing.
 *
 * @since 0.1.0
 * @category running
 */
export const deleteFiles = (side: Side, options: Omit<Options, "mode">): Stream.Stream<Event> =>
  Run.run(side, side, toRun({ ...options, mode: "delete" }), { _tag: "Tree" })

/**
 * Runs `options.mode` for one file: `sourcePath` on `source` to `destinationPath` on
 * `destination` (rclone's `copyto`, `moveto`, and `copy`/`check` of a single file).
 *
 * @since 0.1.0
 * @category running
 */
export const runFile = (
  source: Side,
  sourcePath: string,
  destination: Side,
  destinationPath: string,
  options: Options
): Stream.Stream<Event> =>
  Run.run(source, destination, toRun(options), { _tag: "File", source: sourcePath, destination: destinationPath })

const toRun = (options: Options): Run.RunOptions => {
  const { filter, ...rest } = options
  return filter === undefined ? rest : { ...rest, filter: filter.compiled }
}

/**
 * The cloud side rooted at `root` (raw names separated by `/`; "" is the configured root).
 *
 * @since 0.1.0
 * @category sides
 */
export const cloudSide: (root: string) => Effect.Effect<Side, never, Files.Files> = CloudSide.make

/**
 * A cloud name (raw) in engine form: `.`, `..` and names containing `/` become U+FF0E /
 * U+FF0F look-alikes, as rclone's local backend stores them.
 *
 * @since 0.1.0
 * @category names
 */
export const engineName: (raw: string) => string = Names.fromRaw

/**
 * The raw cloud name of an engine name.
 *
 * @since 0.1.0
 * @category names
 */
export const rawName: (name: string) => string = Names.toRaw
