import * as FileSystem from "@effect/platform/FileSystem"
import * as HttpClient from "@effect/platform/HttpClient"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { assert, describe, it } from "@effect/vitest"
import type * as Transfer from "@fjord/core/Transfer"
import * as Emulator from "@fjord/emulator/Emulator"
import * as NodeJotta from "@fjord/node/NodeJotta"
import * as Effect from "effect/Effect"
import * as FolderUpload from "../src/FolderUpload.js"
import * as Quickstart from "../src/Quickstart.js"

describe("FolderUpload example", () => {
  it.scoped("uploads a folder with progress events, then the public link serves the bytes", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped({ prefix: "fjord-folder-upload-" })
      yield* fs.makeDirectory(`${dir}/src/sub`, { recursive: true })
      const big = new Uint8Array(300_000).map((_, i) => (i * 31) % 251)
      yield* fs.writeFileString(`${dir}/src/a.txt`, "first file\n")
      yield* fs.writeFile(`${dir}/src/sub/big.bin`, big)
      const { summary, link } = yield* FolderUpload.uploadAndShare(`${dir}/src`, "backup", "sub/big.bin").pipe(
        Effect.provide(Quickstart.layer(emu.loginToken, { config: { endpoint: emu.url }, tokenFile: `${dir}/t.json` }))
      )
      assert.strictEqual(summary.transferred, 2)
      assert.strictEqual(summary.bytes, big.length + "first file\n".length)
      assert.deepStrictEqual(summary.failures, [])
      // The link is fetched without any credentials.
      const served = yield* HttpClient.get(link).pipe(
        Effect.flatMap((res) => res.arrayBuffer),
        Effect.provide(NodeJotta.layer)
      )
      assert.deepStrictEqual(new Uint8Array(served), big)
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it("describes progress events with running totals", () => {
    const progress: Transfer.Progress = {
      listing: false,
      filesPlanned: 2,
      filesDone: 1,
      bytesPlanned: 10,
      bytesDone: 4,
      checks: 0,
      errors: 0,
      deleted: 0,
      deletedDirs: 0,
      renamed: 0,
      elapsedMs: 5,
      rate: 0,
      etaSeconds: undefined,
      inFlight: [],
      checking: []
    }
    const line = FolderUpload.describeEvent({
      _tag: "Done",
      path: "a.txt",
      action: "Created",
      size: 4,
      replaced: false,
      serverSide: false,
      dryRun: false,
      progress
    })
    assert.deepStrictEqual(line._tag === "Some" ? line.value : undefined, "done    a.txt [1/2 files, 4/10 bytes]")
  })
})
