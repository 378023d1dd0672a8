import { assert, describe, layer } from "@effect/vitest"
import * as Emulator from "@fjord/emulator/Emulator"
import * as Effect from "effect/Effect"
import { call, req, rootAttr, rootName, tag } from "./helpers.js"

layer(Emulator.layer())("account endpoints", (it) => {
  it.effect("customer JSON (§3.1)", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const r = yield* req(emu, "GET", "/api/account/v1/customer")
      assert.strictEqual(r.status, 200)
      assert.match(r.headers.get("content-type") ?? "", /application\/json/)
      const j = r.json()
      assert.strictEqual(j.username, emu.username)
      assert.strictEqual(j.email, emu.email)
      assert.strictEqual(j.quota, -1)
      assert.strictEqual(typeof j.usage, "number")
      for (const k of ["name", "account_type", "subscription_type", "brand_code", "locked_cause", "write_locked"]) {
        assert.isTrue(k in j, k)
      }
    })
  )

  it.effect("user document (§3.2): time/host, -1 capacity, devices with preserve", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const r = yield* req(emu, "GET", `/jfs/${emu.username}`)
      assert.strictEqual(r.status, 200)
      assert.match(r.headers.get("content-type") ?? "", /xml/)
      assert.isTrue(r.text.startsWith('<?xml version="1.0" encoding="UTF-8"?>'))
      assert.strictEqual(rootName(r.text), "user")
      assert.match(rootAttr(r.text, "time") ?? "", /^\d{4}-\d\d-\d\d-T\d\d:\d\d:\d\dZ$/)
      assert.isDefined(rootAttr(r.text, "host"))
      assert.strictEqual(tag(r.text, "username"), emu.username)
      assert.strictEqual(tag(r.text, "capacity"), "-1")
      assert.strictEqual(tag(r.text, "quota-write-locked"), "false")
      assert.include(r.text, '<name xml:space="preserve">Jotta</name>')
      assert.include(r.text, '<display_name xml:space="preserve">Jotta</display_name>')
      assert.include(r.text, "<type>JOTTA</type>")
    })
  )

  it.effect("device document (§3.3): listed mountpoints only, metadata counts", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const r = yield* req(emu, "GET", `/jfs/${emu.username}/Jotta`)
      assert.strictEqual(r.status, 200)
      assert.strictEqual(rootName(r.text), "device")
      for (const m of ["Archive", "Shared", "Sync"]) assert.include(r.text, `<name xml:space="preserve">${m}</name>`)
      assert.notInclude(r.text, ">Trash<")
      assert.match(r.text, /<metadata first="" max="" total="\d+" num_mountpoints="\d+"\/>/)
      assert.strictEqual(tag(r.text, "user"), emu.username)
      // case-insensitive device name
      const r2 = yield* req(emu, "GET", `/jfs/${emu.username}/jotta`)
      assert.strictEqual(r2.status, 200)
      assert.include(r2.text, '<name xml:space="preserve">Jotta</name>')
      const missing = yield* req(emu, "GET", `/jfs/${emu.username}/NoSuchDevice`)
      assert.strictEqual(missing.status, 404)
    })
  )

  it.effect("mountpoint document (§3.4) and special views reachable by name", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const r = yield* req(emu, "GET", `/jfs/${emu.username}/Jotta/Sync`)
      assert.strictEqual(r.status, 200)
      assert.strictEqual(rootName(r.text), "mountPoint")
      assert.include(r.text, `<path xml:space="preserve">/${emu.username}/Jotta</path>`)
      assert.include(r.text, `<abspath xml:space="preserve">/${emu.username}/Jotta</abspath>`)
      assert.strictEqual(tag(r.text, "device"), "Jotta")
      assert.match(r.text, /<metadata first="" max="" total="\d+" num_folders="\d+" num_files="\d+"\/>/)
      const trash = yield* req(emu, "GET", `/jfs/${emu.username}/Jotta/Trash`)
      assert.strictEqual(trash.status, 200)
      const links = yield* req(emu, "GET", `/jfs/${emu.username}/Jotta/Links`)
      assert.strictEqual(rootName(links.text), "searchresult")
      const latest = yield* req(emu, "GET", `/jfs/${emu.username}/Jotta/Latest?max=5&sort=updated&web=true`)
      assert.strictEqual(rootName(latest.text), "searchresult")
    })
  )

  it.effect("create device (201, also when it exists) and mountpoints (201 then 200) (§3.5)", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const d = yield* req(emu, "POST", `/jfs/${emu.username}/Laptop-Ola?type=WORKSTATION`)
      assert.strictEqual(d.status, 201)
      assert.strictEqual(rootName(d.text), "device")
      assert.include(d.text, "<type>WORKSTATION</type>")
      const again = yield* req(emu, "POST", `/jfs/${emu.username}/laptop-ola?type=WORKSTATION`)
      assert.strictEqual(again.status, 201)
      assert.include(again.text, '<name xml:space="preserve">Laptop-Ola</name>')
      const m = yield* req(emu, "POST", `/jfs/${emu.username}/Laptop-Ola/Documents`)
      assert.strictEqual(m.status, 201)
      assert.strictEqual(rootName(m.text), "mountPoint")
      assert.strictEqual(tag(m.text, "size"), "0")
      assert.include(m.text, "<modified></modified>")
      assert.notInclude(m.text, "<metadata")
      const m2 = yield* req(emu, "POST", `/jfs/${emu.username}/Laptop-Ola/Documents`)
      assert.strictEqual(m2.status, 200)
      const user = yield* req(emu, "GET", `/jfs/${emu.username}`)
      assert.include(user.text, '<name xml:space="preserve">Laptop-Ola</name>')
      const dev = yield* req(emu, "GET", `/jfs/${emu.username}/Laptop-Ola`)
      assert.include(dev.text, '<name xml:space="preserve">Documents</name>')
      // mountpoints on Jotta are allowed too
      const j = yield* req(emu, "POST", `/jfs/${emu.username}/Jotta/Extra`)
      assert.strictEqual(j.status, 201)
    })
  )

  it.effect("bearer auth: 401 XML Token mismatch on JFS, JSON on the API, upload route too", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const none = yield* req(emu, "GET", `/jfs/${emu.username}`, { auth: false })
      assert.strictEqual(none.status, 401)
      assert.strictEqual(tag(none.text, "code"), "401")
      assert.include(tag(none.text, "message") ?? "", "Token mismatch!")
      assert.strictEqual(tag(none.text, "reason"), "Unauthorized")
      const bad = yield* req(emu, "GET", `/jfs/${emu.username}/Jotta/Archive`, { auth: "nope" })
      assert.strictEqual(bad.status, 401)
      const api = yield* req(emu, "GET", "/api/account/v1/customer", { auth: "nope" })
      assert.strictEqual(api.status, 401)
      assert.strictEqual(api.json().code, 401)
      assert.isString(api.json().error_id)
      const up = yield* req(emu, "POST", "/upload/whatever", { auth: false, body: "x" })
      assert.strictEqual(up.status, 401)
      const alloc = yield* req(emu, "POST", "/api/files/v1/allocate", { auth: false, body: "{}" })
      assert.strictEqual(alloc.status, 401)
      // another user's path
      const other = yield* req(emu, "GET", "/jfs/someoneelse/Jotta")
      assert.strictEqual(other.status, 401)
      const noUser = yield* req(emu, "GET", "/jfs/")
      assert.strictEqual(noUser.status, 400)
      assert.include(tag(noUser.text, "message") ?? "", "Username not found in url!")
    })
  )

  it.effect("identity routes are mounted (discovery document under B/id)", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const r = yield* req(emu, "GET", "/id/auth/realms/jottacloud/.well-known/openid-configuration", { auth: false })
      assert.strictEqual(r.status, 200)
      assert.include(String(r.json().token_endpoint), emu.url)
      const tokenJson = JSON.parse(Buffer.from(emu.loginToken, "base64url").toString("utf8")) as Record<string, string>
      assert.include(tokenJson.well_known_link ?? "", emu.url)
    })
  )
})

describe("unknown routes", () => {
  layer(Emulator.layer())((it) => {
    it.effect("answer 404", () =>
      Effect.gen(function* () {
        const emu = yield* Emulator.Emulator
        const r = yield* call(emu, "GET", "/nothing/here")
        assert.strictEqual(r.status, 404)
      })
    )
  })
})

layer(Emulator.layer())("token expiry (own emulator)", (it) => {
  it.effect("expired access tokens get 401; issueAccessToken gives a fresh one", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const token = yield* emu.issueAccessToken()
      const ok = yield* req(emu, "GET", `/jfs/${emu.username}`, { auth: token })
      assert.strictEqual(ok.status, 200)
      yield* emu.expireAllAccessTokens
      const expired = yield* req(emu, "GET", `/jfs/${emu.username}`, { auth: token })
      assert.strictEqual(expired.status, 401)
      const fresh = yield* emu.issueAccessToken()
      const again = yield* req(emu, "GET", `/jfs/${emu.username}`, { auth: fresh })
      assert.strictEqual(again.status, 200)
    })
  )
})
