/**
 * Benchmark: the SDK's per-request overhead on a small `Files.stat` call against the emulator
 * (loopback HTTP), next to a raw `fetch` (undici) GET of the same URL with the same bearer
 * token, reading the body as text — in the same run, interleaved in blocks so drift hits both.
 * The emulator runs in a worker thread (its own event loop and heap), so the client side is
 * what is compared.
 * Prints one JSON line per result: {"name","value","unit","baseline","ratio"}.
 *
 * Run: `npx tsx --conditions=@fjord/source packages/core/bench/request-overhead.bench.ts`
 */
import { createHash } from "node:crypto"
import { performance } from "node:perf_hooks"
import { pathToFileURL } from "node:url"
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Emulator from "@fjord/emulator/Emulator"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import { JottaAuth } from "../src/Auth.js"
import * as ContentHasher from "../src/ContentHasher.js"
import * as Files from "../src/Files.js"
import * as JottaClient from "../src/JottaClient.js"
import * as UploadSource from "../src/UploadSource.js"

export interface Result {
  readonly name: string
  readonly value: number
  readonly unit: string
  readonly baseline: number | null
  readonly ratio: number | null
}

const median = (xs: ReadonlyArray<number>): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)] ?? Number.NaN
}

const round = (x: number, digits = 2): number => Math.round(x * 10 ** digits) / 10 ** digits

/** Runs the benchmark, prints one JSON line per result and returns the results. */
export const run = async (options?: {
  readonly iterations?: number
  readonly block?: number
}): Promise<ReadonlyArray<Result>> => {
  const iterations = options?.iterations ?? 3000
  const block = options?.block ?? 20
  // A TypeScript worker: register tsx's loader in the worker, then load this module there.
  const tsxApi = import.meta.resolve("tsx/esm/api")
  const boot = `import { register } from ${JSON.stringify(tsxApi)}; register(); await import(${JSON.stringify(import.meta.url)});`
  const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(boot)}`), {
    workerData: { role: "emulator" },
    execArgv: ["--conditions=@fjord/source"]
  })
  try {
    const emu = await new Promise<{ url: string; username: string; accessToken: string }>((resolve, reject) => {
      worker.once("message", resolve)
      worker.once("error", reject)
    })
    const auth = Layer.succeed(
      JottaAuth,
      JottaAuth.of({ accessToken: Effect.succeed(Redacted.make(emu.accessToken)), invalidate: () => Effect.void })
    )
    const sdk = ManagedRuntime.make(
      Files.layer.pipe(
        Layer.provide(JottaClient.layer({ endpoint: emu.url })),
        Layer.provide(auth),
        Layer.provide(FetchHttpClient.layer),
        Layer.provide(ContentHasher.layerFunction((b) => createHash("md5").update(b).digest("hex"))),
        Layer.orDie
      )
    )
    try {
      const files = await sdk.runPromise(Files.Files)
      const path = "bench/small file.txt"
      await sdk.runPromise(files.upload(path, UploadSource.fromUint8Array(new TextEncoder().encode("hello bench\n"))))
      const url = `${emu.url}/jfs/${emu.username}/Jotta/Archive/bench/small%20file.txt`
      const headers = { authorization: `Bearer ${emu.accessToken}` }

      const raw = async () => {
        const res = await fetch(url, { headers })
        if (res.status !== 200) throw new Error(`raw GET answered ${res.status}`)
        await res.text()
      }
      const stat = files.stat(path)
      const viaSdk = () => sdk.runPromise(stat)
      // The same GET through @effect/platform's FetchHttpClient alone (what the SDK builds on).
      const platform = await sdk.runPromise(Effect.provide(HttpClient.HttpClient, FetchHttpClient.layer))
      const platformGet = Effect.flatMap(platform.execute(HttpClientRequest.get(url, { headers })), (r) => r.text)
      const viaPlatform = () => sdk.runPromise(platformGet)

      // warm-up (JIT, connection pool) and a correctness check
      for (let i = 0; i < 1000; i++) {
        await raw()
        await viaPlatform()
        await viaSdk()
      }
      const info = await viaSdk()
      if (info.size !== 12) throw new Error(`stat returned size ${info.size}`)

      // Small blocks in rotating order; ratios are medians of per-round ratios, which is robust
      // to load drift on a shared machine.
      const variants = [raw, viaPlatform, viaSdk] as const
      const times: Array<Array<number>> = [[], [], []]
      const platformRatios: Array<number> = []
      const sdkRatios: Array<number> = []
      for (let round = 0; round * block < iterations; round++) {
        const t: Array<number> = [0, 0, 0]
        for (let k = 0; k < 3; k++) {
          const which = (round + k) % 3
          const f = variants[which]!
          const start = performance.now()
          for (let i = 0; i < block; i++) await f()
          t[which] = ((performance.now() - start) * 1000) / block
        }
        for (let k = 0; k < 3; k++) times[k]!.push(t[k]!)
        platformRatios.push(t[1]! / t[0]!)
        sdkRatios.push(t[2]! / t[0]!)
      }
      const rawUs = median(times[0]!)
      const platformUs = median(times[1]!)
      const sdkUs = median(times[2]!)
      const ratio = median(sdkRatios)
      const results: Array<Result> = [
        { name: "request-overhead.raw-fetch", value: round(rawUs), unit: "µs/request", baseline: null, ratio: null },
        {
          name: "request-overhead.platform-client",
          value: round(platformUs),
          unit: "µs/request",
          baseline: round(rawUs),
          ratio: round(median(platformRatios))
        },
        {
          name: "request-overhead.sdk-stat",
          value: round(sdkUs),
          unit: "µs/request",
          baseline: round(rawUs),
          ratio: round(ratio)
        },
        {
          name: "request-overhead.sdk-extra",
          value: round(sdkUs - rawUs),
          unit: "µs/request",
          baseline: null,
          ratio: null
        },
        { name: "request-overhead.iterations", value: iterations, unit: "requests", baseline: null, ratio: null }
      ]
      for (const r of results) console.log(JSON.stringify(r))
      return results
    } finally {
      await sdk.dispose()
    }
  } finally {
    await worker.terminate()
  }
}

/** Worker side: starts the emulator and reports where it listens. */
const serveEmulator = async (): Promise<void> => {
  const runtime = ManagedRuntime.make(Emulator.layer())
  const emu = await runtime.runPromise(Emulator.Emulator)
  parentPort?.postMessage({ url: emu.url, username: emu.username, accessToken: emu.accessToken })
}

if (!isMainThread && (workerData as { role?: string } | null)?.role === "emulator") {
  await serveEmulator()
}

if (isMainThread && process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run()
}
