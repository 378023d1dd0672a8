import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { assert, describe, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as TestClock from "effect/TestClock"
import { AuthError, JottaAuth } from "../src/Auth.js"
import * as Errors from "../src/internal/errors.js"
import * as Username from "../src/internal/username.js"
import * as JottaClient from "../src/JottaClient.js"
import * as JottaConfig from "../src/JottaConfig.js"
import * as JottaError from "../src/JottaError.js"
import * as RetryPolicy from "../src/RetryPolicy.js"

interface Seen {
  readonly url: string
  readonly auth: string | undefined
}

/** A fake HttpClient answering from a list of replies (the last one repeats). */
const fake = (replies: ReadonlyArray<() => Response | "refused">) =>
  Effect.gen(function* () {
    const seen = yield* Ref.make<ReadonlyArray<Seen>>([])
    const client = HttpClient.make((req) =>
      Effect.gen(function* () {
        const n = (yield* Ref.get(seen)).length
        yield* Ref.update(seen, (xs) => [...xs, { url: req.url, auth: req.headers.authorization }])
        const reply = (replies[Math.min(n, replies.length - 1)] ?? (() => new Response("")))()
        if (reply === "refused") {
          return yield* new HttpClientError.RequestError({
            request: req,
            reason: "Transport",
            cause: { code: "ECONNREFUSED" }
          })
        }
        return HttpClientResponse.fromWeb(req, reply)
      })
    )
    return { seen, client }
  })

const makeAuth = Effect.gen(function* () {
  const token = yield* Ref.make(1)
  const invalidated = yield* Ref.make<ReadonlyArray<string>>([])
  const auth = JottaAuth.of({
    accessToken: Effect.map(Ref.get(token), (n) => Redacted.make(`token-${n}`)),
    invalidate: (t) =>
      Effect.zipRight(
        Ref.update(invalidated, (xs) => [...xs, Redacted.value(t)]),
        Ref.update(token, (n) => n + 1)
      )
  })
  return { auth, invalidated }
})

const clientWith = (replies: ReadonlyArray<() => Response | "refused">) =>
  Effect.gen(function* () {
    const { seen, client } = yield* fake(replies)
    const { auth, invalidated } = yield* makeAuth
    const service = yield* JottaClient.make.pipe(
      Effect.provide(
        Layer.mergeAll(
          Layer.succeed(HttpClient.HttpClient, client),
          Layer.succeed(JottaAuth, auth),
          JottaConfig.layer({ endpoint: "http://127.0.0.1:9" }).pipe(Layer.orDie)
        )
      )
    )
    return { service, seen, invalidated }
  })

const xmlError = (code: number, message: string, reason: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><error><code>${code}</code><message>${message}</message><reason>${reason}</reason><cause></cause></error>`

const get = (service: JottaClient.Service, options?: Partial<JottaClient.RequestOptions>) =>
  service.execute(HttpClientRequest.get("http://127.0.0.1:9/jfs/u/Jotta/Archive/x"), {
    operation: "Test.get",
    path: "x",
    ...options
  })

describe("JottaClient", () => {
  it.effect("sends the bearer token; 401 invalidates it and retries once with a new one", () =>
    Effect.gen(function* () {
      const { service, seen, invalidated } = yield* clientWith([
        () => new Response(xmlError(401, "Token mismatch!", "Unauthorized"), { status: 401 }),
        () => new Response("ok")
      ])
      const res = yield* get(service)
      assert.strictEqual(res.status, 200)
      assert.deepStrictEqual(
        (yield* Ref.get(seen)).map((s) => s.auth),
        ["Bearer token-1", "Bearer token-2"]
      )
      assert.deepStrictEqual(yield* Ref.get(invalidated), ["token-1"])
    })
  )

  it.effect("a second 401 is Unauthorized (no loop)", () =>
    Effect.gen(function* () {
      const { service, seen } = yield* clientWith([() => new Response("", { status: 401 })])
      const error = yield* Effect.flip(get(service))
      assert.strictEqual(error._tag, "Unauthorized")
      assert.strictEqual((yield* Ref.get(seen)).length, 2)
    })
  )

  it.effect("maps the XML error document", () =>
    Effect.gen(function* () {
      const { service } = yield* clientWith([
        () =>
          new Response(xmlError(404, "no.jotta.backup.errors.NoSuchPathException: Directory /u/x", "Not Found"), {
            status: 404
          })
      ])
      const error = yield* Effect.flip(get(service))
      assert.strictEqual(error._tag, "NotFound")
      if (error._tag !== "NotFound") return
      assert.strictEqual(error.status, 404)
      assert.strictEqual(error.path, "x")
      assert.strictEqual(error.reason, "Not Found")
      assert.match(error.description ?? "", /NoSuchPathException/)
      assert.match(error.message, /Test\.get "x": not found \(HTTP 404\)/)
    })
  )

  it.effect("non-XML bodies fall back to the status", () =>
    Effect.gen(function* () {
      const { service } = yield* clientWith([() => new Response("<html>", { status: 400 })])
      const error = yield* Effect.flip(get(service))
      assert.strictEqual(error._tag, "ServerError")
      assert.strictEqual(error._tag === "ServerError" ? error.status : 0, 400)
    })
  )

  it("status mapping", () => {
    const ctx = { operation: "op" }
    assert.strictEqual(Errors.fromStatus(460, {}, ctx)._tag, "QuotaExceeded")
    assert.strictEqual(Errors.fromStatus(509, {}, ctx)._tag, "ServerError")
    assert.strictEqual(Errors.fromStatus(400, { errorId: "UniqueFileException" }, ctx)._tag, "AlreadyExists")
    assert.strictEqual(
      Errors.fromStatus(400, { description: "InvalidArgumentException: name too long" }, ctx)._tag,
      "InvalidName"
    )
    assert.strictEqual(Errors.fromStatus(400, { errorId: "CorruptUploadOpenApiException" }, ctx)._tag, "UploadFailed")
    const rl = Errors.fromStatus(429, {}, ctx, 2000)
    assert.strictEqual(rl._tag === "RateLimited" ? rl.retryAfter : 0, 2000)
    assert.strictEqual(Errors.retryAfterMillis("3", 0), 3000)
    assert.strictEqual(Errors.retryAfterMillis("Thu, 01 Jan 1970 00:00:10 GMT", 4000), 6000)
    assert.isTrue(JottaError.isJottaError(rl))
    assert.isFalse(JottaError.isJottaError(new Error("x")))
  })

  it.effect("retries 503 three times then succeeds (TestClock)", () =>
    Effect.gen(function* () {
      const { service, seen } = yield* clientWith([
        () => new Response("", { status: 503 }),
        () => new Response("", { status: 503 }),
        () => new Response("", { status: 503 }),
        () => new Response("ok")
      ])
      const fiber = yield* Effect.fork(get(service))
      yield* TestClock.adjust(Duration.seconds(10))
      const res = yield* Fiber.join(fiber)
      assert.strictEqual(res.status, 200)
      assert.strictEqual((yield* Ref.get(seen)).length, 4)
    })
  )

  it.effect("honours Retry-After as a minimum delay", () =>
    Effect.gen(function* () {
      const { service, seen } = yield* clientWith([
        () => new Response("", { status: 429, headers: { "retry-after": "5" } }),
        () => new Response("ok")
      ])
      const fiber = yield* Effect.fork(get(service))
      yield* TestClock.adjust(Duration.seconds(4))
      assert.strictEqual((yield* Ref.get(seen)).length, 1)
      yield* TestClock.adjust(Duration.seconds(2))
      const res = yield* Fiber.join(fiber)
      assert.strictEqual(res.status, 200)
      assert.strictEqual((yield* Ref.get(seen)).length, 2)
    })
  )

  it.effect("gives up after the policy's attempts; RetryPolicy.none turns retries off", () =>
    Effect.gen(function* () {
      const { service, seen } = yield* clientWith([() => new Response("", { status: 500 })])
      const fiber = yield* Effect.fork(get(service))
      yield* TestClock.adjust(Duration.minutes(1))
      const error = yield* Effect.flip(Fiber.join(fiber))
      assert.strictEqual(error._tag, "ServerError")
      assert.strictEqual((yield* Ref.get(seen)).length, 10)
      yield* Ref.set(seen, [])
      yield* Effect.flip(RetryPolicy.withPolicy(get(service), RetryPolicy.none))
      assert.strictEqual((yield* Ref.get(seen)).length, 1)
    })
  )

  it.effect("non-idempotent requests are retried only when provably unsent", () =>
    Effect.gen(function* () {
      const { service, seen } = yield* clientWith([
        () => "refused",
        () => new Response("", { status: 503 }),
        () => new Response("ok")
      ])
      const fiber = yield* Effect.fork(get(service, { idempotent: false }))
      yield* TestClock.adjust(Duration.seconds(10))
      const error = yield* Effect.flip(Fiber.join(fiber))
      assert.strictEqual(error._tag, "ServerError")
      assert.strictEqual((yield* Ref.get(seen)).length, 2)
    })
  )

  it.effect("an auth failure surfaces as a typed AuthError without a request", () =>
    Effect.gen(function* () {
      const { client, seen } = yield* fake([() => new Response("ok")])
      const failing = JottaAuth.of({
        accessToken: Effect.fail(new AuthError({ reason: "StaleToken", operation: "Auth.accessToken" })),
        invalidate: () => Effect.void
      })
      const service = yield* JottaClient.make.pipe(
        Effect.provide(
          Layer.mergeAll(
            Layer.succeed(HttpClient.HttpClient, client),
            Layer.succeed(JottaAuth, failing),
            JottaConfig.layer({ endpoint: "http://127.0.0.1:9" }).pipe(Layer.orDie)
          )
        )
      )
      const error = yield* Effect.flip(get(service))
      assert.strictEqual(error._tag, "AuthError")
      assert.isTrue(JottaError.isJottaError(error))
      assert.strictEqual((yield* Ref.get(seen)).length, 0)
    })
  )

  it.effect("the username is fetched once per client", () =>
    Effect.gen(function* () {
      const { service, seen } = yield* clientWith([() => new Response('{"username":"u9"}')])
      assert.strictEqual(yield* Username.username(service), "u9")
      assert.strictEqual(yield* Username.username(service), "u9")
      const urls = (yield* Ref.get(seen)).map((s) => s.url)
      assert.deepStrictEqual(urls, ["http://127.0.0.1:9/api/account/v1/customer"])
    })
  )

  it.effect("concurrent first uses fetch the username once", () =>
    Effect.gen(function* () {
      const { service, seen } = yield* clientWith([() => new Response('{"username":"u7"}')])
      const names = yield* Effect.all(
        Array.from({ length: 5 }, () => Username.username(service)),
        { concurrency: "unbounded" }
      )
      assert.deepStrictEqual(names, ["u7", "u7", "u7", "u7", "u7"])
      assert.strictEqual((yield* Ref.get(seen)).length, 1)
    })
  )
})

describe("JottaConfig", () => {
  it.effect("JottaClient.layerConfig reads the configuration from Config", () =>
    Effect.gen(function* () {
      const { client } = yield* fake([() => new Response("ok")])
      const { auth } = yield* makeAuth
      const provider = ConfigProvider.fromMap(new Map([["FJORD_MOUNTPOINT", "Sync"]]), { pathDelim: "_" })
      const service = yield* JottaClient.JottaClient.pipe(
        Effect.provide(
          JottaClient.layerConfig().pipe(
            Layer.provide(Layer.succeed(HttpClient.HttpClient, client)),
            Layer.provide(Layer.succeed(JottaAuth, auth))
          )
        ),
        Effect.withConfigProvider(provider)
      )
      assert.strictEqual(service.config.mountpoint, "Sync")
      assert.strictEqual(service.config.jfsRoot, "https://jfs.jottacloud.com/jfs/")
    })
  )

  it.effect("derives the roots from one endpoint and applies defaults", () =>
    Effect.gen(function* () {
      const c = yield* JottaConfig.make({ endpoint: "http://127.0.0.1:8080/", root: "/a//b/", md5MemoryLimit: "1M" })
      assert.strictEqual(c.jfsRoot, "http://127.0.0.1:8080/jfs/")
      assert.strictEqual(c.apiRoot, "http://127.0.0.1:8080/api/")
      assert.strictEqual(c.wwwRoot, "http://127.0.0.1:8080/www/")
      assert.strictEqual(c.device, "Jotta")
      assert.strictEqual(c.mountpoint, "Archive")
      assert.strictEqual(c.root, "a/b")
      assert.strictEqual(c.md5MemoryLimit, 1024 * 1024)
      const prod = yield* JottaConfig.make({})
      assert.strictEqual(prod.jfsRoot, "https://jfs.jottacloud.com/jfs/")
      assert.strictEqual(prod.uploadResumeLimit, 10 * 1024 * 1024)
    })
  )

  it.effect("rejects bad values", () =>
    Effect.gen(function* () {
      const e1 = yield* Effect.flip(JottaConfig.make({ encoding: "Nonsense" }))
      assert.strictEqual(e1._op, "InvalidData")
      const e2 = yield* Effect.flip(JottaConfig.make({ endpoint: "ftp://x" }))
      assert.strictEqual(e2._op, "InvalidData")
    })
  )

  it.effect("reads FJORD_* through Config", () =>
    Effect.gen(function* () {
      const provider = ConfigProvider.fromMap(
        new Map([
          ["FJORD_ENDPOINT", "http://h:1"],
          ["FJORD_DEVICE", "Laptop"],
          ["FJORD_HARD_DELETE", "true"],
          ["FJORD_CONNECT_TIMEOUT", "1m30s"],
          ["FJORD_TIMEOUT", "45s"],
          ["FJORD_MAX_RESPONSE_SIZE", "8M"]
        ]),
        { pathDelim: "_" }
      )
      const c = yield* Effect.withConfigProvider(Effect.flatMap(JottaConfig.config, JottaConfig.make), provider)
      assert.strictEqual(c.device, "Laptop")
      assert.strictEqual(c.hardDelete, true)
      assert.strictEqual(c.apiRoot, "http://h:1/api/")
      assert.strictEqual(Duration.toMillis(c.connectTimeout), 90_000)
      assert.strictEqual(Duration.toMillis(c.timeout), 45_000)
      assert.strictEqual(c.maxResponseSize, 8 * 1024 * 1024)
    })
  )

  it.effect("timeouts default to rclone's 1 min / 5 min; bad durations are refused", () =>
    Effect.gen(function* () {
      const c = yield* JottaConfig.make({})
      assert.strictEqual(Duration.toMillis(c.connectTimeout), 60_000)
      assert.strictEqual(Duration.toMillis(c.timeout), 300_000)
      assert.strictEqual(Duration.toMillis((yield* JottaConfig.make({ timeout: 250 })).timeout), 250)
      assert.strictEqual(Duration.toMillis((yield* JottaConfig.make({ timeout: "500ms" })).timeout), 500)
      const bad = yield* Effect.flip(JottaConfig.make({ timeout: "soon" }))
      assert.strictEqual(bad._op, "InvalidData")
    })
  )

  it.effect("trusts the configured origins, and the real service's own https hosts only", () =>
    Effect.gen(function* () {
      const emulator = yield* JottaConfig.make({ endpoint: "http://127.0.0.1:8080" })
      assert.isTrue(JottaClient.isTrusted(emulator, "http://127.0.0.1:8080/jfs/u/x"))
      assert.isFalse(JottaClient.isTrusted(emulator, "http://127.0.0.1:8081/upload"))
      assert.isFalse(JottaClient.isTrusted(emulator, "https://127.0.0.1:8080/upload"))
      assert.isFalse(JottaClient.isTrusted(emulator, "http://up.jottacloud.com/upload"))
      const real = yield* JottaConfig.make({})
      assert.isTrue(JottaClient.isTrusted(real, "https://up-no-001.jottacloud.com/files/v1/upload/x"))
      assert.isTrue(JottaClient.isTrusted(real, "https://jfs.jottacloud.com:443/jfs/u"))
      assert.isFalse(JottaClient.isTrusted(real, "http://up.jottacloud.com/upload"))
      assert.isFalse(JottaClient.isTrusted(real, "https://up.jottacloud.com:8443/upload"))
      assert.isFalse(JottaClient.isTrusted(real, "https://jottacloud.com.evil.example/upload"))
      assert.isFalse(JottaClient.isTrusted(real, "https://evil.example/?x=.jottacloud.com"))
      assert.isFalse(JottaClient.isTrusted(real, "https://user@evil.example/jottacloud.com"))
    })
  )
})
