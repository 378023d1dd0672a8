import { createHash } from "node:crypto"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { assert, describe, it } from "@effect/vitest"
import * as StaticAuth from "@fjord/auth/StaticAuth"
import * as ContentHasher from "@fjord/core/ContentHasher"
import * as Files from "@fjord/core/Files"
import * as JottaClient from "@fjord/core/JottaClient"
import * as UploadSource from "@fjord/core/UploadSource"
import * as Emulator from "@fjord/emulator/Emulator"
import * as WebContentHasher from "@fjord/web/WebContentHasher"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"

const MiB = 1024 * 1024

/** `n` deterministic bytes, produced lazily in chunks of `chunk` bytes. */
const bytes = (n: number, chunk = 256 * 1024): Stream.Stream<Uint8Array> =>
  Stream.unfoldChunk(0, (offset) => {
    if (offset >= n) return Option.none()
    const c = new Uint8Array(Math.min(chunk, n - offset))
    for (let i = 0; i < c.length; i++) c[i] = ((offset + i) * 2654435761) >>> 24
    return Option.some([Chunk.of(c), offset + c.length] as const)
  })

const nodeMd5 = <E>(s: Stream.Stream<Uint8Array, E>) =>
  Stream.runFold(s, createHash("md5"), (h, c) => h.update(c)).pipe(Effect.map((h) => h.digest("hex")))

/** core + auth over fetch and this hasher: nothing from node:crypto or @fjord/node. */
const platformFree = (emu: Emulator.Handle) => {
  const client = JottaClient.layer({ endpoint: emu.url }).pipe(
    Layer.provide(Layer.merge(StaticAuth.layer(emu.accessToken), FetchHttpClient.layer))
  )
  return Files.layer.pipe(Layer.provide(Layer.merge(client, WebContentHasher.layer)), Layer.orDie)
}

describe("WebContentHasher", () => {
  it.effect("agrees with node:crypto on empty input, odd chunk sizes and re-runs", () =>
    Effect.gen(function* () {
      const hasher = yield* ContentHasher.ContentHasher
      assert.strictEqual(yield* hasher.md5(Stream.empty), "d41d8cd98f00b204e9800998ecf8427e")
      for (const [n, chunk] of [
        [1, 1],
        [1000, 7],
        [3 * MiB + 5, 65_537]
      ] as const) {
        const stream = bytes(n, chunk)
        const once = yield* hasher.md5(stream)
        assert.strictEqual(once, yield* nodeMd5(stream))
        assert.strictEqual(yield* hasher.md5(stream), once)
      }
    }).pipe(Effect.provide(WebContentHasher.layer))
  )

  it.scopedLive("core + auth upload a multi-MiB file with it, and resume a cut upload", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      const files = yield* Effect.provide(Files.Files, platformFree(emu))
      const size = 6 * MiB + 321
      const expected = yield* nodeMd5(bytes(size))
      const info = yield* files.upload("web/big.bin", UploadSource.make({ size, stream: bytes(size) }))
      assert.strictEqual(info.size, size)
      assert.strictEqual(info.md5, expected)
      assert.strictEqual(yield* nodeMd5(files.download("web/big.bin")), expected)

      // the data POST is cut after 2 MiB; the retry resumes from where the server got to
      const other = 5 * MiB + 17
      yield* emu.clearRequests
      yield* emu.inject({ _tag: "CutRequest", afterBytes: 2 * MiB, op: "upload" })
      const resumed = yield* files.upload("web/resumed.bin", UploadSource.make({ size: other, stream: bytes(other) }))
      const uploads = (yield* emu.requests).filter((r) => r.op === "upload")
      assert.strictEqual(uploads.length, 2)
      assert.isTrue(uploads[0]!.connectionCut)
      assert.match(uploads[1]!.headers.range ?? "", /^bytes=\d+-/)
      assert.isBelow(uploads[1]!.requestBytes, other)
      assert.strictEqual(resumed.md5, yield* nodeMd5(bytes(other)))
      assert.strictEqual(yield* nodeMd5(files.download("web/resumed.bin")), resumed.md5)
    })
  )
})
