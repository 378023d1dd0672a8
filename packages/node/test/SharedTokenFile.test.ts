// Issue 5's key scenario: two independent clients (two RefreshingAuth instances, each with its
// own NodeTokenStore on the SAME file, as two processes would have) share one token family
// through many rotations against the emulator and never present a stale refresh token.

import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as NodePath from "@effect/platform-node/NodePath"
import { assert, describe, it } from "@effect/vitest"
import * as LoginToken from "@fjord/auth/LoginToken"
import * as RefreshingAuth from "@fjord/auth/RefreshingAuth"
import * as TokenStore from "@fjord/auth/TokenStore"
import type { AuthError, Service as AuthService } from "@fjord/core/Auth"
import * as Emulator from "@fjord/emulator/Emulator"
import * as NodeTokenStore from "@fjord/node/NodeTokenStore"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { runFixture, tempTokenFile } from "./utils.js"

const Env = Layer.mergeAll(NodeFileSystem.layer, NodePath.layer, NodeHttpClient.layerUndici)

/** An authenticated API call the way the core client makes it: 401 → invalidate → retry, up to `tokens` tokens. */
const callWith = (tokens: number, onRefused: (status: number) => void) => (emu: Emulator.Handle, auth: AuthService) =>
  Effect.gen(function* () {
    const client = yield* HttpClient.HttpClient
    for (let attempt = 0; attempt < tokens; attempt++) {
      const token = yield* auth.accessToken
      const res = yield* client.execute(
        HttpClientRequest.get(`${emu.url}/api/account/v1/customer`).pipe(HttpClientRequest.bearerToken(token))
      )
      if (res.status === 200) return attempt
      onRefused(res.status)
      yield* auth.invalidate(token)
    }
    return yield* Effect.die(`still 401 after ${tokens} tokens`)
  }).pipe(Effect.scoped)

/** One call: at most one refusal per token, and only 401. */
const call = callWith(3, (status) => assert.strictEqual(status, 401))

/** Like `call`, but tolerates tokens expired again by the other party meanwhile. */
const callPersistently = callWith(20, () => {})

/** An emulator, and a NodeTokenStore on a fresh token file, logged in with the emulator's login token. */
const loggedInTokenFile = Effect.gen(function* () {
  const emu = yield* Emulator.make()
  const { file } = yield* tempTokenFile("fjord-shared-")
  const store = yield* NodeTokenStore.make(file)
  yield* LoginToken.login(emu.loginToken).pipe(Effect.provideService(TokenStore.TokenStore, store))
  return { emu, file, store }
})

const refreshingAuth = (store: TokenStore.Service) =>
  RefreshingAuth.make().pipe(Effect.provideService(TokenStore.TokenStore, store))

const tokenRequests = (emu: Emulator.Handle) =>
  Effect.map(emu.requests, (log) => log.filter((r) => r.method === "POST" && r.path.endsWith("/openid-connect/token")))

describe("two clients sharing one token file", () => {
  it.live(
    "alternate and concurrent rotations never see a stale token",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const { emu, file, store: storeA } = yield* loggedInTokenFile
          const storeB = yield* NodeTokenStore.make(file)
          const authA = yield* refreshingAuth(storeA)
          const authB = yield* refreshingAuth(storeB)
          const initialRefresh = Option.getOrThrow(yield* storeA.get).refreshToken
          yield* emu.clearRequests

          // alternate: each client finds its access token expired in turn
          for (let round = 0; round < 4; round++) {
            for (const auth of [authA, authB]) {
              yield* emu.expireAllAccessTokens
              yield* call(emu, auth)
            }
          }
          // concurrent: both find the token expired at the same time, several times
          for (let round = 0; round < 3; round++) {
            yield* emu.expireAllAccessTokens
            yield* Effect.all([call(emu, authA), call(emu, authB), call(emu, authA), call(emu, authB)], {
              concurrency: "unbounded"
            })
          }

          const refreshes = yield* tokenRequests(emu)
          assert.isAtLeast(refreshes.length, 11, "every expiry caused a rotation")
          for (const r of refreshes) assert.strictEqual(r.status, 200, "a refresh was refused (stale token)")
          // the file holds the latest rotation, and it still works for both clients
          const stored = Option.getOrThrow(yield* storeB.get)
          assert.notStrictEqual(
            stored.refreshToken && Redacted.value(stored.refreshToken),
            initialRefresh && Redacted.value(initialRefresh)
          )
          yield* emu.expireAllAccessTokens
          yield* call(emu, authB)
          yield* call(emu, authA)
        })
      ).pipe(Effect.provide(Env)),
    30_000
  )

  it.live("control: two clients with separate stores of the same token do stale each other", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const emu = yield* Emulator.make()
        const memory = yield* TokenStore.makeMemory()
        const token = yield* LoginToken.login(emu.loginToken).pipe(Effect.provideService(TokenStore.TokenStore, memory))
        const authA = yield* RefreshingAuth.make().pipe(
          Effect.provideServiceEffect(TokenStore.TokenStore, TokenStore.makeMemory(token))
        )
        const authB = yield* RefreshingAuth.make().pipe(
          Effect.provideServiceEffect(TokenStore.TokenStore, TokenStore.makeMemory(token))
        )
        yield* emu.expireAllAccessTokens
        yield* call(emu, authA)
        yield* emu.expireAllAccessTokens
        const error = yield* Effect.flip(call(emu, authB))
        assert.strictEqual(error._tag, "AuthError")
        assert.strictEqual((error as AuthError).reason, "StaleToken")
      })
    ).pipe(Effect.provide(Env))
  )

  it.live(
    "a real second process sharing the file through rotations never sees a stale token",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const { emu, file, store } = yield* loggedInTokenFile
          const auth = yield* refreshingAuth(store)
          yield* emu.clearRequests
          const childFiber = yield* Effect.fork(runFixture("shared-client.ts", [emu.url, file, "30"]))
          // this process: expire every token now and then and keep calling, until the child is done
          let rounds = 0
          while (childFiber.unsafePoll() === null) {
            if (rounds % 3 === 0) yield* emu.expireAllAccessTokens
            yield* callPersistently(emu, auth)
            yield* Effect.sleep("15 millis")
            rounds++
          }
          const result = yield* Fiber.join(childFiber)
          assert.strictEqual(result.code, 0, result.stderr)
          const childStats = JSON.parse(result.stdout) as { calls: number; refused: number }
          assert.strictEqual(childStats.calls, 30)
          assert.isAtLeast(childStats.refused, 1, "the child never had to take over a rotation")
          const refreshes = yield* tokenRequests(emu)
          assert.isAtLeast(refreshes.length, 2)
          for (const r of refreshes) assert.strictEqual(r.status, 200, "a refresh was refused (stale token)")
        })
      ).pipe(Effect.provide(Env)),
    60_000
  )
})
