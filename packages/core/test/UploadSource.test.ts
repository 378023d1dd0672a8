import * as FileSystem from "@effect/platform/FileSystem"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as ContentHasher from "../src/ContentHasher.js"
import * as UploadSource from "../src/UploadSource.js"

const collect = <E>(stream: Stream.Stream<Uint8Array, E>) =>
  Effect.map(Stream.runCollect(stream), (chunks) => {
    const out: Array<number> = []
    for (const c of chunks) out.push(...c)
    return out
  })

const bytes = (n: number) => Uint8Array.from({ length: n }, (_, i) => i % 256)

const info = (size: number, type: FileSystem.File.Type = "File"): FileSystem.File.Info => ({
  type,
  mtime: Option.none(),
  atime: Option.none(),
  birthtime: Option.none(),
  dev: 0,
  ino: Option.none(),
  mode: 0o644,
  nlink: Option.none(),
  uid: Option.none(),
  gid: Option.none(),
  rdev: Option.none(),
  size: FileSystem.Size(size),
  blksize: Option.none(),
  blocks: Option.none()
})

describe("UploadSource", () => {
  it.effect("fromUint8Array is re-runnable and has no md5", () =>
    Effect.gen(function* () {
      const src = UploadSource.fromUint8Array(bytes(10))
      assert.strictEqual(src.size, 10)
      assert.isTrue(Option.isNone(src.md5))
      assert.deepStrictEqual(yield* collect(src.stream), [...bytes(10)])
      assert.deepStrictEqual(yield* collect(src.stream), [...bytes(10)])
    })
  )

  it.effect("make keeps a given md5", () =>
    Effect.gen(function* () {
      const md5 = ContentHasher.md5FromString("D41D8CD98F00B204E9800998ECF8427E")
      const src = UploadSource.make({ size: 0, stream: Stream.empty, md5 })
      assert.deepStrictEqual(src.md5, Option.some(md5))
      assert.strictEqual(md5, "d41d8cd98f00b204e9800998ecf8427e")
      assert.deepStrictEqual(yield* collect(src.stream), [])
    })
  )

  it.effect("skip drops bytes across chunk boundaries, per run", () =>
    Effect.gen(function* () {
      const data = bytes(20)
      const chunks = [data.subarray(0, 3), data.subarray(3, 7), data.subarray(7, 20)]
      const src = UploadSource.make({ size: 20, stream: Stream.fromIterable(chunks) })
      for (const n of [0, 2, 3, 5, 7, 19, 20, 25]) {
        const skipped = UploadSource.skip(src, n)
        const expected = [...data.subarray(Math.min(n, 20))]
        assert.strictEqual(skipped.size, expected.length)
        assert.deepStrictEqual(yield* collect(skipped.stream), expected)
        assert.deepStrictEqual(yield* collect(skipped.stream), expected, "second run starts over")
      }
    })
  )

  it.effect("fromFile stats the file and reopens it per run", () =>
    Effect.gen(function* () {
      let opens = 0
      const fsLayer = FileSystem.layerNoop({
        stat: (path) => Effect.succeed(info(path === "/a" ? 5 : 0, path === "/a" ? "File" : "Directory")),
        stream: () =>
          Stream.suspend(() => {
            opens++
            return Stream.make(Uint8Array.of(1, 2), Uint8Array.of(3, 4, 5))
          })
      })
      const src = yield* Effect.provide(UploadSource.fromFile("/a"), fsLayer)
      assert.strictEqual(src.size, 5)
      assert.deepStrictEqual(yield* collect(src.stream), [1, 2, 3, 4, 5])
      assert.deepStrictEqual(yield* collect(src.stream), [1, 2, 3, 4, 5])
      assert.strictEqual(opens, 2)
      const dir = yield* Effect.flip(Effect.provide(UploadSource.fromFile("/d"), fsLayer))
      assert.strictEqual(dir._tag, "UploadSourceError")
      assert.strictEqual(dir.path, "/d")
      const missing = yield* Effect.flip(Effect.provide(UploadSource.fromFile("/x"), FileSystem.layerNoop({})))
      assert.strictEqual(missing._tag, "UploadSourceError")
    })
  )
})
