// The SDK (Files, client, node layers) against a fresh in-process emulator, for tests and benchmarks.
import * as StaticAuth from "@fjord/auth/StaticAuth"
import * as Files from "@fjord/core/Files"
import * as JottaClient from "@fjord/core/JottaClient"
import type * as JottaConfig from "@fjord/core/JottaConfig"
import * as Emulator from "@fjord/emulator/Emulator"
import * as NodeJotta from "@fjord/node/NodeJotta"
import type * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

export const EmulatorEnv: Layer.Layer<
  Files.Files | JottaClient.JottaClient | JottaConfig.JottaConfig | NodeJotta.NodeJotta | Emulator.Emulator,
  ConfigError.ConfigError,
  never
> = Layer.unwrapEffect(
  Effect.map(Emulator.Emulator, (emu) =>
    Files.layer.pipe(
      Layer.provideMerge(JottaClient.layer({ endpoint: emu.url })),
      Layer.provide(StaticAuth.layer(emu.accessToken)),
      Layer.provideMerge(NodeJotta.layer)
    )
  )
).pipe(Layer.provideMerge(Emulator.layer()))
