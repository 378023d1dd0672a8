import * as FileSystem from "@effect/platform/FileSystem"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpServer from "@effect/platform/HttpServer"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { assert, describe, it } from "@effect/vitest"
import * as Emulator from "@fjord/emulator/Emulator"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as HttpService from "../src/HttpService.js"
import * as Quickstart from "../src/Quickstart.js"

const body = new Uint8Array(200_000).map((_, i) => (i * 7 + 3) % 256)

describe("HttpService example", () => {
  it.scoped("upload streamed in, JSON listing, download with Range, NotFound as 404 (over loopback HTTP)", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped({ prefix: "fjord-http-service-" })
      const sdk = yield* Layer.build(
        Quickstart.layer(emu.loginToken, { config: { endpoint: emu.url }, tokenFile: `${dir}/t.json` })
      )
      yield* HttpServer.serveEffect(HttpService.router).pipe(Effect.provide(sdk))
      const client = yield* HttpClient.HttpClient

      const put = yield* client.execute(
        HttpClientRequest.put("/files/web/a%20b.bin").pipe(HttpClientRequest.bodyUint8Array(body))
      )
      assert.strictEqual(put.status, 201)
      assert.deepInclude(yield* put.json, { path: "web/a b.bin", size: body.length })

      const listing = yield* client.get("/list/web")
      assert.deepStrictEqual(yield* listing.json, [{ type: "file", name: "a b.bin", size: body.length }])

      const whole = yield* client.get("/files/web/a%20b.bin")
      assert.strictEqual(whole.status, 200)
      assert.deepStrictEqual(new Uint8Array(yield* whole.arrayBuffer), body)

      const part = yield* client.get("/files/web/a%20b.bin", { headers: { range: "bytes=1000-1999" } })
      assert.strictEqual(part.status, 206)
      assert.strictEqual(part.headers["content-range"], `bytes 1000-1999/${body.length}`)
      assert.deepStrictEqual(new Uint8Array(yield* part.arrayBuffer), body.slice(1000, 2000))

      const missing = yield* client.get("/files/web/missing.bin")
      assert.strictEqual(missing.status, 404)
      assert.deepStrictEqual(yield* missing.json, { error: "NotFound", path: "web/missing.bin" })
      assert.strictEqual((yield* client.get("/list/nowhere")).status, 404)
    }).pipe(Effect.provide(NodeHttpServer.layerTest))
  )

  it("parses single byte ranges (END inclusive) into half-open ranges", () => {
    assert.deepStrictEqual(HttpService.parseRange("bytes=10-19", 100), Option.some({ start: 10, end: 20 }))
    assert.deepStrictEqual(HttpService.parseRange("bytes=90-", 100), Option.some({ start: 90, end: 100 }))
    assert.deepStrictEqual(HttpService.parseRange("bytes=90-500", 100), Option.some({ start: 90, end: 100 }))
    assert.deepStrictEqual(HttpService.parseRange("bytes=100-", 100), Option.none())
    assert.deepStrictEqual(HttpService.parseRange("bytes=-5", 100), Option.none())
    assert.deepStrictEqual(HttpService.parseRange(undefined, 100), Option.none())
  })
})
