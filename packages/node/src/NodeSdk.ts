/**
 * The whole SDK for a Node.js program in one layer, from configuration: `Files` and `Account`
 * over an authenticated client, plus the platform services (`NodeJotta.layer`).
 *
 * ```ts
 * import * as NodeSdk from "@fjord/node/NodeSdk"
 *
 * program.pipe(Effect.provide(NodeSdk.layerConfig()))
 * ```
 *
 * Credentials, in this order:
 * 1. the token saved in the token file (`FJORD_TOKEN_FILE`, default
 *    `NodeTokenStore.defaultPath()`), refreshed and rotated under the file's lock;
 * 2. otherwise a personal login token (`FJORD_LOGIN_TOKEN`), exchanged once; the resulting
 *    tokens are saved in the token file, so the next run takes step 1 (a login token is
 *    single-use).
 *
 * Neither: the layer fails with an `AuthError` (`InvalidCredentials`) that says what to set.
 * The client configuration (endpoint, device, mountpoint, backend options, timeouts) is read
 * from `FJORD_*` as `JottaConfig.layerConfig` does.
 *
 * @since 0.1.0
 */
import * as LoginToken from "@fjord/auth/LoginToken"
import * as RefreshingAuth from "@fjord/auth/RefreshingAuth"
import * as Account from "@fjord/core/Account"
import { AuthError, type JottaAuth } from "@fjord/core/Auth"
import * as Files from "@fjord/core/Files"
import * as JottaClient from "@fjord/core/JottaClient"
import type * as JottaConfig from "@fjord/core/JottaConfig"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import * as NodeJotta from "./NodeJotta.js"
import * as NodeTokenStore from "./NodeTokenStore.js"

/**
 * What {@link layerConfig} provides.
 *
 * @since 0.1.0
 * @category models
 */
export type Sdk =
  | Files.Files
  | Account.Account
  | JottaClient.JottaClient
  | JottaConfig.JottaConfig
  | JottaAuth
  | NodeJotta.NodeJotta

/**
 * Where {@link layerConfig} reads its credentials; each has an `FJORD_*` default.
 *
 * @since 0.1.0
 * @category models
 */
export interface ConfigOptions {
  /** The token file (default `FJORD_TOKEN_FILE`, else `NodeTokenStore.defaultPath()`). */
  readonly tokenFile?: Config.Config<string> | undefined
  /** The personal login token, used when the file holds none (default `FJORD_LOGIN_TOKEN`). */
  readonly loginToken?: Config.Config<Option.Option<Redacted.Redacted<string>>> | undefined
}

/** Whether the token file holds a token, read through the file store itself (unreadable: none). */
const hasSavedToken = (file: string) =>
  Effect.flatMap(NodeTokenStore.make(file), (store) => store.get).pipe(
    Effect.map(Option.isSome),
    Effect.orElseSucceed(() => false)
  )

/**
 * `Files` + `Account` over a client authenticated from the saved token, or from a login token
 * when none is saved; configuration from `FJORD_*`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (options: ConfigOptions = {}): Layer.Layer<Sdk, AuthError | ConfigError.ConfigError> =>
  Layer.unwrapEffect(
    Effect.gen(function* () {
      const tokenFile = yield* options.tokenFile ??
        Config.string("FJORD_TOKEN_FILE").pipe(Config.withDefault(NodeTokenStore.defaultPath()))
      const loginToken = yield* options.loginToken ?? Config.option(Config.redacted("FJORD_LOGIN_TOKEN"))
      const saved = yield* hasSavedToken(tokenFile)
      const auth = saved
        ? RefreshingAuth.layer()
        : Option.isSome(loginToken)
          ? LoginToken.layer(loginToken.value)
          : undefined
      if (auth === undefined) {
        return yield* new AuthError({
          reason: "InvalidCredentials",
          operation: "NodeSdk.layerConfig",
          description: `no saved token in ${tokenFile} and FJORD_LOGIN_TOKEN is not set: generate a personal login token in the web UI (Settings → Security) and set FJORD_LOGIN_TOKEN`
        })
      }
      return Layer.mergeAll(Files.layer, Account.layer).pipe(
        Layer.provideMerge(JottaClient.layerConfig()),
        Layer.provideMerge(auth.pipe(Layer.provide(NodeTokenStore.layer(tokenFile)))),
        Layer.provideMerge(NodeJotta.layer)
      )
    }).pipe(Effect.provide(NodeJotta.layer))
  )
