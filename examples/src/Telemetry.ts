/**
 * OpenTelemetry: the SDK's spans (`Files.*`, each with its `path`, and `bytes` for transfers,
 * over the `@effect/platform` HTTP client's spans) and its metrics (`@fjord/core/Metrics`:
 * requests by operation and status, a latency histogram, bytes both ways, retries) exported
 * through `@effect/opentelemetry`'s `NodeSdk` layer. Any OpenTelemetry span processor and
 * metric reader fit; `main` prints them to the console, the test keeps them in memory.
 *
 * The authorization header is redacted by the HTTP client's span attributes, tokens are
 * `Redacted` in the SDK, so no secret reaches an attribute or event (the test checks).
 *
 * Run against a fresh embedded emulator:
 * `tsx --conditions=@fjord/source examples/src/Telemetry.ts`
 *
 * @since 0.1.0
 */

import { pathToFileURL } from "node:url"
import * as NodeSdk from "@effect/opentelemetry/NodeSdk"
import * as FileSystem from "@effect/platform/FileSystem"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Files from "@fjord/core/Files"
import * as UploadSource from "@fjord/core/UploadSource"
import * as Emulator from "@fjord/emulator/Emulator"
import { ConsoleMetricExporter, type MetricReader, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics"
import { ConsoleSpanExporter, SimpleSpanProcessor, type SpanProcessor } from "@opentelemetry/sdk-trace-base"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as Quickstart from "./Quickstart.js"

/**
 * The OpenTelemetry layer: Effect's tracer and metrics bridged to the given processor and
 * reader.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (spanProcessor: SpanProcessor, metricReader: MetricReader) =>
  NodeSdk.layer(() => ({
    resource: { serviceName: "fjord-example" },
    spanProcessor,
    metricReader
  }))

/**
 * Upload, list, download and a missing file: a few operations to trace.
 *
 * @since 0.1.0
 * @category programs
 */
export const program = Effect.gen(function* () {
  const files = yield* Files.Files
  const body = new Uint8Array(64 * 1024).fill(42)
  yield* files.upload("traced/data.bin", UploadSource.fromUint8Array(body))
  const listed = yield* files.list("traced")
  const downloaded = yield* files.download("traced/data.bin").pipe(Stream.runFold(0, (n, chunk) => n + chunk.length))
  const missing = yield* files.stat("traced/missing.bin").pipe(
    Effect.as(false),
    Effect.catchTag("NotFound", () => Effect.succeed(true))
  )
  return { listed: listed.length, downloaded, missing }
}).pipe(Effect.withSpan("example.telemetry"))

const main = Effect.gen(function* () {
  const emu = yield* Emulator.make()
  const fs = yield* FileSystem.FileSystem
  const tokenFile = `${yield* fs.makeTempDirectoryScoped({ prefix: "fjord-example-" })}/token.json`
  const reader = new PeriodicExportingMetricReader({
    exporter: new ConsoleMetricExporter(),
    exportIntervalMillis: 60_000
  })
  yield* program.pipe(
    Effect.provide(Quickstart.layer(emu.loginToken, { config: { endpoint: emu.url }, tokenFile })),
    Effect.provide(layer(new SimpleSpanProcessor(new ConsoleSpanExporter()), reader))
  )
})

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main.pipe(Effect.scoped, Effect.provide(NodeContext.layer), NodeRuntime.runMain)
}
