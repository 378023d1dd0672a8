/**
 * The `fjord` command line: rclone-like commands on top of the SDK. Cloud paths are written
 * `remote:Folder/file.txt` (relative to the remote's device and mountpoint, `Jotta/Archive` by
 * default; `jotta:` is the remote of `fjord login`); other paths are local.
 *
 * This module holds the root command, the one-line description of a failure and `run`; the
 * commands are in `commands/` by family, each loading its implementation when it runs. The
 * global flags (`internal/globalArgs.ts`) are read from anywhere on the line before
 * `@effect/cli` parses the rest, and reach the commands as the `GlobalFlags` service.
 *
 * `run(args)` is the whole program as an Effect (tests run it in-process); `bin.ts` runs it
 * with `NodeRuntime.runMain`.
 *
 * @since 0.1.0
 */
import type * as CliApp from "@effect/cli/CliApp"
import * as CliConfig from "@effect/cli/CliConfig"
import * as Command from "@effect/cli/Command"
import * as ValidationError from "@effect/cli/ValidationError"
import * as Cause from "effect/Cause"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Account from "./commands/account.js"
import * as ConfigCommand from "./commands/config.js"
import * as Emulator from "./commands/emulator.js"
import * as FileCommands from "./commands/files.js"
import * as Listing from "./commands/listing.js"
import * as Login from "./commands/login.js"
import * as Serve from "./commands/serve.js"
import * as Transfer from "./commands/transfer.js"
import * as Trash from "./commands/trash.js"
import { out } from "./internal/common.js"
import * as GlobalArgs from "./internal/globalArgs.js"
import * as Help from "./internal/help.js"
import * as Logging from "./internal/logging.js"
import { Output } from "./Output.js"
import * as Version from "./version.js"

const versionCommand = Command.make("version", {}, () => out(Version.versionText())).pipe(
  Command.withDescription("Show the version of fjord and of the platform it runs on")
)

/**
 * The `fjord` command and its subcommands.
 *
 * @since 0.1.0
 * @category commands
 */
export const command = Command.make("fjord", {}, () =>
  out("fjord: rclone-like commands for Jottacloud. Run `fjord --help` for the list of commands.")
).pipe(
  Command.withDescription("rclone-like commands for Jottacloud (cloud paths are written remote:path)"),
  Command.withSubcommands([
    ...Login.commands,
    ConfigCommand.command,
    ...Account.commands,
    ...Listing.commands,
    ...Transfer.commands(),
    ...FileCommands.commands,
    ...Trash.commands,
    Emulator.command,
    Serve.command,
    versionCommand
  ])
)

/**
 * The run failed; the reason was already printed on stderr (or, for usage errors, as help).
 *
 * @since 0.1.0
 * @category errors
 */
export class CliFailure extends Schema.TaggedError<CliFailure>("@fjord/cli/CliFailure")("CliFailure", {
  exitCode: Schema.Number
}) {}

const cli = Command.run(command, { name: "fjord", version: Version.version })

/** Whether `--help` or `-h` is on the line (before `--`). */
const asksHelp = (args: ReadonlyArray<string>): boolean => {
  const end = args.indexOf("--")
  return (end < 0 ? args : args.slice(0, end)).some((a) => a === "--help" || a === "-h")
}

const fail = (exitCode: number, text: string) =>
  Effect.zipRight(
    Effect.flatMap(Output, (o) => o.error(`fjord: ${text}`)),
    Effect.fail(new CliFailure({ exitCode }))
  )

/**
 * Runs the CLI on `args` (without the node and script paths). Failures are printed as one
 * line on stderr (`fjord: …`) and become a `CliFailure` (exit code 1; 2 for usage errors).
 *
 * @since 0.1.0
 * @category running
 */
export const run = (args: ReadonlyArray<string>): Effect.Effect<void, CliFailure, Output | CliApp.CliApp.Environment> =>
  Effect.gen(function* () {
    const parsed = GlobalArgs.parse(args)
    if (Either.isLeft(parsed)) return yield* fail(2, parsed.left)
    const { globals, rest } = parsed.right
    const output = yield* Output
    const program = cli(["node", "fjord", ...rest]).pipe(
      Effect.provideService(GlobalArgs.GlobalFlags, globals),
      // the built-in flags (--completions, --wizard, …) still work; the help lists ours
      Effect.provide(CliConfig.layer({ showBuiltIns: false, showTypes: false })),
      Console.withConsole(Help.console(output)),
      Logging.configure(globals),
      Effect.catchAllCause((cause) => {
        if (Cause.isInterruptedOnly(cause)) return Effect.failCause(cause as Cause.Cause<never>)
        const failure = Cause.failureOption(cause)
        if (Option.isSome(failure) && ValidationError.isValidationError(failure.value)) {
          return Effect.fail(new CliFailure({ exitCode: 2 }))
        }
        const error = Option.isSome(failure) ? failure.value : Cause.squash(cause)
        const text = Option.isSome(failure) ? Help.describe(error) : `internal error: ${Help.describe(error)}`
        return Effect.zipRight(
          Logging.detail(error).pipe(Effect.provideService(GlobalArgs.GlobalFlags, globals)),
          fail(Option.isSome(failure) ? Help.exitCode(error) : 1, text.split("\n")[0] ?? "")
        )
      })
    )
    yield* program
    if (asksHelp(rest)) yield* output.line(GlobalArgs.helpSection())
  })
