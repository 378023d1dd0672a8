/**
 * The legacy flow (protocol §2.8, rclone `configVersion` 0): username and password with the
 * upper-case `PASSWORD` grant at `<api root>/auth/v1/token`, optional device registration for
 * a machine-specific client id and secret, SMS two-factor codes through the swappable
 * `TwoFactorPrompt`, and refreshes with the upper-case `REFRESH_TOKEN` grant.
 *
 * ```ts
 * const Auth = Legacy.layer({ username: "me@example.com", password: Redacted.make("…") }).pipe(
 *   Layer.provide(TwoFactorPrompt.layerStatic("123-456")), // optional
 *   Layer.provide(TokenStore.layerMemory()),
 *   Layer.provide(FetchHttpClient.layer)
 * )
 * ```
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import type { Service as AuthService } from "@fjord/core/Auth"
import { type AuthError, JottaAuth } from "@fjord/core/Auth"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import * as AuthPolicy from "./AuthPolicy.js"
import { resumeOrLogin } from "./internal/resumeOrLogin.js"
import * as WebCrypto from "./internal/webCrypto.js"
import * as OAuthClient from "./OAuthClient.js"
import type * as RefreshingAuth from "./RefreshingAuth.js"
import * as TokenSet from "./TokenSet.js"
import type { StoredToken, TokenStore } from "./TokenStore.js"
import { TwoFactorPrompt } from "./TwoFactorPrompt.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options extends RefreshingAuth.Options {
  /** Login name (may be the e-mail address). */
  readonly username: string
  readonly password: Redacted.Redacted<string>
  /** API root; default `https://api.jottacloud.com/` (the emulator: `${base}/api`). */
  readonly apiUrl?: string | undefined
  /**
   * Register this machine for its own client id and secret (`auth/v1/register`).
   * `true` uses a random device id `fjord-<21 alphanumerics>`.
   */
  readonly registerDevice?: boolean | { readonly deviceId: string } | undefined
  /** Client id when not registering; default rclone's built-in one (with its secret). */
  readonly clientId?: string | undefined
  readonly clientSecret?: Redacted.Redacted<string> | undefined
  /** Resume from a token already in the store instead of logging in (default `true`). */
  readonly resume?: boolean | undefined
}

const registerClient = (options: Options, apiUrl: string) =>
  Effect.gen(function* () {
    if (options.registerDevice === undefined || options.registerDevice === false) {
      if (options.clientId !== undefined) return { clientId: options.clientId, clientSecret: options.clientSecret }
      return {
        clientId: OAuthClient.legacyDefaultClientId,
        clientSecret: options.clientSecret ?? (yield* OAuthClient.legacyDefaultClientSecret)
      }
    }
    const deviceId =
      options.registerDevice === true
        ? `fjord-${yield* WebCrypto.randomAlphanumeric(21)}`
        : options.registerDevice.deviceId
    const registered = yield* OAuthClient.legacyRegister({
      registerUrl: OAuthClient.apiEndpoint(apiUrl, "auth/v1/register"),
      deviceId
    })
    return { clientId: registered.client_id, clientSecret: registered.client_secret }
  })

/**
 * Logs in with username and password (and an SMS code from `TwoFactorPrompt` if the account
 * asks for one; without a prompt service that fails with `TwoFactorRequired`).
 *
 * @since 0.1.0
 * @category requests
 */
export const login: (options: Options) => Effect.Effect<StoredToken, AuthError, HttpClient.HttpClient> = Effect.fn(
  "Legacy.login"
)(function* (options: Options) {
  const apiUrl = options.apiUrl ?? AuthPolicy.defaultApiUrl
  const tokenUrl = OAuthClient.legacyTokenUrl(apiUrl)
  const client = yield* registerClient(options, apiUrl)
  const attempt = (otp?: Redacted.Redacted<string>) =>
    OAuthClient.legacyPasswordGrant({
      tokenUrl,
      clientId: client.clientId,
      clientSecret: client.clientSecret,
      username: options.username,
      password: options.password,
      otp
    })
  const set = yield* attempt().pipe(
    Effect.catchIf(
      (e) => e.reason === "TwoFactorRequired",
      (e) =>
        Effect.serviceOption(TwoFactorPrompt).pipe(
          Effect.flatMap(
            Option.match({
              onNone: () => Effect.fail(e),
              onSome: (prompt) => Effect.flatMap(prompt.code, attempt)
            })
          )
        )
    )
  )
  return TokenSet.toStoredToken(set, {
    kind: "legacy",
    tokenUrl,
    clientId: client.clientId,
    clientSecret: client.clientSecret
  })
})

/**
 * Resumes from the store (unless `resume: false`) or logs in and stores the token, then
 * refreshes through `RefreshingAuth`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options): Effect.Effect<AuthService, AuthError, TokenStore | HttpClient.HttpClient> =>
  resumeOrLogin("Legacy.login", "legacy", options, login(options))

/**
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<JottaAuth, AuthError, TokenStore | HttpClient.HttpClient> =>
  Layer.effect(JottaAuth, make(options))

/**
 * Reads username and password from configuration (default: `FJORD_USERNAME` and the
 * `FJORD_PASSWORD` secret).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  config: Config.Config<{ readonly username: string; readonly password: Redacted.Redacted<string> }> = Config.all({
    username: Config.string("FJORD_USERNAME"),
    password: Config.redacted("FJORD_PASSWORD")
  }),
  options: Omit<Options, "username" | "password"> = {}
): Layer.Layer<JottaAuth, AuthError | ConfigError.ConfigError, TokenStore | HttpClient.HttpClient> =>
  Layer.effect(
    JottaAuth,
    Effect.flatMap(config, (credentials) => make({ ...options, ...credentials }))
  )
