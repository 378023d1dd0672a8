import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as FastCheck from "effect/FastCheck"
import * as Blobs from "../src/internal/blobs.js"

/** One step on a blob: append a chunk (small ones are coalesced, large ones kept), cut back, or seal. */
const step = FastCheck.oneof(
  FastCheck.record({ _tag: FastCheck.constant("append" as const), size: FastCheck.integer({ min: 0, max: 3000 }) }),
  FastCheck.record({
    _tag: FastCheck.constant("append" as const),
    size: FastCheck.integer({ min: 16 * 1024, max: 40 * 1024 })
  }),
  FastCheck.record({
    _tag: FastCheck.constant("truncate" as const),
    fraction: FastCheck.double({ min: 0, max: 1, noNaN: true })
  }),
  FastCheck.record({ _tag: FastCheck.constant("seal" as const) })
)

const collect = (chunks: Iterable<Uint8Array>): Buffer => Buffer.concat(Array.from(chunks, (c) => Buffer.from(c)))

describe("memory blob store", () => {
  it.prop(
    "holds exactly the appended bytes through mixed chunk sizes, truncation and sealing",
    [FastCheck.array(step, { maxLength: 25 })],
    ([steps]) => {
      const store = Blobs.memory()
      store.create("b")
      let expected = Buffer.alloc(0)
      let n = 0
      for (const s of steps) {
        if (s._tag === "append") {
          const chunk = Buffer.alloc(s.size, n++ & 0xff)
          store.append("b", chunk)
          expected = Buffer.concat([expected, chunk])
        } else if (s._tag === "truncate") {
          const size = Math.floor(expected.byteLength * s.fraction)
          store.truncate("b", size)
          expected = expected.subarray(0, size)
        } else store.seal("b")
        assert.strictEqual(store.size("b"), expected.byteLength)
        assert.isTrue(collect(store.chunks("b", expected.byteLength)).equals(expected))
      }
      const from = Math.floor(expected.byteLength / 3)
      assert.isTrue(collect(store.chunks("b", expected.byteLength)).subarray(from).equals(expected.subarray(from)))
    }
  )

  it.effect("streams a byte range that spans coalesced and kept chunks", () =>
    Effect.promise(async () => {
      const store = Blobs.memory()
      store.create("b")
      const parts = [Buffer.alloc(100, 1), Buffer.alloc(20_000, 2), Buffer.alloc(50, 3), Buffer.alloc(30_000, 4)]
      for (const p of parts) store.append("b", p)
      const all = Buffer.concat(parts)
      const read: Array<Buffer> = []
      for await (const c of store.read("b", 90, 50_120)) read.push(c as Buffer)
      assert.isTrue(Buffer.concat(read).equals(all.subarray(90, 50_120)))
    })
  )
})
