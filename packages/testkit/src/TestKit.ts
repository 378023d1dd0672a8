/**
 * A test kit for your own suites: a layer that starts an emulator on a free loopback port and
 * provides a ready SDK wired to it (`Files` and `Account` from `@fjord/core`, logged in with a
 * personal login token through `@fjord/auth`, hashing with `@fjord/node`), plus the emulator's
 * handle to inject faults. Its retry policy retries without delay, so a fault test runs under
 * `TestClock` (`it.effect`) instead of waiting on the frozen clock.
 *
 * @since 0.1.0
 */
import * as LoginToken from "@fjord/auth/LoginToken"
import * as TokenStore from "@fjord/auth/TokenStore"
import * as Account from "@fjord/core/Account"
import type { AuthError, JottaAuth } from "@fjord/core/Auth"
import * as Files from "@fjord/core/Files"
import * as JottaClient from "@fjord/core/JottaClient"
import type * as JottaConfig from "@fjord/core/JottaConfig"
import * as RetryPolicy from "@fjord/core/RetryPolicy"
import * as Emulator from "@fjord/emulator/Emulator"
import * as NodeJotta from "@fjord/node/NodeJotta"
import type * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

/**
 * Retries up to `maxAttempts` (default 10) times with no delay between attempts. A `429` with
 * `Retry-After` is still waited for (the SDK honours it as a minimum): inject rate limits with
 * `retryAfter: 0` in `TestClock` tests.
 *
 * @since 0.1.0
 * @category retry
 */
export const zeroDelayRetry = (maxAttempts = 10): RetryPolicy.Policy =>
  RetryPolicy.make({ baseDelay: 0, maxDelay: 0, jitter: false, maxAttempts })

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Options of the emulator (faults, quota, extra accounts, `dataDir`…). */
  readonly emulator?: Emulator.Options | undefined
  /** The SDK's retry policy; default {@link zeroDelayRetry}. */
  readonly retry?: RetryPolicy.Policy | undefined
  /**
   * Client options over the defaults (the endpoint is the emulator's): short `timeout` /
   * `connectTimeout` for stall tests, low `md5MemoryLimit` / `uploadResumeLimit` to reach the
   * spooling and resuming paths with small files.
   */
  readonly client?: Omit<typeof JottaConfig.Options.Encoded, "endpoint"> | undefined
}

/**
 * What the kit provides.
 *
 * @since 0.1.0
 * @category models
 */
export type Services =
  | Files.Files
  | Account.Account
  | Emulator.Emulator
  | JottaClient.JottaClient
  | JottaConfig.JottaConfig
  | JottaAuth
  | TokenStore.TokenStore
  | NodeJotta.NodeJotta

/**
 * The SDK wired to a running emulator: logged in with a fresh login token of its seeded
 * account, tokens kept in memory (the `TokenStore` is provided too, so a test can read the
 * current refresh token, e.g. to revoke its family), the given retry policy and client options.
 *
 * @since 0.1.0
 * @category layers
 */
export const sdk = (
  emulator: Emulator.Handle,
  retry: RetryPolicy.Policy = zeroDelayRetry(),
  client: Options["client"] = {}
): Layer.Layer<Exclude<Services, Emulator.Emulator>, AuthError | ConfigError.ConfigError> =>
  Layer.mergeAll(Files.layer, Account.layer).pipe(
    Layer.provideMerge(JottaClient.layer({ ...client, endpoint: emulator.url })),
    Layer.provideMerge(LoginToken.layer(emulator.loginToken).pipe(Layer.provideMerge(TokenStore.layerMemory()))),
    Layer.provideMerge(NodeJotta.layer),
    Layer.provideMerge(RetryPolicy.layer(retry))
  )

/**
 * Starts an emulator for the layer's lifetime and provides it with a ready SDK.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<Services, AuthError | ConfigError.ConfigError> =>
  Layer.unwrapScoped(
    Effect.map(Emulator.make(options.emulator), (emulator) =>
      sdk(emulator, options.retry, options.client).pipe(Layer.provideMerge(Layer.succeed(Emulator.Emulator, emulator)))
    )
  )
