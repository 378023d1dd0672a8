// Issue 5's key scenario: two independent clients (two RefreshingAuth instances, each with its
// own NodeTokenStore on the SAME file, as two processes would have) share one token family
// through many rotations against the emulator and never present a stale refresh token.

import * as ChildProcess from "node:child_process"
import * as NodeUrl from "node:url"
import * as FileSystem from "@effect/platform/FileSystem"
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

const Env = Layer.mergeAll(NodeFileSystem.layer, NodePath.layer, NodeHttpClient.layerUndici)

/** One authenticated API call the way the core client makes it: 401 → invalidate → retry. */
const call = (emu: Emulator.Handle, auth: AuthService) =>
  Effect.gen(function* () {
    const client = yield* HttpClient.HttpClient
    for (let attempt = 0; attempt < 3; attempt++) {
      const token = yield* auth.accessToken
      const res = yield* client.execute(
        HttpClientRequest.get(`${emu.url}/api/account/v1/customer`).pipe(HttpClientRequest.bearerToken(token))
      )
      if (res.status === 200) return attempt
      assert.strictEqual(res.status, 401)
      yield* auth.invalidate(token)
    }
    return yield* Effect.die("still 401 after three tokens")
  }).pipe(Effect.scoped)

/** Like `call`, but tolerates tokens expired again by the other party meanwhile. */
const callPersistently = (emu: Emulator.Handle, auth: AuthService) =>
  Effect.gen(function* () {
    const client = yield* HttpClient.HttpClient
    for (let attempt = 0; attempt < 20; attempt++) {
      const token = yield* auth.accessToken
      const res = yield* client.execute(
        HttpClientRequest.get(`${emu.url}/api/account/v1/customer`).pipe(HttpClientRequest.bearerToken(token))
      )
      if (res.status === 200) return attempt
      yield* auth.invalidate(token)
    }
    return yield* Effect.die("still 401 after twenty tokens")
  }).pipe(Effect.scoped)

const tokenRequests = (emu: Emulator.Handle) =>
  Effect.map(emu.requests, (log) => log.filter((r) => r.method === "POST" && r.path.endsWith("/openid-connect/token")))

describe("two clients sharing one token file", () => {
  it.live(
    "alternate and concurrent rotations never see a stale token",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const emu = yield* Emulator.make()
          const fs = yield* FileSystem.FileSystem
          const dir = yield* fs.makeTempDirectoryScoped({ prefix: "fjord-shared-" })
          const file = `${dir}/token.json`
          const storeA = yield* NodeTokenStore.make(file)
          const storeB = yield* NodeTokenStore.make(file)
          yield* LoginToken.login(emu.loginToken).pipe(Effect.provideService(TokenStore.TokenStore, storeA))
          const authA = yield* RefreshingAuth.make().pipe(Effect.provideService(TokenStore.TokenStore, storeA))
          const authB = yield* RefreshingAuth.make().pipe(Effect.provideService(TokenStore.TokenStore, storeB))
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
          const emu = yield* Emulator.make()
          const fs = yield* FileSystem.FileSystem
          const dir = yield* fs.makeTempDirectoryScoped({ prefix: "fjord-shared-" })
          const file = `${dir}/token.json`
          const store = yield* NodeTokenStore.make(file)
          yield* LoginToken.login(emu.loginToken).pipe(Effect.provideService(TokenStore.TokenStore, store))
          const auth = yield* RefreshingAuth.make().pipe(Effect.provideService(TokenStore.TokenStore, store))
          yield* emu.clearRequests
          const root = NodeUrl.fileURLToPath(new URL("../../../", import.meta.url))
          const child = Effect.async<{ code: number | null; stdout: string; stderr: string }>((resume) => {
            const p = ChildProcess.execFile(
              `${root}node_modules/.bin/tsx`,
              [
                "--conditions=@fjord/source",
                `${root}packages/node/test/fixtures/shared-client.ts`,
                emu.url,
                file,
                "30"
              ],
              { cwd: root },
              (error, stdout, stderr) =>
                resume(Effect.succeed({ code: error === null ? 0 : (p.exitCode ?? -1), stdout, stderr }))
            )
            return Effect.sync(() => p.kill())
          })
          const childFiber = yield* Effect.fork(child)
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
