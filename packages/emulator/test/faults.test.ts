import { assert, layer } from "@effect/vitest"
import * as Emulator from "@fjord/emulator/Emulator"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { allocate, arch, call, md5, postUpload, put, req, tag, unique } from "./helpers.js"

layer(Emulator.layer())("fault injection and the request log", (it) => {
  it.effect("status faults: next N matching requests, XML on JFS, JSON on the API, Retry-After on 429", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const base = unique("status")
      yield* put(emu, `${base}/f.txt`, "fault")
      yield* emu.inject({ _tag: "Status", status: 503, op: "download", times: 2 })
      const url = `${arch(emu, `${base}/f.txt`)}?mode=bin`
      const a = yield* req(emu, "GET", url)
      const b = yield* req(emu, "GET", url)
      const c = yield* req(emu, "GET", url)
      assert.deepStrictEqual([a.status, b.status, c.status], [503, 503, 200])
      assert.strictEqual(tag(a.text, "code"), "503")
      assert.strictEqual(c.text, "fault")
      yield* emu.inject({ _tag: "Status", status: 429, retryAfter: 7, op: "api" })
      const api = yield* req(emu, "GET", "/api/account/v1/customer")
      assert.strictEqual(api.status, 429)
      assert.strictEqual(api.headers.get("retry-after"), "7")
      assert.strictEqual(api.json().code, 429)
      yield* emu.inject({ _tag: "Status", status: 429, op: "customer" })
      const dflt = yield* req(emu, "GET", "/api/account/v1/customer")
      assert.strictEqual(dflt.status, 429)
      assert.strictEqual(dflt.headers.get("retry-after"), "1")
      // method + path glob, with `after`
      yield* emu.inject({ _tag: "Status", status: 509, method: "GET", path: `/jfs/*/${base}*`, after: 1 })
      const first = yield* req(emu, "GET", arch(emu, base))
      const second = yield* req(emu, "GET", arch(emu, base))
      assert.deepStrictEqual([first.status, second.status], [200, 509])
      for (const s of [500, 502, 504]) {
        yield* emu.inject(Emulator.parseFault(`status:${s},op=get`))
        const r = yield* req(emu, "GET", arch(emu, base))
        assert.strictEqual(r.status, s)
      }
      yield* emu.inject({ _tag: "Status", status: 500, op: "get", times: Number.POSITIVE_INFINITY })
      yield* emu.clearFaults
      const clear = yield* req(emu, "GET", arch(emu, base))
      assert.strictEqual(clear.status, 200)
    })
  )

  it.effect("cut-response after K bytes breaks the download; the log records it", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const base = unique("cut")
      yield* put(emu, `${base}/f.bin`, "0123456789".repeat(10))
      yield* emu.clearRequests
      yield* emu.inject({ _tag: "CutResponse", afterBytes: 25, op: "download" })
      const r = yield* Effect.either(call(emu, "GET", `${arch(emu, `${base}/f.bin`)}?mode=bin`))
      assert.isTrue(Either.isLeft(r))
      const log = yield* emu.requests
      const entry = log.find((e) => e.op === "download")
      assert.isDefined(entry)
      assert.isTrue(entry!.connectionCut)
      assert.strictEqual(entry!.responseBytes, 25)
      const ok = yield* req(emu, "GET", `${arch(emu, `${base}/f.bin`)}?mode=bin`)
      assert.strictEqual(ok.bytes.length, 100)
    })
  )

  it.effect("cut-request after K bytes of an upload keeps them as progress (resume_pos)", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const base = unique("cutreq")
      const data = Buffer.from("abcdefghij".repeat(10))
      const path = `/jfs/Jotta/Archive/${base}/r.bin`
      const { alloc } = yield* allocate(emu, { bytes: data.length, md5: md5(data), path })
      yield* emu.inject({ _tag: "CutRequest", afterBytes: 40, op: "upload" })
      const cut = yield* Effect.either(
        call(emu, "POST", alloc.upload_url.slice(emu.url.length), {
          headers: { "content-type": "application/octet-stream" },
          body: data
        })
      )
      assert.isTrue(Either.isLeft(cut))
      const again = yield* allocate(emu, { bytes: data.length, md5: md5(data), path })
      assert.strictEqual(again.alloc.resume_pos, 40)
      const rest = yield* postUpload(emu, again.alloc.upload_url, data.subarray(40), {
        range: `bytes=40-${data.length - 1}`
      })
      assert.strictEqual(rest.status, 200)
      const dl = yield* req(emu, "GET", `${arch(emu, `${base}/r.bin`)}?mode=bin`)
      assert.strictEqual(Buffer.from(dl.bytes).toString(), data.toString())
    })
  )

  it.effect("cut-request works on any route (here the token endpoint); the log counts request bytes", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      yield* emu.clearRequests
      yield* emu.inject({ _tag: "CutRequest", afterBytes: 10, op: "token" })
      const body = new URLSearchParams({ grant_type: "password", client_id: "jottacli", username: "x", password: "y" })
      const cut = yield* Effect.either(
        call(emu, "POST", "/id/auth/realms/jottacloud/protocol/openid-connect/token", {
          auth: false,
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: body.toString()
        })
      )
      assert.isTrue(Either.isLeft(cut))
      const [entry] = yield* emu.requests
      assert.strictEqual(entry!.op, "token")
      assert.strictEqual(entry!.requestBytes, 10)
      assert.isTrue(entry!.connectionCut)
      // without a fault the same request is answered and fully counted
      const ok = yield* req(emu, "POST", "/id/auth/realms/jottacloud/protocol/openid-connect/token", {
        auth: false,
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: body.toString()
      })
      assert.isAtLeast(ok.status, 400)
      const log = yield* emu.requests
      assert.strictEqual(log[1]!.requestBytes, body.toString().length)
    })
  )

  it.effect("delay holds the reply", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      yield* emu.inject({ _tag: "Delay", millis: 150, op: "customer" })
      const t0 = Date.now()
      const r = yield* req(emu, "GET", "/api/account/v1/customer")
      assert.strictEqual(r.status, 200)
      assert.isAtLeast(Date.now() - t0, 140)
    })
  )

  it.effect("truncate and corrupt replies", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const base = unique("mangle")
      const content = "0123456789".repeat(4)
      yield* put(emu, `${base}/f.txt`, content)
      yield* emu.inject({ _tag: "Truncate", bytes: 30, op: "get" })
      const t = yield* req(emu, "GET", arch(emu, base))
      assert.strictEqual(t.status, 200)
      assert.strictEqual(t.bytes.length, 30)
      yield* emu.inject({ _tag: "Truncate", bytes: 10, op: "download" })
      const td = yield* req(emu, "GET", `${arch(emu, `${base}/f.txt`)}?mode=bin`)
      assert.strictEqual(td.text, content.slice(0, 10))
      yield* emu.inject({ _tag: "Corrupt", op: "download" })
      const c = yield* req(emu, "GET", `${arch(emu, `${base}/f.txt`)}?mode=bin`)
      assert.strictEqual(c.status, 200)
      assert.strictEqual(c.bytes.length, content.length)
      assert.notStrictEqual(md5(c.bytes), md5(content))
      yield* emu.inject({ _tag: "Corrupt", op: "get" })
      const cx = yield* req(emu, "GET", arch(emu, base))
      assert.include(cx.text, "\u0000")
    })
  )

  it.effect("lost reply: the operation commits, then the connection drops", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const base = unique("lost")
      yield* put(emu, `${base}/a.txt`, "lost reply")
      yield* emu.inject({ _tag: "LostReply", op: "mv" })
      const r = yield* Effect.either(
        call(
          emu,
          "POST",
          `${arch(emu, `${base}/a.txt`)}?mv=${encodeURIComponent(`/${emu.username}/Jotta/Archive/${base}/b.txt`)}`
        )
      )
      assert.isTrue(Either.isLeft(r))
      const moved = yield* req(emu, "GET", arch(emu, `${base}/b.txt`))
      assert.strictEqual(moved.status, 200)
      // a retry of the mv now fails with 404, as on the real service
      const retry = yield* req(
        emu,
        "POST",
        `${arch(emu, `${base}/a.txt`)}?mv=${encodeURIComponent(`/${emu.username}/Jotta/Archive/${base}/b.txt`)}`
      )
      assert.strictEqual(retry.status, 404)
    })
  )

  it.effect("revokeRefreshToken kills the family (400 invalid_grant on refresh)", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const login = JSON.parse(Buffer.from(yield* emu.newLoginToken(), "base64url").toString()) as Record<
        string,
        string
      >
      const disco = (yield* req(emu, "GET", login.well_known_link!.slice(emu.url.length), { auth: false })).json()
      const tokenPath = String(disco.token_endpoint).slice(emu.url.length)
      const form = (o: Record<string, string>) => ({
        auth: false as const,
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(o).toString()
      })
      const t = yield* req(
        emu,
        "POST",
        tokenPath,
        form({
          client_id: "jottacli",
          grant_type: "password",
          password: login.auth_token!,
          scope: "openid offline_access",
          username: login.username!
        })
      )
      assert.strictEqual(t.status, 200)
      const refresh = String(t.json().refresh_token)
      yield* emu.revokeRefreshToken(refresh)
      const r = yield* req(
        emu,
        "POST",
        tokenPath,
        form({ client_id: "jottacli", grant_type: "refresh_token", refresh_token: refresh })
      )
      assert.strictEqual(r.status, 400)
      assert.strictEqual(r.json().error, "invalid_grant")
    })
  )

  it.effect("request log: method, path, query, status, bytes, redacted headers; clearRequests", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      yield* emu.clearRequests
      const base = unique("log")
      yield* req(emu, "POST", `${arch(emu, base)}?mkDir=true`)
      yield* req(emu, "POST", "/api/files/v1/allocate", {
        body: JSON.stringify({ bytes: 3, md5: md5("abc"), path: `/jfs/Jotta/Archive/${base}/x` })
      })
      const log = yield* emu.requests
      assert.strictEqual(log.length, 2)
      const [mk, al] = log
      assert.strictEqual(mk!.method, "POST")
      assert.strictEqual(mk!.path, arch(emu, base))
      assert.strictEqual(mk!.query, "mkDir=true")
      assert.strictEqual(mk!.op, "mkDir")
      assert.strictEqual(mk!.status, 200)
      assert.isAbove(mk!.responseBytes, 100)
      assert.strictEqual(mk!.headers.authorization, "<redacted>")
      assert.notInclude(JSON.stringify(log), emu.accessToken)
      assert.strictEqual(al!.op, "allocate")
      assert.isAbove(al!.requestBytes, 20)
      yield* emu.clearRequests
      assert.strictEqual((yield* emu.requests).length, 0)
    })
  )

  it.effect("advanceClock moves server time (XML time attribute)", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      yield* emu.advanceClock(2 * 24 * 3600 * 1000)
      // the handle's token (1 h) has expired on the moved clock
      const expired = yield* req(emu, "GET", `/jfs/${emu.username}`)
      assert.strictEqual(expired.status, 401)
      const r = yield* req(emu, "GET", `/jfs/${emu.username}`, { auth: yield* emu.issueAccessToken() })
      const time = /time="([^"]+)"/.exec(r.text)?.[1] ?? ""
      const ms = Date.parse(time.replace("-T", "T"))
      assert.isAbove(ms - Date.now(), 24 * 3600 * 1000)
      yield* emu.advanceClock(-2 * 24 * 3600 * 1000)
    })
  )
})

layer(Emulator.layer())("token faults (own emulator: they expire every token)", (it) => {
  it.effect("expire-tokens fault: the matching request and later ones get 401", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const token = yield* emu.issueAccessToken()
      yield* emu.inject({ _tag: "ExpireTokens", op: "customer" })
      const r = yield* req(emu, "GET", "/api/account/v1/customer", { auth: token })
      assert.strictEqual(r.status, 401)
      const j = yield* req(emu, "GET", `/jfs/${emu.username}`, { auth: token })
      assert.strictEqual(j.status, 401)
    })
  )
})

layer(Emulator.layer())("probability faults", (it) => {
  it.effect("a probability fault fires on about that share of matching requests and never consumes on a miss", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const spec = Emulator.parseFault("status:503,op=customer,times=inf,probability=0.3")
      assert.strictEqual(spec.probability, 0.3)
      yield* emu.inject(spec)
      let fired = 0
      for (let i = 0; i < 200; i++) if ((yield* req(emu, "GET", "/api/account/v1/customer")).status === 503) fired++
      yield* emu.clearFaults
      // binomial(200, 0.3): mean 60, sd 6.5; these bounds are 4.6 sd away
      assert.isAtLeast(fired, 30)
      assert.isAtMost(fired, 90)
      yield* emu.inject({ _tag: "Status", status: 503, op: "customer", times: 1, probability: 0 })
      assert.strictEqual((yield* req(emu, "GET", "/api/account/v1/customer")).status, 200)
      yield* emu.clearFaults
      assert.throws(() => Emulator.parseFault("status:503,probability=2"))
    })
  )
})
