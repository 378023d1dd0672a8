/**
 * rclone's transfer output as functions of the engine's data (`Transfer.Progress` and the
 * events): the stats block (`-P`, `--stats`, the summary at the end), `--stats-one-line`,
 * and the log lines (`2006/01/02 15:04:05 INFO  : a.txt: Copied (new)`), in the formats of
 * rclone 1.60.1 (`fs/accounting/stats.go` `String`, `fs/accounting/accounting.go`
 * `Account.String`, `fs.SizeSuffix`; compared with the output of the installed rclone).
 */
import type * as Transfer from "@fjord/core/Transfer"

const SUFFIXES = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"]

/** rclone's `fs.SizeSuffix` text: `0`, `512`, `1.500Ki`, `19.073Mi` (binary units, 3 decimals). */
export const sizeSuffix = (n: number): [number: string, suffix: string] => {
  if (n < 0) return ["off", ""]
  let v = n
  let u = 0
  while (v >= 1024 && u < SUFFIXES.length - 1) {
    v /= 1024
    u++
  }
  return [Number.isInteger(v) ? v.toFixed(0) : v.toFixed(3), SUFFIXES[u]!]
}

/** A size as the per-file lines show it: `19.073Mi`. */
export const short = (n: number): string => sizeSuffix(Math.round(n)).join("")

/** A size in bytes as the totals show it (`ByteUnit`): `0 B`, `8.086 MiB`. */
export const bytes = (n: number): string => {
  const [v, s] = sizeSuffix(Math.round(n))
  return `${v} ${s}B`
}

/** rclone's `percent`: `-` when the total is unknown. */
export const percent = (done: number, total: number): string =>
  total <= 0 ? "-" : `${Math.floor((done * 100) / total)}%`

/** Go's `time.Duration` text for whole seconds: `5s`, `1m30s`, `1h0m5s`. */
export const goDuration = (seconds: number): string => {
  const s = Math.floor(seconds)
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  const sec = s % 60
  return h > 0 ? `${h}h${m}m${sec}s` : m > 0 ? `${m}m${sec}s` : `${sec}s`
}

/** rclone's elapsed time: whole minutes as Go prints them, then seconds with one decimal. */
export const elapsed = (ms: number): string => {
  const minutes = Math.floor(ms / 60_000)
  const head = minutes === 0 ? "" : goDuration(minutes * 60).replace(/[0s]+$/, "")
  return `${head}${((ms - minutes * 60_000) / 1000).toFixed(1)}`
}

/** The ETA of bytes left at a rate: `-` unknown, `0s` done. */
const eta = (left: number, rate: number, total: number): string =>
  total <= 0 || rate <= 0 ? "-" : left <= 0 ? "0s" : goDuration(left / rate)

/** rclone's `shortenName`: names longer than `size` keep their start and end around `…`. */
export const shortenName = (name: string, size: number): string => {
  const chars = Array.from(name)
  if (chars.length <= size) return name
  const suffix = Math.floor((size - 1) / 2)
  const prefix = size - 1 - suffix
  return `${chars.slice(0, prefix).join("")}…${chars.slice(chars.length - suffix).join("")}`
}

const NAME_WIDTH = 45

/** One in-flight file: ` *   name: 47% /100Mi, 9.594Mi/s, 5s`. */
export const inFlightLine = (f: Transfer.InFlight): string => {
  const pct = f.size > 0 ? Math.floor((f.bytes * 100) / f.size) : 0
  const left = f.etaSeconds === undefined ? "-" : f.etaSeconds > 0 ? goDuration(f.etaSeconds) : "0s"
  const name = shortenName(f.path, NAME_WIDTH).padStart(NAME_WIDTH)
  return ` * ${name}:${String(pct).padStart(3)}% /${short(f.size)}, ${short(f.rate)}/s, ${left}`
}

/** One hash comparison under way: ` *   name: checking` (rclone's transferMap without an account). */
export const checkingLine = (path: string): string =>
  ` * ${shortenName(path, NAME_WIDTH).padStart(NAME_WIDTH)}: checking`

/** The first line's figures: `8.086 MiB / 26.703 MiB, 30%, 4.148 MiB/s, ETA 4s`. */
const totals = (p: Transfer.Progress): string =>
  `${bytes(p.bytesDone).padStart(13)} / ${bytes(p.bytesPlanned)}, ${percent(p.bytesDone, p.bytesPlanned)}, ${bytes(p.rate)}/s, ETA ${eta(p.bytesPlanned - p.bytesDone, p.rate, p.bytesPlanned)}`

/** What the block says about errors. */
export interface Context {
  /** The run stopped on a fatal error. */
  readonly fatal?: boolean | undefined
  /** A check: differences need no retry. */
  readonly check?: boolean | undefined
}

/**
 * rclone's stats block: Transferred (bytes), Errors, Checks (done / done + under way), Deleted,
 * Renamed, Transferred (files), Elapsed time, then with `inFlight` the hash comparisons under
 * way (`Checking:`) and the files being sent (`Transferring:`). Lines that would say 0 are left
 * out, as rclone does.
 */
export const statsBlock = (p: Transfer.Progress, inFlight: boolean, context: Context = {}): Array<string> => {
  const lines = [`Transferred:   \t${totals(p)}`]
  if (p.errors > 0) {
    const why = context.fatal
      ? " (fatal error encountered)"
      : context.check
        ? " (no need to retry)"
        : " (retrying may help)"
    lines.push(`Errors:        ${String(p.errors).padStart(10)}${why}`)
  }
  const checks = p.checks + p.checking.length
  if (checks > 0) {
    lines.push(`Checks:        ${String(p.checks).padStart(10)} / ${checks}, ${percent(p.checks, checks)}`)
  }
  if (p.deleted > 0 || p.deletedDirs > 0) {
    lines.push(`Deleted:       ${String(p.deleted).padStart(10)} (files), ${p.deletedDirs} (dirs)`)
  }
  if (p.renamed > 0) lines.push(`Renamed:       ${String(p.renamed).padStart(10)}`)
  if (p.filesPlanned > 0 || p.filesDone > 0) {
    lines.push(
      `Transferred:   ${String(p.filesDone).padStart(10)} / ${p.filesPlanned}, ${percent(p.filesDone, p.filesPlanned)}`
    )
  }
  lines.push(`Elapsed time:  ${elapsed(p.elapsedMs).padStart(10)}s`)
  if (inFlight && p.checking.length > 0) {
    lines.push("Checking:")
    for (const path of p.checking) lines.push(checkingLine(path))
  }
  if (inFlight && p.inFlight.length > 0) {
    lines.push("Transferring:")
    for (const f of p.inFlight) lines.push(inFlightLine(f))
  }
  return lines
}

/** `--stats-one-line`: the first line's figures, with `(xfr#done/planned)` while files are queued. */
export const statsOneLine = (p: Transfer.Progress): string => {
  const queued = p.filesPlanned > p.filesDone ? ` (xfr#${p.filesDone}/${p.filesPlanned})` : ""
  return `${totals(p)}${queued}`
}

/** rclone's log levels, as printed. */
export type Level = "ERROR" | "NOTICE" | "INFO"

const two = (n: number) => String(n).padStart(2, "0")

/** rclone's log line: `2006/01/02 15:04:05 INFO  : text` (local time). */
export const logLine = (level: string, text: string, at: Date): string => {
  const stamp = `${at.getFullYear()}/${two(at.getMonth() + 1)}/${two(at.getDate())} ${two(at.getHours())}:${two(at.getMinutes())}:${two(at.getSeconds())}`
  return `${stamp} ${level.padEnd(6)}: ${text}`
}

const named = (path: string, text: string) => (path === "" ? text : `${path}: ${text}`)

/** The two sides, for messages. */
export interface Sides {
  readonly source: string
  readonly destination: string
  /** Both sides are local folders. */
  readonly bothLocal: boolean
}

/**
 * The log lines of an event, as rclone logs the same step: `INFO` for what changed (`-v`),
 * `NOTICE` for what a dry run skipped, `ERROR` for failures and differences.
 */
export const eventLog = (e: Transfer.Event, sides: Sides): Array<readonly [Level, string]> => {
  const { source, destination } = sides
  switch (e._tag) {
    case "Done": {
      if (e.action === "Created") return []
      if (e.dryRun) {
        const what = e.action === "ModTimeUpdated" ? "set modification time" : e.action === "Moved" ? "move" : "copy"
        return [["NOTICE", named(e.path, `Skipped ${what} as --dry-run is set (size ${short(e.size)})`)]]
      }
      if (e.action === "ModTimeUpdated") return [["INFO", named(e.path, "Updated modification time in destination")]]
      if (e.serverSide && e.action === "Moved") return [["INFO", named(e.path, "Moved (server-side)")]]
      // rclone's local backend has no server-side copy: a local copy is logged like every other copy
      if (e.serverSide && !sides.bothLocal) return [["INFO", named(e.path, "Copied (server-side copy)")]]
      const copied: readonly [Level, string] = [
        "INFO",
        named(e.path, e.replaced ? "Copied (replaced existing)" : "Copied (new)")
      ]
      return e.action === "Moved" ? [copied, ["INFO", named(e.path, "Deleted")]] : [copied]
    }
    case "DirMove":
      // rclone's sync.MoveDir, logged against the destination
      return e.outcome === "Fallback"
        ? [["INFO", `${destination}: Server side directory move failed - fallback to file moves: ${e.description}`]]
        : e.dryRun
          ? [["NOTICE", `${destination}: Skipped server-side directory move as --dry-run is set`]]
          : [["INFO", `${destination}: Server side directory move succeeded`]]
    case "Deleted": {
      if (e.dryRun) {
        const what = e.kind === "Dir" ? "remove directory" : "delete"
        return [["NOTICE", named(e.path, `Skipped ${what} as --dry-run is set`)]]
      }
      return [["INFO", named(e.path, e.kind === "Dir" ? "Removing directory" : "Deleted")]]
    }
    case "Failed": {
      // a side's error already names its path
      const text =
        e.path !== "" && e.description.startsWith(`${e.path}: `)
          ? e.description.slice(e.path.length + 2)
          : e.description
      return e.retrying ? [] : [["ERROR", named(e.path, text)]]
    }
    case "Checked":
      switch (e.result) {
        case "Equal":
          return []
        case "Differ":
          return [["ERROR", named(e.path, e.difference === "Hash" ? "md5 differ" : "sizes differ")]]
        case "MissingOnDestination":
          return [["ERROR", named(e.path, `file not in ${destination}`)]]
        case "MissingOnSource":
          return [["ERROR", named(e.path, `file not in ${source}`)]]
      }
      return []
    default:
      return []
  }
}
