/**
 * Benchmark: decoding a 100k-entry liststream body with `ListStream.decode` (through a
 * Stream, to a count) next to a bare saxes parse of the same bytes (UTF-8 decoding and
 * saxes with no handlers). Prints one JSON line per result:
 * {"name","value","unit","baseline","ratio"}. Times are medians of 5 rounds, as wall-clock
 * (`*.time`) and as process CPU time (`*.cpu`, steadier on a busy machine); peak heap is
 * the largest heapUsed increase sampled once per input chunk.
 *
 * Run: `npx tsx --conditions=@fjord/source packages/core/bench/liststream.bench.ts`
 * (`node --expose-gc` makes the heap figures steadier: `NODE_OPTIONS=--expose-gc`).
 */

import { performance } from "node:perf_hooks"
import { pathToFileURL } from "node:url"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { SaxesParser } from "saxes"
import { median, print, type Result, round } from "../../../bench/common.js"
import * as ListStream from "../src/ListStream.js"

export type { Result }

/** Builds a liststream body: `folders` folders with `filesPerFolder` files each, depth-first. */
export const makeBody = (entries: number): { readonly chunks: ReadonlyArray<Uint8Array>; readonly bytes: number } => {
  const filesPerFolder = 9
  const folders = Math.ceil(entries / (filesPerFolder + 1))
  const parts: Array<string> = [
    '<?xml version="1.0" encoding="UTF-8"?><liststream><folder><path>/Archive/bench</path></folder>'
  ]
  let fileCount = 0
  let folderCount = 1
  let n = 1
  for (let d = 0; d < folders && n < entries; d++) {
    const dir = `/Archive/bench/år ${Math.floor(d / 100)}/mappe ${d}`
    if (d % 100 === 0) {
      parts.push(`<folder><path>/Archive/bench/år ${Math.floor(d / 100)}</path></folder>`)
      folderCount++
      n++
    }
    parts.push(`<folder><path>${dir}</path></folder>`)
    folderCount++
    n++
    for (let f = 0; f < filesPerFolder && n < entries; f++) {
      const md5 = ((d * 31 + f) >>> 0).toString(16).padStart(32, "0")
      const ms = String((d + f) % 1000).padStart(3, "0")
      const sec = String((d * 7 + f) % 60).padStart(2, "0")
      parts.push(
        `<file><path>${dir}</path><filename>IMG_${d}_${f} (kopi) ＂x＂.jpg</filename><size>${(d + 1) * 1024 + f}</size><md5>${md5}</md5><modified>2021-11-30T10:21:${sec}.${ms}Z</modified><created>2020-07-14T16:${sec}:11.000Z</created></file>`
      )
      fileCount++
      n++
    }
  }
  parts.push(`<stats><folders>${folderCount}</folders><files>${fileCount}</files></stats></liststream>`)
  const all = new TextEncoder().encode(parts.join(""))
  const chunks: Array<Uint8Array> = []
  for (let i = 0; i < all.length; i += 65536) chunks.push(all.subarray(i, i + 65536))
  return { chunks, bytes: all.length }
}

const hasGc = (): boolean => (globalThis as { gc?: () => void }).gc !== undefined

const gc = (): void => {
  const g = (globalThis as { gc?: () => void }).gc
  if (g !== undefined) g()
}

/**
 * Samples heapUsed once per input chunk. `peak` is the largest increase over the start (it
 * includes garbage not yet collected); with `--expose-gc`, `livePeak` is the largest increase
 * measured right after a forced GC every 16 chunks (memory actually retained).
 */
class HeapProbe {
  private readonly start: number
  private n = 0
  peak = 0
  livePeak = 0
  constructor() {
    gc()
    this.start = process.memoryUsage().heapUsed
  }
  sample(): void {
    const used = process.memoryUsage().heapUsed - this.start
    if (used > this.peak) this.peak = used
    if (hasGc() && ++this.n % 16 === 0) {
      gc()
      const live = process.memoryUsage().heapUsed - this.start
      if (live > this.livePeak) this.livePeak = live
    }
  }
}

const bareParse = (chunks: ReadonlyArray<Uint8Array>, probe?: HeapProbe): void => {
  const text = new TextDecoder("utf-8", { fatal: true })
  const parser = new SaxesParser({ xmlns: false, position: false })
  for (const c of chunks) {
    parser.write(text.decode(c, { stream: true }))
    probe?.sample()
  }
  parser.write(text.decode())
  parser.close()
}

const decodeCount = (chunks: ReadonlyArray<Uint8Array>, probe?: HeapProbe): Promise<number> => {
  // one 64 KiB Uint8Array per stream chunk, as an HTTP response body arrives
  const body = Stream.fromChunks(...chunks.map(Chunk.of))
  const probed = probe === undefined ? body : Stream.tap(body, () => Effect.sync(() => probe.sample()))
  return Effect.runPromise(
    ListStream.decode(probed, { mountpoint: "Archive", root: ["bench"], operation: "bench" }).pipe(Stream.runCount)
  )
}

/** Runs the benchmark, prints one JSON line per result and returns the results. */
/** The bare-parse row of a metric and the decode row measured against it (`scale` maps raw figures). */
const compared = (
  metric: string,
  unit: string,
  scale: (x: number) => number,
  bare: number,
  decoded: number
): Array<Result> => [
  { name: `liststream.bare-parse.${metric}`, value: scale(bare), unit, baseline: null, ratio: null },
  {
    name: `liststream.decode.${metric}`,
    value: scale(decoded),
    unit,
    baseline: scale(bare),
    ratio: bare > 0 ? round(decoded / bare) : null
  }
]

export const run = async (options?: {
  readonly entries?: number
  readonly rounds?: number
}): Promise<ReadonlyArray<Result>> => {
  const entries = options?.entries ?? 100_000
  const rounds = options?.rounds ?? 5
  const { chunks, bytes } = makeBody(entries)
  // warm-up (JIT) and a correctness check
  bareParse(chunks)
  const count = await decodeCount(chunks)
  if (count < entries - 2) throw new Error(`decoded ${count} entries, expected about ${entries}`)

  const bareTimes: Array<number> = []
  const decodeTimes: Array<number> = []
  const bareCpu: Array<number> = []
  const decodeCpu: Array<number> = []
  const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000
  // No forced GC between timed rounds: a forced full GC shrinks V8's young generation and
  // makes the next allocation-heavy run several times slower than in a normal program.
  for (let i = 0; i < rounds; i++) {
    let t = performance.now()
    let c = process.cpuUsage()
    bareParse(chunks)
    bareCpu.push(cpuMs(process.cpuUsage(c)))
    bareTimes.push(performance.now() - t)
    t = performance.now()
    c = process.cpuUsage()
    await decodeCount(chunks)
    decodeCpu.push(cpuMs(process.cpuUsage(c)))
    decodeTimes.push(performance.now() - t)
  }
  const bareHeap = new HeapProbe()
  bareParse(chunks, bareHeap)
  const decodeHeap = new HeapProbe()
  await decodeCount(chunks, decodeHeap)

  const mb = (x: number) => round(x / 1024 / 1024)
  const results: Array<Result> = [
    { name: "liststream.bytes", value: round(bytes / 1024 / 1024), unit: "MiB", baseline: null, ratio: null },
    { name: "liststream.entries", value: count, unit: "entries", baseline: null, ratio: null },
    ...compared("time", "ms", round, median(bareTimes), median(decodeTimes)),
    ...compared("cpu", "ms", round, median(bareCpu), median(decodeCpu)),
    ...compared("peak-heap", "MiB", mb, bareHeap.peak, decodeHeap.peak),
    ...(hasGc() ? compared("live-heap", "MiB", mb, bareHeap.livePeak, decodeHeap.livePeak) : [])
  ]
  print(results)
  return results
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run()
}
