/**
 * Prompts on the terminal, and never a prompt that waits on a stdin that is not a terminal:
 * `Interactive` says whether prompting is allowed (stdin is a TTY; a test driving the
 * `Terminal` sets it).
 */
import * as Prompt from "@effect/cli/Prompt"
import * as Terminal from "@effect/platform/Terminal"
import * as TwoFactorPrompt from "@fjord/auth/TwoFactorPrompt"
import { AuthError } from "@fjord/core/Auth"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

/** Whether the CLI may prompt (stdin is a terminal). */
export class Interactive extends Context.Reference<Interactive>()("@fjord/cli/Interactive", {
  defaultValue: () => process.stdin.isTTY === true
}) {}

/** The SMS code of a two-factor account, asked on the terminal; without one, the flag to pass. */
export const twoFactorLayer = (flag: string) =>
  Layer.effect(
    TwoFactorPrompt.TwoFactorPrompt,
    Effect.gen(function* () {
      const interactive = yield* Interactive
      const terminal = yield* Terminal.Terminal
      const missing = new AuthError({
        reason: "TwoFactorRequired",
        operation: "fjord login",
        description: `this account needs the SMS code sent to its phone: pass ${flag}`
      })
      return TwoFactorPrompt.TwoFactorPrompt.of({
        code: interactive
          ? Prompt.password({ message: "SMS code sent to your phone" }).pipe(
              Effect.mapError(() => missing),
              Effect.provideService(Terminal.Terminal, terminal)
            )
          : Effect.fail(missing)
      })
    })
  )
