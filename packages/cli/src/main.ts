/**
 * The `fjord` program: runs the CLI on the process arguments (loaded by `bin.ts` on demand).
 *
 * @since 0.1.0
 */
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePath from "@effect/platform-node/NodePath"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as NodeTerminal from "@effect/platform-node/NodeTerminal"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Cli from "./Cli.js"
import * as Output from "./Output.js"

/** Calls `f` once everything written to stdout and stderr has been handed to the OS. */
const flushed = (f: () => void) => process.stdout.write("", () => process.stderr.write("", f))

/**
 * What the CLI runs on (`CliApp.Environment` and the output), not all of `NodeContext`: its
 * command executor and worker manager load `node:child_process` and `node:worker_threads`,
 * a tenth of the start-up of a short command such as `fjord about`.
 */
const environment = Layer.mergeAll(NodeFileSystem.layer, NodePath.layer, NodeTerminal.layer, Output.layerProcess)

Cli.run(process.argv.slice(2)).pipe(
  Effect.provide(environment),
  NodeRuntime.runMain({
    disableErrorReporting: true,
    teardown: (exit, onExit) => {
      // On success the program's work is done and its scopes are closed; exiting once the
      // output is flushed spares the wait for whatever the event loop still holds (undici's
      // sockets closing, timers), up to a few hundred ms.
      if (Exit.isSuccess(exit)) return flushed(() => process.exit(0))
      const failure = Cause.failureOption(exit.cause)
      onExit(
        Option.isSome(failure) && failure.value instanceof Cli.CliFailure
          ? failure.value.exitCode
          : Cause.isInterruptedOnly(exit.cause)
            ? 130
            : 1
      )
    }
  })
)
