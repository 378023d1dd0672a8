/**
 * Benchmark: the SDK's per-request overhead on a small `Files.stat` call against the emulator
 * (loopback HTTP), next to a raw undici request of the same URL with the same bearer token,
 * reading the body as text — in the same run, interleaved in blocks so drift hits every variant.
 * The emulator runs in a worker thread (its own event loop and heap), so the client side is
 * what is compared.
 *
 * Headline (`request-overhead.sdk-stat`): the SDK over `@fjord/node`'s `NodeHttpClient`
 * (what `@fjord/node/NodeJotta.layer` gives Node users) vs `http.request` through a keep-alive
 * `http.Agent` (the same pooling), body read as text; `client-node` is that client alone.
 * Secondary lines: the SDK over `@fjord/node`'s `UndiciHttpClient` and that client alone vs
 * `Agent.request` of undici, `@effect/platform`'s `NodeHttpClient.layerUndici` alone and under
 * the SDK, and the `FetchHttpClient` pair (SDK and bare platform client vs a raw global `fetch`).
 * Ratios are medians of per-round ratios (each round runs every variant for `block` requests,
 * in rotating order), robust to load drift on a shared machine.
 * Prints one JSON line per result: {"name","value","unit","baseline","ratio"}.
 *
 * Run: `npm run bench -- request-overhead`
 */
import { createHash } from "node:crypto"
import * as Http from "node:http"
import { performance } from "node:perf_hooks"
import { pathToFileURL } from "node:url"
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Emulator from "@fjord/emulator/Emulator"
import * as FjordNodeHttpClient from "@fjord/node/NodeHttpClient"
import * as UndiciHttpClient from "@fjord/node/UndiciHttpClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import { Agent } from "undici"
import { median, print, type Result, round } from "../../../bench/common.js"
import { JottaAuth } from "../src/Auth.js"
import * as ContentHasher from "../src/ContentHasher.js"
import * as Files from "../src/Files.js"
import * as JottaClient from "../src/JottaClient.js"
import * as UploadSource from "../src/UploadSource.js"

export type { Result }

/** Runs the benchmark, prints one JSON line per result and returns the results. */
export const run = async (options?: {
  readonly iterations?: number
  readonly block?: number
}): Promise<ReadonlyArray<Result>> => {
  const iterations = options?.iterations ?? Number(process.env.BENCH_ITERATIONS ?? 3000)
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
    const sdkOver = (http: Layer.Layer<HttpClient.HttpClient>) =>
      ManagedRuntime.make(
        Layer.merge(
          Files.layer.pipe(
            Layer.provide(JottaClient.layer({ endpoint: emu.url })),
            Layer.provide(auth),
            Layer.provide(ContentHasher.layerFunction((b) => createHash("md5").update(b).digest("hex")))
          ),
          http
        ).pipe(Layer.provide(http), Layer.orDie)
      )
    // Each runtime builds its own HttpClient (each over its own undici Agent).
    const sdkNode = sdkOver(FjordNodeHttpClient.layer)
    const sdkFjord = sdkOver(UndiciHttpClient.layer)
    const sdkUndici = sdkOver(NodeHttpClient.layerUndici)
    const sdkFetch = sdkOver(FetchHttpClient.layer)
    const agent = new Agent()
    const httpAgent = new Http.Agent({ keepAlive: true })
    try {
      const path = "bench/small file.txt"
      const filesNode = await sdkNode.runPromise(Files.Files)
      const filesFjord = await sdkFjord.runPromise(Files.Files)
      const filesUndici = await sdkUndici.runPromise(Files.Files)
      const filesFetch = await sdkFetch.runPromise(Files.Files)
      await sdkUndici.runPromise(
        filesUndici.upload(path, UploadSource.fromUint8Array(new TextEncoder().encode("hello bench\n")))
      )
      const url = `${emu.url}/jfs/${emu.username}/Jotta/Archive/bench/small%20file.txt`
      const parsed = new URL(url)
      const headers = { authorization: `Bearer ${emu.accessToken}` }

      const rawUndici = async () => {
        const res = await agent.request({
          origin: parsed.origin,
          path: parsed.pathname + parsed.search,
          method: "GET",
          headers
        })
        if (res.statusCode !== 200) throw new Error(`raw undici GET answered ${res.statusCode}`)
        await res.body.text()
      }
      const rawNode = () =>
        new Promise<void>((resolve, reject) => {
          Http.get(url, { agent: httpAgent, headers }, (res) => {
            if (res.statusCode !== 200) return reject(new Error(`raw node:http GET answered ${res.statusCode}`))
            res.setEncoding("utf8")
            let text = ""
            res.on("data", (c: string) => {
              text += c
            })
            res.on("end", () => resolve(void text))
            res.on("error", reject)
          }).on("error", reject)
        })
      const rawFetch = async () => {
        const res = await fetch(url, { headers })
        if (res.status !== 200) throw new Error(`raw fetch GET answered ${res.status}`)
        await res.text()
      }
      const platformOf = async (rt: typeof sdkUndici) => {
        const client = await rt.runPromise(HttpClient.HttpClient)
        const get = Effect.flatMap(client.execute(HttpClientRequest.get(url, { headers })), (r) => r.text)
        return () => rt.runPromise(get)
      }
      const clientNode = await platformOf(sdkNode)
      const clientFjord = await platformOf(sdkFjord)
      const platformUndici = await platformOf(sdkUndici)
      const platformFetch = await platformOf(sdkFetch)
      // `stat` is called per request, as a caller would (span and call-site capture included).
      const viaSdkNode = () => sdkNode.runPromise(filesNode.stat(path))
      const viaSdkFjord = () => sdkFjord.runPromise(filesFjord.stat(path))
      const viaSdkUndici = () => sdkUndici.runPromise(filesUndici.stat(path))
      const viaSdkFetch = () => sdkFetch.runPromise(filesFetch.stat(path))

      const variants = [
        rawUndici,
        clientFjord,
        viaSdkFjord,
        platformUndici,
        viaSdkUndici,
        rawFetch,
        platformFetch,
        viaSdkFetch,
        rawNode,
        clientNode,
        viaSdkNode
      ] as const
      const [RAW_U, CLIENT, SDK, PLAT_U, SDK_U, RAW_F, PLAT_F, SDK_F, RAW_N, CLIENT_N, SDK_N] = [
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
      ] as const

      // warm-up (JIT, connection pools) and a correctness check
      for (let i = 0; i < 1000; i++) for (const f of variants) await f()
      for (const check of [viaSdkNode, viaSdkFjord, viaSdkUndici, viaSdkFetch]) {
        const info = await check()
        if (info.size !== 12) throw new Error(`stat returned size ${info.size}`)
      }

      // Small blocks in rotating order; ratios are medians of per-round ratios.
      const n = variants.length
      const times: Array<Array<number>> = variants.map(() => [])
      const ratios = {
        clientNode: [] as Array<number>,
        sdkNode: [] as Array<number>,
        client: [] as Array<number>,
        sdk: [] as Array<number>,
        platformUndici: [] as Array<number>,
        sdkUndici: [] as Array<number>
      }
      const ratiosFetch = { platform: [] as Array<number>, sdk: [] as Array<number> }
      for (let r = 0; r * block < iterations; r++) {
        const t: Array<number> = variants.map(() => 0)
        for (let k = 0; k < n; k++) {
          const which = (r + k) % n
          const f = variants[which]!
          const start = performance.now()
          for (let i = 0; i < block; i++) await f()
          t[which] = ((performance.now() - start) * 1000) / block
        }
        for (let k = 0; k < n; k++) times[k]!.push(t[k]!)
        ratios.clientNode.push(t[CLIENT_N]! / t[RAW_N]!)
        ratios.sdkNode.push(t[SDK_N]! / t[RAW_N]!)
        ratios.client.push(t[CLIENT]! / t[RAW_U]!)
        ratios.sdk.push(t[SDK]! / t[RAW_U]!)
        ratios.platformUndici.push(t[PLAT_U]! / t[RAW_U]!)
        ratios.sdkUndici.push(t[SDK_U]! / t[RAW_U]!)
        ratiosFetch.platform.push(t[PLAT_F]! / t[RAW_F]!)
        ratiosFetch.sdk.push(t[SDK_F]! / t[RAW_F]!)
      }
      const us = times.map(median)
      const line = (name: string, value: number, baseline: number | null, ratio: number | null): Result => ({
        name,
        value: round(value),
        unit: "µs/request",
        baseline: baseline === null ? null : round(baseline),
        ratio: ratio === null ? null : round(ratio)
      })
      const results: Array<Result> = [
        line("request-overhead.raw-node-http", us[RAW_N]!, null, null),
        line("request-overhead.sdk-stat", us[SDK_N]!, us[RAW_N]!, median(ratios.sdkNode)),
        line("request-overhead.sdk-extra", us[SDK_N]! - us[RAW_N]!, null, null),
        line("request-overhead.client-node", us[CLIENT_N]!, us[RAW_N]!, median(ratios.clientNode)),
        line("request-overhead.raw-undici", us[RAW_U]!, null, null),
        line("request-overhead.sdk-stat-undici", us[SDK]!, us[RAW_U]!, median(ratios.sdk)),
        line("request-overhead.client-undici", us[CLIENT]!, us[RAW_U]!, median(ratios.client)),
        line("request-overhead.platform-undici", us[PLAT_U]!, us[RAW_U]!, median(ratios.platformUndici)),
        line("request-overhead.sdk-stat-platform-undici", us[SDK_U]!, us[RAW_U]!, median(ratios.sdkUndici)),
        line("request-overhead.raw-fetch", us[RAW_F]!, null, null),
        line("request-overhead.platform-fetch", us[PLAT_F]!, us[RAW_F]!, median(ratiosFetch.platform)),
        line("request-overhead.sdk-stat-fetch", us[SDK_F]!, us[RAW_F]!, median(ratiosFetch.sdk)),
        { name: "request-overhead.iterations", value: iterations, unit: "requests", baseline: null, ratio: null }
      ]
      print(results)
      return results
    } finally {
      await agent.close()
      httpAgent.destroy()
      await sdkNode.dispose()
      await sdkFjord.dispose()
      await sdkUndici.dispose()
      await sdkFetch.dispose()
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
