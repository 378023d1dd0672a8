import { createHash } from "node:crypto"
import * as Http from "node:http"
import * as Https from "node:https"
import type { AddressInfo } from "node:net"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { assert, describe, it } from "@effect/vitest"
import * as StaticAuth from "@fjord/auth/StaticAuth"
import * as Files from "@fjord/core/Files"
import * as JottaClient from "@fjord/core/JottaClient"
import * as RetryPolicy from "@fjord/core/RetryPolicy"
import * as UploadSource from "@fjord/core/UploadSource"
import * as Emulator from "@fjord/emulator/Emulator"
import * as NodeContentHasher from "@fjord/node/NodeContentHasher"
import * as NodeHttpClient from "@fjord/node/NodeHttpClient"
import * as UndiciHttpClient from "@fjord/node/UndiciHttpClient"
import * as Chunk from "effect/Chunk"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { Agent } from "undici"

// Both of the package's clients keep one contract; every case below runs against each.
interface Subject {
  readonly name: string
  readonly layer: Layer.Layer<HttpClient.HttpClient>
  readonly make: (options?: NodeHttpClient.Options) => Effect.Effect<HttpClient.HttpClient, never, Scope.Scope>
  /** A client over a pool the test inspects: open connections to `origin`. */
  readonly pooled: Effect.Effect<
    { readonly client: HttpClient.HttpClient; readonly connected: (origin: string) => number },
    never,
    Scope.Scope
  >
  /** The `code` of the timeout errors: before the reply's headers, and mid-body. */
  readonly timeouts: { readonly headers: string; readonly body: string }
}

const subjects: ReadonlyArray<Subject> = [
  {
    name: "NodeHttpClient",
    layer: NodeHttpClient.layer,
    make: NodeHttpClient.make,
    pooled: Effect.map(
      Effect.acquireRelease(
        Effect.sync(() => ({ http: new Http.Agent({ keepAlive: true }), https: new Https.Agent({ keepAlive: true }) })),
        (agents) =>
          Effect.sync(() => {
            agents.http.destroy()
            agents.https.destroy()
          })
      ),
      (agents) => ({
        client: NodeHttpClient.makeWithAgents(agents),
        connected: (origin: string) => {
          const name = `${new URL(origin).host}:`
          const count = (m: NodeJS.ReadOnlyDict<ReadonlyArray<unknown>>) =>
            Object.entries(m)
              .filter(([k]) => k.startsWith(name))
              .reduce((n, [, v]) => n + (v?.length ?? 0), 0)
          return count(agents.http.sockets) + count(agents.http.freeSockets)
        }
      })
    ),
    timeouts: { headers: "FJORD_IDLE_TIMEOUT", body: "FJORD_IDLE_TIMEOUT" }
  },
  {
    name: "UndiciHttpClient",
    layer: UndiciHttpClient.layer,
    make: UndiciHttpClient.make,
    pooled: Effect.map(
      Effect.acquireRelease(
        Effect.sync(() => new Agent({ keepAliveTimeout: 10_000 })),
        (agent) => Effect.promise(() => agent.destroy())
      ),
      (agent) => ({
        client: UndiciHttpClient.makeWithDispatcher(agent),
        connected: (origin: string) => {
          const stats = agent.stats[origin]
          return stats === undefined ? 0 : Number(stats.connected)
        }
      })
    ),
    timeouts: { headers: "UND_ERR_HEADERS_TIMEOUT", body: "UND_ERR_BODY_TIMEOUT" }
  }
]

const MiB = 1024 * 1024

/** `n` deterministic pseudo-random bytes, produced lazily in 64 KiB chunks. */
const bytes = (n: number, onPull?: (bytes: number) => void): Stream.Stream<Uint8Array> =>
  Stream.unfoldChunk(0, (offset) => {
    if (offset >= n) return Option.none()
    const chunk = new Uint8Array(Math.min(64 * 1024, n - offset))
    for (let i = 0; i < chunk.length; i++) chunk[i] = ((offset + i) * 2654435761) >>> 24
    onPull?.(chunk.length)
    return Option.some([Chunk.of(chunk), offset + chunk.length] as const)
  })

const md5 = (parts: ReadonlyArray<Uint8Array>) => {
  const h = createHash("md5")
  for (const p of parts) h.update(p)
  return h.digest("hex")
}

/** The SDK over the client under test, plus the client itself. */
const sdkAt = (endpoint: string, token: string, http: Layer.Layer<HttpClient.HttpClient>) =>
  Files.layer.pipe(
    Layer.provide(JottaClient.layer({ endpoint })),
    Layer.provide(StaticAuth.layer(token)),
    Layer.provide(NodeContentHasher.layer),
    Layer.provideMerge(http),
    Layer.orDie
  )
const sdk = (emu: Emulator.Handle, http: Layer.Layer<HttpClient.HttpClient>) => sdkAt(emu.url, emu.accessToken, http)

const fileUrl = (emu: Emulator.Handle, path: string) =>
  `${emu.url}/jfs/${emu.username}/Jotta/Archive/${path.split("/").map(encodeURIComponent).join("/")}`

const authed = (emu: Emulator.Handle, req: HttpClientRequest.HttpClientRequest) =>
  HttpClientRequest.bearerToken(req, emu.accessToken)

/** A loopback server with a hand-written handler, closed with the scope. */
const hostile = (handler: Http.RequestListener) =>
  Effect.acquireRelease(
    Effect.async<{ readonly url: string; readonly server: Http.Server }>((resume) => {
      const server = Http.createServer(handler)
      server.listen(0, "127.0.0.1", () =>
        resume(Effect.succeed({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server }))
      )
    }),
    ({ server }) =>
      Effect.async<void>((resume) => {
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
  )

describe.each(subjects)("$name", (subject) => {
  it.scopedLive("GET, a streamed POST (upload) and a Range request against the emulator", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      const ctx = yield* Layer.build(sdk(emu, subject.layer))
      const files = yield* Effect.provide(Files.Files, ctx)
      const client = yield* Effect.provide(HttpClient.HttpClient, ctx)
      const size = 5 * MiB + 123
      const expected = yield* Stream.runCollect(bytes(size))
      // the upload's data POST is a Stream body sent with its content-length
      const info = yield* files.upload("http/blob.bin", UploadSource.make({ size, stream: bytes(size) }))
      assert.strictEqual(info.size, size)
      assert.strictEqual(info.md5, md5(Chunk.toReadonlyArray(expected)))
      const upload = (yield* emu.requests).find((r) => r.op === "upload")
      assert.strictEqual(upload?.requestBytes, size)
      assert.strictEqual(upload?.headers["content-length"], String(size))

      const res = yield* client.execute(authed(emu, HttpClientRequest.get(`${fileUrl(emu, "http/blob.bin")}?mode=bin`)))
      assert.strictEqual(res.status, 200)
      assert.strictEqual(res.headers["content-length"], String(size))
      const body = yield* Stream.runCollect(res.stream)
      assert.strictEqual(md5(Chunk.toReadonlyArray(body)), info.md5)

      const ranged = yield* client.execute(
        authed(
          emu,
          HttpClientRequest.get(`${fileUrl(emu, "http/blob.bin")}?mode=bin`, {
            headers: { range: "bytes=1048570-1048579" }
          })
        )
      )
      assert.strictEqual(ranged.status, 206)
      assert.strictEqual(ranged.headers["content-range"], `bytes 1048570-1048579/${size}`)
      const slice = new Uint8Array(yield* ranged.arrayBuffer)
      const whole = Buffer.concat(Chunk.toReadonlyArray(expected))
      assert.deepStrictEqual(slice, new Uint8Array(whole.subarray(1048570, 1048580)))

      // text is memoised: a second read gives the same text
      const stat = yield* client.execute(authed(emu, HttpClientRequest.get(fileUrl(emu, "http/blob.bin"))))
      const text = yield* stat.text
      assert.include(text, "<file")
      assert.strictEqual(yield* stat.text, text)
    })
  )

  it.scopedLive("a request body is pulled as the socket drains (constant memory)", () =>
    Effect.gen(function* () {
      let received = 0
      let release: () => void = () => {}
      const server = yield* hostile((req, res) => {
        // read nothing for a while, then everything
        req.pause()
        release = () => {
          req.on("data", (c: Buffer) => {
            received += c.length
          })
          req.on("end", () => res.end(String(received)))
          req.resume()
        }
      })
      let pulled = 0
      const size = 64 * MiB
      const client = yield* subject.make()
      const fiber = yield* client
        .execute(
          HttpClientRequest.post(server.url).pipe(
            HttpClientRequest.bodyStream(
              bytes(size, (n) => {
                pulled += n
              }),
              { contentLength: size }
            )
          )
        )
        .pipe(
          Effect.flatMap((r) => r.text),
          Effect.fork
        )
      yield* Effect.sleep("300 millis")
      // socket buffers hold a few MiB; the rest of the 64 MiB has not been produced
      assert.isAbove(pulled, 0)
      assert.isBelow(pulled, 24 * MiB)
      release()
      assert.strictEqual(yield* Fiber.join(fiber), String(size))
      assert.strictEqual(pulled, size)
    })
  )

  it.scopedLive("a reply sent before the request body is read (an early 413) is the result", () =>
    Effect.gen(function* () {
      const server = yield* hostile((_req, res) => {
        res.writeHead(413, { "content-type": "text/plain", connection: "close" })
        res.end("too large")
      })
      const client = yield* subject.make()
      const size = 64 * MiB
      const res = yield* client.execute(
        HttpClientRequest.post(server.url).pipe(HttpClientRequest.bodyStream(bytes(size), { contentLength: size }))
      )
      assert.strictEqual(res.status, 413)
      assert.strictEqual(yield* res.text, "too large")
    })
  )

  it.scopedLive("a reply cut mid-body fails the body stream with a ResponseError", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      const ctx = yield* Layer.build(sdk(emu, subject.layer))
      const files = yield* Effect.provide(Files.Files, ctx)
      const client = yield* Effect.provide(HttpClient.HttpClient, ctx)
      yield* files.upload("http/cut.bin", UploadSource.make({ size: 2 * MiB, stream: bytes(2 * MiB) }))
      yield* emu.inject({ _tag: "CutResponse", afterBytes: 100_000, op: "download" })
      const res = yield* client.execute(authed(emu, HttpClientRequest.get(`${fileUrl(emu, "http/cut.bin")}?mode=bin`)))
      assert.strictEqual(res.status, 200)
      let seen = 0
      const exit = yield* Effect.exit(
        Stream.runForEach(res.stream, (c) =>
          Effect.sync(() => {
            seen += c.length
          })
        )
      )
      assert.isTrue(Exit.isFailure(exit))
      const error = yield* Effect.flip(exit)
      assert.instanceOf(error, HttpClientError.ResponseError)
      assert.strictEqual(error.reason, "Decode")
      assert.isAtMost(seen, 100_000)
      // and through the SDK, the same cut is a typed error (the platform error shapes are kept)
      yield* emu.inject({ _tag: "CutResponse", afterBytes: 100_000, op: "download", times: Infinity })
      const sdkError = yield* Effect.flip(
        RetryPolicy.withPolicy(Stream.runDrain(files.download("http/cut.bin")), RetryPolicy.none)
      )
      assert.strictEqual(sdkError._tag, "TransportError")
    })
  )

  it.scopedLive("interrupting a request that waits for its reply aborts it and frees the socket", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      const { client, connected } = yield* subject.pooled
      const origin = new URL(emu.url).origin
      const url = fileUrl(emu, "")
      yield* emu.inject({ _tag: "Delay", millis: 20_000, op: "get" })
      const fiber = yield* Effect.fork(client.execute(authed(emu, HttpClientRequest.get(url))))
      yield* Effect.sleep("200 millis")
      assert.strictEqual(connected(origin), 1)
      const exit = yield* Fiber.interrupt(fiber)
      assert.isTrue(Exit.isInterrupted(exit))
      // the aborted connection is closed (a reply can no longer arrive on it)
      yield* Effect.sleep("50 millis")
      assert.strictEqual(connected(origin), 0)
      // the pool serves the next request on a fresh connection
      const res = yield* client.execute(authed(emu, HttpClientRequest.get(url)))
      assert.strictEqual(res.status, 200)
      yield* res.text
    })
  )

  it.scopedLive("interrupting a body read closes the connection", () =>
    Effect.gen(function* () {
      const server = yield* hostile((_req, res) => {
        res.writeHead(200, { "content-length": String(10 * MiB) })
        res.write(Buffer.alloc(1000))
        // then nothing more
      })
      const { client, connected } = yield* subject.pooled
      const res = yield* client.execute(HttpClientRequest.get(server.url))
      const fiber = yield* Effect.fork(Stream.runDrain(res.stream))
      yield* Effect.sleep("100 millis")
      assert.strictEqual(connected(server.url), 1)
      yield* Fiber.interrupt(fiber)
      yield* Effect.sleep("50 millis")
      assert.strictEqual(connected(server.url), 0)
    })
  )

  it.scopedLive("a server that stalls: before the headers, and mid-body (idle timeout)", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      const client = yield* subject.make({ idleTimeout: "300 millis" })
      yield* emu.inject({ _tag: "Delay", millis: 20_000, op: "get" })
      const before = yield* Effect.flip(client.execute(authed(emu, HttpClientRequest.get(fileUrl(emu, "")))))
      assert.instanceOf(before, HttpClientError.RequestError)
      assert.strictEqual(before._tag === "RequestError" && before.reason, "Transport")
      assert.strictEqual((before.cause as { code?: string }).code, subject.timeouts.headers)

      const server = yield* hostile((_req, res) => {
        res.writeHead(200, { "content-length": "1000" })
        res.write("half")
      })
      const res = yield* client.execute(HttpClientRequest.get(server.url))
      const mid = yield* Effect.flip(res.text)
      assert.instanceOf(mid, HttpClientError.ResponseError)
      assert.strictEqual((mid.cause as { code?: string }).code, subject.timeouts.body)
    })
  )

  it.scopedLive("a refused connection is a Transport RequestError, and a TransportError in the SDK", () =>
    Effect.gen(function* () {
      const server = yield* hostile((_req, res) => res.end())
      const url = server.url
      yield* Effect.async<void>((resume) => {
        server.server.close(() => resume(Effect.void))
      })
      const client = yield* subject.make({ connectTimeout: Duration.seconds(2) })
      const error = yield* Effect.flip(client.execute(HttpClientRequest.get(url)))
      assert.instanceOf(error, HttpClientError.RequestError)
      assert.strictEqual((error.cause as { code?: string }).code, "ECONNREFUSED")
      const files = yield* Effect.provide(Files.Files, sdkAt(url, "token", subject.layer))
      const sdkError = yield* Effect.flip(RetryPolicy.withPolicy(files.stat("x"), RetryPolicy.none))
      assert.strictEqual(sdkError._tag, "TransportError")
    })
  )
})
