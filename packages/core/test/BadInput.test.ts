/**
 * "Bad input gets a clear, typed error and loses nothing": corrupt and truncated replies, a wrong
 * token, a full quota and an interrupted upload, each against the emulator over loopback HTTP.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { assert, layer } from "@effect/vitest"
import * as Emulator from "@fjord/emulator/Emulator"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import { JottaAuth } from "../src/Auth.js"
import * as UploadSource from "../src/UploadSource.js"
import {
  bytes,
  ContentHasher,
  collect,
  Files,
  fastRetry,
  JottaClient,
  makeEnv,
  md5Hex,
  RetryPolicy,
  text
} from "./utils.js"

const put = (path: string, content: string | Uint8Array) =>
  Effect.flatMap(Files.Files, (f) =>
    f.upload(path, UploadSource.fromUint8Array(typeof content === "string" ? bytes(content) : content))
  )
const get = (path: string) => Effect.flatMap(Files.Files, (f) => Effect.map(collect(f.download(path)), text))

layer(makeEnv({}, { quotaBytes: 4096 }), { excludeTestServices: true })("bad input", (it) => {
  it.effect("a corrupt reply is InvalidResponse carrying the issue; the file is untouched", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const files = yield* Files.Files
      yield* put("bad/corrupt.txt", "still here")
      yield* emu.inject({ _tag: "Corrupt", op: "get", times: 1 })
      const e = yield* Effect.flip(files.stat("bad/corrupt.txt"))
      assert.strictEqual(e._tag, "InvalidResponse")
      if (e._tag === "InvalidResponse") {
        assert.strictEqual(e.operation, "Files.stat")
        assert.isAbove(e.issue.length, 0)
      }
      assert.strictEqual((yield* files.stat("bad/corrupt.txt")).size, 10)
      assert.strictEqual(yield* get("bad/corrupt.txt"), "still here")
    })
  )

  it.effect("a truncated liststream reply fails the recursive listing with InvalidResponse", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const files = yield* Files.Files
      yield* put("tree/a/1.txt", "1")
      yield* put("tree/b/2.txt", "2")
      // a/, a/1.txt, b/, b/2.txt (the listed folder itself is not an entry)
      assert.strictEqual(yield* Stream.runCount(files.listRecursive("tree")), 4)
      yield* emu.inject({ _tag: "Truncate", bytes: 120, op: "liststream", times: 1 })
      const e = yield* Effect.flip(Stream.runCount(files.listRecursive("tree")))
      assert.strictEqual(e._tag, "InvalidResponse")
    })
  )

  it.effect("a wrong token is Unauthorized after one retry, and the error holds no token", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const secret = "not-a-valid-token-1234567890"
      const wrong = Layer.succeed(
        JottaAuth,
        JottaAuth.of({ accessToken: Effect.succeed(Redacted.make(secret)), invalidate: () => Effect.void })
      )
      const client = JottaClient.layer({ endpoint: emu.url }).pipe(
        Layer.provide(wrong),
        Layer.provide(FetchHttpClient.layer),
        Layer.orDie,
        Layer.merge(ContentHasher.layerFunction(md5Hex))
      )
      yield* emu.clearRequests
      const e = yield* Effect.flip(Effect.flatMap(Files.make, (f) => f.stat("anything.txt"))).pipe(
        Effect.provide(client)
      )
      assert.strictEqual(e._tag, "Unauthorized")
      assert.notInclude(`${e.message} ${JSON.stringify(e)} ${String(e)}`, secret)
      const statuses = (yield* emu.requests).map((r) => r.status)
      assert.deepStrictEqual(statuses, [401, 401])
    })
  )

  it.effect("an upload beyond the quota is QuotaExceeded and the current revision survives", () =>
    Effect.gen(function* () {
      const files = yield* Files.Files
      yield* put("quota/keep.txt", "version 1")
      const e = yield* Effect.flip(put("quota/keep.txt", new Uint8Array(8192).fill(7)))
      assert.strictEqual(e._tag, "QuotaExceeded")
      assert.strictEqual(yield* get("quota/keep.txt"), "version 1")
      assert.strictEqual((yield* files.stat("quota/keep.txt")).revision, 1)
    })
  )

  it.effect("an upload whose connection always breaks fails typed and keeps the current revision", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const files = yield* Files.Files
      const v2 = new Uint8Array(3000).map((_, i) => (i * 13) & 0xff)
      yield* put("cut/file.bin", "version 1")
      yield* emu.inject({ _tag: "CutRequest", afterBytes: 0, op: "upload", times: Number.POSITIVE_INFINITY })
      const e = yield* Effect.flip(RetryPolicy.withPolicy(put("cut/file.bin", v2), fastRetry))
      assert.include(["TransportError", "UploadFailed"], e._tag)
      assert.strictEqual(yield* get("cut/file.bin"), "version 1")
      assert.strictEqual((yield* files.stat("cut/file.bin")).revision, 1)
      yield* emu.clearFaults
      const info = yield* put("cut/file.bin", v2)
      assert.strictEqual(info.size, 3000)
      assert.strictEqual(info.revision, 2)
      const back = yield* collect(files.download("cut/file.bin"))
      assert.deepStrictEqual(Array.from(back), Array.from(v2))
    })
  )
})
