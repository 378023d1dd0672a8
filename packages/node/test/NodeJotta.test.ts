import * as NodeFs from "node:fs"
import * as FileSystem from "@effect/platform/FileSystem"
import * as HttpClient from "@effect/platform/HttpClient"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { assert, describe, it } from "@effect/vitest"
import * as Account from "@fjord/core/Account"
import * as ContentHasher from "@fjord/core/ContentHasher"
import * as Files from "@fjord/core/Files"
import * as Emulator from "@fjord/emulator/Emulator"
import * as NodeJotta from "@fjord/node/NodeJotta"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"

const tokenGrants = (emu: Emulator.Handle) =>
  Effect.map(emu.requests, (log) => log.filter((r) => r.op === "token").length)

describe("NodeJotta", () => {
  it.scoped("layerLoginToken logs in once and saves the token; later runs resume from the file", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped({ prefix: "fjord-nodejotta-" })
      const tokenFile = `${dir}/conf/token.json`
      const options = { tokenFile, config: { endpoint: emu.url } }
      const Live = Layer.mergeAll(Files.layer, Account.layer).pipe(
        Layer.provideMerge(NodeJotta.layerLoginToken(emu.loginToken, options))
      )
      const program = Effect.gen(function* () {
        const files = yield* Files.Files
        yield* files.mkdir("nj")
        return (yield* (yield* Account.Account).userInfo()).username
      })
      assert.strictEqual(yield* Effect.provide(program, Live), emu.username)
      assert.strictEqual(yield* tokenGrants(emu), 1)
      assert.strictEqual(NodeFs.statSync(tokenFile).mode & 0o777, 0o600)
      // a second "run": the single-use login token is not exchanged again
      assert.strictEqual(yield* Effect.provide(program, Live), emu.username)
      assert.strictEqual(yield* tokenGrants(emu), 1)
      // layerStoredToken resumes from the same file, refreshing (and saving) after expiry
      yield* emu.expireAllAccessTokens
      const Stored = Files.layer.pipe(Layer.provideMerge(NodeJotta.layerStoredToken(options)))
      const names = yield* Effect.provide(
        Effect.flatMap(Files.Files, (files) => files.list("")),
        Stored
      )
      assert.include(
        names.map((e) => e.name),
        "nj"
      )
      assert.strictEqual(yield* tokenGrants(emu), 2)
      assert.notStrictEqual(NodeFs.readFileSync(tokenFile, "utf8"), "")
    }).pipe(Effect.provide(NodeFileSystem.layer))
  )

  it.effect("layer provides the platform services and the node hasher", () =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      assert.isTrue(yield* fs.exists("/"))
      const hasher = yield* ContentHasher.ContentHasher
      assert.strictEqual(
        yield* hasher.md5(Stream.make(new TextEncoder().encode("hello\n"))),
        "b1946ac92492d2347c6235b4d2611184"
      )
      const client = yield* HttpClient.HttpClient
      assert.isFunction(client.execute)
    }).pipe(Effect.provide(NodeJotta.layer))
  )
})
