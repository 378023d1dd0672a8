/**
 * The `fjord` program: runs the CLI on the process arguments (loaded by `bin.ts` on demand).
 *
 * @since 0.1.0
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Cli from "./Cli.js"
import * as Output from "./Output.js"

Cli.run(process.argv.slice(2)).pipe(
  Effect.provide(Layer.merge(NodeContext.layer, Output.layerProcess)),
  NodeRuntime.runMain({
    disableErrorReporting: true,
    teardown: (exit, onExit) => {
      if (Exit.isSuccess(exit)) return onExit(0)
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
