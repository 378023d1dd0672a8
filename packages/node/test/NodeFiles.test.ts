import * as NodeFs from "node:fs"
import * as Os from "node:os"
import { assert, layer } from "@effect/vitest"
import * as Files from "@fjord/core/Files"
import * as RetryPolicy from "@fjord/core/RetryPolicy"
import * as Emulator from "@fjord/emulator/Emulator"
import * as NodeContentHasher from "@fjord/node/NodeContentHasher"
import * as NodeFiles from "@fjord/node/NodeFiles"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { EmulatorEnv } from "./emulatorEnv.js"
import { tempDir } from "./utils.js"

const Env = EmulatorEnv

const bytes = (n: number, seed: number) => new Uint8Array(n).map((_, i) => (i * 131 + seed * 7 + (i >> 8)) & 0xff)
const filesDir = tempDir("fjord-files-")
const read = (files: Files.Service, path: string) =>
  Stream.runFold(files.download(path), new Uint8Array(0), (acc, c) => {
    const out = new Uint8Array(acc.length + c.length)
    out.set(acc)
    out.set(c, acc.length)
    return out
  })

layer(Env, { timeout: 30_000 })("NodeFiles", (it) => {
  it.scoped("uploadFile keeps content, MD5 and mtime; downloadFile restores them atomically", () =>
    Effect.gen(function* () {
      const dir = yield* filesDir
      const content = bytes(20_000, 1)
      NodeFs.writeFileSync(`${dir}/a.bin`, content)
      const mtime = new Date("2021-03-04T05:06:07Z")
      NodeFs.utimesSync(`${dir}/a.bin`, mtime, mtime)
      const up = yield* NodeFiles.uploadFile(`${dir}/a.bin`, "nf/one/a.bin")
      assert.strictEqual(up.size, content.length)
      assert.strictEqual(up.md5, NodeContentHasher.md5Sync(content))
      assert.strictEqual(Option.map(up.modified, DateTime.toEpochMillis).pipe(Option.getOrNull), mtime.getTime())
      const down = yield* NodeFiles.downloadFile("nf/one/a.bin", `${dir}/out/b.bin`)
      assert.strictEqual(down.size, content.length)
      assert.deepStrictEqual(new Uint8Array(NodeFs.readFileSync(`${dir}/out/b.bin`)), content)
      assert.strictEqual(NodeFs.statSync(`${dir}/out/b.bin`).mtime.getTime(), mtime.getTime())
      assert.deepStrictEqual(NodeFs.readdirSync(`${dir}/out`), ["b.bin"])
    })
  )

  it.scoped(
    "md5File: blocks across its two buffers, an empty file, a file that is not the size it was listed with",
    () =>
      Effect.gen(function* () {
        const dir = yield* filesDir
        // 2.5 blocks: both buffers are used, and the last block is short
        const content = bytes(2.5 * 1024 * 1024 + 7, 3)
        NodeFs.writeFileSync(`${dir}/big.bin`, content)
        assert.strictEqual(
          yield* NodeFiles.md5File(`${dir}/big.bin`, content.length),
          NodeContentHasher.md5Sync(content)
        )
        NodeFs.writeFileSync(`${dir}/empty.bin`, new Uint8Array(0))
        assert.strictEqual(yield* NodeFiles.md5File(`${dir}/empty.bin`, 0), "d41d8cd98f00b204e9800998ecf8427e")
        const grown = yield* Effect.flip(NodeFiles.md5File(`${dir}/big.bin`, content.length - 1))
        assert.strictEqual(grown.reason, "SizeMismatch")
        const shrunk = yield* Effect.flip(NodeFiles.md5File(`${dir}/big.bin`, content.length + 1))
        assert.strictEqual(shrunk.reason, "SizeMismatch")
        const missing = yield* Effect.flip(NodeFiles.md5File(`${dir}/nope.bin`, 1))
        assert.strictEqual(missing.reason, "Io")
      })
  )

  it.scoped("uploadSource reads a file with read-ahead, re-runnably; a missing file is a LocalFileError", () =>
    Effect.gen(function* () {
      const dir = yield* filesDir
      const content = bytes(300_000, 9)
      NodeFs.writeFileSync(`${dir}/s.bin`, content)
      const source = yield* NodeFiles.uploadSource(`${dir}/s.bin`)
      assert.strictEqual(source.size, 300_000)
      const twice = yield* Effect.all([NodeContentHasher.md5(source.stream), NodeContentHasher.md5(source.stream)])
      assert.deepStrictEqual(twice, [NodeContentHasher.md5Sync(content), NodeContentHasher.md5Sync(content)])
      const small = yield* Stream.runCollect(NodeFiles.fileStream(`${dir}/s.bin`, { chunkSize: 100_000 }))
      assert.deepStrictEqual(
        Array.from(small, (c) => c.length),
        [100_000, 100_000, 100_000]
      )
      const missing = yield* Effect.flip(NodeFiles.uploadSource(`${dir}/nope.bin`))
      assert.strictEqual(missing._tag, "LocalFileError")
      const unreadable = yield* Effect.flip(Stream.runDrain(NodeFiles.fileStream(`${dir}/nope.bin`)))
      assert.strictEqual(unreadable._tag, "LocalFileError")
      assert.match(unreadable.message, /nope\.bin/)
    })
  )

  it.scoped("a corrupted download fails with DownloadFailed (Md5Mismatch) and leaves the target untouched", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const dir = yield* filesDir
      NodeFs.writeFileSync(`${dir}/c.bin`, bytes(5000, 2))
      yield* NodeFiles.uploadFile(`${dir}/c.bin`, "nf/c.bin")
      NodeFs.writeFileSync(`${dir}/target.bin`, "old content")
      yield* emu.inject(Emulator.parseFault("corrupt,op=download"))
      const error = yield* Effect.flip(NodeFiles.downloadFile("nf/c.bin", `${dir}/target.bin`))
      assert.strictEqual(error._tag, "DownloadFailed")
      assert.strictEqual(error._tag === "DownloadFailed" ? error.reason : "", "Md5Mismatch")
      assert.strictEqual(NodeFs.readFileSync(`${dir}/target.bin`, "utf8"), "old content")
      assert.deepStrictEqual(NodeFs.readdirSync(dir).sort(), ["c.bin", "target.bin"])
    })
  )

  it.scoped("a download cut off mid-body fails and leaves no partial file", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const dir = yield* filesDir
      NodeFs.writeFileSync(`${dir}/d.bin`, bytes(50_000, 8))
      yield* NodeFiles.uploadFile(`${dir}/d.bin`, "nf/d.bin")
      yield* emu.inject(Emulator.parseFault("cut-response:20000,op=download,times=inf"))
      // no retries (it.scoped runs on the TestClock, where backoff delays never pass)
      const error = yield* Effect.flip(NodeFiles.downloadFile("nf/d.bin", `${dir}/out/d.bin`)).pipe(
        Effect.provideService(RetryPolicy.RetryPolicy, RetryPolicy.none)
      )
      yield* emu.clearFaults
      assert.notStrictEqual(error._tag, "LocalFileError")
      assert.deepStrictEqual(NodeFs.readdirSync(`${dir}/out`), [])
    })
  )

  it.scoped("uploadStream reads a one-shot stream once: in memory below the limit, via a temp file above", () =>
    Effect.gen(function* () {
      const files = yield* Files.Files
      const oneShot = (content: Uint8Array) => {
        let runs = 0
        return Stream.suspend(() =>
          runs++ === 0
            ? Stream.fromIterable([content.subarray(0, 1000), content.subarray(1000)])
            : Stream.fail("the stream was read twice" as const)
        )
      }
      const small = bytes(3000, 3)
      const a = yield* NodeFiles.uploadStream(oneShot(small), "nf/stream/small.bin", { md5MemoryLimit: 4096 })
      assert.strictEqual(a.md5, NodeContentHasher.md5Sync(small))
      const large = bytes(9000, 4)
      const b = yield* NodeFiles.uploadStream(oneShot(large), "nf/stream/large.bin", { md5MemoryLimit: 4096 })
      assert.strictEqual(b.md5, NodeContentHasher.md5Sync(large))
      assert.deepStrictEqual(yield* read(files, "nf/stream/large.bin"), large)
      assert.deepStrictEqual(yield* read(files, "nf/stream/small.bin"), small)
    })
  )

  it.scoped("spool puts large content in a temporary file that is removed with the scope", () =>
    Effect.gen(function* () {
      const content = bytes(10_000, 5)
      const spools = () => new Set(NodeFs.readdirSync(Os.tmpdir()).filter((n) => n.startsWith("fjord-md5-")))
      const before = spools()
      let during: Array<string> = []
      yield* Effect.scoped(
        Effect.gen(function* () {
          const source = yield* NodeFiles.spool(Stream.make(content.subarray(0, 50), content.subarray(50)), 100)
          assert.strictEqual(source.size, 10_000)
          assert.strictEqual(Option.getOrNull(source.md5), NodeContentHasher.md5Sync(content))
          const twice = yield* Effect.all([NodeContentHasher.md5(source.stream), NodeContentHasher.md5(source.stream)])
          assert.deepStrictEqual(twice, [NodeContentHasher.md5Sync(content), NodeContentHasher.md5Sync(content)])
          during = [...spools()].filter((n) => !before.has(n))
        })
      )
      assert.strictEqual(during.length, 1)
      assert.isFalse(spools().has(during[0] ?? ""))
    })
  )
})
