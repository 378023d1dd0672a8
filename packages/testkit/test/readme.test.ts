import { assert, layer } from "@effect/vitest"
import * as Files from "@fjord/core/Files"
import * as UploadSource from "@fjord/core/UploadSource"
import * as Emulator from "@fjord/emulator/Emulator"
import { TestKit } from "@fjord/testkit"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"

const text = (s: string) => UploadSource.fromUint8Array(new TextEncoder().encode(s))

layer(TestKit.layer())("my app against the emulator", (it) => {
  it.effect("uploads, lists and reads back a file", () =>
    Effect.gen(function* () {
      const files = yield* Files.Files
      yield* files.upload("notes/hello.txt", text("hello fjord"))
      const names = (yield* files.list("notes")).map((e) => e.name)
      assert.deepStrictEqual(names, ["hello.txt"])
      const body = yield* Stream.runFold(files.download("notes/hello.txt"), "", (s, b) => s + Buffer.from(b))
      assert.strictEqual(body, "hello fjord")
    })
  )

  // it.effect runs under TestClock: the kit's zero-delay retry policy rides out the faults
  it.effect("survives injected 503s without waiting on the clock", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const files = yield* Files.Files
      yield* emulator.inject({ _tag: "Status", status: 503, op: "jfs", times: 3 })
      const file = yield* files.stat("notes/hello.txt")
      assert.strictEqual(file.size, 11)
      const log = yield* emulator.requests
      assert.strictEqual(log.filter((e) => e.status === 503).length, 3)
    })
  )

  it.effect("a missing file is a typed NotFound", () =>
    Effect.gen(function* () {
      const files = yield* Files.Files
      const error = yield* Effect.flip(files.stat("notes/missing.txt"))
      assert.strictEqual(error._tag, "NotFound")
    })
  )
})
