// Running `fjord args…` in-process for the tests, its output captured.
import * as Cli from "@fjord/cli/Cli"
import * as Output from "@fjord/cli/Output"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"

export interface Result {
  readonly exitCode: number
  readonly stdout: string
  readonly stderr: string
}

/** Runs `fjord args…` in-process, capturing its output. */
export const fjord = (...args: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const { service, captured } = Output.makeMemory()
    const exit = yield* Effect.exit(Cli.run(args).pipe(Effect.provideService(Output.Output, service)))
    const exitCode = Exit.isSuccess(exit) ? 0 : exit.cause._tag === "Fail" ? exit.cause.error.exitCode : -1
    return { exitCode, stdout: captured.stdout(), stderr: captured.stderr() } satisfies Result
  })
