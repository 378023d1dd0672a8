/**
 * Benchmark: a file PUT and GET through `fjord serve webdav` against the direct transfer the
 * CLI makes (`fjord copy`: the transfer engine, `Transfer.run` with `NodeTransfer.side`),
 * measured in the same run against the same emulator (a process of its own):
 *
 * - PUT: `curl -T` of the local file to the WebDAV server (which spools the body, hashing
 *   it, then uploads it) vs the engine's upload of the same file;
 * - GET: `curl -o` through the server into a file vs the engine's download into a file;
 * - the peak RSS growth of each transfer through the server (constant memory: far below the
 *   file's size).
 *
 * Aim: through the server ≥ 0.7 × the direct throughput. Prints one JSON line per result:
 * {"name","value","unit","baseline","ratio"}.
 *
 * Run: `npm run bench -- serve` (size: FJORD_BENCH_SERVE_MIB, default 1024).
 */
import { type ChildProcess, execFile, spawn } from "node:child_process"
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as LoginToken from "@fjord/auth/LoginToken"
import * as TokenStore from "@fjord/auth/TokenStore"
import * as Account from "@fjord/core/Account"
import * as Files from "@fjord/core/Files"
import * as JottaClient from "@fjord/core/JottaClient"
import * as Transfer from "@fjord/core/Transfer"
import * as NodeJotta from "@fjord/node/NodeJotta"
import * as NodeTransfer from "@fjord/node/NodeTransfer"
import * as NodeServe from "@fjord/serve/NodeServe"
import * as WebDav from "@fjord/serve/WebDav"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import { against, mbps, peakRss, print, rssGrowth, time, writeFile } from "../../../bench/common.js"

const summaryOf = (events: Stream.Stream<Transfer.Event>) =>
  Effect.flatMap(Stream.runLast(events), (last) =>
    last._tag === "Some" && last.value._tag === "Summary" && last.value.summary.errors === 0
      ? Effect.succeed(last.value.summary)
      : Effect.dieMessage(`transfer failed: ${JSON.stringify(last)}`)
  )

/**
 * Makes the file's content new (its first 8 bytes): the emulator, as the service, keeps an
 * upload of content it already holds without receiving it (dedup), which would time nothing.
 */
const stamp = (path: string, n: number) => {
  const fd = openSync(path, "r+")
  try {
    const b = Buffer.alloc(8)
    b.writeDoubleLE(n + Math.random())
    writeSync(fd, b, 0, 8, 0)
  } finally {
    closeSync(fd)
  }
}

/** Runs curl (the client is a program of its own, as `fjord copy` is). */
const curl = (args: ReadonlyArray<string>) =>
  new Promise<void>((resolve, reject) =>
    execFile("curl", ["-sS", "-f", ...args], (error) => (error === null ? resolve() : reject(error)))
  )

export const run = async (): Promise<void> => {
  const size = Number(process.env.FJORD_BENCH_SERVE_MIB ?? 1024) * 1024 * 1024
  const dir = mkdtempSync(join(tmpdir(), "fjord-bench-serve-"))
  const emulators: Array<ChildProcess> = []
  try {
    const src = join(dir, "src")
    mkdirSync(src)
    const path = join(src, "big.bin")
    await writeFile(path, size)

    const program = Effect.gen(function* () {
      const app = yield* WebDav.make({ root: "served" })
      const { url } = yield* NodeServe.serve(app, { addr: "127.0.0.1:0" })
      const ms = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
        Effect.map(Effect.timed(effect), ([elapsed]) => Duration.toMillis(elapsed))
      // each round into a new folder (an unchanged file would be skipped)
      const directUp = (i: number) =>
        Effect.flatMap(Transfer.cloudSide(`direct${i}`), (cloud) =>
          summaryOf(Transfer.run(NodeTransfer.side(src), cloud, { mode: "copy", checksum: true }))
        )
      const directDown = (i: number) =>
        Effect.flatMap(Transfer.cloudSide(`direct${i}`), (cloud) =>
          summaryOf(Transfer.run(cloud, NodeTransfer.side(join(dir, `down${i}`)), { mode: "copy" }))
        )
      // the machine may be shared: the two sides alternate, and each keeps its best round
      const rounds = Number(process.env.FJORD_BENCH_SERVE_ROUNDS ?? 2)
      let directUpMs = Number.POSITIVE_INFINITY
      let directDownMs = Number.POSITIVE_INFINITY
      let servedUp = { value: Number.POSITIVE_INFINITY, peakMiB: 0 }
      let servedDown = { value: Number.POSITIVE_INFINITY, peakMiB: 0 }
      for (let i = 0; i < rounds; i++) {
        stamp(path, 2 * i)
        directUpMs = Math.min(directUpMs, yield* ms(directUp(i)))
        stamp(path, 2 * i + 1)
        const up = yield* Effect.promise(() =>
          peakRss(() => time(() => curl(["-o", "/dev/null", "-T", path, `${url}/big${i}.bin`])))
        )
        servedUp = { value: Math.min(servedUp.value, up.value), peakMiB: Math.max(servedUp.peakMiB, up.peakMiB) }
        directDownMs = Math.min(directDownMs, yield* ms(directDown(i)))
        const down = yield* Effect.promise(() =>
          peakRss(() => time(() => curl(["-o", join(dir, "served.bin"), `${url}/big${i}.bin`])))
        )
        servedDown = {
          value: Math.min(servedDown.value, down.value),
          peakMiB: Math.max(servedDown.peakMiB, down.peakMiB)
        }
        rmSync(join(dir, `down${i}`), { recursive: true, force: true })
      }
      return { directUpMs, servedUp, directDownMs, servedDown }
    })
    // the emulator in a process of its own (as the service is elsewhere): the peak RSS measured
    // here is the server's and the SDK's, not the emulator's blob store
    const emulator = spawn(
      process.execPath,
      ["--import", "tsx", "--conditions=@fjord/source", "packages/emulator/src/bin.ts", "--port", "0"],
      { stdio: ["ignore", "pipe", "ignore"] }
    )
    const info = await new Promise<{ url: string; loginToken: string }>((resolve, reject) => {
      let out = ""
      emulator.stdout.on("data", (b: Buffer) => {
        out += b.toString()
        const line = out.split("\n")[0]
        if (out.includes("\n") && line !== undefined) resolve(JSON.parse(line))
      })
      emulator.once("exit", () => reject(new Error("the emulator exited")))
    })
    emulators.push(emulator)
    const env = Layer.mergeAll(Files.layer, Account.layer).pipe(
      Layer.provideMerge(JottaClient.layer({ endpoint: info.url })),
      Layer.provide(LoginToken.layer(info.loginToken).pipe(Layer.provide(TokenStore.layerMemory()))),
      Layer.provideMerge(NodeJotta.layer),
      Layer.provideMerge(NodeContext.layer)
    )
    const r = await Effect.runPromise(Effect.scoped(Effect.provide(program, env)))
    const growth = (name: string, peakMiB: number) => rssGrowth(name, peakMiB, size)
    print([
      against("serve.webdav.put.throughput", mbps(size, r.servedUp.value), "MB/s", mbps(size, r.directUpMs)),
      growth("serve.webdav.put.peak-rss-growth", r.servedUp.peakMiB),
      against("serve.webdav.get.throughput", mbps(size, r.servedDown.value), "MB/s", mbps(size, r.directDownMs)),
      growth("serve.webdav.get.peak-rss-growth", r.servedDown.peakMiB)
    ])
  } finally {
    for (const e of emulators) e.kill()
    rmSync(dir, { recursive: true, force: true })
  }
}
