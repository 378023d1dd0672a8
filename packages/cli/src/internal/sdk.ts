import * as FileSystem from "@effect/platform/FileSystem"
import * as Account from "@fjord/core/Account"
import * as Files from "@fjord/core/Files"
import type * as JottaClient from "@fjord/core/JottaClient"
import type * as JottaConfig from "@fjord/core/JottaConfig"
import * as NodeJotta from "@fjord/node/NodeJotta"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Remotes from "./remotes.js"
import * as Settings from "./settings.js"

/** The options every command accepts. */
export interface Globals {
  readonly config: Option.Option<string>
  readonly configDir: Option.Option<string>
  readonly endpoint: Option.Option<string>
  readonly device: Option.Option<string>
  readonly mountpoint: Option.Option<string>
  readonly hardDelete: boolean
  readonly json: boolean
}

export class NotLoggedIn extends Schema.TaggedError<NotLoggedIn>("@fjord/cli/NotLoggedIn")("NotLoggedIn", {
  configDir: Schema.String
}) {
  override get message(): string {
    return `not logged in (no token in ${this.configDir}): run \`fjord login --login-token <token>\` first (create a personal login token in the web UI under Settings → Security)`
  }
}

export class UsageError extends Schema.TaggedError<UsageError>("@fjord/cli/UsageError")("UsageError", {
  description: Schema.String
}) {
  override get message(): string {
    return this.description
  }
}

/** The client configuration from the flags, falling back to what `fjord login` saved. */
export const clientConfig = (g: Globals, saved: Settings.Settings): typeof JottaConfig.Options.Encoded => {
  const endpoint = Option.getOrUndefined(g.endpoint) ?? saved.endpoint
  const device = Option.getOrUndefined(g.device) ?? saved.device
  const mountpoint = Option.getOrUndefined(g.mountpoint) ?? saved.mountpoint
  return {
    ...Settings.boundsFromEnv(),
    ...(endpoint === undefined ? {} : { endpoint }),
    ...(device === undefined ? {} : { device }),
    ...(mountpoint === undefined ? {} : { mountpoint }),
    hardDelete: g.hardDelete
  }
}

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

/** Runs `effect` with the SDK built from the global options. */
export const withSdk =
  (g: Globals, remote?: string) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>) =>
    Effect.provide(effect, layer(g, remote))
