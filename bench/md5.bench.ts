/**
 * Streaming MD5 of a file with `NodeContentHasher` over `NodeFiles.fileStream` (what uploads of
 * local files use), next to the physical limit measured in the same run: node:crypto over a
 * plain `fs.createReadStream` of the same file (1 MiB chunks). A second line does the same over
 * the platform `FileSystem.stream`, and `@fjord/web`'s `WebContentHasher` (hash-wasm, for runtimes
 * without node:crypto) over the same file reads. Also reports the hasher's peak RSS growth (constant memory).
 */
import { createHash } from "node:crypto"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as FileSystem from "@effect/platform/FileSystem"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodeContentHasher from "@fjord/node/NodeContentHasher"
import * as NodeFiles from "@fjord/node/NodeFiles"
import * as WebContentHasher from "@fjord/web/WebContentHasher"
import * as Effect from "effect/Effect"
import { against, mbps, peakRss, print, readFileChunks, round, time, writeFile } from "./common.js"

export const run = async (): Promise<void> => {
  const size = Number(process.env.FJORD_BENCH_MD5_BYTES ?? 512 * 1024 * 1024)
  const dir = mkdtempSync(join(tmpdir(), "fjord-bench-md5-"))
  try {
    const path = join(dir, "data.bin")
    await writeFile(path, size)
    const hashRaw = async (): Promise<string> => {
      const hash = createHash("md5")
      await readFileChunks(path, (chunk) => hash.update(chunk))
      return hash.digest("hex")
    }
    const sdk = NodeContentHasher.md5(NodeFiles.fileStream(path))
    const platform = Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      return yield* NodeContentHasher.md5(fs.stream(path, { chunkSize: FileSystem.MiB(1) }))
    }).pipe(Effect.provide(NodeFileSystem.layer))
    // warm-up, and both must agree
    const raw = await hashRaw()
    const sdkHash = await Effect.runPromise(sdk)
    if (sdkHash !== raw) throw new Error(`md5 mismatch: ${sdkHash} vs ${raw}`)
    const rawMs = Math.min(await time(hashRaw), await time(hashRaw))
    const web = WebContentHasher.md5(NodeFiles.fileStream(path))
    if ((await Effect.runPromise(web)) !== raw) throw new Error("hash-wasm md5 mismatch")
    const webMs = Math.min(await time(() => Effect.runPromise(web)), await time(() => Effect.runPromise(web)))
    const platformMs = await time(() => Effect.runPromise(platform))
    const measured = await peakRss(async () =>
      Math.min(await time(() => Effect.runPromise(sdk)), await time(() => Effect.runPromise(sdk)))
    )
    const value = mbps(size, measured.value)
    const baseline = mbps(size, rawMs)
    print([
      against("md5.file.throughput", value, "MB/s", baseline),
      against("md5.file.platform-fs-stream.throughput", mbps(size, platformMs), "MB/s", baseline),
      against("md5.file.hash-wasm.throughput", mbps(size, webMs), "MB/s", baseline),
      {
        name: "md5.file.peak-rss-growth",
        value: measured.peakMiB,
        unit: "MiB",
        baseline: round(size / 1024 / 1024),
        ratio: round(measured.peakMiB / (size / 1024 / 1024))
      }
    ])
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
