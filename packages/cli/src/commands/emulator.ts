/**
 * `fjord emulator`: the embedded emulator with the standalone `fjord-emulator`'s option set
 * (`@fjord/emulator/CliOptions`, which loads no server code); the server is loaded when the
 * command runs (`internal/emulator.ts`).
 *
 * @since 0.1.0
 */
import * as Command from "@effect/cli/Command"
import * as EmulatorOptions from "@fjord/emulator/CliOptions"
import { lazy } from "../internal/common.js"

/**
 * @since 0.1.0
 * @category commands
 */
export const command = Command.make(
  "emulator",
  EmulatorOptions.options,
  lazy(
    () => import("../internal/emulator.js"),
    (m) => m.emulator
  )
).pipe(
  Command.withDescription(
    "Start the embedded Jottacloud emulator; print its URL and a login token (for fjord login --emulator)"
  )
)
