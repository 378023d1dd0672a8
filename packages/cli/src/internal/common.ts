/**
 * What the command modules share, cheap to load (no SDK code): the path arguments, reading a
 * `name:path` argument, output helpers, and `lazy`, which loads a command's implementation
 * when the command runs rather than when the CLI starts.
 */
import * as Args from "@effect/cli/Args"
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as Effect from "effect/Effect"
import { Output } from "../Output.js"
import * as RemotePath from "../RemotePath.js"

/** A word starting with `-` where a path is expected is a flag the command does not know. */
const notAFlag = (text: string) =>
  text.startsWith("-") && text !== "-"
    ? Effect.fail(HelpDoc.p(`unknown flag ${text} (see --help)`))
    : Effect.succeed(text)

/** A cloud path argument. */
export const remoteArg = (name: string) =>
  Args.text({ name }).pipe(
    Args.withDescription("A cloud path, remote:path (a path without a remote is on jotta:, the login's remote)"),
    Args.mapEffect(notAFlag)
  )

/** A cloud path argument that defaults to the root of `jotta:`. */
export const optionalRemoteArg = (name: string) => remoteArg(name).pipe(Args.withDefault("jotta:"))

/** `remote:` of the commands about a whole account (rclone's `about remote:`); default `jotta:`. */
export const remoteOnlyArg = Args.text({ name: "remote:" }).pipe(
  Args.withDescription("The remote (default jotta:, the remote of fjord login)"),
  Args.mapEffect(notAFlag),
  Args.withDefault("jotta:")
)

/** A path argument of a cloud-only command: `name:x` or plain `x`. */
export const remotePath = (arg: string): string => {
  const loc = RemotePath.parse(arg)
  return loc._tag === "Remote" ? loc.path : RemotePath.normalize(loc.path)
}

/** The remote a cloud-only command's path argument names (`jotta` when it names none). */
export const remoteOf = (arg: string): string => {
  const loc = RemotePath.parse(arg)
  return loc._tag === "Remote" ? loc.remote : RemotePath.remoteName
}

/** `remote:path` as rclone prints it in messages. */
export const display = (arg: string): string => `${remoteOf(arg)}:${remotePath(arg)}`

export const out = (text: string) => Effect.flatMap(Output, (o) => o.line(text))
export const json = (value: unknown) => out(JSON.stringify(value))

/**
 * A handler whose implementation is loaded when it runs: `lazy(() => import("./x.js"), (m) => m.f)`.
 */
export const lazy =
  <M, A, B, E, R>(load: () => Promise<M>, pick: (m: M) => (a: A) => Effect.Effect<B, E, R>) =>
  (a: A): Effect.Effect<B, E, R> =>
    Effect.flatMap(Effect.promise(load), (m) => pick(m)(a))
