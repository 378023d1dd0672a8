import * as NodeFs from "node:fs"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { assert, describe, it } from "@effect/vitest"
import * as Files from "@fjord/core/Files"
import * as UploadSource from "@fjord/core/UploadSource"
import * as Emulator from "@fjord/emulator/Emulator"
import * as NodeSdk from "@fjord/node/NodeSdk"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import { tempTokenFile } from "./utils.js"

/** Runs `effect` under `NodeSdk.layerConfig()` with the given `FJORD_*` variables. */
const withEnv = <A, E>(env: Record<string, string>, effect: Effect.Effect<A, E, Files.Files>) =>
  effect.pipe(
    Effect.provide(NodeSdk.layerConfig()),
    Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env)), { pathDelim: "_" }))
  )

// Live clock: token expiry and the token file's lock run on real time.
describe("NodeSdk.layerConfig", () => {
  it.live("logs in with FJORD_LOGIN_TOKEN once, then runs from the saved token without it", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      const { file } = yield* tempTokenFile("fjord-sdk-")
      const env = { FJORD_ENDPOINT: emu.url, FJORD_TOKEN_FILE: file }
      const first = yield* withEnv(
        { ...env, FJORD_LOGIN_TOKEN: emu.loginToken },
        Effect.flatMap(Files.Files, (files) =>
          files.upload("sdk/one.txt", UploadSource.fromUint8Array(new TextEncoder().encode("one")))
        )
      )
      assert.strictEqual(first.size, 3)
      assert.isTrue(NodeFs.statSync(file).size > 0)
      // the login token is single-use: the second run must take the saved token
      const listed = yield* withEnv(
        env,
        Effect.flatMap(Files.Files, (files) => files.list("sdk"))
      )
      assert.deepStrictEqual(
        listed.map((e) => e.name),
        ["one.txt"]
      )
      const tokenRequests = (yield* emu.requests).filter((r) => r.path.endsWith("/openid-connect/token"))
      assert.strictEqual(tokenRequests.length, 1)
    }).pipe(Effect.scoped, Effect.provide(NodeFileSystem.layer))
  )

  it.live("neither a saved token nor a login token: a typed AuthError that says what to set", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      const { file } = yield* tempTokenFile("fjord-sdk-")
      const error = yield* withEnv(
        { FJORD_ENDPOINT: emu.url, FJORD_TOKEN_FILE: file },
        Effect.flatMap(Files.Files, (files) => files.list())
      ).pipe(Effect.flip)
      assert.strictEqual(error._tag, "AuthError")
      assert.include(error.message, "FJORD_LOGIN_TOKEN")
      assert.include(error.message, file)
    }).pipe(Effect.scoped, Effect.provide(NodeFileSystem.layer))
  )
})
