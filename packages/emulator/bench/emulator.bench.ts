/**
 * Emulator benchmark: upload and download MB/s of a 1 GiB body through the emulator next to a
 * raw node:http sink/source on the same machine, and a 100k-entry liststream streamed to a
 * client (peak RSS while streaming).
 *
 * The HTTP client runs in a worker thread (plain JS), so client and server do not share the
 * event loop. The body is generated from one 1 MiB random block; nothing holds 1 GiB, except the
 * emulator's own in-memory content store in the upload/download leg (as for any in-memory run).
 *
 * Upload is reported twice: against a raw sink that discards the body, and against a raw sink
 * that does the least this protocol requires (MD5 while receiving): MD5 speed
 * bounds any conforming server, so the first ratio mostly measures MD5.
 *
 * Each leg is the best of FJORD_BENCH_EMULATOR_ROUNDS (default 3) interleaved rounds, with a full GC
 * before each timed leg.
 *
 * Entry point: `run()` (returns a Promise of the results and prints one JSON line per result).
 */

import * as Crypto from "node:crypto"
import * as Http from "node:http"
import { Worker } from "node:worker_threads"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"
import { mbps, type Result, round } from "../../../bench/common.js"
import * as Emulator from "../src/Emulator.js"
import { makeIdentity } from "../src/internal/identity.js"
import type { FileNode, FolderNode } from "../src/internal/model.js"
import { key, newFolder } from "../src/internal/model.js"
import { start } from "../src/internal/server.js"

export type { Result }

const MiB = 1024 * 1024
const TOTAL = Number(process.env.FJORD_BENCH_EMULATOR_BYTES ?? 1024 * MiB)
const ROUNDS = Number(process.env.FJORD_BENCH_EMULATOR_ROUNDS ?? 3)
const ENTRIES = Number(process.env.FJORD_BENCH_LISTSTREAM_ENTRIES ?? 100_000)

/** The client, run in a worker: `upload` streams TOTAL bytes of BLOCK repeats; `download` reads and discards. */
const CLIENT = `
const { parentPort, workerData } = require("node:worker_threads")
const http = require("node:http")
const { mode, url, total, block, headers } = workerData
const buf = Buffer.from(block)
const t0 = performance.now()
const u = new URL(url)
const req = http.request({ hostname: u.hostname, port: u.port, path: u.pathname + u.search, method: mode === "upload" ? "POST" : "GET", headers: mode === "upload" ? { ...headers, "content-type": "application/octet-stream", "content-length": String(total) } : headers }, (res) => {
  let n = 0
  res.on("data", (c) => { n += c.length })
  res.on("end", () => parentPort.postMessage({ ms: performance.now() - t0, status: res.statusCode, bytes: n }))
})
req.on("error", (e) => parentPort.postMessage({ error: String(e) }))
if (mode === "upload") {
  let sent = 0
  const pump = () => {
    while (sent < total) {
      const n = Math.min(buf.length, total - sent)
      sent += n
      if (!req.write(n === buf.length ? buf : buf.subarray(0, n))) return req.once("drain", pump)
    }
    req.end()
  }
  pump()
} else req.end()
`

interface ClientResult {
  readonly ms: number
  readonly status: number
  readonly bytes: number
}

/** Full GC before each timed leg (with --expose-gc, as `npm run bench` runs), so no leg pays for the garbage of the one before (the emulator leg frees a whole stored body). */
const collectGarbage = (): void => (globalThis as { gc?: () => void }).gc?.()

const client = (mode: "upload" | "download", url: string, block: Buffer, headers: Record<string, string> = {}) =>
  new Promise<ClientResult>((resolve, reject) => {
    collectGarbage()
    const w = new Worker(CLIENT, { eval: true, workerData: { mode, url, total: TOTAL, block, headers } })
    w.once("message", (m: ClientResult & { error?: string }) => {
      void w.terminate()
      if (m.error) reject(new Error(m.error))
      else resolve(m)
    })
    w.once("error", reject)
  })

/** Raw node:http sink (upload) and source (download) on loopback. */
const rawBaseline = async (block: Buffer): Promise<{ up: number; upMd5: number; down: number }> => {
  const server = Http.createServer((req, res) => {
    if (req.method === "POST" && req.url === "/md5sink") {
      // the least an upload endpoint of this protocol must do: MD5 while receiving
      const h = Crypto.createHash("md5")
      req.on("data", (c: Buffer) => {
        h.update(c)
      })
      req.on("end", () => res.end(h.digest("hex")))
      return
    }
    if (req.method === "POST") {
      req.on("data", () => {})
      req.on("end", () => res.end("{}"))
      return
    }
    res.writeHead(200, { "content-type": "application/octet-stream", "content-length": String(TOTAL) })
    let sent = 0
    const pump = () => {
      while (sent < TOTAL) {
        const n = Math.min(block.length, TOTAL - sent)
        sent += n
        if (!res.write(n === block.length ? block : block.subarray(0, n))) return res.once("drain", pump)
      }
      res.end()
    }
    pump()
  })
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()))
  const port = (server.address() as { port: number }).port
  const up = await client("upload", `http://127.0.0.1:${port}/sink`, block)
  const upMd5 = await client("upload", `http://127.0.0.1:${port}/md5sink`, block)
  const down = await client("download", `http://127.0.0.1:${port}/source`, block)
  await new Promise<void>((r) => server.close(() => r()))
  return { up: mbps(TOTAL, up.ms), upMd5: mbps(TOTAL, upMd5.ms), down: mbps(TOTAL, down.ms) }
}

const md5OfBody = (block: Buffer): string => {
  const h = Crypto.createHash("md5")
  for (let sent = 0; sent < TOTAL; sent += block.length)
    h.update(block.subarray(0, Math.min(block.length, TOTAL - sent)))
  return h.digest("hex")
}

const emulatorTransfer = async (block: Buffer): Promise<{ up: number; down: number }> => {
  const scope = Effect.runSync(Scope.make())
  try {
    const emu = await Effect.runPromise(Scope.extend(Emulator.make(), scope))
    const auth = { authorization: `Bearer ${emu.accessToken}` }
    const md5 = md5OfBody(block)
    const alloc = (await (
      await fetch(`${emu.url}/api/files/v1/allocate`, {
        method: "POST",
        headers: { ...auth, "content-type": "application/json" },
        body: JSON.stringify({ bytes: TOTAL, md5, path: "/jfs/Jotta/Archive/bench/big.bin" })
      })
    ).json()) as { upload_url: string }
    const up = await client("upload", alloc.upload_url, block, auth)
    if (up.status !== 200) throw new Error(`upload answered ${up.status}`)
    const down = await client(
      "download",
      `${emu.url}/jfs/${emu.username}/Jotta/Archive/bench/big.bin?mode=bin`,
      block,
      auth
    )
    if (down.status !== 200 || down.bytes !== TOTAL)
      throw new Error(`download answered ${down.status}, ${down.bytes} bytes`)
    return { up: mbps(TOTAL, up.ms), down: mbps(TOTAL, down.ms) }
  } finally {
    await Effect.runPromise(Scope.close(scope, Exit.void))
  }
}

/** Seeds ENTRIES files (1000 per folder) straight into the state, then streams liststream to a client. */
const liststreamRss = async (): Promise<{ peakMb: number; replyMb: number; ms: number; ok: boolean }> => {
  const scope = Effect.runSync(Scope.make())
  try {
    const running = await Effect.runPromise(
      Scope.extend(
        start(
          {
            port: 0,
            host: "127.0.0.1",
            accessTokenTtlSeconds: 3600,
            quotaBytes: -1,
            accounts: [Emulator.seededAccount],
            faults: [],
            pathChecks: { rejectPercent25: true, rejectLiteralPlus: true },
            lenientParents: true
          },
          makeIdentity
        ),
        scope
      )
    )
    const state = running.state
    const acc = state.account(Emulator.seededAccount.username)!
    const archive = acc.devices.get("jotta")!.mountpoints.get("archive")!
    const now = Date.now()
    const root = newFolder("big", now)
    archive.children.set("big", root)
    let folder: FolderNode = root
    for (let i = 0; i < ENTRIES; i++) {
      if (i % 1000 === 0) {
        folder = newFolder(`folder-${String(i / 1000).padStart(4, "0")}`, now)
        root.children.set(key(folder.name), folder)
      }
      const name = `file-${String(i).padStart(6, "0")}.dat`
      const f: FileNode = {
        kind: "file",
        name,
        uuid: Crypto.randomUUID(),
        revisions: [],
        current: {
          number: 1,
          state: "COMPLETED",
          created: now,
          modified: now,
          updated: now,
          mime: "application/octet-stream",
          size: i,
          md5: "d41d8cd98f00b204e9800998ecf8427e"
        }
      }
      folder.children.set(key(name), f)
    }
    const token = await Effect.runPromise(running.identity.issueAccessToken(Emulator.seededAccount.username))
    global.gc?.()
    const base = process.memoryUsage().rss
    let peak = base
    const timer = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss)
    }, 5)
    const t0 = performance.now()
    const res = await fetch(`${running.url}/jfs/${acc.username}/Jotta/Archive/big?mode=liststream`, {
      headers: { authorization: `Bearer ${token}` }
    })
    let bytes = 0
    let tail = ""
    const decoder = new TextDecoder()
    for await (const chunk of res.body!) {
      bytes += chunk.byteLength
      tail = (tail + decoder.decode(chunk, { stream: true })).slice(-200)
      peak = Math.max(peak, process.memoryUsage().rss)
    }
    const ms = performance.now() - t0
    clearInterval(timer)
    const folders = Math.ceil(ENTRIES / 1000) + 1
    const ok = tail.includes(`<stats><folders>${folders}</folders><files>${ENTRIES}</files></stats>`)
    return { peakMb: round((peak - base) / MiB, 1), replyMb: round(bytes / MiB, 1), ms, ok }
  } finally {
    await Effect.runPromise(Scope.close(scope, Exit.void))
  }
}

export const run = async (): Promise<ReadonlyArray<Result>> => {
  const results: Array<Result> = []
  const emit = (r: Result) => {
    results.push(r)
    console.log(JSON.stringify(r))
  }
  // best of ROUNDS, raw and emulator interleaved (the machine may be shared)
  const raw = { up: 0, upMd5: 0, down: 0 }
  const emu = { up: 0, down: 0 }
  for (let i = 0; i < ROUNDS; i++) {
    const block = Crypto.randomBytes(MiB)
    const e = await emulatorTransfer(block)
    const r = await rawBaseline(block)
    raw.up = Math.max(raw.up, r.up)
    raw.upMd5 = Math.max(raw.upMd5, r.upMd5)
    raw.down = Math.max(raw.down, r.down)
    emu.up = Math.max(emu.up, e.up)
    emu.down = Math.max(emu.down, e.down)
  }
  emit({ name: "emulator.upload.1GiB", value: emu.up, unit: "MB/s", baseline: raw.up, ratio: round(emu.up / raw.up) })
  emit({
    name: "emulator.upload.1GiB.vsMd5Sink",
    value: emu.up,
    unit: "MB/s",
    baseline: raw.upMd5,
    ratio: round(emu.up / raw.upMd5)
  })
  emit({
    name: "emulator.download.1GiB",
    value: emu.down,
    unit: "MB/s",
    baseline: raw.down,
    ratio: round(emu.down / raw.down)
  })
  const ls = await liststreamRss()
  if (!ls.ok) throw new Error("liststream reply failed its stats check")
  emit({
    name: "emulator.liststream.100k.peakRss",
    value: ls.peakMb,
    unit: "MB",
    baseline: ls.replyMb,
    ratio: ls.replyMb > 0 ? round(ls.peakMb / ls.replyMb) : null
  })
  emit({
    name: "emulator.liststream.100k.time",
    value: round(ls.ms, 1),
    unit: "ms",
    baseline: null,
    ratio: null
  })
  return results
}

if (process.argv[1]?.endsWith("emulator.bench.ts")) void run()
