/**
 * `fjord emulator` (`commands/emulator.ts` declares it): starts the server with the
 * standalone emulator's start-up (`@fjord/emulator/Cli`), prints its start-up line as JSON,
 * and leaves the URL and a login token in the config directory for `fjord login --emulator`.
 */
import * as EmulatorCli from "@fjord/emulator/Cli"
import type * as EmulatorOptions from "@fjord/emulator/CliOptions"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { Output } from "../Output.js"
import { json } from "./common.js"
import { GlobalFlags } from "./globalArgs.js"
import * as Settings from "./settings.js"

export const emulator = (p: EmulatorOptions.Parsed) =>
  Effect.gen(function* () {
    const g = yield* GlobalFlags
    const { started } = yield* EmulatorCli.start(p)
    const dir = Settings.configDir(g.configDir)
    yield* Settings.writeEmulatorInfo(
      dir,
      new Settings.EmulatorInfo({ url: started.url, username: started.username, loginToken: started.loginToken })
    )
    yield* json(started)
    yield* (yield* Output).error(
      `fjord emulator listening on ${started.url}; log in with: fjord login --emulator${Option.isSome(g.configDir) ? ` --config-dir ${dir}` : ""}   (Ctrl-C stops it)`
    )
    return yield* Effect.never
  }).pipe(Effect.scoped)
