import * as FileSystem from "@effect/platform/FileSystem"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { assert, describe, it } from "@effect/vitest"
import * as RetryPolicy from "@fjord/core/RetryPolicy"
import * as Emulator from "@fjord/emulator/Emulator"
import { type DataPoint, MetricReader } from "@opentelemetry/sdk-metrics"
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base"
import * as Effect from "effect/Effect"
import * as Quickstart from "../src/Quickstart.js"
import * as Telemetry from "../src/Telemetry.js"

/** A reader that exports only when asked (`collect`). */
class CollectingReader extends MetricReader {
  protected onShutdown() {
    return Promise.resolve()
  }
  protected onForceFlush() {
    return Promise.resolve()
  }
}

/** The `accessToken` / `refreshToken` strings anywhere in the saved token file. */
const savedSecrets = (json: unknown): Array<string> =>
  typeof json !== "object" || json === null
    ? []
    : Object.entries(json).flatMap(([key, value]) =>
        typeof value === "string" && (key === "accessToken" || key === "refreshToken") ? [value] : savedSecrets(value)
      )

const ancestors = (span: ReadableSpan, byId: Map<string, ReadableSpan>): Array<string> => {
  const parent = span.parentSpanContext?.spanId
  const p = parent === undefined ? undefined : byId.get(parent)
  return p === undefined ? [] : [p.name, ...ancestors(p, byId)]
}

describe("Telemetry example", () => {
  it.scopedLive("Files.* spans with path and bytes over HTTP child spans, no secret anywhere; metrics exported", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped({ prefix: "fjord-telemetry-" })
      const exporter = new InMemorySpanExporter()
      const reader = new CollectingReader()
      const sdk = Quickstart.layer(emu.loginToken, { config: { endpoint: emu.url }, tokenFile: `${dir}/t.json` })
      // One transient 503 on a metadata read: retried, and counted.
      yield* emu.inject(Emulator.parseFault("status:503,op=get,times=1"))
      const { result, spans, metrics } = yield* Effect.gen(function* () {
        const result = yield* Telemetry.program.pipe(
          Effect.provide(sdk),
          Effect.provideService(
            RetryPolicy.RetryPolicy,
            RetryPolicy.make({ baseDelay: "1 millis", maxDelay: "4 millis" })
          )
        )
        const metrics = yield* Effect.promise(() => reader.collect())
        return { result, spans: exporter.getFinishedSpans(), metrics }
      }).pipe(Effect.provide(Telemetry.layer(new SimpleSpanProcessor(exporter), reader)))
      assert.deepStrictEqual(result, { listed: 1, downloaded: 64 * 1024, missing: true })

      const byId = new Map(spans.map((s) => [s.spanContext().spanId, s]))
      const named = (name: string) => spans.filter((s) => s.name === name)
      const [upload] = named("Files.upload")
      assert.strictEqual(upload?.attributes.path, "traced/data.bin")
      assert.strictEqual(upload?.attributes.bytes, 64 * 1024)
      assert.strictEqual(named("Files.list")[0]?.attributes.path, "traced")
      assert.strictEqual(named("Files.stat")[0]?.attributes.path, "traced/missing.bin")
      assert.strictEqual(named("Files.download")[0]?.attributes.path, "traced/data.bin")
      const http = spans.filter((s) => s.name.startsWith("http.client"))
      for (const op of ["Files.upload", "Files.list", "Files.download", "Files.stat"]) {
        assert.isTrue(
          http.some((s) => ancestors(s, byId).includes(op)),
          `${op} has HTTP child spans`
        )
      }
      assert.isTrue(http.some((s) => typeof s.attributes["url.full"] === "string"))

      const saved = savedSecrets(JSON.parse(yield* fs.readFileString(`${dir}/t.json`)))
      const secrets = [emu.loginToken, ...saved]
      assert.isAtLeast(saved.length, 2)
      const seen = JSON.stringify(spans.map((s) => [s.name, s.attributes, s.events.map((e) => [e.name, e.attributes])]))
      for (const secret of secrets) assert.notInclude(seen, secret)

      const points = (name: string) =>
        metrics.resourceMetrics.scopeMetrics
          .flatMap((scope) => scope.metrics)
          .filter((m) => m.descriptor.name === name)
          .flatMap((m) => m.dataPoints as Array<DataPoint<unknown>>)
      const value = (name: string, attrs: Record<string, string>) =>
        points(name)
          .filter((p) => Object.entries(attrs).every(([k, v]) => p.attributes[k] === v))
          .map((p) => p.value)
      // The 503 is counted by its status, next to the successes.
      assert.deepStrictEqual(
        points("fjord_requests_total")
          .filter((p) => p.attributes.status === "503")
          .map((p) => p.value),
        [1]
      )
      assert.deepStrictEqual(value("fjord_requests_total", { operation: "Files.stat", status: "404" }), [1])
      // The one retry is counted under the operation whose request met the 503.
      const retried = points("fjord_retries_total").map((p) => [p.attributes.operation, p.value])
      const met503 = (yield* emu.requests).filter((r) => r.status === 503).length
      assert.strictEqual(met503, 1)
      assert.deepStrictEqual(
        retried.map(([, v]) => v),
        [1]
      )
      assert.include(["Files.upload", "Files.list"], retried[0]?.[0])
      assert.isAtLeast(Number(value("fjord_bytes_sent_total", { operation: "Files.upload" })[0]), 64 * 1024)
      assert.isAtLeast(Number(value("fjord_bytes_received_total", { operation: "Files.download" })[0]), 64 * 1024)
      // Every request counted is timed: the histogram's count per operation matches.
      for (const op of ["Files.upload", "Files.list", "Files.stat"]) {
        const counted = value("fjord_requests_total", { operation: op }).reduce((n: number, v) => n + Number(v), 0)
        const latency = value("fjord_request_duration", { operation: op })[0] as { count: number } | undefined
        assert.isAbove(counted, 0)
        assert.strictEqual(latency?.count, counted)
      }
    }).pipe(Effect.provide(NodeContext.layer))
  )
})
