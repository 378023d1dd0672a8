/**
 * Benchmark: the transfer engine (`Transfer.run` with `NodeTransfer.side` and the cloud side)
 * against the emulator, next to the physical floor measured in the same run:
 *
 * - upload of one file local → cloud vs MD5 of the file plus one raw `POST` of it into a
 *   node:http sink that hashes what it receives;
 * - download of the same file cloud → local vs one raw `GET` of it from the emulator
 *   written to a file;
 * - a 100,000-file tree: plan and sync between two synthetic in-memory sides (no bytes,
 *   only the engine: listing index, planner, events), its wall time and peak RSS growth.
 *
 * The emulator runs in this process (its work is on the same event loop for both the engine
 * and the floor). Prints one JSON line per result: {"name","value","unit","baseline","ratio"}.
 *
 * Run: `npm run bench -- transfer` (size: FJORD_BENCH_TRANSFER_MIB, default 256).
 */
import { createHash } from "node:crypto"
import { createReadStream, createWriteStream, mkdirSync, mkdtempSync, rmSync } from "node:fs"
import * as Http from "node:http"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { pipeline } from "node:stream/promises"
import * as StaticAuth from "@fjord/auth/StaticAuth"
import type { Md5 } from "@fjord/core/ContentHasher"
import * as Files from "@fjord/core/Files"
import * as JottaClient from "@fjord/core/JottaClient"
import * as Transfer from "@fjord/core/Transfer"
import * as Emulator from "@fjord/emulator/Emulator"
import * as NodeJotta from "@fjord/node/NodeJotta"
import * as NodeTransfer from "@fjord/node/NodeTransfer"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import {
  against,
  mbps,
  peakRss,
  print,
  readFileChunks,
  round,
  rssGrowth,
  time,
  writeFile
} from "../../../bench/common.js"

const summaryOf = (events: Stream.Stream<Transfer.Event>) =>
  Effect.flatMap(Stream.runLast(events), (last) =>
    last._tag === "Some" && last.value._tag === "Summary" && last.value.summary.errors === 0
      ? Effect.succeed(last.value.summary)
      : Effect.dieMessage(`transfer failed: ${JSON.stringify(last)}`)
  )

/** A synthetic side holding `n` files in memory (a write records the entry). */
const memorySide = (n: number): Transfer.Side => {
  const files = new Map<string, Transfer.FileEntry>()
  for (let i = 0; i < n; i++) {
    const path = `d${i % 100}/e${Math.floor(i / 100) % 10}/f${i}.bin`
    files.set(path, { _tag: "File", path, size: i % 1000, modified: 1_700_000_000_000 + i, md5: undefined })
  }
  const none = () => Effect.void
  return {
    kind: "memory",
    root: "memory:",
    caseInsensitive: false,
    writeNeedsMd5: false,
    stat: (path) => Effect.succeed(files.get(path)),
    list: () => Stream.fromIterable(files.values()),
    read: () => Stream.empty,
    hash: () => Effect.succeed("d41d8cd98f00b204e9800998ecf8427e" as Md5),
    hashContent: () => Effect.succeed("d41d8cd98f00b204e9800998ecf8427e" as Md5),
    write: (path, content) =>
      Effect.sync(() => {
        files.set(path, { _tag: "File", path, size: content.size, modified: content.modified, md5: undefined })
      }),
    setModTime: none,
    remove: (f) => Effect.sync(() => void files.delete(f.path)),
    removeDir: none,
    removeEmptyDir: () => Effect.succeed(true),
    mkdir: none
  }
}

const emptySide = (): Transfer.Side => {
  const s = memorySide(0)
  return { ...s, write: () => Effect.void }
}

export const run = async (): Promise<void> => {
  const size = Number(process.env.FJORD_BENCH_TRANSFER_MIB ?? 256) * 1024 * 1024
  const dir = mkdtempSync(join(tmpdir(), "fjord-bench-transfer-"))
  try {
    const src = join(dir, "src")
    mkdirSync(src)
    const path = join(src, "big.bin")
    await writeFile(path, size)

    // the floor: MD5 of the file, then one raw POST into a hashing sink
    const sink = Http.createServer((req, res) => {
      const h = createHash("md5")
      req.on("data", (c: Buffer) => h.update(c))
      req.on("end", () => res.end(h.digest("hex")))
    })
    await new Promise<void>((resolve) => sink.listen(0, "127.0.0.1", () => resolve()))
    const port = (sink.address() as { port: number }).port
    const floorUp = async () => {
      const h = createHash("md5")
      await readFileChunks(path, (c) => h.update(c))
      h.digest("hex")
      await new Promise<void>((resolve, reject) => {
        const req = Http.request({
          host: "127.0.0.1",
          port,
          method: "POST",
          path: "/",
          headers: { "content-length": size }
        })
        req.on("response", (res) => {
          res.resume()
          res.on("end", () => resolve())
        })
        req.on("error", reject)
        createReadStream(path, { highWaterMark: 1024 * 1024 }).pipe(req)
      })
    }

    const program = Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const cloud = yield* Transfer.cloudSide("bench")
      const up = () =>
        Effect.runPromise(
          summaryOf(Transfer.run(NodeTransfer.side(src), cloud, { mode: "copy", checksum: true })).pipe(
            Effect.provide(env)
          )
        )
      yield* Effect.promise(floorUp) // warm-up
      const floorUpMs = yield* Effect.promise(() => time(floorUp))
      const engineUp = yield* Effect.promise(() => peakRss(() => time(up)))
      const down = () =>
        Effect.runPromise(
          summaryOf(Transfer.run(cloud, NodeTransfer.side(join(dir, `down-${Math.random()}`)), { mode: "copy" })).pipe(
            Effect.provide(env)
          )
        )
      const url = `${emu.url}/jfs/${emu.username}/Jotta/Archive/bench/big.bin?mode=bin`
      const floorDown = async () => {
        const res = await fetch(url, { headers: { authorization: `Bearer ${emu.accessToken}` } })
        if (res.body === null) throw new Error("no body")
        await pipeline(res.body, createWriteStream(join(dir, `raw-${Math.random()}`)))
      }
      yield* Effect.promise(floorDown)
      const floorDownMs = yield* Effect.promise(() => time(floorDown))
      const engineDown = yield* Effect.promise(() => peakRss(() => time(down)))
      return { floorUpMs, engineUp, floorDownMs, engineDown }
    })
    // the SDK against an in-process emulator (as the tests' emulatorEnv)
    const env = Emulator.layer().pipe(
      Layer.flatMap((ctx) => {
        const emu = ctx.pipe(Context.get(Emulator.Emulator))
        return Files.layer.pipe(
          Layer.provideMerge(JottaClient.layer({ endpoint: emu.url })),
          Layer.provide(StaticAuth.layer(emu.accessToken)),
          Layer.provideMerge(NodeJotta.layer),
          Layer.provideMerge(Layer.succeedContext(ctx))
        )
      })
    )
    const r = await Effect.runPromise(Effect.scoped(Effect.provide(program, env)))
    sink.close()

    // 100,000 files: a sync into an empty side, then the same sync again (nothing to do)
    const n = 100_000
    const a = memorySide(n)
    const b = memorySide(0)
    const first = await peakRss(() => time(() => Effect.runPromise(summaryOf(Transfer.run(a, b, { mode: "sync" })))))
    const again = await time(() => Effect.runPromise(summaryOf(Transfer.run(a, b, { mode: "sync" }))))
    const planOnly = await time(() =>
      Effect.runPromise(summaryOf(Transfer.run(a, emptySide(), { mode: "sync", dryRun: true })))
    )
    const growth = (name: string, peakMiB: number) => rssGrowth(name, peakMiB, size)
    print([
      against("transfer.upload.throughput", mbps(size, r.engineUp.value), "MB/s", mbps(size, r.floorUpMs)),
      growth("transfer.upload.peak-rss-growth", r.engineUp.peakMiB),
      against("transfer.download.throughput", mbps(size, r.engineDown.value), "MB/s", mbps(size, r.floorDownMs)),
      growth("transfer.download.peak-rss-growth", r.engineDown.peakMiB),
      {
        name: "transfer.sync-100k.files-per-second",
        value: round(n / (first.value / 1000), 0),
        unit: "files/s",
        baseline: null,
        ratio: null
      },
      { name: "transfer.sync-100k.peak-rss-growth", value: first.peakMiB, unit: "MiB", baseline: null, ratio: null },
      {
        name: "transfer.sync-100k.unchanged-again",
        value: round(again / 1000, 2),
        unit: "s",
        baseline: round(planOnly / 1000, 2),
        ratio: round(again / planOnly)
      }
    ])
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
