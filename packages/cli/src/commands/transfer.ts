/**
 * The transfer commands on the engine (`@fjord/core/Transfer`): `copy`, `copyto`, `sync`,
 * `move`, `moveto`, `check`, and rclone's `delete` (`--rmdirs`), with rclone's flags for comparisons (`--checksum`,
 * `--size-only`, `--ignore-existing`, `--update`), filters (`--include`, `--exclude`,
 * `--filter`, `--*-from`, `--files-from`, `--files-from-raw`, `--exclude-if-present`,
 * `--min/max-size`, `--min/max-age`, `--max-depth`, `--ignore-case`), `--delete-excluded`, `--create-empty-src-dirs`,
 * `--delete-empty-src-dirs`, `--dry-run`, `--retries`, `--transfers`, and rclone's output
 * (formats in `internal/progress.ts`): `-P` redraws the stats block in place on a terminal
 * every 500 ms (log-update, on the engine's progress timer); without a terminal `-P`/`-v`
 * print it every `--stats` interval (`--stats-one-line`: one line); `-v` adds rclone's INFO
 * line per change, `-q` leaves only errors; every run ends with rclone's summary block; the
 * exit code is 1 when any file failed.
 *
 * Any two sides work: local → cloud, cloud → local, cloud → cloud (server-side), local →
 * local (no login needed). This module declares the commands; `internal/transfer.ts`, loaded
 * when one runs, does the work.
 *
 * @since 0.1.0
 */
import { Args, Command, Options } from "@effect/cli"
import * as Schema from "effect/Schema"
import { lazy } from "../internal/common.js"

const impl = () => import("../internal/transfer.js")

/**
 * Something failed during a transfer (the files were reported as they failed).
 *
 * @since 0.1.0
 * @category errors
 */
export class TransferFailed extends Schema.TaggedError<TransferFailed>("@fjord/cli/TransferFailed")("TransferFailed", {
  description: Schema.String,
  /** The source is not there (rclone's "directory not found", exit code 3). */
  notFound: Schema.optional(Schema.Boolean)
}) {
  override get message(): string {
    return this.description
  }
}

/** @internal */
export type Name = "copy" | "copyto" | "sync" | "move" | "moveto" | "check"

const descriptions: Record<Name, string> = {
  copy: "Copy files from source to destination, skipping identical files (local or jotta: on either side)",
  copyto: "Copy a file (or folder) to exactly the destination path",
  sync: "Make the destination identical to the source: copy, then delete what the source lacks (to the trash)",
  move: "Move files from source to destination (server-side within the cloud)",
  moveto: "Move a file (or folder) to exactly the destination path",
  check: "Check that the files in source and destination match (size and MD5)"
}

const flag = (name: string, description: string, alias?: string) => {
  const o = Options.boolean(name).pipe(Options.withDescription(description))
  return alias === undefined ? o : o.pipe(Options.withAlias(alias))
}
const texts = (name: string, description: string) =>
  Options.text(name).pipe(Options.withDescription(description), Options.repeated)
const optionalText = (name: string, description: string) =>
  Options.text(name).pipe(Options.withDescription(description), Options.optional)

/** @internal */
export const transferOptions = {
  transfers: Options.integer("transfers").pipe(
    Options.withDescription("Files transferred in parallel"),
    Options.withDefault(4)
  ),
  checkers: Options.integer("checkers").pipe(
    Options.withDescription("Accepted for rclone compatibility (checks run within --transfers)"),
    Options.withDefault(8)
  ),
  retries: Options.integer("retries").pipe(
    Options.withDescription("Attempts for failed files, in whole passes"),
    Options.withDefault(3)
  ),
  dryRun: flag("dry-run", "Report what would be done without changing anything", "n"),
  checksum: flag("checksum", "Compare by size and MD5, not modification time", "c"),
  sizeOnly: flag("size-only", "Compare by size only"),
  ignoreExisting: flag("ignore-existing", "Skip files that exist on the destination"),
  update: flag("update", "Skip files that are newer on the destination", "u"),
  createEmptySrcDirs: flag("create-empty-src-dirs", "Create empty source folders on the destination"),
  oneWay: flag("one-way", "check: only that the source's files are on the destination"),
  download: flag("download", "check: compare the content (download it) rather than stored MD5s"),
  deleteExcluded: flag("delete-excluded", "sync: also delete destination files the filters exclude"),
  deleteEmptySrcDirs: flag("delete-empty-src-dirs", "move: remove the source folders left empty"),
  progress: flag("progress", "Show progress while transferring (live on a terminal)", "P"),
  stats: Options.text("stats").pipe(
    Options.withDescription("Print stats this often with -v or -P off a terminal (e.g. 500ms, 10s, 1m; 0 disables)"),
    Options.withDefault("1m")
  ),
  statsOneLine: flag("stats-one-line", "Print the stats as one line"),
  include: texts("include", "Include files matching this pattern"),
  exclude: texts("exclude", "Exclude files matching this pattern"),
  filter: texts("filter", "A filter rule: '+ pattern', '- pattern' or '!'"),
  includeFrom: texts("include-from", "Read include patterns from a file"),
  excludeFrom: texts("exclude-from", "Read exclude patterns from a file"),
  filterFrom: texts("filter-from", "Read filter rules from a file"),
  filesFrom: texts("files-from", "Only the files listed in this file, relative to the source (- reads stdin)"),
  filesFromRaw: texts("files-from-raw", "Only the files listed in this file, each line a path as it is"),
  excludeIfPresent: texts("exclude-if-present", "Leave out folders that hold a file of this name"),
  minSize: optionalText("min-size", "Only files at least this big (KiB by default; suffixes B, K, M, G, T)"),
  maxSize: optionalText("max-size", "Only files at most this big"),
  minAge: optionalText("min-age", "Only files older than this (ms, s, m, h, d, w, M, y; default s)"),
  maxAge: optionalText("max-age", "Only files newer than this"),
  ignoreCase: flag("ignore-case", "Filter patterns match regardless of case"),
  maxDepth: Options.integer("max-depth").pipe(
    Options.withDescription("Only this many folder levels below the source"),
    Options.optional
  )
}

const transferCommand = (name: Name) =>
  Command.make(
    name,
    {
      ...transferOptions,
      source: Args.text({ name: "source" }).pipe(
        Args.withDescription("What to copy from: remote:path or a local path")
      ),
      destination: Args.text({ name: "destination" }).pipe(
        Args.withDescription("Where to: remote:path or a local path")
      )
    },
    lazy(impl, (m) => m.run(name))
  ).pipe(Command.withDescription(descriptions[name]))

/** rclone's `delete` (`deletefile` and its alias `rm` remove exactly one file). */
const deleteCommand = () =>
  Command.make(
    "delete",
    {
      ...transferOptions,
      rmdirs: flag("rmdirs", "Also remove the folders left empty (the path itself stays)"),
      path: Args.text({ name: "path" }).pipe(Args.withDescription("remote:path or a local path"))
    },
    lazy(impl, (m) => m.remove)
  ).pipe(
    Command.withDescription(
      "Delete the files below a path that the filters include (to the trash; folders stay unless --rmdirs); a file path deletes that file"
    )
  )

/**
 * The transfer commands (the global flags come from `GlobalFlags`).
 *
 * @since 0.1.0
 * @category commands
 */
export const commands = () =>
  [
    transferCommand("copy"),
    transferCommand("copyto"),
    transferCommand("sync"),
    transferCommand("move"),
    transferCommand("moveto"),
    transferCommand("check"),
    deleteCommand()
  ] as const
