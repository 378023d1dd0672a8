import * as NodeFs from "node:fs"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePath from "@effect/platform-node/NodePath"
import { assert, layer } from "@effect/vitest"
import { StoredToken, TokenStore, type Service as TokenStoreService } from "@fjord/auth/TokenStore"
import * as NodeTokenStore from "@fjord/node/NodeTokenStore"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { runFixture, tempDir, tempTokenFile } from "./utils.js"

const Env = Layer.merge(NodeFileSystem.layer, NodePath.layer)

const token = (n: number, refresh = `refresh-${n}`) =>
  new StoredToken({
    kind: "oidc",
    accessToken: Redacted.make(`access-${n}`),
    refreshToken: Redacted.make(refresh),
    expiresAt: n,
    tokenUrl: "http://127.0.0.1:1/id/auth/realms/jottacloud/protocol/openid-connect/token",
    clientId: "jottacli"
  })

const prefix = "fjord-tokens-"

/** A token file whose lock directory exists: a lock held by "another process". */
const lockedTokenFile = Effect.map(tempTokenFile(prefix), ({ file }) => {
  NodeFs.mkdirSync(`${file}.lock`)
  return file
})

/** Two store instances on one file (as two processes would have), the first holding token(0). */
const twoStoresOnOneFile = Effect.gen(function* () {
  const { file } = yield* tempTokenFile(prefix)
  const stores = [yield* NodeTokenStore.make(file), yield* NodeTokenStore.make(file)] as const
  yield* stores[0].set(token(0))
  return { file, stores }
})

/** After the other holder releases the lock, a write goes through. */
const releaseLockThenWrite = (file: string, store: TokenStoreService) =>
  Effect.gen(function* () {
    NodeFs.rmdirSync(`${file}.lock`)
    yield* store.set(token(2))
    assert.strictEqual(Option.getOrThrow(yield* store.get).expiresAt, 2)
  })

// live services throughout: the lock tests wait on the real clock
layer(Env, { excludeTestServices: true })("NodeTokenStore", (it) => {
  it.scoped("get on a missing file is None; set then get round-trips, secrets are stored", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir(prefix)
      const store = yield* NodeTokenStore.make(`${dir}/sub/token.json`)
      assert.isTrue(Option.isNone(yield* store.get))
      yield* store.set(token(1))
      const got = Option.getOrThrow(yield* store.get)
      assert.strictEqual(Redacted.value(got.accessToken), "access-1")
      assert.strictEqual(got.refreshToken && Redacted.value(got.refreshToken), "refresh-1")
      assert.strictEqual(got.expiresAt, 1)
      const json = JSON.parse(NodeFs.readFileSync(`${dir}/sub/token.json`, "utf8"))
      assert.strictEqual(json.accessToken, "access-1")
      assert.strictEqual(json.clientId, "jottacli")
    })
  )

  it.scoped("layerConfig reads the path from FJORD_TOKEN_FILE", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir(prefix)
      const provider = ConfigProvider.fromMap(new Map([["FJORD_TOKEN_FILE", `${dir}/from-config.json`]]))
      yield* Effect.flatMap(TokenStore, (store) => store.set(token(7))).pipe(
        Effect.provide(NodeTokenStore.layerConfig().pipe(Layer.provide(Layer.setConfigProvider(provider))))
      )
      assert.strictEqual(JSON.parse(NodeFs.readFileSync(`${dir}/from-config.json`, "utf8")).expiresAt, 7)
    })
  )

  it.scoped("the file has mode 0600, its directory 0700, and no temporary or lock file is left", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir(prefix)
      const file = `${dir}/conf/token.json`
      const store = yield* NodeTokenStore.make(file)
      yield* store.set(token(1))
      yield* store.update(() => Effect.succeed(token(2)))
      assert.strictEqual(NodeFs.statSync(file).mode & 0o777, 0o600)
      assert.strictEqual(NodeFs.statSync(`${dir}/conf`).mode & 0o777, 0o700)
      assert.deepStrictEqual(NodeFs.readdirSync(`${dir}/conf`), ["token.json"])
    })
  )

  it.scoped("a failing update leaves the stored token untouched", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir(prefix)
      const store = yield* NodeTokenStore.make(`${dir}/token.json`)
      yield* store.set(token(1))
      const error = yield* Effect.flip(store.update(() => Effect.fail("refresh failed" as const)))
      assert.strictEqual(error, "refresh failed")
      assert.strictEqual(Option.getOrThrow(yield* store.get).expiresAt, 1)
      assert.deepStrictEqual(NodeFs.readdirSync(dir), ["token.json"])
    })
  )

  it.scoped("a corrupt file is a typed TokenStoreError, not a defect", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir(prefix)
      NodeFs.writeFileSync(`${dir}/token.json`, "{ not json")
      const store = yield* NodeTokenStore.make(`${dir}/token.json`)
      const error = yield* Effect.flip(store.get)
      assert.strictEqual(error._tag, "TokenStoreError")
      // a half-valid file: the error names the bad field but never quotes the secrets
      NodeFs.writeFileSync(
        `${dir}/token.json`,
        JSON.stringify({ kind: "oidc", accessToken: "s3cret-access", expiresAt: "soon" })
      )
      const invalid = yield* Effect.flip(store.get)
      assert.match(invalid.message, /expiresAt/)
      assert.notInclude(`${invalid.message} ${String(invalid.cause)} ${JSON.stringify(invalid)}`, "s3cret")
    })
  )

  it.scoped("writes are atomic: concurrent readers never see a partial file", () =>
    Effect.gen(function* () {
      const { file, stores } = yield* twoStoresOnOneFile
      const [writer, reader] = stores
      // long refresh tokens make a non-atomic write observable
      const big = "x".repeat(64 * 1024)
      const writes = Effect.forEach(
        Array.from({ length: 40 }, (_, i) => i + 1),
        (i) => writer.set(token(i, big)),
        {
          discard: true
        }
      )
      const reads = Effect.forEach(
        Array.from({ length: 200 }, () => 0),
        () => Effect.either(reader.get),
        { concurrency: 4 }
      )
      const [, results] = yield* Effect.all([writes, reads], { concurrency: 2 })
      for (const r of results) {
        assert.isTrue(Either.isRight(r), "a read failed to decode")
        if (Either.isRight(r)) assert.isTrue(Option.isSome(r.right))
      }
      // also the raw file is always a complete JSON document
      for (let i = 0; i < 20; i++) JSON.parse(NodeFs.readFileSync(file, "utf8"))
    })
  )

  it.scoped("concurrent updates from many fibers over two store instances serialise", () =>
    Effect.gen(function* () {
      const [a, b] = (yield* twoStoresOnOneFile).stores
      let inside = 0
      let maxInside = 0
      const increment = (current: Option.Option<StoredToken>) =>
        Effect.gen(function* () {
          inside++
          maxInside = Math.max(maxInside, inside)
          const n = Option.getOrThrow(current).expiresAt
          yield* Effect.sleep("2 millis")
          inside--
          return token(n + 1)
        })
      yield* Effect.forEach(
        Array.from({ length: 30 }, (_, i) => i),
        (i) => (i % 2 === 0 ? a : b).update(increment),
        { concurrency: "unbounded", discard: true }
      )
      assert.strictEqual(maxInside, 1)
      assert.strictEqual(Option.getOrThrow(yield* a.get).expiresAt, 30)
    })
  )

  it.scoped("waits for a lock held by another holder and fails after lockTimeout", () =>
    Effect.gen(function* () {
      const file = yield* lockedTokenFile
      const store = yield* NodeTokenStore.make(file, { lockTimeout: "150 millis" })
      const error = yield* Effect.flip(store.set(token(1)))
      assert.strictEqual(error._tag, "TokenStoreError")
      assert.match(error.message, /lock/)
      yield* releaseLockThenWrite(file, store)
    })
  )

  it.scoped("a waiter for the lock can be interrupted promptly", () =>
    Effect.gen(function* () {
      const file = yield* lockedTokenFile
      const store = yield* NodeTokenStore.make(file, { lockTimeout: "60 seconds" })
      const fiber = yield* Effect.fork(store.set(token(1)))
      yield* Effect.sleep("50 millis")
      const started = Date.now()
      yield* Fiber.interrupt(fiber)
      assert.isBelow(Date.now() - started, 1000)
      assert.isFalse(NodeFs.existsSync(file))
      yield* releaseLockThenWrite(file, store)
    })
  )

  it.scoped("takes over a stale lock left by a crashed process", () =>
    Effect.gen(function* () {
      const file = yield* lockedTokenFile
      const old = new Date(Date.now() - 60_000)
      NodeFs.utimesSync(`${file}.lock`, old, old)
      const store = yield* NodeTokenStore.make(file, { staleLock: "2 seconds", lockTimeout: "1 second" })
      yield* store.set(token(1))
      assert.strictEqual(Option.getOrThrow(yield* store.get).expiresAt, 1)
      assert.isFalse(NodeFs.existsSync(`${file}.lock`))
    })
  )

  it.scoped("a second process updating the same file serialises with this one (cross-process lock)", () =>
    Effect.gen(function* () {
      const { file } = yield* tempTokenFile(prefix)
      const store = yield* NodeTokenStore.make(file)
      yield* store.set(token(0))
      const child = runFixture("increment.ts", [file, "25"])
      const increment = store.update((current) =>
        Effect.gen(function* () {
          const t = Option.getOrThrow(current)
          yield* Effect.sleep("1 millis")
          return new StoredToken({ ...t, expiresAt: t.expiresAt + 1 })
        })
      )
      // keep incrementing here until the child is done, then check nothing was lost
      const childFiber = yield* Effect.fork(child)
      let mine = 0
      while (childFiber.unsafePoll() === null) {
        yield* increment
        mine++
      }
      const exit = yield* childFiber.await
      assert.deepStrictEqual(exit._tag, "Success")
      const result = exit._tag === "Success" ? exit.value : { code: -1, stderr: "" }
      assert.strictEqual(result.code, 0, result.stderr)
      assert.isAbove(mine, 0)
      assert.strictEqual(Option.getOrThrow(yield* store.get).expiresAt, mine + 25)
    })
  )
})
