import * as FileSystem from "@effect/platform/FileSystem"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { assert, describe, it } from "@effect/vitest"
import { ContentHasher } from "@fjord/core/ContentHasher"
import * as NodeContentHasher from "@fjord/node/NodeContentHasher"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"

const enc = new TextEncoder()
const Env = Layer.merge(NodeContentHasher.layer, NodeFileSystem.layer)

describe("NodeContentHasher", () => {
  it.effect("hashes the empty stream", () =>
    Effect.gen(function* () {
      const hasher = yield* ContentHasher
      assert.strictEqual(yield* hasher.md5(Stream.empty), "d41d8cd98f00b204e9800998ecf8427e")
    }).pipe(Effect.provide(Env))
  )

  it.effect("hashes hello\\n", () =>
    Effect.gen(function* () {
      const hasher = yield* ContentHasher
      assert.strictEqual(yield* hasher.md5(Stream.make(enc.encode("hello\n"))), "b1946ac92492d2347c6235b4d2611184")
    }).pipe(Effect.provide(Env))
  )

  it.effect("a multi-chunk stream hashes like its concatenation, and the effect is re-runnable", () =>
    Effect.gen(function* () {
      const hasher = yield* ContentHasher
      // "The quick brown fox jumps over the lazy dog" split into uneven chunks
      const text = "The quick brown fox jumps over the lazy dog"
      const chunks = [text.slice(0, 3), text.slice(3, 4), text.slice(4, 20), "", text.slice(20)].map((s) =>
        enc.encode(s)
      )
      const effect = hasher.md5(Stream.fromIterable(chunks))
      assert.strictEqual(yield* effect, "9e107d9d372bb6826bd81d3542a419d6")
      assert.strictEqual(yield* effect, "9e107d9d372bb6826bd81d3542a419d6")
      assert.strictEqual(NodeContentHasher.md5Sync(enc.encode(text)), "9e107d9d372bb6826bd81d3542a419d6")
    }).pipe(Effect.provide(Env))
  )

  it.effect("propagates stream failures", () =>
    Effect.gen(function* () {
      const hasher = yield* ContentHasher
      const result = yield* Effect.flip(hasher.md5(Stream.concat(Stream.make(enc.encode("a")), Stream.fail("boom"))))
      assert.strictEqual(result, "boom")
    }).pipe(Effect.provide(Env))
  )

  it.scoped("hashes a file read in small chunks", () =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const hasher = yield* ContentHasher
      const dir = yield* fs.makeTempDirectoryScoped({ prefix: "fjord-hash-" })
      const bytes = new Uint8Array(100_000).map((_, i) => (i * 31 + 7) & 0xff)
      yield* fs.writeFile(`${dir}/f.bin`, bytes)
      const fromFile = yield* hasher.md5(fs.stream(`${dir}/f.bin`, { chunkSize: FileSystem.KiB(4) }))
      assert.strictEqual(fromFile, NodeContentHasher.md5Sync(bytes))
      assert.match(fromFile, /^[0-9a-f]{32}$/)
    }).pipe(Effect.provide(Env))
  )
})
