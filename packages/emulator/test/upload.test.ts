import * as Http from "node:http"
import { assert, layer } from "@effect/vitest"
import * as Emulator from "@fjord/emulator/Emulator"
import * as Effect from "effect/Effect"
import { allocate, arch, md5, postUpload, put, req, rootAttr, tag, unique } from "./helpers.js"

layer(Emulator.layer())("upload protocol", (it) => {
  it.effect("allocate INCOMPLETE, upload, JSON reply (§5.3-§5.5)", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const base = unique("up")
      const data = Buffer.from(`payload ${base}`)
      const { res, alloc } = yield* allocate(emu, {
        bytes: data.length,
        md5: md5(data),
        path: `/jfs/Jotta/Archive/${base}/deep/file.txt`,
        modified: "2024-03-01T12:00:00.123+01:00"
      })
      assert.strictEqual(res.status, 200)
      assert.strictEqual(alloc.state, "INCOMPLETE")
      assert.strictEqual(alloc.name, "file.txt")
      assert.strictEqual(alloc.path, `/jfs/Jotta/Archive/${base}/deep/file.txt`)
      assert.strictEqual(alloc.resume_pos, 0)
      assert.strictEqual(alloc.bytes, data.length)
      assert.isTrue(alloc.upload_url.startsWith(`${emu.url}/`))
      assert.isString(alloc.upload_id)
      // before the upload: only a latestRevision, INCOMPLETE
      const pending = yield* req(emu, "GET", arch(emu, `${base}/deep/file.txt`))
      assert.include(pending.text, "<latestRevision>")
      assert.notInclude(pending.text, "<currentRevision>")
      assert.strictEqual(tag(pending.text, "state"), "INCOMPLETE")
      const up = yield* postUpload(emu, alloc.upload_url, data)
      assert.strictEqual(up.status, 200)
      const j = up.json()
      assert.strictEqual(j.path, alloc.path)
      assert.strictEqual(j.bytes, data.length)
      assert.strictEqual(j.md5, md5(data))
      assert.strictEqual(j.modified, Date.parse("2024-03-01T11:00:00.123Z"))
      assert.isString(j.content_id)
      const meta = yield* req(emu, "GET", arch(emu, `${base}/deep/file.txt`))
      assert.include(meta.text, "<currentRevision>")
      assert.notInclude(meta.text, "<latestRevision>")
      assert.strictEqual(tag(meta.text, "modified"), "2024-03-01-T11:00:00Z")
      const dl = yield* req(emu, "GET", `${arch(emu, `${base}/deep/file.txt`)}?mode=bin`)
      assert.strictEqual(dl.text, data.toString())
    })
  )

  it.effect("concurrent uploads into one folder all land", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const base = unique("parallel")
      yield* Effect.forEach(
        Array.from({ length: 12 }, (_, i) => i),
        (i) => put(emu, `${base}/p${i}.txt`, `parallel ${base} ${i}`.repeat(50)),
        { concurrency: "unbounded" }
      )
      const list = yield* req(emu, "GET", `${arch(emu, base)}?mode=liststream`)
      const files = Array.from(list.text.matchAll(/<filename>p(\d+)\.txt<\/filename>/g), (m) => Number(m[1]))
      assert.deepStrictEqual(
        files.sort((a, b) => a - b),
        Array.from({ length: 12 }, (_, i) => i)
      )
      const one = yield* req(emu, "GET", `${arch(emu, `${base}/p7.txt`)}?mode=bin`)
      assert.strictEqual(one.text, `parallel ${base} 7`.repeat(50))
    })
  )

  it.effect("all three allocate path forms (§1.4)", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const base = unique("forms")
      for (const [i, path] of [
        `/jfs/Jotta/Sync/${base}/a.txt`,
        `Sync/${base}/b.txt`,
        `/Sync/${base}/c.txt`
      ].entries()) {
        const data = `form ${i} ${base}`
        const { res, alloc } = yield* allocate(emu, { bytes: data.length, md5: md5(data), path })
        assert.strictEqual(res.status, 200, path)
        assert.strictEqual(alloc.state, "INCOMPLETE")
        const up = yield* postUpload(emu, alloc.upload_url, Buffer.from(data))
        assert.strictEqual(up.status, 200)
      }
      const list = yield* req(emu, "GET", `/jfs/${emu.username}/Jotta/Sync/${base}`)
      assert.strictEqual(Array.from(list.text.matchAll(/<file name=/g)).length, 3)
    })
  )

  it.effect("dedup -> COMPLETED; identical -> COMPLETED without new revision; zero bytes -> COMPLETED", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const base = unique("dedup")
      const data = `dedup ${base}`
      yield* put(emu, `${base}/one.txt`, data)
      const dup = yield* allocate(emu, {
        bytes: data.length,
        md5: md5(data),
        path: `/jfs/Jotta/Archive/${base}/two.txt`
      })
      assert.strictEqual(dup.alloc.state, "COMPLETED")
      const two = yield* req(emu, "GET", arch(emu, `${base}/two.txt`))
      assert.strictEqual(tag(two.text, "state"), "COMPLETED")
      assert.strictEqual(tag(two.text, "md5"), md5(data))
      const same = yield* allocate(emu, {
        bytes: data.length,
        md5: md5(data),
        path: `/jfs/Jotta/Archive/${base}/one.txt`,
        modified: "2001-02-03T04:05:06Z"
      })
      assert.strictEqual(same.alloc.state, "COMPLETED")
      const one = yield* req(emu, "GET", arch(emu, `${base}/one.txt`))
      assert.strictEqual(tag(one.text, "number"), "1")
      assert.notInclude(one.text, "<revisions>")
      assert.strictEqual(tag(one.text, "modified"), "2001-02-03-T04:05:06Z")
      const empty = yield* allocate(emu, { bytes: 0, md5: md5(""), path: `/jfs/Jotta/Archive/${base}/empty.txt` })
      assert.strictEqual(empty.alloc.state, "COMPLETED")
      const e = yield* req(emu, "GET", `${arch(emu, `${base}/empty.txt`)}?mode=bin`)
      assert.strictEqual(e.status, 200)
      assert.strictEqual(e.bytes.length, 0)
      const ranged = yield* req(emu, "GET", `${arch(emu, `${base}/empty.txt`)}?mode=bin`, {
        headers: { range: "bytes=0-" }
      })
      assert.strictEqual(ranged.status, 200)
    })
  )

  it.effect("content leaves the dedup pool once nothing references it (rm, purge)", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const base = unique("pool")
      const data = `pooled ${base}`
      yield* put(emu, `${base}/a.txt`, data)
      yield* req(emu, "POST", `${arch(emu, `${base}/a.txt`)}?dl=true`)
      // a trashed file still feeds the pool
      const fromTrash = yield* allocate(emu, {
        bytes: data.length,
        md5: md5(data),
        path: `/jfs/Jotta/Archive/${base}/b.txt`
      })
      assert.strictEqual(fromTrash.alloc.state, "COMPLETED")
      yield* req(emu, "POST", `${arch(emu, `${base}/b.txt`)}?rm=true`)
      yield* req(emu, "POST", "/api/files/v1/purge_trash")
      const gone = yield* allocate(emu, {
        bytes: data.length,
        md5: md5(data),
        path: `/jfs/Jotta/Archive/${base}/c.txt`
      })
      assert.strictEqual(gone.alloc.state, "INCOMPLETE")
    })
  )

  it.effect("overwrites create revisions; older ones listed and downloadable (?revision=N)", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const base = unique("rev")
      yield* put(emu, `${base}/r.txt`, "version one")
      yield* put(emu, `${base}/r.txt`, "version two!")
      yield* put(emu, `${base}/r.txt`, "version three")
      const meta = yield* req(emu, "GET", arch(emu, `${base}/r.txt`))
      const current = /<currentRevision>[\s\S]*?<\/currentRevision>/.exec(meta.text)?.[0] ?? ""
      assert.strictEqual(tag(current, "number"), "3")
      const numbers = Array.from(meta.text.matchAll(/<revision>\s*<number>(\d+)<\/number>/g), (m) => m[1])
      assert.deepStrictEqual(numbers, ["2", "1"])
      const v1 = yield* req(emu, "GET", `${arch(emu, `${base}/r.txt`)}?mode=bin&revision=1`)
      assert.strictEqual(v1.text, "version one")
      const v3 = yield* req(emu, "GET", `${arch(emu, `${base}/r.txt`)}?mode=bin`)
      assert.strictEqual(v3.text, "version three")
      const none = yield* req(emu, "GET", `${arch(emu, `${base}/r.txt`)}?mode=bin&revision=9`)
      assert.strictEqual(none.status, 404)
    })
  )

  it.effect("resume: partial body kept (420), allocate reports resume_pos, Range POST completes", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const base = unique("resume")
      const data = Buffer.from(`0123456789 resumable ${base}`)
      const path = `/jfs/Jotta/Archive/${base}/big.bin`
      const first = yield* allocate(emu, { bytes: data.length, md5: md5(data), path })
      const part = yield* postUpload(emu, first.alloc.upload_url, data.subarray(0, 10), {
        range: `bytes=0-9/${data.length}`
      })
      assert.strictEqual(part.status, 420)
      assert.strictEqual(part.json().error_id, "IncompleteUploadOpenApiException")
      const meta = yield* req(emu, "GET", arch(emu, `${base}/big.bin`))
      assert.strictEqual(tag(meta.text, "size"), "10")
      const second = yield* allocate(emu, { bytes: data.length, md5: md5(data), path })
      assert.strictEqual(second.alloc.state, "INCOMPLETE")
      assert.strictEqual(second.alloc.resume_pos, 10)
      const tooFar = yield* postUpload(emu, second.alloc.upload_url, data.subarray(12), {
        range: `bytes=12-${data.length - 1}`
      })
      assert.strictEqual(tooFar.status, 416)
      const rest = yield* postUpload(emu, second.alloc.upload_url, data.subarray(10), {
        range: `bytes=10-${data.length - 1}`
      })
      assert.strictEqual(rest.status, 200)
      const dl = yield* req(emu, "GET", `${arch(emu, `${base}/big.bin`)}?mode=bin`)
      assert.strictEqual(dl.text, data.toString())
      // the old upload URL is superseded
      const stale = yield* postUpload(emu, first.alloc.upload_url, data)
      assert.strictEqual(stale.status, 404)
    })
  )

  it.effect("a client that disconnects mid-body leaves its bytes as resume progress", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const base = unique("disconnect")
      const data = Buffer.alloc(256 * 1024, 7)
      const path = `/jfs/Jotta/Archive/${base}/d.bin`
      const { alloc } = yield* allocate(emu, { bytes: data.length, md5: md5(data), path })
      yield* Effect.async<void>((resume) => {
        const u = new URL(alloc.upload_url)
        const r = Http.request({
          hostname: u.hostname,
          port: u.port,
          path: u.pathname,
          method: "POST",
          headers: { authorization: `Bearer ${emu.accessToken}`, "content-length": String(data.length) }
        })
        r.on("error", () => {})
        r.write(data.subarray(0, 100_000), () => {
          setTimeout(() => {
            r.destroy()
            resume(Effect.void)
          }, 100)
        })
      })
      let resumePos = 0
      for (let i = 0; i < 50 && resumePos === 0; i++) {
        yield* Effect.promise(() => new Promise((r) => setTimeout(r, 20)))
        resumePos = (yield* allocate(emu, { bytes: data.length, md5: md5(data), path })).alloc.resume_pos
      }
      assert.strictEqual(resumePos, 100_000)
      const again = yield* allocate(emu, { bytes: data.length, md5: md5(data), path })
      const rest = yield* postUpload(emu, again.alloc.upload_url, data.subarray(resumePos), {
        range: `bytes=${resumePos}-${data.length - 1}`
      })
      assert.strictEqual(rest.status, 200)
    })
  )

  it.effect("MD5 mismatch -> 400 CorruptUploadOpenApiException and a CORRUPT latestRevision", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const base = unique("corrupt")
      const declared = `good content ${base}`
      const { alloc } = yield* allocate(emu, {
        bytes: declared.length,
        md5: md5(declared),
        path: `/jfs/Jotta/Archive/${base}/c.txt`
      })
      const bad = Buffer.from(declared.replace("good", "evil"))
      const up = yield* postUpload(emu, alloc.upload_url, bad)
      assert.strictEqual(up.status, 400)
      assert.strictEqual(up.json().error_id, "CorruptUploadOpenApiException")
      const meta = yield* req(emu, "GET", arch(emu, `${base}/c.txt`))
      assert.include(meta.text, "<latestRevision>")
      assert.strictEqual(tag(meta.text, "state"), "CORRUPT")
      const list = yield* req(emu, "GET", arch(emu, base))
      assert.include(list.text, "<state>CORRUPT</state>")
    })
  )

  it.effect("allocate creates parents and revives trashed ones; the upload revives the file", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const base = unique("revive")
      yield* put(emu, `${base}/dir/f.txt`, "first")
      yield* req(emu, "POST", `${arch(emu, `${base}/dir`)}?dlDir=true`)
      yield* put(emu, `${base}/dir/f.txt`, `second ${base}`)
      const dir = yield* req(emu, "GET", arch(emu, `${base}/dir`))
      assert.isUndefined(rootAttr(dir.text, "deleted"))
      const f = yield* req(emu, "GET", arch(emu, `${base}/dir/f.txt`))
      assert.isUndefined(rootAttr(f.text, "deleted"))
      assert.strictEqual(tag(f.text, "number"), "2")
    })
  )

  it.effect("more bytes than allocated -> CORRUPT; allocate onto a folder -> 400", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const base = unique("overflow")
      const data = `exact ${base}`
      const { alloc } = yield* allocate(emu, {
        bytes: data.length,
        md5: md5(data),
        path: `/jfs/Jotta/Archive/${base}/o.txt`
      })
      const up = yield* postUpload(emu, alloc.upload_url, Buffer.from(`${data} and more`))
      assert.strictEqual(up.status, 400)
      assert.strictEqual(up.json().error_id, "CorruptUploadOpenApiException")
      yield* req(emu, "POST", `${arch(emu, `${base}/dir`)}?mkDir=true`)
      const onto = yield* allocate(emu, { bytes: 3, md5: md5("abc"), path: `/jfs/Jotta/Archive/${base}/dir` })
      assert.strictEqual(onto.res.status, 400)
      assert.strictEqual(onto.res.json().error_id, "UniqueFileException")
    })
  )

  it.effect("conflict_handler REJECT_CONFLICTS -> 409 on a live file with other content", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const base = unique("conflict")
      yield* put(emu, `${base}/c.txt`, "first")
      const body = (content: string, handler: string) =>
        JSON.stringify({
          bytes: content.length,
          md5: md5(content),
          path: `/jfs/Jotta/Archive/${base}/c.txt`,
          conflict_handler: handler
        })
      const rejected = yield* req(emu, "POST", "/api/files/v1/allocate", { body: body("second", "REJECT_CONFLICTS") })
      assert.strictEqual(rejected.status, 409)
      assert.strictEqual(rejected.json().error_id, "UniqueFileException")
      const same = yield* req(emu, "POST", "/api/files/v1/allocate", { body: body("first", "REJECT_CONFLICTS") })
      assert.strictEqual(same.json().state, "COMPLETED")
      const newRev = yield* req(emu, "POST", "/api/files/v1/allocate", { body: body("second", "CREATE_NEW_REVISION") })
      assert.strictEqual(newRev.json().state, "INCOMPLETE")
    })
  )

  it.effect("bad allocate bodies -> 400 JSON", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const r = yield* req(emu, "POST", "/api/files/v1/allocate", { body: "not json" })
      assert.strictEqual(r.status, 400)
      assert.strictEqual(r.json().error_id, "InvalidArgumentException")
      const noMd5 = yield* req(emu, "POST", "/api/files/v1/allocate", {
        body: JSON.stringify({ bytes: 3, path: "/jfs/Jotta/Archive/x" })
      })
      assert.strictEqual(noMd5.status, 400)
      const badDevice = yield* req(emu, "POST", "/api/files/v1/allocate", {
        body: JSON.stringify({ bytes: 3, md5: md5("abc"), path: "/jfs/Nope/Archive/x" })
      })
      assert.strictEqual(badDevice.status, 404)
    })
  )
})

layer(Emulator.layer({ quotaBytes: 20 }))("quota", (it) => {
  it.effect("uploads beyond a finite capacity -> 460 JSON and quota-write-locked", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      yield* put(emu, "q/a.bin", "0123456789abcdef")
      const user = yield* req(emu, "GET", `/jfs/${emu.username}`)
      assert.strictEqual(tag(user.text, "capacity"), "20")
      assert.strictEqual(tag(user.text, "usage"), "16")
      const { res } = yield* allocate(emu, { bytes: 10, md5: md5("0123456789"), path: "/jfs/Jotta/Archive/q/b.bin" })
      assert.strictEqual(res.status, 460)
      assert.strictEqual(res.json().code, 460)
      assert.isString(res.json().error_id)
      const locked = yield* req(emu, "GET", `/jfs/${emu.username}`)
      assert.strictEqual(tag(locked.text, "quota-write-locked"), "true")
      const cust = yield* req(emu, "GET", "/api/account/v1/customer")
      assert.strictEqual(cust.json().quota, 20)
      yield* req(emu, "POST", `${arch(emu, "q/a.bin")}?rm=true`)
      const unlocked = yield* req(emu, "GET", `/jfs/${emu.username}`)
      assert.strictEqual(tag(unlocked.text, "quota-write-locked"), "false")
      const ok = yield* allocate(emu, { bytes: 10, md5: md5("0123456789"), path: "/jfs/Jotta/Archive/q/b.bin" })
      assert.strictEqual(ok.res.status, 200)
    })
  )
})
