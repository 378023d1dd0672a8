/**
 * What the CLI prints about itself and its failures: `@effect/cli`'s help and messages made
 * plain (no colour codes, no type boilerplate such as "A user-defined piece of text.", lines
 * within 100 columns), and the one-line description of a failure, in rclone's words where
 * rclone has them, with what to do; text that came from the server is cleaned and capped.
 */
import type * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import type * as Output from "../Output.js"
import * as RemotePath from "../RemotePath.js"
import { wrap } from "./globalArgs.js"

/** The width help lines are kept within. */
export const width = 100

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching escape sequences is the point
const ansi = /\u001b\[[0-9;]*[A-Za-z]/g

/** The primitives' generic descriptions: they say nothing the flag's own description does not. */
const boilerplate = new Set([
  "A user-defined piece of text.",
  "A true or false value.",
  "An integer.",
  "A floating point number.",
  "A user-defined piece of text that is confidential.",
  "This setting is optional.",
  "This option can be set from environment variables."
])

/** `@effect/cli`'s output as plain lines (see the module header). */
export const plain = (text: string): Array<string> => {
  const lines: Array<string> = []
  for (const raw of text.replace(ansi, "").split("\n")) {
    const line = raw.trimEnd()
    if (boilerplate.has(line.trim())) {
      // drop the line and the blank line after it
      continue
    }
    if (line === "" && lines[lines.length - 1] === "") continue
    if (line.length <= width) lines.push(line)
    else {
      // the first line keeps its indentation; the rest are indented under it
      const indent = /^\s*/.exec(line)?.[0] ?? ""
      const rest = `${indent}    `
      const [first = "", ...more] = wrap(line.trim(), width - rest.length, "")
      lines.push(`${indent}${first}`, ...wrap(more.join(" "), width - rest.length, rest))
    }
  }
  return lines
}

/**
 * `@effect/cli`'s usage error (what it writes with `Console.error`: an unknown flag, a missing
 * argument, an invalid subcommand) as every other error reads: `fjord: …` on stderr, its
 * continuation lines indented under it, no blank lines around it.
 */
export const usageLines = (text: string): Array<string> => {
  const lines = plain(text).filter((l) => l.trim() !== "")
  return lines.map((l, i) => (i === 0 ? `fjord: ${l.trim()}` : l))
}

/** A `Console` writing `@effect/cli`'s output plainly to the CLI's `Output`. */
export const console = (output: Output.Service): Console.Console => {
  const log = (...args: ReadonlyArray<unknown>) =>
    Effect.forEach(plain(args.map(String).join(" ")), output.line, { discard: true })
  const error = (...args: ReadonlyArray<unknown>) =>
    Effect.forEach(usageLines(args.map(String).join(" ")), output.error, { discard: true })
  const ignore = () => Effect.void
  const unsafe = globalThis.console
  return {
    [Symbol.for("effect/Console") as never]: Symbol.for("effect/Console"),
    assert: ignore,
    clear: Effect.void,
    count: ignore,
    countReset: ignore,
    debug: error,
    dir: log,
    dirxml: log,
    error,
    group: ignore,
    groupEnd: Effect.void,
    info: log,
    log,
    table: log,
    time: ignore,
    timeEnd: ignore,
    timeLog: ignore,
    trace: error,
    warn: error,
    unsafe
  } as unknown as Console.Console
}

/** Server-supplied text on a terminal: no control characters (escape sequences), capped. */
export const clean = (text: string): string => {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
  const plainText = text.replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g, "")
  return plainText.length > 300 ? `${plainText.slice(0, 300)}…` : plainText
}

const field = (error: object, name: string): string | undefined =>
  name in error && typeof (error as Record<string, unknown>)[name] === "string"
    ? ((error as Record<string, unknown>)[name] as string)
    : undefined

/** What a reader can act on, for the failures a user meets (undefined: the error's own message). */
const remedy = (error: object, tag: string | undefined): string | undefined => {
  const path = field(error, "path")
  switch (tag) {
    case "RemoteNotFound":
    case "NotFound":
      // rclone's form: the path as the user wrote it, then what is wrong
      return path === undefined ? undefined : `${field(error, "remote") ?? RemotePath.remoteName}:${path}: not found`
    case "QuotaExceeded":
      return "the account's storage is full: free space (delete files, then `fjord cleanup` to empty the trash) or upgrade the plan"
    case "AuthError": {
      const reason = field(error, "reason")
      const operation = field(error, "operation") ?? ""
      if (reason === "StaleToken") {
        return "the saved token is no longer valid (used elsewhere or revoked): run `fjord config reconnect NAME:` with a new login token (or `fjord login` for jotta:)"
      }
      if (reason === "InvalidCredentials") return "the user name or password was refused"
      if (reason === "Transport") {
        return `cannot reach the login service (${operation}): check the network and --endpoint`
      }
      return undefined
    }
    default:
      return undefined
  }
}

/**
 * The exit code of a run that failed with `error`, rclone's (`lib/exitcode`): 3 when a path
 * is not there (rclone 1.60 says "directory not found" and exits 3 for a missing folder and
 * for a missing file alike: `ls`, `lsf`, `size`, `cat`, `copy`, `copyto`, `sync`, `rmdir`,
 * `purge`, `check`, checked by running it against the emulator), 1 for anything else. Usage
 * errors (2) and transfers that end with failed files (1) are decided where they happen.
 */
export const exitCode = (error: unknown): number => {
  if (typeof error !== "object" || error === null) return 1
  const tag = (error as { readonly _tag?: unknown })._tag
  const notFound =
    tag === "NotFound" ||
    tag === "RemoteNotFound" ||
    (tag === "TransferFailed" && (error as { readonly notFound?: unknown }).notFound === true)
  return notFound ? 3 : 1
}

/**
 * A failure as one line. An error of the service's says what failed and its HTTP status, not
 * the server's own text (that is logged at -vv).
 */
export const describe = (error: unknown): string => clean(describeRaw(error))

const describeRaw = (error: unknown): string => {
  if (typeof error !== "object" || error === null) return String(error)
  const tag = "_tag" in error ? String(error._tag) : undefined
  const fixed = remedy(error, tag)
  if (fixed !== undefined) return fixed
  let message = field(error, "message")
  if (message === undefined || message === "") return tag ?? String(error)
  if (tag === "SystemError" || tag === "BadArgument") return message
  const status = (error as { readonly status?: unknown }).status
  if (typeof status === "number") {
    // the server's text (description and reason) stays out of the line
    const description = field(error, "description")
    const reason = field(error, "reason")
    if (description !== undefined && description !== "") message = message.replace(`: ${description}`, "")
    if (reason !== undefined && reason !== "") message = message.replace(` [${reason}]`, "")
  }
  return message
}
