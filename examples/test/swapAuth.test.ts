import { assert, describe, it } from "@effect/vitest"
import * as Emulator from "@fjord/emulator/Emulator"
import * as Effect from "effect/Effect"
import * as SwapAuth from "../src/SwapAuth.js"

const tokenRequests = (emu: Emulator.Handle) =>
  Effect.map(emu.requests, (log) => log.filter((r) => r.path.includes("token")).length)

describe("SwapAuth example", () => {
  it.scoped("one program, same result under StaticAuth and under LoginToken", () =>
    Effect.gen(function* () {
      const first = yield* Emulator.make()
      const underStatic = yield* SwapAuth.program("swap").pipe(Effect.provide(SwapAuth.layers(first).static))
      const second = yield* Emulator.make()
      const underLogin = yield* SwapAuth.program("swap").pipe(Effect.provide(SwapAuth.layers(second).loginToken))
      assert.deepStrictEqual(underStatic, { names: ["greeting.txt"], text: "hei\n" })
      assert.deepStrictEqual(underLogin, underStatic)
      // Only the login-token composition exchanged a token.
      assert.strictEqual(yield* tokenRequests(first), 0)
      assert.isAbove(yield* tokenRequests(second), 0)
    })
  )
})
