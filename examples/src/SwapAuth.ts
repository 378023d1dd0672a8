/**
 * Swapping auth layers: the program only needs `Files`; which credentials stand behind it is
 * a layer chosen at the edge. Here the same program runs under `StaticAuth.layer` (a bearer
 * token handed in, e.g. from a secret store) and under `LoginToken.layer` (a personal login
 * token exchanged for refreshable tokens, kept in a `TokenStore`).
 *
 * Run against a fresh embedded emulator:
 * `tsx --conditions=@fjord/source examples/src/SwapAuth.ts`
 *
 * @since 0.1.0
 */

import { pathToFileURL } from "node:url"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as LoginToken from "@fjord/auth/LoginToken"
import * as StaticAuth from "@fjord/auth/StaticAuth"
import * as TokenStore from "@fjord/auth/TokenStore"
import type { JottaAuth } from "@fjord/core/Auth"
import * as Files from "@fjord/core/Files"
import * as JottaClient from "@fjord/core/JottaClient"
import * as UploadSource from "@fjord/core/UploadSource"
import * as Emulator from "@fjord/emulator/Emulator"
import * as NodeJotta from "@fjord/node/NodeJotta"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"

/**
 * Writes a file under `folder`, lists the folder and reads the file back.
 *
 * @since 0.1.0
 * @category programs
 */
export const program = (folder: string) =>
  Effect.gen(function* () {
    const files = yield* Files.Files
    yield* files.upload(`${folder}/greeting.txt`, UploadSource.fromUint8Array(new TextEncoder().encode("hei\n")))
    const names = (yield* files.list(folder)).map((entry) => entry.name)
    const text = yield* files.download(`${folder}/greeting.txt`).pipe(Stream.decodeText(), Stream.mkString)
    return { names, text }
  })

/**
 * `Files` over any auth layer (the auth layer may need an `HttpClient` and a `TokenStore`).
 *
 * @since 0.1.0
 * @category layers
 */
export const filesWith = <E>(
  auth: Layer.Layer<JottaAuth, E, TokenStore.TokenStore | NodeJotta.NodeJotta>,
  endpoint: string
) =>
  Files.layer.pipe(
    Layer.provide(JottaClient.layer({ endpoint })),
    Layer.provide(auth),
    Layer.provide(TokenStore.layerMemory()),
    Layer.provideMerge(NodeJotta.layer)
  )

/**
 * The two compositions of this example.
 *
 * @since 0.1.0
 * @category layers
 */
export const layers = (emu: { readonly url: string; readonly accessToken: string; readonly loginToken: string }) => ({
  static: filesWith(StaticAuth.layer(emu.accessToken), emu.url),
  loginToken: filesWith(LoginToken.layer(emu.loginToken), emu.url)
})

const main = Effect.gen(function* () {
  const emu = yield* Emulator.make()
  const { static: staticLayer, loginToken } = layers(emu)
  const a = yield* program("under-static").pipe(Effect.provide(staticLayer))
  const b = yield* program("under-login-token").pipe(Effect.provide(loginToken))
  yield* Console.log({ static: a, loginToken: b })
})

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main.pipe(Effect.scoped, Effect.provide(NodeContext.layer), NodeRuntime.runMain)
}
