/**
 * A fixed access token, for tests and short scripts. `invalidate` is a no-op, so a 401 from
 * the service surfaces as an error of the request (core maps it to `Unauthorized`).
 *
 * @since 0.1.0
 */

import type { Service as AuthService } from "@fjord/core/Auth"
import { JottaAuth } from "@fjord/core/Auth"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"

/**
 * @since 0.1.0
 * @category constructors
 */
export const make = (token: Redacted.Redacted<string> | string): AuthService => {
  const redacted = Redacted.isRedacted(token) ? token : Redacted.make(token)
  return JottaAuth.of({
    accessToken: Effect.succeed(redacted),
    invalidate: () => Effect.void
  })
}

/**
 * @since 0.1.0
 * @category layers
 */
export const layer = (token: Redacted.Redacted<string> | string): Layer.Layer<JottaAuth> =>
  Layer.succeed(JottaAuth, make(token))
