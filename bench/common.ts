/** Shared helpers of the root benchmarks. */
import { createReadStream, createWriteStream } from "node:fs"
import { performance } from "node:perf_hooks"

export interface Result {
  readonly name: string
  readonly value: number
  readonly unit: string
  readonly baseline: number | null
  readonly ratio: number | null
}

export const round = (n: number, digits = 3): number => Math.round(n * 10 ** digits) / 10 ** digits

/** A result measured against a baseline of the same run; `ratio` is value / baseline. */
export const against = (name: string, value: number, unit: string, baseline: number): Result => ({
  name,
  value,
  unit,
  baseline,
  ratio: round(value / baseline)
})

/** Peak RSS growth next to the size of the data moved (ratio 1.0: the whole of it was held). */
export const rssGrowth = (name: string, peakMiB: number, bytes: number): Result => ({
  name,
  value: peakMiB,
  unit: "MiB",
  baseline: round(bytes / 1024 / 1024),
  ratio: round(peakMiB / (bytes / 1024 / 1024))
})

export const print = (results: ReadonlyArray<Result>): ReadonlyArray<Result> => {
  for (const r of results) console.log(JSON.stringify(r))
  return results
}

/** MB/s (10^6 bytes per second). */
export const mbps = (bytes: number, ms: number): number => round(bytes / 1e6 / (ms / 1000), 1)

/** Times an async function, returning milliseconds. */
export const time = async (f: () => Promise<unknown>): Promise<number> => {
  const start = performance.now()
  await f()
  return performance.now() - start
}

/** Samples the process's RSS while `f` runs and returns the peak growth over the starting RSS, in MiB. */
export const peakRss = async <A>(f: () => Promise<A>): Promise<{ readonly value: A; readonly peakMiB: number }> => {
  const g = (globalThis as { gc?: () => void }).gc
  g?.()
  const start = process.memoryUsage.rss()
  let peak = start
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss())
  }, 20)
  try {
    const value = await f()
    peak = Math.max(peak, process.memoryUsage.rss())
    return { value, peakMiB: round((peak - start) / 1024 / 1024, 1) }
  } finally {
    clearInterval(timer)
  }
}

/** Writes a file of `size` deterministic pseudo-random bytes, in 1 MiB chunks. */
export const writeFile = async (path: string, size: number): Promise<void> => {
  const chunk = new Uint8Array(1024 * 1024)
  let x = 2463534242
  for (let i = 0; i < chunk.length; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    chunk[i] = x & 0xff
  }
  const out = createWriteStream(path)
  for (let written = 0; written < size; written += chunk.length) {
    const n = Math.min(chunk.length, size - written)
    const part = n === chunk.length ? chunk : chunk.subarray(0, n)
    // vary each MiB a little so the content is not one repeated block
    part[0] = (written / chunk.length) & 0xff
    if (!out.write(part)) await new Promise<void>((resolve) => out.once("drain", () => resolve()))
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())))
}

/** Reads a whole file through a stream, calling `f` for each chunk. */
export const readFileChunks = (path: string, f: (chunk: Buffer) => void): Promise<void> =>
  new Promise((resolve, reject) => {
    const input = createReadStream(path, { highWaterMark: 1024 * 1024 })
    input.on("data", (chunk) => f(chunk as Buffer))
    input.on("end", () => resolve())
    input.on("error", reject)
  })

/** The median of a non-empty list. */
export const median = (xs: ReadonlyArray<number>): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)] ?? Number.NaN
}
