import * as FileSystem from "@effect/platform/FileSystem"
import * as Account from "@fjord/core/Account"
import * as Files from "@fjord/core/Files"
import type * as JottaClient from "@fjord/core/JottaClient"
import * as JottaConfig from "@fjord/core/JottaConfig"
import * as NodeJotta from "@fjord/node/NodeJotta"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { NotLoggedIn } from "./errors.js"
import { GlobalFlags, type Globals } from "./globalArgs.js"
import * as Remotes from "./remotes.js"
import * as Settings from "./settings.js"

export { NotLoggedIn, UsageError } from "./errors.js"
export type { Globals } from "./globalArgs.js"

/** The client configuration from the flags, falling back to what `fjord login` saved. */
export const clientConfig = (g: Globals, saved: Settings.Settings): typeof JottaConfig.Options.Encoded =>
  Remotes.clientConfig(g, {
    ...(saved.endpoint === undefined ? {} : { endpoint: saved.endpoint }),
    ...(saved.device === undefined ? {} : { device: saved.device }),
    ...(saved.mountpoint === undefined ? {} : { mountpoint: saved.mountpoint })
  })

export type Sdk =
  | Files.Files
  | Account.Account
  | JottaClient.JottaClient
  | JottaConfig.JottaConfig
  | NodeJotta.NodeJotta

/** The SDK, authenticated from the token file in the config directory. */
export const layer = (g: Globals, remote: string = Remotes.loginRemote) =>
  Layer.unwrapEffect(
    Effect.gen(function* () {
      const named = yield* Remotes.find(g, remote)
      if (Option.isSome(named)) return named.value
      const dir = Settings.configDir(g.configDir)
      const fs = yield* FileSystem.FileSystem
      const hasToken = yield* Effect.orElseSucceed(fs.exists(Settings.tokenFile(dir)), () => false)
      if (!hasToken) return yield* new NotLoggedIn({ configDir: dir })
      const saved = yield* Settings.readSettings(dir)
      return Layer.mergeAll(Files.layer, Account.layer).pipe(
        Layer.provideMerge(
          NodeJotta.layerStoredToken({ config: clientConfig(g, saved), tokenFile: Settings.tokenFile(dir) })
        )
      )
    })
  )

/** A path of a remote is not there: `remote:path: not found`, as rclone says it. */
export class RemoteNotFound extends Schema.TaggedError<RemoteNotFound>("@fjord/cli/RemoteNotFound")("RemoteNotFound", {
  remote: Schema.String,
  path: Schema.String
}) {
  override get message(): string {
    return `${this.remote}:${this.path}: not found`
  }
}

/** Nothing answers at the remote's endpoint. */
export class Unreachable extends Schema.TaggedError<Unreachable>("@fjord/cli/Unreachable")("Unreachable", {
  url: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    const why = this.reason === "HostNotFound" ? "host not found" : "connection refused"
    return `cannot reach ${this.url} (${why}): check the endpoint (--endpoint, or the remote's endpoint in the config file) and that the service is running`
  }
}

const isUnreachable = (e: unknown): e is { readonly reason: string } =>
  typeof e === "object" &&
  e !== null &&
  (e as { _tag?: unknown })._tag === "TransportError" &&
  ((e as { reason?: unknown }).reason === "ConnectionRefused" || (e as { reason?: unknown }).reason === "HostNotFound")

const isNotFound = (e: unknown): e is { readonly path: string } =>
  typeof e === "object" &&
  e !== null &&
  (e as { _tag?: unknown })._tag === "NotFound" &&
  typeof (e as { path?: unknown }).path === "string"

/**
 * Runs `effect` with the SDK of `remote` (default `jotta:`), built from the global flags. A
 * path not found names the remote; an unreachable endpoint names its URL.
 */
export const withSdk =
  (remote: string = Remotes.loginRemote) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>) =>
    Effect.flatMap(GlobalFlags, (g) =>
      effect.pipe(
        Effect.catchAll(
          (e): Effect.Effect<never, E | Unreachable, JottaConfig.JottaConfig> =>
            isUnreachable(e)
              ? Effect.flatMap(JottaConfig.JottaConfig, (c) =>
                  Effect.fail(new Unreachable({ url: new URL(c.jfsRoot).origin, reason: e.reason }))
                )
              : Effect.fail(e)
        ),
        Effect.mapError((e) => (isNotFound(e) ? new RemoteNotFound({ remote, path: e.path }) : e)),
        Effect.provide(layer(g, remote))
      )
    )
