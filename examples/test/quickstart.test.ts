import * as FileSystem from "@effect/platform/FileSystem"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { assert, describe, it } from "@effect/vitest"
import * as Emulator from "@fjord/emulator/Emulator"
import * as Effect from "effect/Effect"
import * as Quickstart from "../src/Quickstart.js"

describe("README quickstart", () => {
  it.scoped("uploads, lists, downloads and catches NotFound against the emulator", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped({ prefix: "fjord-quickstart-" })
      const result = yield* Quickstart.program.pipe(
        Effect.provide(
          Quickstart.layer(emu.loginToken, { config: { endpoint: emu.url }, tokenFile: `${dir}/token.json` })
        )
      )
      assert.deepStrictEqual(result, {
        names: ["hello.txt"],
        text: "Hello, Jottacloud!\n",
        missing: "no such file: notes/missing.txt"
      })
    }).pipe(Effect.provide(NodeFileSystem.layer))
  )
})
