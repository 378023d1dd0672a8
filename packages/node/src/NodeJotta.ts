/**
 * Everything a Node.js program needs under the fjord SDK, in one layer (like
 * `NodeContext.layer`): an `HttpClient` (`NodeHttpClient`: `node:http` keep-alive agents,
 * connect and idle timeouts, backpressure; `UndiciHttpClient` is the alternative over
 * undici), the platform `FileSystem` and `Path`, and the `node:crypto` MD5 `ContentHasher`. Plus ready-made compositions for apps: the core
 * client authenticated from a token file (`layerStoredToken`) or from a personal login token
 * whose rotated tokens are kept in that file (`layerLoginToken`).
 *
 * @since 0.1.0
 */
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as Path from "@effect/platform/Path"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePath from "@effect/platform-node/NodePath"
import * as LoginToken from "@fjord/auth/LoginToken"
import * as RefreshingAuth from "@fjord/auth/RefreshingAuth"
import type * as TokenStore from "@fjord/auth/TokenStore"
import type { AuthError, JottaAuth } from "@fjord/core/Auth"
import type * as ContentHasher from "@fjord/core/ContentHasher"
import * as JottaClient from "@fjord/core/JottaClient"
import type * as JottaConfig from "@fjord/core/JottaConfig"
import type * as ConfigError from "effect/ConfigError"
import * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import * as NodeContentHasher from "./NodeContentHasher.js"
import * as NodeHttpClient from "./NodeHttpClient.js"
import * as NodeTokenStore from "./NodeTokenStore.js"

/**
 * The services the SDK needs from the platform.
 *
 * @since 0.1.0
 * @category models
 */
export type NodeJotta = HttpClient.HttpClient | FileSystem.FileSystem | Path.Path | ContentHasher.ContentHasher

/**
 * `HttpClient` (`NodeHttpClient.layer`) + `FileSystem` + `Path` + `ContentHasher` for Node.js.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<NodeJotta> = Layer.mergeAll(
  NodeHttpClient.layer,
  NodeFileSystem.layer,
  NodePath.layer,
  NodeContentHasher.layer
)

/**
 * Options of the app compositions.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientOptions {
  /** The client configuration (endpoint, device, mountpoint, backend options). */
  readonly config?: typeof JottaConfig.Options.Encoded | undefined
  /** The token file; default `NodeTokenStore.defaultPath()` (`~/.config/fjord/token.json`). */
  readonly tokenFile?: string | undefined
  readonly tokenStore?: NodeTokenStore.Options | undefined
}

/** The core client over `auth`, whose token store is the token file. */
const clientOnTokenFile = (
  auth: Layer.Layer<JottaAuth, AuthError, TokenStore.TokenStore | HttpClient.HttpClient>,
  options: ClientOptions
) =>
  JottaClient.layer(options.config).pipe(
    Layer.provideMerge(auth.pipe(Layer.provide(NodeTokenStore.layer(options.tokenFile, options.tokenStore)))),
    Layer.provideMerge(layer)
  )

/**
 * The core client authenticated from the token stored in a file (written by a previous login,
 * e.g. `fjord login`). Rotated tokens are written back to the file under its cross-process
 * lock, so several processes can share it. Provides the client, its configuration, the auth
 * service and the platform services.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerStoredToken = (
  options: ClientOptions = {}
): Layer.Layer<
  JottaClient.JottaClient | JottaConfig.JottaConfig | JottaAuth | NodeJotta,
  AuthError | ConfigError.ConfigError
> => clientOnTokenFile(RefreshingAuth.layer(), options)

/**
 * The core client logged in with a personal login token (generated in the web UI under
 * Settings → Security). The first run exchanges the token and stores the result in the token
 * file; later runs resume from the file (the login token is single-use), as long as it holds
 * a token from the same login token. Rotated tokens are written back under the file's
 * cross-process lock.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerLoginToken = (
  token: Redacted.Redacted<string> | string,
  options: ClientOptions = {}
): Layer.Layer<
  JottaClient.JottaClient | JottaConfig.JottaConfig | JottaAuth | NodeJotta,
  AuthError | ConfigError.ConfigError
> => clientOnTokenFile(LoginToken.layer(token), options)
