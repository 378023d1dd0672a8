/**
 * Receives the browser's redirect at the end of the authorization-code flow (`WhiteLabel`).
 * auth stays platform-free: the implementation (a localhost HTTP listener, like rclone's on
 * 127.0.0.1:53682) lives in `@fjord/node`; tests can use `layerFunction`.
 *
 * @since 0.1.0
 */
import type { AuthError } from "@fjord/core/Auth"
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** The redirect URI the catcher listens on, e.g. `http://localhost:53682/`. */
  readonly redirectUri: string
  /**
   * Sends the user to `authorizationUrl` (opens a browser and/or prints the URL), waits for
   * the redirect carrying `state` and returns its `code`. Must fail (reason
   * `InvalidCredentials`) on a redirect with `error=…`, and ignore or reject a wrong `state`.
   */
  readonly waitForCode: (request: {
    readonly authorizationUrl: string
    readonly state: string
  }) => Effect.Effect<{ readonly code: Redacted.Redacted<string> }, AuthError>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class RedirectCatcher extends Context.Tag("@fjord/auth/RedirectCatcher")<RedirectCatcher, Service>() {}

/**
 * A catcher from plain functions (test double).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerFunction = (service: Service): Layer.Layer<RedirectCatcher> =>
  Layer.succeed(RedirectCatcher, RedirectCatcher.of(service))
