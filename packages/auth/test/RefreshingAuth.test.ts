import { assert, describe, it } from "@effect/vitest"
import * as AuthPolicy from "@fjord/auth/AuthPolicy"
import * as RefreshingAuth from "@fjord/auth/RefreshingAuth"
import * as TokenStore from "@fjord/auth/TokenStore"
import { AuthError } from "@fjord/core/Auth"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as TestClock from "effect/TestClock"

const token = (name: string, expiresAt: number, refresh = `${name}-refresh`) =>
  new TokenStore.StoredToken({
    kind: "oidc",
    accessToken: Redacted.make(name),
    refreshToken: Redacted.make(refresh),
    expiresAt,
    tokenUrl: "http://127.0.0.1/token",
    clientId: "jottacli"
  })

const value = (t: Redacted.Redacted<string>) => Redacted.value(t)

/** A fake refresh: `access-<n>` valid for an hour from "now" (TestClock); records the refresh token used. */
const fakeRefresh = Effect.gen(function* () {
  const calls = yield* Ref.make<ReadonlyArray<string>>([])
  const refresh: RefreshingAuth.Refresh = (current) =>
    Effect.gen(function* () {
      yield* Effect.yieldNow()
      const n = yield* Ref.modify(calls, (cs) => [
        cs.length + 1,
        [...cs, current.refreshToken ? value(current.refreshToken) : ""]
      ])
      yield* Effect.yieldNow()
      const now = yield* Effect.clockWith((c) => c.currentTimeMillis)
      return token(`access-${n}`, now + 3_600_000)
    })
  return { calls, refresh }
})

const setup = (initial: TokenStore.StoredToken, options: RefreshingAuth.Options = {}) =>
  Effect.gen(function* () {
    const store = yield* TokenStore.makeMemory(initial)
    const fake = yield* fakeRefresh
    const auth = yield* RefreshingAuth.makeWith(fake.refresh, options).pipe(
      Effect.provideService(TokenStore.TokenStore, store)
    )
    return { store, auth, ...fake }
  })

describe("RefreshingAuth", () => {
  it.effect("returns the held token while it is fresh, without refreshing", () =>
    Effect.gen(function* () {
      const { auth, calls } = yield* setup(token("a", 3_600_000))
      assert.strictEqual(value(yield* auth.accessToken), "a")
      yield* TestClock.adjust(Duration.minutes(59))
      assert.strictEqual(value(yield* auth.accessToken), "a")
      assert.deepStrictEqual(yield* Ref.get(calls), [])
    })
  )

  it.effect("refreshes ahead of expiry by the default skew of 10 s (TestClock)", () =>
    Effect.gen(function* () {
      const { auth, calls } = yield* setup(token("a", 60_000))
      yield* TestClock.adjust(Duration.seconds(49))
      assert.strictEqual(value(yield* auth.accessToken), "a")
      yield* TestClock.adjust(Duration.seconds(1)) // 50 s: 10 s before expiry
      assert.strictEqual(value(yield* auth.accessToken), "access-1")
      assert.deepStrictEqual(yield* Ref.get(calls), ["a-refresh"])
    })
  )

  it.effect("skew is configurable per option and via AuthPolicy.RefreshSkew", () =>
    Effect.gen(function* () {
      const viaOption = yield* setup(token("a", 60_000), { skew: Duration.seconds(30) })
      yield* TestClock.adjust(Duration.seconds(29))
      assert.strictEqual(value(yield* viaOption.auth.accessToken), "a")
      yield* TestClock.adjust(Duration.seconds(1))
      assert.strictEqual(value(yield* viaOption.auth.accessToken), "access-1")

      const viaReference = yield* setup(token("b", 120_000))
      const withSkew = Effect.provideService(
        viaReference.auth.accessToken,
        AuthPolicy.RefreshSkew,
        Duration.seconds(100)
      )
      assert.strictEqual(value(yield* withSkew), "access-1") // now 30 s, expiry 120 s, skew 100 s
      assert.strictEqual(value(yield* viaReference.auth.accessToken), "access-1")
    })
  )

  it.effect("tokens living shorter than the skew: the skew is capped at half their lifetime", () =>
    Effect.gen(function* () {
      const store = yield* TokenStore.makeMemory(token("a", 0))
      const calls = yield* Ref.make(0)
      const shortLived: RefreshingAuth.Refresh = () =>
        Effect.gen(function* () {
          const n = yield* Ref.updateAndGet(calls, (c) => c + 1)
          const now = yield* Effect.clockWith((c) => c.currentTimeMillis)
          return token(`short-${n}`, now + 4_000)
        })
      const auth = yield* RefreshingAuth.makeWith(shortLived).pipe(Effect.provideService(TokenStore.TokenStore, store))
      assert.strictEqual(value(yield* auth.accessToken), "short-1")
      yield* TestClock.adjust(Duration.millis(1_999))
      assert.strictEqual(value(yield* auth.accessToken), "short-1")
      yield* TestClock.adjust(Duration.millis(1))
      assert.strictEqual(value(yield* auth.accessToken), "short-2")
      assert.strictEqual(yield* Ref.get(calls), 2)
    })
  )

  it.effect("single flight: 50 concurrent callers on an expired token cause exactly one refresh", () =>
    Effect.gen(function* () {
      const { auth, calls } = yield* setup(token("a", 0))
      const tokens = yield* Effect.all(
        Array.from({ length: 50 }, () => auth.accessToken),
        { concurrency: "unbounded" }
      )
      assert.strictEqual(new Set(tokens.map(value)).size, 1)
      assert.strictEqual(value(tokens[0]!), "access-1")
      assert.strictEqual((yield* Ref.get(calls)).length, 1)
    })
  )

  it.effect("persists the rotated token before handing it out", () =>
    Effect.gen(function* () {
      const { auth, store } = yield* setup(token("a", 0))
      const t = yield* auth.accessToken
      const stored = yield* store.get
      assert.isTrue(Option.isSome(stored))
      assert.strictEqual(value(Option.getOrThrow(stored).accessToken), value(t))
      assert.strictEqual(value(Option.getOrThrow(stored).refreshToken!), "access-1-refresh")
    })
  )

  it.effect("adopts a still-valid token another process stored instead of refreshing", () =>
    Effect.gen(function* () {
      const { auth, store, calls } = yield* setup(token("a", 60_000))
      yield* store.set(token("other", 7_200_000))
      yield* TestClock.adjust(Duration.minutes(1))
      assert.strictEqual(value(yield* auth.accessToken), "other")
      assert.deepStrictEqual(yield* Ref.get(calls), [])
    })
  )

  it.effect("refreshes with the stored (newest) refresh token when another process rotated it but it expired too", () =>
    Effect.gen(function* () {
      const { auth, store, calls } = yield* setup(token("a", 60_000))
      yield* store.set(token("other", 90_000, "newest-refresh"))
      yield* TestClock.adjust(Duration.minutes(2))
      assert.strictEqual(value(yield* auth.accessToken), "access-1")
      assert.deepStrictEqual(yield* Ref.get(calls), ["newest-refresh"])
    })
  )

  it.effect("resumes from the store, which wins over `initial`", () =>
    Effect.gen(function* () {
      const store = yield* TokenStore.makeMemory(token("stored", 3_600_000))
      const fake = yield* fakeRefresh
      const auth = yield* RefreshingAuth.makeWith(fake.refresh, { initial: token("initial", 3_600_000) }).pipe(
        Effect.provideService(TokenStore.TokenStore, store)
      )
      assert.strictEqual(value(yield* auth.accessToken), "stored")
    })
  )

  it.effect("fails with InvalidToken when the store is empty and there is no initial token", () =>
    Effect.gen(function* () {
      const store = yield* TokenStore.makeMemory()
      const fake = yield* fakeRefresh
      const exit = yield* RefreshingAuth.makeWith(fake.refresh).pipe(
        Effect.provideService(TokenStore.TokenStore, store),
        Effect.exit
      )
      assert.isTrue(Exit.isFailure(exit))
      const error = yield* Effect.flip(Effect.suspend(() => exit))
      assert.strictEqual(error.reason, "InvalidToken")
    })
  )

  describe("invalidate", () => {
    it.effect("ignores tokens other than the held one", () =>
      Effect.gen(function* () {
        const { auth, calls } = yield* setup(token("a", 3_600_000))
        yield* auth.invalidate(Redacted.make("not-a"))
        assert.strictEqual(value(yield* auth.accessToken), "a")
        assert.deepStrictEqual(yield* Ref.get(calls), [])
      })
    )

    it.effect("drops the held token: the next call refreshes although it has not expired", () =>
      Effect.gen(function* () {
        const { auth, calls } = yield* setup(token("a", 3_600_000))
        const t = yield* auth.accessToken
        yield* auth.invalidate(t)
        assert.strictEqual(value(yield* auth.accessToken), "access-1")
        assert.strictEqual((yield* Ref.get(calls)).length, 1)
      })
    )

    it.effect(
      "concurrent 401s for the same token cause one refresh; a late invalidate of the old token is ignored",
      () =>
        Effect.gen(function* () {
          const { auth, calls } = yield* setup(token("a", 3_600_000))
          const old = yield* auth.accessToken
          const fresh = yield* Effect.all(
            Array.from({ length: 20 }, () => Effect.zipRight(auth.invalidate(old), auth.accessToken)),
            { concurrency: "unbounded" }
          )
          assert.deepStrictEqual([...new Set(fresh.map(value))], ["access-1"])
          yield* auth.invalidate(old)
          assert.strictEqual(value(yield* auth.accessToken), "access-1")
          assert.strictEqual((yield* Ref.get(calls)).length, 1)
        })
    )

    it.effect("after invalidate, a different valid stored token is adopted (another process rotated)", () =>
      Effect.gen(function* () {
        const { auth, store, calls } = yield* setup(token("a", 3_600_000))
        yield* store.set(token("other", 3_600_000))
        yield* auth.invalidate(Redacted.make("a"))
        assert.strictEqual(value(yield* auth.accessToken), "other")
        assert.deepStrictEqual(yield* Ref.get(calls), [])
      })
    )
  })

  describe("failures", () => {
    it.effect("callers waiting on a failing refresh share its error (one request), later calls try again", () =>
      Effect.gen(function* () {
        const store = yield* TokenStore.makeMemory(token("a", 0))
        const attempts = yield* Ref.make(0)
        const stale: RefreshingAuth.Refresh = () =>
          Ref.update(attempts, (n) => n + 1).pipe(
            Effect.zipRight(Effect.yieldNow()),
            Effect.zipRight(
              Effect.fail(
                new AuthError({ reason: "StaleToken", operation: "test", description: "invalid_grant: Stale token" })
              )
            )
          )
        const auth = yield* RefreshingAuth.makeWith(stale).pipe(Effect.provideService(TokenStore.TokenStore, store))
        const errors = yield* Effect.all(
          Array.from({ length: 10 }, () => Effect.flip(auth.accessToken)),
          { concurrency: "unbounded" }
        )
        assert.isTrue(errors.every((e) => e.reason === "StaleToken"))
        assert.strictEqual(yield* Ref.get(attempts), 1)
        assert.include(errors[0]!.message, "generate a new personal login token and reconnect")
        yield* Effect.flip(auth.accessToken)
        assert.strictEqual(yield* Ref.get(attempts), 2)
      })
    )

    it.effect("an interrupted caller does not lose the rotation: the refresh completes and is stored", () =>
      Effect.gen(function* () {
        const store = yield* TokenStore.makeMemory(token("a", 0))
        const slow: RefreshingAuth.Refresh = () =>
          Effect.sleep(Duration.seconds(5)).pipe(Effect.as(token("rotated", 3_600_000)))
        const auth = yield* RefreshingAuth.makeWith(slow).pipe(Effect.provideService(TokenStore.TokenStore, store))
        const fiber = yield* Effect.fork(auth.accessToken)
        yield* TestClock.adjust(Duration.seconds(1))
        const interrupted = yield* Effect.fork(Fiber.interrupt(fiber))
        yield* TestClock.adjust(Duration.seconds(5))
        yield* Fiber.join(interrupted)
        const stored = Option.getOrThrow(yield* store.get)
        assert.strictEqual(value(stored.accessToken), "rotated")
      })
    )
  })
})
