/**
 * What a hostile or broken server can do: each case against a small loopback `node:http`
 * server (`@fjord/testkit/HostileServer`, shared with the CLI's tests), with short timeouts so
 * that every case runs in well under a second.
 */
import * as Util from "node:util"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { assert, describe, it } from "@effect/vitest"
import {
  allocateElsewhere,
  endlessName,
  entityBomb,
  entityExpansionXml,
  escapingNames,
  fileXml,
  folderXml,
  isJfs,
  listStreamXml,
  noisyError,
  serve,
  stall,
  xml
} from "@fjord/testkit/HostileServer"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import * as Tracer from "effect/Tracer"
import { AuthError, JottaAuth } from "../src/Auth.js"
import type * as JottaConfig from "../src/JottaConfig.js"
import * as JottaError from "../src/JottaError.js"
import * as UploadSource from "../src/UploadSource.js"
import { Account, ContentHasher, collect, Files, JottaClient, md5Hex, RetryPolicy } from "./utils.js"

/** A live-looking token: no error may ever show it. */
const TOKEN = "eyJhbGciOiJSUzI1NiJ9.bGl2ZS1zZWNyZXQ.c2lnbmF0dXJlLXZhbHVl"

const staticAuth = Layer.succeed(
  JottaAuth,
  JottaAuth.of({ accessToken: Effect.succeed(Redacted.make(TOKEN)), invalidate: () => Effect.void })
)

/** Two attempts, tiny delays. */
const twoAttempts = RetryPolicy.make({ baseDelay: "1 millis", maxDelay: "2 millis", maxAttempts: 2 })

const sdk = (url: string, options: Record<string, unknown> = {}) =>
  Layer.mergeAll(Files.layer, Account.layer).pipe(
    Layer.provideMerge(
      JottaClient.layer({
        endpoint: url,
        connectTimeout: 100,
        timeout: 200,
        ...options
      } as typeof JottaConfig.Options.Encoded).pipe(Layer.orDie)
    ),
    Layer.provide(ContentHasher.layerFunction(md5Hex)),
    Layer.provide(FetchHttpClient.layer),
    Layer.provide(staticAuth)
  )

/** Runs `effect` against the server at `url` with two attempts per request. */
const against =
  (url: string, options: Record<string, unknown> = {}) =>
  <A, E>(effect: Effect.Effect<A, E, Files.Files | Account.Account>) =>
    effect.pipe(RetryPolicy.withPolicy(twoAttempts), Effect.provide(sdk(url, options)))

const content = new Uint8Array(100_000).map((_, i) => (i * 31) & 0xff)
const contentMd5 = md5Hex(content)

describe("hostile servers", () => {
  it.scopedLive("a server that sends nothing is a Timeout, retried as transient, never a hang", () =>
    Effect.gen(function* () {
      // keeps the socket open, answers nothing
      const server = yield* serve(stall)
      const e = yield* Effect.flip(against(server.url)(Effect.flatMap(Files.Files, (f) => f.stat("x.txt"))))
      assert.strictEqual(e._tag, "TransportError")
      assert.strictEqual(e.reason, "Timeout")
      assert.strictEqual(e.operation, "Files.stat")
      assert.strictEqual(server.seen.filter((r) => r.url.startsWith("/jfs/")).length, 2, "two attempts")
    })
  )

  it.scopedLive("half a document, then silence, is a Timeout", () =>
    Effect.gen(function* () {
      const server = yield* serve((req, res) => {
        if (isJfs(req, "x.txt")) {
          res.writeHead(200, { "content-type": "text/xml" })
          res.write("<file name=") // and nothing more
        }
      })
      const e = yield* Effect.flip(against(server.url)(Effect.flatMap(Files.Files, (f) => f.stat("x.txt"))))
      assert.strictEqual(e._tag, "TransportError")
      assert.strictEqual(e.reason, "Timeout")
      assert.strictEqual(e.path, "x.txt")
    })
  )

  it.scopedLive("a download body that stalls is a Timeout after one resume attempt", () =>
    Effect.gen(function* () {
      const server = yield* serve((req, res) => {
        if (isJfs(req, "f.bin")) return xml(res, fileXml("f.bin", content.length, contentMd5))
        if (isJfs(req, "f.bin", "bin")) {
          // the whole file announced, 1000 bytes sent, then silence; a resume gets its headers only
          const from = Number(/^bytes=(\d+)-$/.exec(req.headers.range ?? "")?.[1] ?? 0)
          res.writeHead(from === 0 ? 200 : 206, {
            "content-type": "application/octet-stream",
            ...(from === 0
              ? { "content-length": String(content.length) }
              : { "content-range": `bytes ${from}-${content.length - 1}/${content.length}` })
          })
          if (from === 0) res.write(content.subarray(0, 1000))
          else res.flushHeaders()
        }
      })
      const e = yield* Effect.flip(
        against(server.url)(Effect.flatMap(Files.Files, (f) => collect(f.download("f.bin"))))
      )
      assert.strictEqual(e._tag, "TransportError", e.message)
      assert.strictEqual(e.reason, "Timeout")
      assert.deepStrictEqual(
        server.seen.filter((r) => r.url.includes("mode=bin")).length,
        2,
        "the first request and one resume"
      )
    })
  )

  it.scopedLive("a listing beyond maxResponseSize fails typed, by Content-Length or while read", () =>
    Effect.gen(function* () {
      const big = folderXml("big", 2000) // ≈ 240 kB
      const server = yield* serve((req, res) => {
        if (isJfs(req, "sized")) return xml(res, big)
        if (isJfs(req, "chunked")) {
          res.writeHead(200, { "content-type": "text/xml", "transfer-encoding": "chunked" })
          for (let i = 0; i < big.length; i += 10_000) res.write(big.slice(i, i + 10_000))
          res.end()
        }
      })
      const run = against(server.url, { maxResponseSize: "64K" })
      const sized = yield* Effect.flip(run(Effect.flatMap(Files.Files, (f) => f.list("sized"))))
      assert.strictEqual(sized._tag, "InvalidResponse")
      assert.match(sized.message, /larger than the 65536-byte limit/)
      const chunked = yield* Effect.flip(run(Effect.flatMap(Files.Files, (f) => f.list("chunked"))))
      assert.strictEqual(chunked._tag, "InvalidResponse")
      // the same listing decodes under the default cap
      const entries = yield* against(server.url)(Effect.flatMap(Files.Files, (f) => f.list("sized")))
      assert.strictEqual(entries.length, 2000)
    })
  )

  it.scopedLive("a 500 with a huge body: read once per attempt up to a small cap; a short clean message", () =>
    Effect.gen(function* () {
      const total = 64 * 1024 * 1024
      const sent: Array<number> = []
      const server = yield* serve((req, res) => {
        if (isJfs(req, "x.txt")) noisyError(res, (n) => sent.push(n))
      })
      const e = yield* Effect.flip(against(server.url)(Effect.flatMap(Files.Files, (f) => f.stat("x.txt"))))
      assert.strictEqual(e._tag, "ServerError")
      assert.isBelow(e.message.length, 400)
      assert.isFalse(
        [...e.message].some((c) => c.charCodeAt(0) < 0x20),
        "no control characters"
      )
      assert.include(e.message, "FAKE LOG LINE")
      yield* Effect.sleep("50 millis")
      assert.strictEqual(sent.length, 2, "two attempts")
      for (const n of sent) assert.isBelow(n, total / 4, `an attempt read ${n} bytes`)
    })
  )

  it.scopedLive(
    "entity expansion: a document with a DOCTYPE is refused, listing or liststream, without expanding",
    () =>
      Effect.gen(function* () {
        const server = yield* serve((req, res) => {
          if (isJfs(req, "bomb")) return xml(res, entityExpansionXml)
          if (isJfs(req, "bomb", "liststream"))
            return xml(res, entityBomb(listStreamXml("bomb", [{ name: "&l10;", content: "x" }])))
        })
        const run = against(server.url)
        const list = yield* Effect.flip(run(Effect.flatMap(Files.Files, (f) => f.list("bomb"))))
        assert.strictEqual(list._tag, "InvalidResponse")
        assert.match(list.message, /DOCTYPE/)
        const stream = yield* Effect.flip(
          run(Effect.flatMap(Files.Files, (f) => Stream.runDrain(f.listRecursive("bomb"))))
        )
        assert.strictEqual(stream._tag, "InvalidResponse")
        assert.match(stream.message, /DOCTYPE/i)
      })
  )

  it.scopedLive(
    "a listing naming an entry `..`, `.` or `a/b` is refused: no request follows such a name elsewhere",
    () =>
      Effect.gen(function* () {
        const files = escapingNames.map((name) => ({ name, content: "x" }))
        const server = yield* serve((req, res) => {
          if (isJfs(req, "evil", "liststream")) return xml(res, listStreamXml("evil", files))
          if (isJfs(req, "evil")) {
            const list = files.map(
              (f) =>
                `<file name="${f.name}"><currentRevision><number>1</number><state>COMPLETED</state><size>1</size><md5>${md5Hex("x")}</md5></currentRevision></file>`
            )
            return xml(res, folderXml("evil", 0).replace("<files></files>", `<files>${list.join("")}</files>`))
          }
        })
        const run = against(server.url)
        const list = yield* Effect.flip(run(Effect.flatMap(Files.Files, (f) => f.list("evil"))))
        assert.strictEqual(list._tag, "InvalidResponse")
        assert.match(list.message, /names an entry/)
        const stream = yield* Effect.flip(
          run(Effect.flatMap(Files.Files, (f) => Stream.runDrain(f.listRecursive("evil"))))
        )
        assert.strictEqual(stream._tag, "InvalidResponse")
        assert.match(stream.message, /names an entry/)
        assert.deepStrictEqual(
          server.seen
            .map((r) => r.url)
            .filter(
              (u) =>
                !u.startsWith("/jfs/u/Jotta/Archive/evil?") &&
                u !== "/jfs/u/Jotta/Archive/evil" &&
                u !== "/api/account/v1/customer"
            ),
          []
        )
      })
  )

  it.scopedLive("a liststream with an over-long name is refused at once", () =>
    Effect.gen(function* () {
      let sent = 0
      const server = yield* serve((req, res) => {
        if (isJfs(req, "tree", "liststream")) endlessName(res, "tree", (n) => (sent = n))
      })
      const e = yield* Effect.flip(
        against(server.url)(Effect.flatMap(Files.Files, (f) => Stream.runDrain(f.listRecursive("tree"))))
      )
      assert.strictEqual(e._tag, "InvalidResponse")
      assert.match(e.message, /without a tag boundary/, e.message)
      assert.isBelow(sent, 50 * 1024 * 1024)
    })
  )

  it.scopedLive("an upload_url on another origin fails typed, and no byte (nor the token) goes there", () =>
    Effect.gen(function* () {
      const elsewhere = yield* serve((req, res) => {
        req.resume()
        res.end("{}")
      })
      const server = yield* serve(allocateElsewhere(elsewhere.url))
      const e = yield* Effect.flip(
        against(server.url)(
          Effect.flatMap(Files.Files, (f) => f.upload("up.bin", UploadSource.fromUint8Array(content)))
        )
      )
      assert.strictEqual(e._tag, "TransportError")
      assert.strictEqual(e.reason, "UntrustedHost")
      assert.deepStrictEqual(elsewhere.seen, [])
      assert.strictEqual(server.seen.filter((r) => r.url === "/api/files/v1/allocate").length, 1, "not retried")
    })
  )

  it.scopedLive("a resume answered 200 (Range ignored) fails RangeMismatch; nothing is spliced", () =>
    Effect.gen(function* () {
      const server = yield* serve((req, res) => {
        if (isJfs(req, "f.bin")) return xml(res, fileXml("f.bin", content.length, contentMd5))
        if (isJfs(req, "f.bin", "bin")) {
          res.writeHead(200, { "content-length": String(content.length) })
          if (req.headers.range === undefined) {
            res.write(content.subarray(0, 30_000), () => res.destroy())
          } else {
            res.end(content)
          }
        }
      })
      let received = 0
      const e = yield* Effect.flip(
        against(server.url)(
          Effect.flatMap(Files.Files, (f) =>
            Stream.runForEach(f.download("f.bin"), (c) => Effect.sync(() => (received += c.length)))
          )
        )
      )
      assert.strictEqual(e._tag, "DownloadFailed")
      assert.strictEqual(e._tag === "DownloadFailed" ? e.reason : "", "RangeMismatch")
      assert.isAtMost(received, 30_000)
    })
  )

  it.scopedLive("short, long, endless and wrong bodies fail DownloadFailed; a range checks its own length", () =>
    Effect.gen(function* () {
      const wrong = new Uint8Array(content.length).fill(1)
      const server = yield* serve((req, res) => {
        const name = (req.url ?? "").split("?")[0]?.split("/").pop() ?? ""
        if (isJfs(req, name)) return xml(res, fileXml(name, content.length, contentMd5))
        if (!isJfs(req, name, "bin")) return
        const range = req.headers.range
        if (name === "short.bin") res.end(content.subarray(0, 5000))
        else if (name === "long.bin") res.end(Buffer.concat([content, content]))
        else if (name === "endless.bin") {
          res.writeHead(200)
          const pump = () => {
            while (res.write(content)) {
              /* until the socket pushes back */
            }
            res.once("drain", pump)
          }
          pump()
        } else if (name === "wrong.bin") res.end(wrong)
        else if (name === "range.bin" && range !== undefined) {
          res.writeHead(206, { "content-range": `bytes 0-9/${content.length}` })
          res.end(content.subarray(0, 10))
        } else if (name === "shortrange.bin" && range !== undefined) {
          res.writeHead(206, { "content-range": `bytes 10-19/${content.length}` })
          res.end(content.subarray(10, 15))
        }
      })
      const run = against(server.url)
      const failure = (path: string, options?: Files.DownloadOptions) =>
        Effect.map(
          Effect.flip(run(Effect.flatMap(Files.Files, (f) => collect(f.download(path, options))))),
          (e) => `${e._tag}:${e._tag === "DownloadFailed" ? e.reason : ""}`
        )
      assert.strictEqual(yield* failure("short.bin"), "DownloadFailed:SizeMismatch")
      assert.strictEqual(yield* failure("long.bin"), "DownloadFailed:SizeMismatch")
      assert.strictEqual(yield* failure("endless.bin"), "DownloadFailed:SizeMismatch")
      assert.strictEqual(yield* failure("wrong.bin"), "DownloadFailed:Md5Mismatch")
      assert.strictEqual(yield* failure("range.bin", { range: { start: 10, end: 20 } }), "DownloadFailed:RangeMismatch")
      assert.strictEqual(
        yield* failure("shortrange.bin", { range: { start: 10, end: 20 } }),
        "DownloadFailed:SizeMismatch"
      )
    })
  )

  it.scopedLive("a document failing its schema is InvalidResponse, not NotAFile", () =>
    Effect.gen(function* () {
      const server = yield* serve((req, res) => {
        if (isJfs(req, "bad.txt"))
          return xml(res, `<file name="bad.txt"><currentRevision><size>many</size></currentRevision></file>`)
        if (isJfs(req, "badfolder")) return xml(res, `<folder><files><file/></files></folder>`)
      })
      const run = against(server.url)
      const stat = yield* Effect.flip(run(Effect.flatMap(Files.Files, (f) => f.stat("bad.txt"))))
      assert.strictEqual(stat._tag, "InvalidResponse")
      const list = yield* Effect.flip(run(Effect.flatMap(Files.Files, (f) => f.list("badfolder"))))
      assert.strictEqual(list._tag, "InvalidResponse")
    })
  )

  it.scopedLive("a 500 in the username lookup names the operation the caller called and its path", () =>
    Effect.gen(function* () {
      const server = yield* serve((req, res) => {
        if (req.url === "/api/account/v1/customer") {
          res.writeHead(500, { "content-type": "application/json" })
          res.end(JSON.stringify({ message: "down" }))
        }
      })
      const e = yield* Effect.flip(against(server.url)(Effect.flatMap(Files.Files, (f) => f.stat("some/file.txt"))))
      assert.strictEqual(e._tag, "ServerError")
      assert.strictEqual(e.operation, "Files.stat")
      assert.strictEqual(e.path, "some/file.txt")
      assert.match(e.message, /^Files\.stat "some\/file\.txt": server error \(HTTP 500\)/)
    })
  )

  it.scopedLive("the username is looked up once per client, for Files and Account alike", () =>
    Effect.gen(function* () {
      const server = yield* serve((req, res) => {
        if (req.url === "/api/account/v1/customer") return
        res.writeHead(404, { "content-type": "text/xml" })
        res.end("<error><code>404</code><message>no.jotta.backup.errors.NoSuchPathException</message></error>")
      })
      const program = Effect.gen(function* () {
        const files = yield* Files.Files
        const account = yield* Account.Account
        const errors = [
          yield* Effect.flip(files.stat("a.txt")),
          yield* Effect.flip(account.device("Jotta")),
          yield* Effect.flip(files.list("b"))
        ]
        return errors.map((e) => `${e._tag} ${e.operation}`)
      })
      const named = yield* against(server.url)(program)
      assert.deepStrictEqual(named, ["NotFound Files.stat", "NotFound Account.device", "NotFound Files.list"])
      assert.strictEqual(server.seen.filter((s) => s.url === "/api/account/v1/customer").length, 1)
    })
  )
})

describe("no secret in any error", () => {
  it.scopedLive("every error class, printed every way and in every span, shows no token", () =>
    Effect.gen(function* () {
      const server = yield* serve((req, res) => {
        const url = req.url ?? ""
        const name = url.split("?")[0]?.split("/").pop() ?? ""
        if (url === "/api/files/v1/allocate") {
          req.resume()
          res.writeHead(420, { "content-type": "application/json" })
          return void res.end(JSON.stringify({ message: "IncompleteUploadException" }))
        }
        if (!url.startsWith("/jfs/")) return
        const status: Record<string, number> = { nf: 404, conflict: 409, quota: 460, unauth: 401, busy: 429, boom: 500 }
        const s = status[name]
        if (s !== undefined) {
          return xml(res, `<error><code>${s}</code><message>no</message><reason>x</reason></error>`, s)
        }
        if (name === "dir" || name === "full") {
          return xml(
            res,
            `<folder name="${name}"><path>/u/Jotta/Archive</path><abspath>/u/Jotta/Archive</abspath><folders/><files>${
              name === "full"
                ? `<file name="a"><currentRevision><number>1</number><state>COMPLETED</state><size>1</size><md5>${md5Hex("x")}</md5></currentRevision></file>`
                : ""
            }</files></folder>`
          )
        }
        if (name === "garbage") return xml(res, "<<<not xml")
        if (name === "reset") return void req.socket.destroy()
        if (name === "stall") return
        if (name === "f.bin") {
          if (url.includes("mode=bin")) return void res.end("short")
          return xml(res, fileXml("f.bin", 100, md5Hex("x")))
        }
        if (name === "file.txt") return xml(res, fileXml("file.txt", 1, md5Hex("x")))
      })
      const spans: Array<Tracer.Span> = []
      const base = yield* Effect.tracer
      const recording = Tracer.make({
        span: (...args) => {
          const span = base.span(...args)
          spans.push(span)
          return span
        },
        context: base.context
      })
      const failing = Layer.succeed(
        JottaAuth,
        JottaAuth.of({
          accessToken: Effect.fail(
            new AuthError({ reason: "Transport", operation: "Auth.refresh", cause: new Error("identity down") })
          ),
          invalidate: () => Effect.void
        })
      )
      const f = <A, E>(op: (files: Files.Service) => Effect.Effect<A, E>) =>
        Effect.flip(against(server.url)(Effect.flatMap(Files.Files, op)))
      const errors: Array<JottaError.JottaError> = [
        yield* f((x) => x.stat("nf")),
        yield* f((x) => x.stat("dir")),
        yield* f((x) => x.list("file.txt")),
        yield* f((x) => x.rmdir("full")),
        yield* f((x) => x.stat("conflict")),
        yield* f((x) => x.stat("n".repeat(300))),
        yield* f((x) => x.stat("quota")),
        yield* f((x) => x.stat("unauth")),
        yield* f((x) => x.stat("busy")),
        yield* f((x) => x.stat("boom")),
        yield* f((x) => x.stat("garbage")),
        yield* f((x) => x.stat("reset")),
        yield* f((x) => x.stat("stall")),
        yield* f((x) => x.upload("up.bin", UploadSource.fromUint8Array(content))),
        yield* f((x) => collect(x.download("f.bin"))),
        yield* Effect.flip(
          Effect.flatMap(Files.Files, (x) => x.stat("a")).pipe(
            Effect.provide(
              Files.layer.pipe(
                Layer.provide(JottaClient.layer({ endpoint: server.url }).pipe(Layer.orDie)),
                Layer.provide(ContentHasher.layerFunction(md5Hex)),
                Layer.provide(FetchHttpClient.layer),
                Layer.provide(failing)
              )
            )
          )
        )
      ].map((e) => e as JottaError.JottaError)
      const tags = new Set(errors.map((e) => e._tag))
      assert.strictEqual(JottaError.tags.length, 15)
      for (const tag of JottaError.tags) assert.isTrue(tags.has(tag), `an error of class ${tag}`)
      for (const e of errors) {
        assert.isTrue(JottaError.isJottaError(e), `${e._tag} is a JottaError`)
        assert.isFalse(JottaError.isJottaError(new Error(e.message)))
        const printed = [
          Util.inspect(e, { depth: 20, showHidden: true }),
          JSON.stringify(e),
          Cause.pretty(Cause.fail(e)),
          e.message,
          String(e),
          Util.inspect(e.cause, { depth: 20, showHidden: true })
        ].join("\n")
        assert.notInclude(printed, TOKEN, `${e._tag} shows the token`)
        assert.notInclude(printed, TOKEN.slice(0, 20), `${e._tag} shows part of the token`)
      }
      // the token did go out (to the trusted server), so the checks above are meaningful
      assert.isTrue(server.seen.some((r) => r.authorization === `Bearer ${TOKEN}`))
      // spans of the same kind of calls
      yield* f((x) => x.stat("reset")).pipe(Effect.withTracer(recording))
      yield* f((x) => x.stat("boom")).pipe(Effect.withTracer(recording))
      assert.isAbove(spans.length, 0)
      for (const span of spans) {
        // what a tracer exports: attributes, and the failure of a failed span
        const failure =
          span.status._tag === "Ended" && span.status.exit._tag === "Failure"
            ? Cause.pretty(span.status.exit.cause)
            : ""
        const printed = `${Util.inspect([...span.attributes], { depth: 20 })}\n${failure}`
        assert.notInclude(printed, TOKEN, `span ${span.name} shows the token`)
      }
    })
  )
})
