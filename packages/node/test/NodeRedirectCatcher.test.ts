import { assert, describe, it } from "@effect/vitest"
import * as RedirectCatcher from "@fjord/auth/RedirectCatcher"
import * as NodeRedirectCatcher from "@fjord/node/NodeRedirectCatcher"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"

const get = (url: string) =>
  Effect.promise(async () => {
    const res = await fetch(url)
    return { status: res.status, type: res.headers.get("content-type") ?? "", body: await res.text() }
  })

describe("NodeRedirectCatcher", () => {
  it.live("yields the code of a redirect carrying the expected state, and answers an HTML page", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const catcher = yield* NodeRedirectCatcher.make({ port: 0 })
        assert.match(catcher.redirectUri, /^http:\/\/localhost:\d+\/$/)
        assert.notStrictEqual(catcher.port, 0)
        const fiber = yield* Effect.fork(catcher.awaitCode("s-123"))
        const other = yield* get(`http://127.0.0.1:${catcher.port}/favicon.ico`)
        assert.strictEqual(other.status, 404)
        const res = yield* get(`http://127.0.0.1:${catcher.port}/?code=the-code&state=s-123`)
        assert.strictEqual(res.status, 200)
        assert.match(res.type, /text\/html/)
        assert.match(res.body, /login complete/)
        const code = yield* Fiber.join(fiber)
        assert.strictEqual(Redacted.value(code), "the-code")
        assert.notInclude(String(code), "the-code")
      })
    )
  )

  it.live("refuses a redirect with another state", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const catcher = yield* NodeRedirectCatcher.make({ port: 0 })
        const fiber = yield* Effect.fork(catcher.awaitCode("expected"))
        yield* Effect.sleep("10 millis")
        const res = yield* get(`http://127.0.0.1:${catcher.port}/?code=c&state=forged`)
        assert.strictEqual(res.status, 400)
        const error = yield* Effect.flip(Fiber.join(fiber))
        assert.strictEqual(error.reason, "StateMismatch")
      })
    )
  )

  it.live("reports an authorization error sent back by the provider", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const catcher = yield* NodeRedirectCatcher.make({ port: 0 })
        const fiber = yield* Effect.fork(catcher.awaitCode("s"))
        yield* get(`http://127.0.0.1:${catcher.port}/?error=access_denied&error_description=nope&state=s`)
        const error = yield* Effect.flip(Fiber.join(fiber))
        assert.strictEqual(error.reason, "AuthorizationDenied")
        assert.match(error.message, /access_denied: nope/)
      })
    )
  )

  it.live("times out, and a busy port is a typed Listen error", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const catcher = yield* NodeRedirectCatcher.make({ port: 0, timeout: "50 millis" })
        const timeout = yield* Effect.flip(catcher.awaitCode("s"))
        assert.strictEqual(timeout.reason, "Timeout")
        const busy = yield* Effect.flip(NodeRedirectCatcher.make({ port: catcher.port }))
        assert.strictEqual(busy.reason, "Listen")
      })
    )
  )

  it.live("stops listening when its scope closes", () =>
    Effect.gen(function* () {
      const port = yield* Effect.scoped(Effect.map(NodeRedirectCatcher.make({ port: 0 }), (c) => c.port))
      const result = yield* Effect.either(Effect.tryPromise(() => fetch(`http://127.0.0.1:${port}/?code=c&state=s`)))
      assert.isTrue(result._tag === "Left")
    })
  )
})

describe("NodeRedirectCatcher.layer (auth's RedirectCatcher)", () => {
  const withCatcher = <A, E>(
    onUrl: (redirectUri: string, authorizationUrl: string) => Effect.Effect<void>,
    f: (catcher: RedirectCatcher.Service) => Effect.Effect<A, E>
  ) => {
    let redirectUri = ""
    return Effect.scoped(
      Effect.flatMap(
        Layer.build(NodeRedirectCatcher.layer({ port: 0, onAuthorizationUrl: (url) => onUrl(redirectUri, url) })),
        (ctx) => {
          const catcher = Context.get(ctx, RedirectCatcher.RedirectCatcher)
          redirectUri = catcher.redirectUri
          return f(catcher)
        }
      )
    )
  }

  it.live("shows the authorization URL, then yields the code", () =>
    Effect.gen(function* () {
      const shown: Array<string> = []
      const { code } = yield* withCatcher(
        (redirectUri, url) =>
          Effect.sync(() => shown.push(url)).pipe(
            Effect.zipRight(get(`${redirectUri}?code=abc&state=st`)),
            Effect.asVoid
          ),
        (catcher) => catcher.waitForCode({ authorizationUrl: "https://id.example/auth?x=1", state: "st" })
      )
      assert.strictEqual(Redacted.value(code), "abc")
      assert.deepStrictEqual(shown, ["https://id.example/auth?x=1"])
    })
  )

  it.live("a denied authorization is an AuthError (InvalidCredentials)", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        withCatcher(
          (redirectUri) => Effect.asVoid(get(`${redirectUri}?error=access_denied&state=st`)),
          (catcher) => catcher.waitForCode({ authorizationUrl: "https://id.example/auth", state: "st" })
        )
      )
      assert.strictEqual(error._tag, "AuthError")
      assert.strictEqual(error.reason, "InvalidCredentials")
    })
  )
})
