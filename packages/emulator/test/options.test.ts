import { assert, describe, it, layer } from "@effect/vitest"
import * as Emulator from "@fjord/emulator/Emulator"
import * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { arch, dest, put, req, tag, unique } from "./helpers.js"

describe("fault specs (CLI syntax)", () => {
  it("parses every kind with its matchers", () => {
    assert.deepStrictEqual(Emulator.parseFault("status:503,op=download,times=2"), {
      _tag: "Status",
      op: "download",
      times: 2,
      status: 503
    })
    assert.deepStrictEqual(Emulator.parseFault("status:429"), { _tag: "Status", status: 429, retryAfter: 1 })
    assert.deepStrictEqual(Emulator.parseFault("status:429,retry-after=3,method=get,path=/jfs/*,after=1,times=inf"), {
      _tag: "Status",
      retryAfter: 3,
      method: "GET",
      path: "/jfs/*",
      after: 1,
      times: Number.POSITIVE_INFINITY,
      status: 429
    })
    assert.deepStrictEqual(Emulator.parseFault("cut-request:1024,op=upload"), {
      _tag: "CutRequest",
      op: "upload",
      afterBytes: 1024
    })
    assert.deepStrictEqual(Emulator.parseFault("cut-response:10"), { _tag: "CutResponse", afterBytes: 10 })
    assert.deepStrictEqual(Emulator.parseFault("delay:250,op=liststream"), {
      _tag: "Delay",
      op: "liststream",
      millis: 250
    })
    assert.deepStrictEqual(Emulator.parseFault("truncate:5"), { _tag: "Truncate", bytes: 5 })
    assert.deepStrictEqual(Emulator.parseFault("corrupt,op=download"), { _tag: "Corrupt", op: "download" })
    assert.deepStrictEqual(Emulator.parseFault("lost-reply,op=mv"), { _tag: "LostReply", op: "mv" })
    assert.deepStrictEqual(Emulator.parseFault("expire-tokens,op=customer"), { _tag: "ExpireTokens", op: "customer" })
    for (const bad of ["explode", "status", "status:abc", "delay:5,colour=red", "status:500,times"]) {
      assert.throws(() => Emulator.parseFault(bad), undefined, undefined, bad)
    }
  })
})

layer(Emulator.layer({ pathChecks: { rejectPercent25: false, rejectLiteralPlus: false }, lenientParents: false }))(
  "switched-off path checks, strict parents",
  (it) => {
    it.effect("%25 and literal + are accepted when the checks are off", () =>
      Effect.gen(function* () {
        const emu = yield* Emulator.Emulator
        const a = yield* req(emu, "POST", `${arch(emu)}/100%25 done?mkDir=true`)
        assert.strictEqual(a.status, 200)
        assert.include(a.text, 'name="100% done"')
        const b = yield* req(emu, "POST", `${arch(emu)}/a+b?mkDir=true`)
        assert.strictEqual(b.status, 200)
        assert.include(b.text, 'name="a+b"')
      })
    )

    it.effect("cp/mv into a missing folder -> 404 when lenient parents are off", () =>
      Effect.gen(function* () {
        const emu = yield* Emulator.Emulator
        const base = unique("strict")
        yield* put(emu, `${base}/f.txt`, "strict")
        const r = yield* req(emu, "POST", `${arch(emu, `${base}/f.txt`)}?cp=${dest(emu, `${base}/missing/f.txt`)}`)
        assert.strictEqual(r.status, 404)
        assert.include(tag(r.text, "message") ?? "", "NoSuchPathException")
        const ok = yield* req(emu, "POST", `${arch(emu, `${base}/f.txt`)}?cp=${dest(emu, `${base}/f2.txt`)}`)
        assert.strictEqual(ok.status, 200)
      })
    )
  }
)

layer(
  Emulator.layer({
    accounts: [{ username: "second7user", email: "kari@example.org", password: "pw", otp: "123456", quotaBytes: 5 }]
  })
)("extra accounts", (it) => {
  it.effect("each account has its own tree and quota; tokens are per account", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const token = yield* emu.issueAccessToken("second7user")
      const c = yield* req(emu, "GET", "/api/account/v1/customer", { auth: token })
      assert.strictEqual(c.json().username, "second7user")
      assert.strictEqual(c.json().quota, 5)
      const own = yield* req(emu, "GET", "/jfs/second7user/Jotta/Archive", { auth: token })
      assert.strictEqual(own.status, 200)
      const other = yield* req(emu, "GET", `/jfs/${emu.username}/Jotta/Archive`, { auth: token })
      assert.strictEqual(other.status, 401)
    })
  )
})

layer(
  Emulator.layerConfig(Config.all({ quotaBytes: Config.integer("QUOTA") })).pipe(
    Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map([["QUOTA", "1234"]]))))
  )
)("layerConfig", (it) => {
  it.effect("reads options from Config", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const r = yield* req(emu, "GET", "/api/account/v1/customer")
      assert.strictEqual(r.json().quota, 1234)
    })
  )
})
