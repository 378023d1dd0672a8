/**
 * Where the legacy login gets the SMS code from when the account uses two-factor
 * authentication. Swappable: a terminal prompt (cli), a UI dialog, or a fixed code in tests.
 *
 * @since 0.1.0
 */
import { AuthError } from "@fjord/core/Auth"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** Asks for the SMS code (formatted like `123-456`; dashes are stripped before use). */
  readonly code: Effect.Effect<Redacted.Redacted<string>, AuthError>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class TwoFactorPrompt extends Context.Tag("@fjord/auth/TwoFactorPrompt")<TwoFactorPrompt, Service>() {}

/**
 * Always answers the given code (test double, or a code passed on the command line).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerStatic = (code: Redacted.Redacted<string> | string): Layer.Layer<TwoFactorPrompt> =>
  Layer.succeed(
    TwoFactorPrompt,
    TwoFactorPrompt.of({ code: Effect.succeed(Redacted.isRedacted(code) ? code : Redacted.make(code)) })
  )

/**
 * No way to ask: a login that needs a code fails with reason `TwoFactorRequired`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerUnavailable: Layer.Layer<TwoFactorPrompt> = Layer.succeed(
  TwoFactorPrompt,
  TwoFactorPrompt.of({
    code: Effect.fail(
      new AuthError({
        reason: "TwoFactorRequired",
        operation: "TwoFactorPrompt.code",
        description: "the account requires an SMS code and no prompt is available"
      })
    )
  })
)
