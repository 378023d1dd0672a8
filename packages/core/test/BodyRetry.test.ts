/**
 * A reply whose body breaks off is retried like a failed request: documents read whole
 * (stat, list, the username lookup) are read inside the attempt, and a recursive listing is
 * started again while it has produced nothing. Found by the fault matrix (testkit).
 */
import { assert, layer } from "@effect/vitest"
import * as Emulator from "@fjord/emulator/Emulator"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as UploadSource from "../src/UploadSource.js"
import { bytes, Files, fastRetry, makeEnv, RetryPolicy } from "./utils.js"

const statuses = (log: ReadonlyArray<Emulator.RequestLog>, op: string) =>
  log.filter((r) => r.op === op).map((r) => `${r.status}${r.connectionCut ? " cut" : ""}`)

layer(makeEnv(), { excludeTestServices: true })("a reply body cut short", (it) => {
  it.effect("stat and list are retried when the connection drops in the middle of the document", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const files = yield* Files.Files
      for (const name of ["a.txt", "b.txt", "c.txt"])
        yield* files.upload(`cut/${name}`, UploadSource.fromUint8Array(bytes(`content of ${name}`)))
      yield* emu.clearRequests
      yield* emu.inject({ _tag: "CutResponse", op: "get", afterBytes: 100 })
      const entries = yield* files.list("cut").pipe(RetryPolicy.withPolicy(fastRetry))
      assert.deepStrictEqual(entries.map((e) => e.name).sort(), ["a.txt", "b.txt", "c.txt"])
      yield* emu.inject({ _tag: "CutResponse", op: "get", afterBytes: 100 })
      const info = yield* files.stat("cut/b.txt").pipe(RetryPolicy.withPolicy(fastRetry))
      assert.strictEqual(info.size, "content of b.txt".length)
      assert.deepStrictEqual(statuses(yield* emu.requests, "get"), ["200 cut", "200", "200 cut", "200"])
    })
  )

  it.effect("a recursive listing cut before its first entry is started again", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const files = yield* Files.Files
      for (const name of ["x/1.txt", "x/y/2.txt"])
        yield* files.upload(`ls/${name}`, UploadSource.fromUint8Array(bytes(name)))
      yield* emu.clearRequests
      yield* emu.inject({ _tag: "CutResponse", op: "liststream", afterBytes: 60 })
      const entries = yield* Stream.runCollect(files.listRecursive("ls")).pipe(RetryPolicy.withPolicy(fastRetry))
      assert.deepStrictEqual(
        Chunk.toReadonlyArray(entries)
          .flatMap((e) => (e._tag === "File" ? [e.path] : []))
          .sort(),
        ["ls/x/1.txt", "ls/x/y/2.txt"]
      )
      assert.deepStrictEqual(statuses(yield* emu.requests, "liststream"), ["200 cut", "200"])
    })
  )
})
