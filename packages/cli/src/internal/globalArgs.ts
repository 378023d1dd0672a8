/**
 * The global flags: read from anywhere on the command line (as rclone reads them) before
 * `@effect/cli` sees the rest, falling back to `FJORD_<FLAG>` environment variables (rclone's
 * `RCLONE_<FLAG>` convention: `--jottacloud-hard-delete` ↔ `FJORD_JOTTACLOUD_HARD_DELETE`).
 * Every command reads them from the `GlobalFlags` service instead of declaring them, so the
 * help shows them once, in their own section, and no command's usage line repeats them.
 *
 * A flag written after `--` is an argument, not a flag.
 */
import * as Context from "effect/Context"
import * as Either from "effect/Either"
import * as Option from "effect/Option"

/** The global flags' values. */
export interface Globals {
  readonly config: Option.Option<string>
  readonly configDir: Option.Option<string>
  readonly endpoint: Option.Option<string>
  readonly device: Option.Option<string>
  readonly mountpoint: Option.Option<string>
  readonly json: boolean
  /** `-v` once: INFO; twice (`-vv`): DEBUG. */
  readonly verbose: number
  readonly quiet: boolean
  readonly logLevel: Option.Option<string>
  readonly logFile: Option.Option<string>
  readonly hardDelete: boolean
  readonly noVersions: Option.Option<boolean>
  readonly trashedOnly: Option.Option<boolean>
  readonly md5MemoryLimit: Option.Option<string>
  readonly uploadResumeLimit: Option.Option<string>
  readonly encoding: Option.Option<string>
  /** `--low-level-retries N`: attempts per request (default the SDK's, 10). */
  readonly lowLevelRetries: Option.Option<number>
}

/** The global flags of this run. */
export class GlobalFlags extends Context.Tag("@fjord/cli/GlobalFlags")<GlobalFlags, Globals>() {}

/** No flag given, no environment: the defaults. */
export const empty: Globals = {
  config: Option.none(),
  configDir: Option.none(),
  endpoint: Option.none(),
  device: Option.none(),
  mountpoint: Option.none(),
  json: false,
  verbose: 0,
  quiet: false,
  logLevel: Option.none(),
  logFile: Option.none(),
  hardDelete: false,
  noVersions: Option.none(),
  trashedOnly: Option.none(),
  md5MemoryLimit: Option.none(),
  uploadResumeLimit: Option.none(),
  encoding: Option.none(),
  lowLevelRetries: Option.none()
}

type TextKey = "config" | "configDir" | "endpoint" | "device" | "mountpoint" | "logLevel" | "logFile"
type BackendTextKey = "md5MemoryLimit" | "uploadResumeLimit" | "encoding"
type SwitchKey = "json" | "quiet" | "hardDelete"
type OptionalSwitchKey = "noVersions" | "trashedOnly"

interface Spec {
  readonly names: ReadonlyArray<string>
  readonly value?: string
  readonly description: string
  readonly set: (g: Globals, value: string) => Either.Either<Globals, string>
  /** The `FJORD_…` variable; none for flags that only make sense on the line. */
  readonly env?: string
  readonly section: "general" | "logging" | "backend"
}

const bool = (name: string, value: string): Either.Either<boolean, string> =>
  /^(true|1|yes)$/i.test(value)
    ? Either.right(true)
    : /^(false|0|no)$/i.test(value)
      ? Either.right(false)
      : Either.left(`${name}: expected true or false, got ${JSON.stringify(value)}`)

const envOf = (name: string) => `FJORD_${name.replace(/^--/, "").replace(/-/g, "_").toUpperCase()}`

const text = (
  name: string,
  key: TextKey | BackendTextKey,
  value: string,
  description: string,
  section: Spec["section"] = "general"
): Spec => ({
  names: [name],
  value,
  description,
  env: envOf(name),
  section,
  set: (g, v) => Either.right({ ...g, [key]: Option.some(v) })
})

const toggle = (names: ReadonlyArray<string>, key: SwitchKey, description: string, section: Spec["section"]): Spec => ({
  names,
  description,
  env: envOf(names[0] ?? ""),
  section,
  set: (g, v) => Either.map(bool(names[0] ?? "", v), (b) => ({ ...g, [key]: b }))
})

const backendSwitch = (name: string, key: OptionalSwitchKey, description: string): Spec => ({
  names: [name],
  description,
  env: envOf(name),
  section: "backend",
  set: (g, v) => Either.map(bool(name, v), (b) => ({ ...g, [key]: Option.some(b) }))
})

const levels = ["ALL", "DEBUG", "INFO", "NOTICE", "WARNING", "ERROR", "NONE"] as const

/** The global flags, in the order the help lists them. */
export const specs: ReadonlyArray<Spec> = [
  text(
    "--config",
    "config",
    "FILE",
    "The config file of named remotes, in rclone's format (default: fjord.conf in the config directory)"
  ),
  text(
    "--config-dir",
    "configDir",
    "DIR",
    "Directory of the token and settings of `fjord login` (default ~/.config/fjord)"
  ),
  text("--endpoint", "endpoint", "URL", "Base URL of the service, e.g. an emulator's URL (saved by `fjord login`)"),
  text("--device", "device", "NAME", "The device paths are in (default Jotta, or the remote's device)"),
  text("--mountpoint", "mountpoint", "NAME", "The mountpoint paths are in (default Archive, or the remote's)"),
  toggle(["--json"], "json", "Print machine-readable JSON instead of text", "general"),
  {
    names: ["--low-level-retries"],
    value: "N",
    description: "Attempts per request for transient failures (default 10; a refused connection fails at once)",
    env: "FJORD_LOW_LEVEL_RETRIES",
    section: "general",
    set: (g, v) =>
      /^\d+$/.test(v) && Number(v) >= 1
        ? Either.right({ ...g, lowLevelRetries: Option.some(Number(v)) })
        : Either.left(`--low-level-retries: expected a number of attempts (1 or more), got ${JSON.stringify(v)}`)
  },
  {
    names: ["--verbose", "-v"],
    description: "Say more on stderr: -v lists each file and request retry (INFO), -vv adds debug detail",
    env: "FJORD_VERBOSE",
    section: "logging",
    set: (g, v) =>
      /^\d+$/.test(v)
        ? Either.right({ ...g, verbose: Number(v) })
        : Either.map(bool("--verbose", v), (b) => ({ ...g, verbose: b ? g.verbose + 1 : 0 }))
  },
  toggle(["--quiet", "-q"], "quiet", "Print only errors", "logging"),
  text(
    "--log-level",
    "logLevel",
    "LEVEL",
    `Log level: ${levels.filter((l) => l !== "ALL" && l !== "NONE").join(", ")} (default NOTICE)`,
    "logging"
  ),
  text("--log-file", "logFile", "FILE", "Write the log to this file instead of stderr (appended)", "logging"),
  toggle(
    ["--jottacloud-hard-delete", "--hard-delete"],
    "hardDelete",
    "Delete files for good instead of moving them to the trash",
    "backend"
  ),
  backendSwitch("--jottacloud-no-versions", "noVersions", "Replace a file by deleting it first, so no version is kept"),
  backendSwitch("--jottacloud-trashed-only", "trashedOnly", "Show only what is in the trash (listings, trees, sizes)"),
  text(
    "--jottacloud-md5-memory-limit",
    "md5MemoryLimit",
    "SIZE",
    "Files bigger than this are spooled to disk to compute their MD5 (default 10Mi)",
    "backend"
  ),
  text(
    "--jottacloud-upload-resume-limit",
    "uploadResumeLimit",
    "SIZE",
    "Files bigger than this can resume a broken upload (default 10Mi)",
    "backend"
  ),
  text(
    "--jottacloud-encoding",
    "encoding",
    "LIST",
    "Characters to encode in names, rclone's encoding list (default: rclone's for Jottacloud)",
    "backend"
  )
]

const byName: ReadonlyMap<string, Spec> = new Map(specs.flatMap((s) => s.names.map((n) => [n, s] as const)))

/** Whether `arg` is a global flag (for tests and the help). */
export const isGlobal = (arg: string): boolean =>
  byName.has(arg.includes("=") ? arg.slice(0, arg.indexOf("=")) : arg) || /^-v+$/.test(arg)

/**
 * Reads the global flags from anywhere in `args` (before a `--`), then from the environment
 * for those not given. Returns them and the arguments left for the command parser.
 */
export const parse = (
  args: ReadonlyArray<string>,
  env: Readonly<Record<string, string | undefined>> = process.env
): Either.Either<{ readonly globals: Globals; readonly rest: ReadonlyArray<string> }, string> => {
  let globals = empty
  const given = new Set<Spec>()
  const rest: Array<string> = []
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? ""
    if (arg === "--") {
      rest.push(...args.slice(i))
      break
    }
    if (/^-v{2,}$/.test(arg)) {
      globals = { ...globals, verbose: globals.verbose + arg.length - 1 }
      continue
    }
    const eq = arg.startsWith("--") ? arg.indexOf("=") : -1
    const name = eq > 0 ? arg.slice(0, eq) : arg
    const spec = byName.get(name)
    if (spec === undefined) {
      rest.push(arg)
      continue
    }
    let value: string
    if (eq > 0) value = arg.slice(eq + 1)
    else if (spec.value === undefined) value = "true"
    else {
      const next = args[i + 1]
      if (next === undefined) return Either.left(`${name} needs a value (${spec.value})`)
      value = next
      i++
    }
    const set = spec.set(globals, value)
    if (Either.isLeft(set)) return Either.left(set.left)
    globals = set.right
    given.add(spec)
  }
  for (const spec of specs) {
    if (given.has(spec) || spec.env === undefined) continue
    const value = env[spec.env]
    if (value === undefined || value === "") continue
    const set = spec.set(globals, value)
    if (Either.isLeft(set)) return Either.left(`$${spec.env}: ${set.left}`)
    globals = set.right
  }
  if (Option.isSome(globals.logLevel) && !levels.includes(globals.logLevel.value.toUpperCase() as never)) {
    return Either.left(
      `--log-level: expected one of ${levels.join(", ")}, got ${JSON.stringify(globals.logLevel.value)}`
    )
  }
  return Either.right({ globals, rest })
}

const titles = {
  general: "GLOBAL FLAGS",
  logging: "LOGGING FLAGS",
  backend: "BACKEND FLAGS (rclone's jottacloud options)"
}

/** The help section of the global flags, lines within `width` columns. */
export const helpSection = (width = 100): string => {
  const lines: Array<string> = []
  for (const section of ["general", "logging", "backend"] as const) {
    lines.push(titles[section], "")
    for (const s of specs.filter((x) => x.section === section)) {
      const names = [...s.names].sort((a, b) => a.length - b.length).join(", ")
      lines.push(`  ${names}${s.value === undefined ? "" : ` ${s.value}`}`)
      lines.push(...wrap(`${s.description}${s.env === undefined ? "" : ` [$${s.env}]`}`, width - 6, "      "))
    }
    lines.push("")
  }
  return lines.join("\n")
}

/** `text` wrapped at word boundaries within `width` columns, each line indented. */
export const wrap = (text: string, width: number, indent: string): Array<string> => {
  const out: Array<string> = []
  let line = ""
  for (const word of text.split(/\s+/)) {
    if (line !== "" && line.length + 1 + word.length > width) {
      out.push(`${indent}${line}`)
      line = word
    } else line = line === "" ? word : `${line} ${word}`
  }
  if (line !== "") out.push(`${indent}${line}`)
  return out
}

/** The log level the flags ask for (rclone's: NOTICE by default, -v INFO, -vv DEBUG, -q ERROR). */
export const logLevel = (g: Globals): (typeof levels)[number] => {
  if (Option.isSome(g.logLevel)) return g.logLevel.value.toUpperCase() as (typeof levels)[number]
  if (g.verbose >= 2) return "DEBUG"
  if (g.verbose === 1) return "INFO"
  if (g.quiet) return "ERROR"
  return "NOTICE"
}
