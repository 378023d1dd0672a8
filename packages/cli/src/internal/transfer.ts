/**
 * The work of the transfer commands (`commands/transfer.ts` declares them): the filter from
 * rclone's flags, the sides, the engine run and rclone's output. Loaded when a transfer
 * command runs.
 *
 * @internal
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import type { Options } from "@effect/cli"
import * as Files from "@fjord/core/Files"
import * as Filter from "@fjord/core/Filter"
import * as Transfer from "@fjord/core/Transfer"
import * as NodeTransfer from "@fjord/node/NodeTransfer"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { type Name, TransferFailed, type transferOptions } from "../commands/transfer.js"
import { Output } from "../Output.js"
import * as RemotePath from "../RemotePath.js"
import { GlobalFlags } from "./globalArgs.js"
import * as Logging from "./logging.js"
import * as Progress from "./progress.js"
import * as Sdk from "./sdk.js"

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
    try: () => NodeFs.readFileSync(file === "-" ? 0 : file, "utf8").split(/\r?\n/),
    catch: (e) => usage(`cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`)
  })

/** The filter of rclone's flags; `only`: a file path was given, so that file alone (rclone's AddFile). */
const buildFilter = (a: Parsed, only?: string) =>
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
      ...(a.filesFrom.length > 0 ? { filesFrom: yield* from(a.filesFrom) } : {}),
      ...(a.filesFromRaw.length > 0 ? { filesFromRaw: yield* from(a.filesFromRaw) } : {}),
      ...(only === undefined ? {} : { filesFromRaw: [only] }),
      excludeIfPresent: a.excludeIfPresent,
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
    // with --log-file the log lines and the stats printed off a terminal go to the file
    const g = yield* GlobalFlags
    const toFile = Option.isSome(g.logFile) ? Logging.emit(g, output) : undefined
    const print = (line: string) => (toFile === undefined ? output.error(line) : Effect.sync(() => toFile(line)))
    const log = (level: Progress.Level, text: string) => {
      if (LEVELS[level] > LEVELS[display.level]) return Effect.void
      const line = Progress.logLine(level, text, new Date())
      return live === undefined || toFile !== undefined
        ? print(line)
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
        if (a.statsOneLine) return yield* print(`${stamp}${Progress.statsOneLine(e.progress)}`)
        yield* print(stamp)
        for (const l of Progress.statsBlock(e.progress, true, context())) yield* print(l)
        yield* print("")
      })
    )
    if (summary === undefined || last === undefined) return yield* new TransferFailed({ description: "no summary" })
    const transfers = summary.mode !== "check" && summary.mode !== "delete"
    if (transfers && summary.transferred === 0 && summary.fatal === undefined && !summary.dirMoved) {
      yield* log("INFO", "There was nothing to transfer")
    }
    const end = Progress.statsBlock(last, false, {
      fatal: summary.fatal !== undefined,
      check: summary.mode === "check"
    })
    if (live !== undefined) {
      live(end.join("\n"))
      live.done()
    } else if (!display.quiet && summary.mode !== "delete") {
      // rclone's delete runs without its final stats (cmd.Run's showStats is false)
      for (const l of end) yield* output.line(l)
    }
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

/**
 * Runs `f` with the cloud sides of the first remote among `locs` (its account's SDK); with
 * local paths only, without any account.
 */
const withCloud = <A, E, R>(locs: ReadonlyArray<Located>, f: (cloudAt: CloudAt) => Effect.Effect<A, E, R>) => {
  const remote = locs.find((l) => l._tag === "Remote")
  if (remote === undefined || remote._tag !== "Remote") return f(noCloud)
  return Effect.flatMap(Files.Files, (files) =>
    f((path) => Transfer.cloudSide(path).pipe(Effect.provideService(Files.Files, files)))
  ).pipe(Sdk.withSdk(remote.remote))
}

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

/** Whether `loc` is a file or a folder; a path that is not there fails as rclone's "directory not found". */
const kindOf = (loc: Located, raw: string, sideAt: (path: string) => Effect.Effect<Transfer.Side>) =>
  Effect.gen(function* () {
    if (isRoot(loc)) return { _tag: "Dir" } as const
    const { parent, name } = splitLast(loc)
    const kind = yield* Effect.flatMap(sideAt(parent), (s) => s.stat(name)).pipe(
      Effect.mapError(
        (e) => new TransferFailed({ description: `${raw}: ${e.description}`, notFound: e.reason === "NotFound" })
      )
    )
    if (kind === undefined)
      return yield* new TransferFailed({ description: `${raw}: directory not found`, notFound: true })
    return kind
  })

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
    const from = splitLast(src)
    const kind = yield* kindOf(src, rawSource, (path) => sideAt(src, path))
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
  })

/** A transfer command's handler. @internal */
export const run =
  (name: Name) =>
  (parsed: Omit<Parsed, "verbose" | "quiet"> & { readonly source: string; readonly destination: string }) =>
    Effect.gen(function* () {
      const g = yield* GlobalFlags
      // -v and -q are global flags (GlobalFlags): INFO lines per file, or errors only
      const a = { ...parsed, verbose: g.verbose > 0, quiet: g.quiet }
      const src = RemotePath.parse(a.source)
      const dst = RemotePath.parse(a.destination)
      return yield* withCloud([src, dst], (cloudAt) => program(name, a, src, dst, a.source, cloudAt))
    })

/**
 * `delete`'s handler (rclone's): the files below the path that the filters include, deleted
 * (to the trash on the cloud) as the engine deletes a sync's extraneous files, folders kept
 * unless `--rmdirs`; a file path deletes that file.
 *
 * @internal
 */
export const remove = (
  parsed: Omit<Parsed, "verbose" | "quiet"> & { readonly path: string; readonly rmdirs: boolean }
) =>
  Effect.gen(function* () {
    const g = yield* GlobalFlags
    const a = { ...parsed, verbose: g.verbose > 0, quiet: g.quiet }
    const at = RemotePath.parse(a.path)
    const deletion = (cloudAt: CloudAt) =>
      Effect.gen(function* () {
        const sideAt = (path: string) => (at._tag === "Local" ? Effect.succeed(NodeTransfer.side(path)) : cloudAt(path))
        const display = yield* displayOf(a)
        const kind = yield* kindOf(at, a.path, sideAt)
        const file = kind._tag === "File" ? splitLast(at) : undefined
        const side = yield* sideAt(file === undefined ? at.path : file.parent)
        const events = Transfer.deleteFiles(side, {
          dryRun: a.dryRun,
          transfers: Math.max(1, a.transfers),
          retries: Math.max(1, a.retries),
          rmdirs: a.rmdirs && file === undefined,
          progressEveryMs: display.everyMs,
          filter: yield* buildFilter(a, file?.name)
        })
        return yield* render(a, display, sidesOf(side, side), events)
      })
    return yield* withCloud([at], deletion)
  })
