/**
 * The transfer commands on the engine (`@fjord/core/Transfer`): `copy`, `copyto`, `sync`,
 * `move`, `moveto`, `check`, with rclone's flags for comparisons (`--checksum`,
 * `--size-only`, `--ignore-existing`, `--update`), filters (`--include`, `--exclude`,
 * `--filter`, `--*-from`, `--min/max-size`, `--min/max-age`, `--max-depth`,
 * `--ignore-case`), `--delete-excluded`, `--create-empty-src-dirs`,
 * `--delete-empty-src-dirs`, `--dry-run`, `--retries`, `--transfers`, and rclone's output
 * (formats in `internal/progress.ts`): `-P` redraws the stats block in place on a terminal
 * every 500 ms (log-update, on the engine's progress timer); without a terminal `-P`/`-v`
 * print it every `--stats` interval (`--stats-one-line`: one line); `-v` adds rclone's INFO
 * line per change, `-q` leaves only errors; every run ends with rclone's summary block; the
 * exit code is 1 when any file failed.
 *
 * Any two sides work: local → cloud, cloud → local, cloud → cloud (server-side), local →
 * local (no login needed).
 *
 * @since 0.1.0
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { Args, Command, Options } from "@effect/cli"
import * as Files from "@fjord/core/Files"
import * as Filter from "@fjord/core/Filter"
import * as RetryPolicy from "@fjord/core/RetryPolicy"
import * as Transfer from "@fjord/core/Transfer"
import * as NodeTransfer from "@fjord/node/NodeTransfer"
import * as Effect from "effect/Effect"
import { identity } from "effect/Function"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { GlobalFlags } from "../internal/globalArgs.js"
import * as Progress from "../internal/progress.js"
import * as Sdk from "../internal/sdk.js"
import { Output } from "../Output.js"
import * as RemotePath from "../RemotePath.js"

/**
 * Something failed during a transfer (the files were reported as they failed).
 *
 * @since 0.1.0
 * @category errors
 */
export class TransferFailed extends Schema.TaggedError<TransferFailed>("@fjord/cli/TransferFailed")("TransferFailed", {
  description: Schema.String
}) {
  override get message(): string {
    return this.description
  }
}

type Name = "copy" | "copyto" | "sync" | "move" | "moveto" | "check"

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

const transferOptions = {
  transfers: Options.integer("transfers").pipe(
    Options.withDescription("Files transferred in parallel"),
    Options.withDefault(4)
  ),
  checkers: Options.integer("checkers").pipe(
    Options.withDescription("Accepted for rclone compatibility (checks run within --transfers)"),
    Options.withDefault(8)
  ),
  lowLevelRetries: Options.integer("low-level-retries").pipe(
    Options.withDescription("Attempts per request for transient failures (default 10)"),
    Options.optional
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

const SIZE_UNITS: Record<string, number> = { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 }

/** rclone's SizeSuffix: a number with an optional unit (default KiB). */
export const parseSize = (text: string): number | undefined => {
  const m = /^(\d+(?:\.\d+)?)([bkmgtp])?(?:i?b)?$/i.exec(text.trim())
  if (m === null) return undefined
  return Math.round(Number(m[1]) * (SIZE_UNITS[(m[2] ?? "k").toLowerCase()] ?? 1024))
}

const AGE_UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
  M: 30 * 86_400_000,
  y: 365 * 86_400_000
}

/** rclone's Duration: `1h30m`, `2d`, `90` (seconds). */
export const parseDuration = (text: string): number | undefined => {
  const t = text.trim()
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t) * 1000
  let total = 0
  let rest = t
  while (rest !== "") {
    const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w|M|y)/.exec(rest)
    if (m === null) return undefined
    total += Number(m[1]) * (AGE_UNITS[m[2]!] ?? 1000)
    rest = rest.slice(m[0].length)
  }
  return t === "" ? undefined : total
}

type OptionValue<O> = O extends Options.Options<infer A> ? A : never

type Parsed = {
  readonly [K in keyof typeof transferOptions]: OptionValue<(typeof transferOptions)[K]>
} & { readonly verbose: boolean; readonly quiet: boolean }

const usage = (description: string) => new Sdk.UsageError({ description })

const readLines = (file: string) =>
  Effect.try({
    try: () => NodeFs.readFileSync(file, "utf8").split(/\r?\n/),
    catch: (e) => usage(`cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`)
  })

const buildFilter = (a: Parsed) =>
  Effect.gen(function* () {
    const size = (o: Option.Option<string>, flagName: string) =>
      Option.isNone(o)
        ? Effect.succeed(undefined)
        : Effect.fromNullable(parseSize(o.value)).pipe(
            Effect.mapError(() => usage(`--${flagName}: not a size: ${o.value}`))
          )
    const age = (o: Option.Option<string>, flagName: string) =>
      Option.isNone(o)
        ? Effect.succeed(undefined)
        : Effect.fromNullable(parseDuration(o.value)).pipe(
            Effect.mapError(() => usage(`--${flagName}: not a duration: ${o.value}`))
          )
    const from = (files: ReadonlyArray<string>) => Effect.map(Effect.forEach(files, readLines), (ls) => ls.flat())
    return yield* Filter.make({
      include: a.include,
      exclude: a.exclude,
      filter: a.filter,
      includeFrom: yield* from(a.includeFrom),
      excludeFrom: yield* from(a.excludeFrom),
      filterFrom: yield* from(a.filterFrom),
      minSize: yield* size(a.minSize, "min-size"),
      maxSize: yield* size(a.maxSize, "max-size"),
      minAgeMs: yield* age(a.minAge, "min-age"),
      maxAgeMs: yield* age(a.maxAge, "max-age"),
      maxDepth: Option.getOrUndefined(a.maxDepth),
      ignoreCase: a.ignoreCase
    }).pipe(Effect.mapError((e) => usage(e.message)))
  })

// ---------------------------------------------------------------------------------------------
// output (formats in ../internal/progress.ts)

/** How a run is shown: a live display on a terminal, stats on a timer, which log levels. */
interface Display {
  /** `-P` on a terminal: the stats block redrawn in place every 500 ms (log-update). */
  readonly live: boolean
  /** How often the engine reports progress on its timer (the live redraw or `--stats`). */
  readonly everyMs: number | undefined
  /** The most verbose level printed: ERROR (`-q`), NOTICE (default), INFO (`-v`). */
  readonly level: Progress.Level
  readonly quiet: boolean
}

const LEVELS: Record<Progress.Level, number> = { ERROR: 0, NOTICE: 1, INFO: 2 }

const displayOf = (a: Parsed): Effect.Effect<Display, Sdk.UsageError> =>
  Effect.gen(function* () {
    const statsMs = yield* Effect.fromNullable(parseDuration(a.stats)).pipe(
      Effect.mapError(() => usage(`--stats: not a duration: ${a.stats}`))
    )
    const quiet = a.quiet
    const live = a.progress && !quiet && process.stdout.isTTY === true
    const stats = !quiet && (a.progress || a.verbose) && statsMs > 0
    return {
      live,
      everyMs: live ? 500 : stats ? statsMs : undefined,
      level: quiet ? "ERROR" : a.verbose ? "INFO" : "NOTICE",
      quiet
    }
  })

const render = (a: Parsed, display: Display, sides: Progress.Sides, events: Stream.Stream<Transfer.Event>) =>
  Effect.gen(function* () {
    const output = yield* Output
    const live = display.live
      ? yield* Effect.promise(() => import("log-update")).pipe(
          Effect.map((m) => m.createLogUpdate(process.stdout, { showCursor: true }))
        )
      : undefined
    let summary: Transfer.Summary | undefined
    let last: Transfer.Progress | undefined
    let fatal = false
    let check = false
    const context = () => ({ fatal, check })
    const draw = Effect.sync(() => {
      if (live !== undefined && last !== undefined)
        live(a.statsOneLine ? Progress.statsOneLine(last) : Progress.statsBlock(last, true, context()).join("\n"))
    })
    const log = (level: Progress.Level, text: string) => {
      if (LEVELS[level] > LEVELS[display.level]) return Effect.void
      const line = Progress.logLine(level, text, new Date())
      return live === undefined
        ? output.error(line)
        : Effect.zipRight(
            Effect.sync(() => live.persist(line)),
            draw
          )
    }
    yield* Stream.runForEach(events, (e) =>
      Effect.gen(function* () {
        last = e.progress
        if (e._tag === "Summary") {
          summary = e.summary
          return
        }
        if (e._tag === "Failed" && e.fatal) fatal = true
        if (e._tag === "Checked") check = true
        for (const [level, text] of Progress.eventLog(e, sides)) yield* log(level, text)
        if (e._tag !== "Progress") return
        if (live !== undefined) return yield* draw
        // asked for with -P or -v: printed at INFO whatever the level
        const stamp = Progress.logLine("INFO", "", new Date())
        if (a.statsOneLine) return yield* output.error(`${stamp}${Progress.statsOneLine(e.progress)}`)
        yield* output.error(stamp)
        for (const l of Progress.statsBlock(e.progress, true, context())) yield* output.error(l)
        yield* output.error("")
      })
    )
    if (summary === undefined || last === undefined) return yield* new TransferFailed({ description: "no summary" })
    if (summary.mode !== "check" && summary.transferred === 0 && summary.fatal === undefined) {
      yield* log("INFO", "There was nothing to transfer")
    }
    const end = Progress.statsBlock(last, false, {
      fatal: summary.fatal !== undefined,
      check: summary.mode === "check"
    })
    if (live !== undefined) {
      live(end.join("\n"))
      live.done()
    } else if (!display.quiet) for (const l of end) yield* output.line(l)
    if (summary.mode === "check" && !display.quiet) {
      yield* output.line(
        summary.differences === 0
          ? `0 differences found${summary.checks > 0 ? `; ${summary.checks} matching files` : ""}`
          : `${summary.differences} differences found`
      )
    }
    if (summary.fatal !== undefined) return yield* new TransferFailed({ description: summary.fatal })
    if (summary.errors > 0) {
      const names = summary.failures.map((f) => f.path).filter((p) => p !== "")
      const what = summary.mode === "check" ? `${summary.differences} differences found` : `${summary.errors} errors`
      return yield* new TransferFailed({
        description:
          names.length === 0
            ? what
            : `${what}: failed: ${names.slice(0, 10).join(", ")}${names.length > 10 ? ", …" : ""}`
      })
    }
  })

// ---------------------------------------------------------------------------------------------
// sides

type Located = ReturnType<typeof RemotePath.parse>

/** Builds the cloud side at a path (only called when a path is in the cloud). */
type CloudAt = (path: string) => Effect.Effect<Transfer.Side>

const noCloud: CloudAt = () => Effect.dieMessage("no cloud path given")

/** The parent folder and the engine name of the last element of a path. */
const splitLast = (loc: Located): { readonly parent: string; readonly name: string } => {
  if (loc._tag === "Local") {
    const abs = NodePath.resolve(loc.path)
    return { parent: NodePath.dirname(abs), name: NodePath.basename(abs) }
  }
  return { parent: RemotePath.dirname(loc.path), name: Transfer.engineName(RemotePath.basename(loc.path)) }
}

const sidesOf = (source: Transfer.Side, destination: Transfer.Side): Progress.Sides => ({
  source: source.root,
  destination: destination.root,
  bothLocal: source.kind === "local" && destination.kind === "local"
})

const isRoot = (loc: Located) => loc._tag === "Remote" && loc.path === ""

const program = (name: Name, a: Parsed, src: Located, dst: Located, rawSource: string, cloudAt: CloudAt) =>
  Effect.gen(function* () {
    const sideAt = (loc: Located, path: string) =>
      loc._tag === "Local" ? Effect.succeed(NodeTransfer.side(path)) : cloudAt(path)
    const filter = yield* buildFilter(a)
    const display = yield* displayOf(a)
    const modes: Record<Name, Transfer.Mode> = {
      copy: "copy",
      copyto: "copy",
      sync: "sync",
      move: "move",
      moveto: "move",
      check: "check"
    }
    const mode = modes[name]
    const options: Transfer.Options = {
      mode,
      dryRun: a.dryRun,
      transfers: Math.max(1, a.transfers),
      retries: Math.max(1, a.retries),
      checksum: a.checksum,
      sizeOnly: a.sizeOnly,
      ignoreExisting: a.ignoreExisting,
      update: a.update,
      oneWay: a.oneWay,
      download: a.download,
      createEmptySrcDirs: a.createEmptySrcDirs,
      deleteExcluded: a.deleteExcluded,
      deleteEmptySrcDirs: a.deleteEmptySrcDirs,
      progressEveryMs: display.everyMs,
      filter
    }
    // is the source a file or a folder?
    const from = splitLast(src)
    const kind = isRoot(src)
      ? ({ _tag: "Dir" } as const)
      : yield* Effect.flatMap(sideAt(src, from.parent), (s) => s.stat(from.name)).pipe(
          Effect.mapError((e) => new TransferFailed({ description: `${rawSource}: ${e.description}` }))
        )
    if (kind === undefined) return yield* new TransferFailed({ description: `${rawSource}: directory not found` })
    if (kind._tag === "File") {
      if (name === "sync") return yield* usage(`sync needs a folder as source: ${rawSource} is a file`)
      const toExact = name === "copyto" || name === "moveto"
      const to = toExact ? splitLast(dst) : { parent: dst.path, name: from.name }
      const source = yield* sideAt(src, from.parent)
      const destination = yield* sideAt(dst, to.parent)
      return yield* render(
        a,
        display,
        sidesOf(source, destination),
        Transfer.runFile(source, from.name, destination, to.name, options)
      )
    }
    const source = yield* sideAt(src, src.path)
    const destination = yield* sideAt(dst, dst.path)
    return yield* render(a, display, sidesOf(source, destination), Transfer.run(source, destination, options))
  }).pipe(
    Option.isSome(a.lowLevelRetries)
      ? Effect.provideService(
          RetryPolicy.RetryPolicy,
          RetryPolicy.make({ maxAttempts: Math.max(1, a.lowLevelRetries.value) })
        )
      : identity
  )

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
    (parsed) =>
      Effect.gen(function* () {
        const g = yield* GlobalFlags
        // -v and -q are global flags (GlobalFlags): INFO lines per file, or errors only
        const a = { ...parsed, verbose: g.verbose > 0, quiet: g.quiet }
        const src = RemotePath.parse(a.source)
        const dst = RemotePath.parse(a.destination)
        // local → local needs no account
        if (src._tag === "Local" && dst._tag === "Local") return yield* program(name, a, src, dst, a.source, noCloud)
        return yield* Effect.flatMap(Files.Files, (files) =>
          program(name, a, src, dst, a.source, (path) =>
            Transfer.cloudSide(path).pipe(Effect.provideService(Files.Files, files))
          )
        ).pipe(Sdk.withSdk(src._tag === "Remote" ? src.remote : dst._tag === "Remote" ? dst.remote : undefined))
      })
  ).pipe(Command.withDescription(descriptions[name]))

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
    transferCommand("check")
  ] as const
