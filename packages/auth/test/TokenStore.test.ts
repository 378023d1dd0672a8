import * as KeyValueStore from "@effect/platform/KeyValueStore"
import { assert, describe, it } from "@effect/vitest"
import * as TokenStore from "@fjord/auth/TokenStore"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"

const token = (access: string) =>
  new TokenStore.StoredToken({
    kind: "oidc",
    accessToken: Redacted.make(access),
    refreshToken: Redacted.make(`${access}-refresh`),
    expiresAt: 1000,
    tokenUrl: "http://127.0.0.1/token",
    clientId: "jottacli",
    origin: "login:0123456789abcdef"
  })

describe("TokenStore.layerKeyValueStore", () => {
  it.effect("round-trips a StoredToken (secrets Redacted in memory) and updates under its lock", () =>
    Effect.gen(function* () {
      const kv = yield* KeyValueStore.KeyValueStore
      const store = yield* TokenStore.makeKeyValueStore("t")
      assert.isTrue(Option.isNone(yield* store.get))
      yield* store.set(token("a"))
      const raw = Option.getOrThrow(yield* kv.get("t"))
      assert.include(raw, '"accessToken":"a"')
      const back = Option.getOrThrow(yield* store.get)
      assert.strictEqual(Redacted.value(back.refreshToken!), "a-refresh")
      assert.strictEqual(back.origin, "login:0123456789abcdef")
      // concurrent updates do not interleave: each sees the previous result
      yield* Effect.all(
        Array.from({ length: 10 }, () =>
          store.update((current) =>
            Effect.map(Effect.yieldNow(), () => token(`${Redacted.value(Option.getOrThrow(current).accessToken)}+`))
          )
        ),
        { concurrency: "unbounded" }
      )
      assert.strictEqual(Redacted.value(Option.getOrThrow(yield* store.get).accessToken), `a${"+".repeat(10)}`)
    }).pipe(Effect.provide(KeyValueStore.layerMemory))
  )

  it.effect("a corrupt entry is a TokenStoreError", () =>
    Effect.gen(function* () {
      const kv = yield* KeyValueStore.KeyValueStore
      yield* kv.set("fjord-token", "{not json")
      const store = yield* TokenStore.makeKeyValueStore()
      const error = yield* Effect.flip(store.get)
      assert.strictEqual(error._tag, "TokenStoreError")
      assert.notInclude(error.message, "not json")
    }).pipe(Effect.provide(KeyValueStore.layerMemory))
  )
})
