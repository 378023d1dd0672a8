/**
 * rclone's filter rules (docs/content/filtering.md, fs/filter): globs translated to regular
 * expressions the way rclone's `glob.go` does it, first matching rule wins, an implied
 * `- **` after `--include` rules, directory rules implied from file rules so that a folder
 * no rule can match inside is not listed at all, plus size, age and depth limits.
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
}

/** A compiled filter. @internal */
export interface Compiled {
  readonly fileRules: ReadonlyArray<Rule>
  readonly dirRules: ReadonlyArray<Rule>
  readonly options: FilterOptions
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
  const active =
    fileRules.length > 0 ||
    options.minSize !== undefined ||
    options.maxSize !== undefined ||
    options.minAgeMs !== undefined ||
    options.maxAgeMs !== undefined ||
    options.maxDepth !== undefined
  return { fileRules, dirRules, options, active }
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
export const includeDir = (f: Compiled, path: string): boolean => first(f.dirRules, `${path}/`)
