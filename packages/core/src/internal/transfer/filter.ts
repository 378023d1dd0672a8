/**
 * rclone's filter rules (docs/content/filtering.md, fs/filter): globs translated to regular
 * expressions the way rclone's `glob.go` does it, first matching rule wins, an implied
 * `- **` after `--include` rules, directory rules implied from file rules so that a folder
 * no rule can match inside is not listed at all, plus size, age and depth limits.
 *
 * `--files-from` / `--files-from-raw` (rclone's `AddFile`): only the listed paths, relative
 * to the root (leading and trailing `/` trimmed), and only the folders on the way to them
 * are looked into; the list overrides every other filter, so rclone refuses the two
 * together. A listed file that does not exist is simply not there (rclone 1.60.1 copies the
 * rest without an error). `--exclude-if-present NAME`: a folder that holds a file `NAME` is
 * left out with everything below it (the sides check while listing, `ListOptions`).
 *
 * @internal
 */

/** @internal */
export interface Rule {
  readonly include: boolean
  readonly regexp: RegExp
}

/** The filter options, as rclone's flags (`*From` take the lines of the named files). @internal */
export interface FilterOptions {
  readonly include?: ReadonlyArray<string> | undefined
  readonly exclude?: ReadonlyArray<string> | undefined
  /** `+ glob`, `- glob` or `!` (clears the rules so far). */
  readonly filter?: ReadonlyArray<string> | undefined
  readonly includeFrom?: ReadonlyArray<string> | undefined
  readonly excludeFrom?: ReadonlyArray<string> | undefined
  readonly filterFrom?: ReadonlyArray<string> | undefined
  readonly minSize?: number | undefined
  readonly maxSize?: number | undefined
  /** Only files older than this many milliseconds. */
  readonly minAgeMs?: number | undefined
  /** Only files newer than this many milliseconds. */
  readonly maxAgeMs?: number | undefined
  readonly maxDepth?: number | undefined
  /** Patterns match regardless of case (rclone's `--ignore-case`). */
  readonly ignoreCase?: boolean | undefined
  /** `--files-from`: the lines of the lists (trimmed; blank lines and `#`/`;` comments skipped). */
  readonly filesFrom?: ReadonlyArray<string> | undefined
  /** `--files-from-raw`: the lines of the lists, each a path as it is. */
  readonly filesFromRaw?: ReadonlyArray<string> | undefined
  /** `--exclude-if-present`: a folder holding a file of one of these names is left out. */
  readonly excludeIfPresent?: ReadonlyArray<string> | undefined
}

/** The paths of `--files-from`: the files, and every folder on the way to one. @internal */
export interface FileList {
  readonly files: ReadonlySet<string>
  readonly dirs: ReadonlySet<string>
}

/** A compiled filter. @internal */
export interface Compiled {
  readonly fileRules: ReadonlyArray<Rule>
  readonly dirRules: ReadonlyArray<Rule>
  readonly options: FilterOptions
  /** `--files-from`: only these (it overrides the rules, sizes and ages). */
  readonly fileList?: FileList | undefined
  /** Whether anything is filtered at all. */
  readonly active: boolean
}

/** A glob rclone cannot read. @internal */
export class GlobError extends Error {}

const POSIX_CLASSES: Record<string, string> = {
  alnum: "0-9A-Za-z",
  alpha: "A-Za-z",
  ascii: "\\x00-\\x7F",
  blank: "\\t ",
  cntrl: "\\x00-\\x1F\\x7F",
  digit: "0-9",
  graph: "!-~",
  lower: "a-z",
  print: " -~",
  punct: "!-\\/:-@\\[-`{-~",
  space: "\\t\\n\\v\\f\\r ",
  upper: "A-Z",
  word: "0-9A-Za-z_",
  xdigit: "0-9A-Fa-f"
}

/**
 * rclone's path-mode glob → regular expression (anchored: `^` for `/glob`, else `(^|/)`).
 * JavaScript has no Go-style inline flags, so a `{{(?i)…}}` regexp makes the whole pattern
 * case-insensitive (the glob parts around it hold no letters in rclone's documented uses).
 *
 * @internal
 */
export const globToRegExp = (input: string, ignoreCase = false): RegExp => {
  let glob = input
  let caseless = ignoreCase
  let re = ""
  if (glob.startsWith("/")) {
    glob = glob.slice(1)
    re += "^"
  } else re += "(^|/)"
  let stars = 0
  const flushStars = () => {
    if (stars === 1) re += "[^/]*"
    else if (stars === 2) re += ".*"
    else if (stars > 2) throw new GlobError(`too many stars in ${JSON.stringify(input)}`)
    stars = 0
  }
  let braces = 0
  let brackets = 0
  let inRegexp = false
  const chars = Array.from(glob)
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!
    if (inRegexp) {
      if (c === "}" && chars[i + 1] === "}") {
        inRegexp = false
        re += ")"
        i++
        // rclone: `}}}` ends the regexp with a literal-looking brace kept in the regexp
        while (chars[i + 1] === "}") {
          re = `${re.slice(0, -1)}})`
          i++
        }
      } else re += c
      continue
    }
    if (c !== "*") flushStars()
    if (brackets > 0) {
      if (c === "[" && chars[i + 1] === ":") {
        const rest = chars.slice(i + 2).join("")
        const end = rest.indexOf(":]")
        const name = end < 0 ? "" : rest.slice(0, end)
        const cls = Object.hasOwn(POSIX_CLASSES, name) ? POSIX_CLASSES[name] : undefined
        if (cls !== undefined) {
          re += cls
          i += 2 + name.length + 1
          continue
        }
      }
      if (c === "\\" && i + 1 < chars.length) {
        re += c + chars[++i]!
        continue
      }
      if (c === "]") brackets--
      re += c
      continue
    }
    switch (c) {
      case "\\":
        if (i + 1 < chars.length) re += `\\${chars[++i]!}`
        else re += "\\\\"
        break
      case "*":
        stars++
        break
      case "?":
        re += "[^/]"
        break
      case "[":
        brackets++
        re += "["
        if (chars[i + 1] === "!") {
          re += "^"
          i++
        }
        break
      case "]":
        throw new GlobError(`mismatched ']' in glob ${JSON.stringify(input)}`)
      case "{":
        if (chars[i + 1] === "{") {
          inRegexp = true
          re += "("
          i++
          if (chars.slice(i + 1, i + 5).join("") === "(?i)") {
            caseless = true
            i += 4
          }
        } else {
          braces++
          re += "("
        }
        break
      case "}":
        if (braces === 0) throw new GlobError(`mismatched '{' and '}' in glob ${JSON.stringify(input)}`)
        braces--
        re += ")"
        break
      case ",":
        re += braces > 0 ? "|" : ","
        break
      case ".":
      case "+":
      case "(":
      case ")":
      case "|":
      case "^":
      case "$":
        re += `\\${c}`
        break
      default:
        re += c
    }
  }
  flushStars()
  if (brackets > 0) throw new GlobError(`mismatched '[' and ']' in glob ${JSON.stringify(input)}`)
  if (braces > 0) throw new GlobError(`mismatched '{' and '}' in glob ${JSON.stringify(input)}`)
  if (inRegexp) throw new GlobError(`mismatched '{{' and '}}' in glob ${JSON.stringify(input)}`)
  try {
    return new RegExp(`${re}$`, caseless ? "i" : "")
  } catch (e) {
    throw new GlobError(`bad glob pattern ${JSON.stringify(input)}: ${e instanceof Error ? e.message : String(e)}`)
  }
}

// rclone's globToDirGlobs cannot see through `/` or `**` inside braces, nor regexps
const TOO_HARD = /(\{[^{}]*(\*\*|\/)[^{}]*\})|\{\{|\}\}|\{[^{}]*\{/

/** The folder globs a file glob implies (rclone's `globToDirGlobs`). @internal */
export const globToDirGlobs = (input: string): Array<string> => {
  if (TOO_HARD.test(input)) return ["/**"]
  let glob = input.replace(/\/{2,}/g, "/")
  const out: Array<string> = []
  for (;;) {
    let i = glob.lastIndexOf("/")
    const j = glob.lastIndexOf("**")
    let what = ""
    if (j > i) {
      i = j
      what = "**"
    }
    if (i < 0) {
      if (out.length === 0) out.push("/**")
      break
    }
    glob = glob.slice(0, i)
    const next = `${glob}${what}/`
    if (out.length === 0 || out[out.length - 1] !== next) out.push(next)
  }
  return out
}

/** Compiles the options (rclone's `parseRules` order: include, exclude, filter, then `- **` if any include). @internal */
export const compile = (options: FilterOptions): Compiled => {
  let fileRules: Array<Rule> = []
  let dirRules: Array<Rule> = []
  const add = (include: boolean, input: string) => {
    let glob = input
    let isDirRule = glob.endsWith("/")
    let isFileRule = !isDirRule
    if (isDirRule && !include) glob += "**"
    if (glob.includes("**")) {
      isDirRule = true
      isFileRule = true
    }
    const ci = options.ignoreCase === true
    const regexp = globToRegExp(glob, ci)
    if (isFileRule) {
      fileRules.push({ include, regexp })
      if (include || glob === "*") {
        for (const dirGlob of globToDirGlobs(glob)) {
          if (dirGlob !== "/") dirRules.push({ include, regexp: globToRegExp(dirGlob, ci) })
        }
      }
    }
    if (isDirRule) dirRules.push({ include, regexp })
  }
  const addRule = (rule: string) => {
    if (rule === "!") {
      fileRules = []
      dirRules = []
    } else if (rule.startsWith("+ ")) add(true, rule.slice(2))
    else if (rule.startsWith("- ")) add(false, rule.slice(2))
    else throw new GlobError(`malformed rule ${JSON.stringify(rule)}`)
  }
  const lines = (ls: ReadonlyArray<string> | undefined) =>
    (ls ?? []).map((l) => l.trim()).filter((l) => l !== "" && !l.startsWith("#") && !l.startsWith(";"))
  const includes = [...(options.include ?? []), ...lines(options.includeFrom)]
  for (const g of includes) add(true, g)
  for (const g of [...(options.exclude ?? []), ...lines(options.excludeFrom)]) add(false, g)
  for (const r of [...(options.filter ?? []), ...lines(options.filterFrom)]) addRule(r)
  if (includes.length > 0) add(false, "/**")
  // rclone's InActive, the filters a file list overrides (--max-depth is not one of them)
  const filtering =
    fileRules.length > 0 ||
    dirRules.length > 0 ||
    options.minSize !== undefined ||
    options.maxSize !== undefined ||
    options.minAgeMs !== undefined ||
    options.maxAgeMs !== undefined ||
    (options.excludeIfPresent?.length ?? 0) > 0
  const fileList = fileListOf(options)
  if (fileList !== undefined && filtering) {
    throw new GlobError(
      options.filesFrom !== undefined
        ? "the usage of --files-from overrides all other filters, it should be used alone or with --files-from-raw"
        : "the usage of --files-from-raw overrides all other filters, it should be used alone or with --files-from"
    )
  }
  const active = filtering || fileList !== undefined || options.maxDepth !== undefined
  return { fileRules, dirRules, options, fileList, active }
}

/** rclone's `AddFile` over every line: `/` trimmed at both ends, each parent folder noted. */
const fileListOf = (options: FilterOptions): FileList | undefined => {
  if (options.filesFrom === undefined && options.filesFromRaw === undefined) return undefined
  const files = new Set<string>()
  const dirs = new Set<string>()
  const add = (line: string) => {
    const file = line.replace(/^\/+|\/+$/g, "")
    files.add(file)
    for (let i = file.lastIndexOf("/"); i > 0; i = file.lastIndexOf("/", i - 1)) {
      const dir = file.slice(0, i)
      if (dirs.has(dir)) break
      dirs.add(dir)
    }
  }
  for (const line of options.filesFrom ?? []) {
    const t = line.trim()
    if (t !== "" && !t.startsWith("#") && !t.startsWith(";")) add(t)
  }
  for (const line of options.filesFromRaw ?? []) add(line)
  return { files, dirs }
}

const first = (rules: ReadonlyArray<Rule>, path: string): boolean => {
  for (const r of rules) if (r.regexp.test(path)) return r.include
  return true
}

/** Whether a file passes (path rules, size, age at `now`). @internal */
export const includeFile = (
  f: Compiled,
  path: string,
  size: number,
  modified: number | undefined,
  now: number
): boolean => {
  if (f.fileList !== undefined) return f.fileList.files.has(path)
  const o = f.options
  if (o.minSize !== undefined && size < o.minSize) return false
  if (o.maxSize !== undefined && size > o.maxSize) return false
  if (modified !== undefined) {
    if (o.maxAgeMs !== undefined && modified < now - o.maxAgeMs) return false
    if (o.minAgeMs !== undefined && modified > now - o.minAgeMs) return false
  }
  return first(f.fileRules, path)
}

/** Whether a folder is looked into (rclone's `IncludeDirectory`: the folder rules on `path/`). @internal */
export const includeDir = (f: Compiled, path: string): boolean =>
  f.fileList !== undefined ? f.fileList.dirs.has(path) : first(f.dirRules, `${path}/`)
