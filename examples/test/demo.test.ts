import * as NodeContext from "@effect/platform-node/NodeContext"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Logger from "effect/Logger"
import * as Demo from "../src/Demo.js"

describe("npm start demo", () => {
  it.scoped("tours the SDK against the embedded emulator", () =>
    Effect.gen(function* () {
      const summary = yield* Demo.run
      assert.strictEqual(summary.username, "k9demouser4x7q2")
      assert.deepStrictEqual(summary.listed, ["d reports 2026", "- big copy.bin", "- big.bin"])
      assert.strictEqual(summary.downloaded, "Hello from fjord!\n")
      assert.strictEqual(summary.bigBytes, 8 * 1024 * 1024)
      assert.deepStrictEqual([...summary.revisions].sort(), [1, 2])
      assert.strictEqual(summary.publicDownload, "Hello again, revision 2\n")
      assert.strictEqual(summary.dedupBodyBytes, 0)
      assert.deepStrictEqual(summary.purged, { folders: 1, files: 1 })
      // the root folder, demo/, demo/reports 2026/ and the three files
      assert.isAtLeast(summary.recursiveCount, 5)
    }).pipe(Effect.provide(NodeContext.layer), Effect.provide(Logger.remove(Logger.defaultLogger)))
  )
})
