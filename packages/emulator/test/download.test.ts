import * as Zlib from "node:zlib"
import { assert, layer } from "@effect/vitest"
import * as Emulator from "@fjord/emulator/Emulator"
import * as Effect from "effect/Effect"
import { arch, checkListStream, put, req, tag, unique } from "./helpers.js"

layer(Emulator.layer())("downloads, liststream, public links", (it) => {
  it.effect("mode=bin: 200 with length and mime; ranges 206; 416; folders and missing 404 (§4.8)", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const base = unique("bin")
      const body = "0123456789abcdefghij"
      yield* put(emu, `${base}/data.json`, body)
      const url = `${arch(emu, `${base}/data.json`)}?mode=bin`
      const full = yield* req(emu, "GET", url)
      assert.strictEqual(full.status, 200)
      assert.strictEqual(full.text, body)
      assert.strictEqual(full.headers.get("content-length"), "20")
      assert.strictEqual(full.headers.get("content-type"), "application/json")
      const cases: Array<[string, string, string]> = [
        ["bytes=2-5", "2345", "bytes 2-5/20"],
        ["bytes=15-", "fghij", "bytes 15-19/20"],
        ["bytes=-3", "hij", "bytes 17-19/20"],
        ["bytes=18-99", "ij", "bytes 18-19/20"]
      ]
      for (const [range, text, contentRange] of cases) {
        const r = yield* req(emu, "GET", url, { headers: { range } })
        assert.strictEqual(r.status, 206, range)
        assert.strictEqual(r.text, text, range)
        assert.strictEqual(r.headers.get("content-range"), contentRange)
        assert.strictEqual(r.headers.get("content-length"), String(text.length))
      }
      const bad = yield* req(emu, "GET", url, { headers: { range: "bytes=20-" } })
      assert.strictEqual(bad.status, 416)
      assert.strictEqual(bad.headers.get("content-range"), "bytes */20")
      const folder = yield* req(emu, "GET", `${arch(emu, base)}?mode=bin`)
      assert.strictEqual(folder.status, 404)
      const missing = yield* req(emu, "GET", `${arch(emu, `${base}/nope`)}?mode=bin`)
      assert.strictEqual(missing.status, 404)
      assert.strictEqual(tag(missing.text, "code"), "404")
      // a trashed file still downloads at its original path
      yield* req(emu, "POST", `${arch(emu, `${base}/data.json`)}?dl=true`)
      const trashed = yield* req(emu, "GET", url)
      assert.strictEqual(trashed.status, 200)
    })
  )

  it.effect("liststream: compact, folder before its files, stats last, rclone's check passes (§4.9)", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const base = unique("ls")
      yield* put(emu, `${base}/photos/2020/beach.jpg`, "beach", { modified: "2020-07-14T16:02:11.5Z" })
      yield* put(emu, `${base}/photos/a & b.txt`, "amp")
      yield* put(emu, `${base}/photos/gone.txt`, "gone")
      yield* req(emu, "POST", `${arch(emu, `${base}/photos/gone.txt`)}?dl=true`)
      yield* req(emu, "POST", `${arch(emu, `${base}/photos/empty`)}?mkDir=true`)
      yield* put(emu, `${base}/photos/trashdir/x.txt`, "x")
      yield* req(emu, "POST", `${arch(emu, `${base}/photos/trashdir`)}?dlDir=true`)
      // an incomplete upload is not listed
      yield* req(emu, "POST", "/api/files/v1/allocate", {
        body: JSON.stringify({
          bytes: 5,
          md5: "0123456789abcdef0123456789abcdef",
          path: `/jfs/Jotta/Archive/${base}/photos/pending.bin`
        })
      })
      const r = yield* req(emu, "GET", `${arch(emu, `${base}/photos`)}?mode=liststream`)
      assert.strictEqual(r.status, 200)
      assert.match(r.headers.get("content-type") ?? "", /xml/)
      assert.notInclude(r.text, "\n")
      assert.isTrue(r.text.startsWith('<?xml version="1.0" encoding="UTF-8"?>'))
      assert.isTrue(r.text.endsWith("</stats></liststream>"))
      const prefix = `/Archive/${base}/photos`
      const check = checkListStream(r.text, prefix)
      assert.isTrue(check.ok, JSON.stringify(check))
      assert.deepStrictEqual(check.expected, { folders: 3, files: 2 })
      assert.deepStrictEqual(
        check.entries.map((e) => (e.kind === "file" ? `${e.path}/${e.name}` : `${e.path}/`)),
        ["/", "/a &amp; b.txt", "2020/", "2020/beach.jpg", "empty/"]
      )
      assert.include(r.text, "<modified>2020-07-14T16:02:11.500Z</modified>")
      assert.notInclude(r.text, "gone.txt")
      assert.notInclude(r.text, "pending.bin")
      assert.notInclude(r.text, "trashdir")
      assert.notInclude(r.text, "<mime>")
      // at mountpoint level the paths start at /<mountpoint>
      const root = yield* req(emu, "GET", `/jfs/${emu.username}/Jotta/Archive?mode=liststream`)
      assert.isTrue(checkListStream(root.text, "/Archive").ok)
      assert.include(root.text, "<folder><path>/Archive</path></folder>")
      const missing = yield* req(emu, "GET", `${arch(emu, `${base}/nope`)}?mode=liststream`)
      assert.strictEqual(missing.status, 404)
    })
  )

  it.effect("liststream of a larger tree streams (chunked) and stays consistent", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const base = unique("many")
      for (let d = 0; d < 5; d++) {
        for (let f = 0; f < 20; f++) yield* put(emu, `${base}/d${d}/sub/f${f}.txt`, `${d}/${f}`)
      }
      const r = yield* req(emu, "GET", `${arch(emu, base)}?mode=liststream`)
      assert.isNull(r.headers.get("content-length"))
      const check = checkListStream(r.text, `/Archive/${base}`)
      assert.isTrue(check.ok)
      assert.deepStrictEqual(check.expected, { folders: 11, files: 100 })
    })
  )

  it.effect("enableShare/disableShare (GET) and the public download without auth (§4.10)", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const base = unique("share")
      yield* put(emu, `${base}/doc.txt`, "shared content")
      const on = yield* req(emu, "GET", `${arch(emu, `${base}/doc.txt`)}?mode=enableShare`)
      assert.strictEqual(on.status, 200)
      const uri = tag(on.text, "publicURI") ?? ""
      assert.match(uri, /^[0-9a-f]{32}$/)
      assert.strictEqual(tag(on.text, "publicSharePath"), `s/${uri}`)
      const again = yield* req(emu, "GET", `${arch(emu, `${base}/doc.txt`)}?mode=enableShare`)
      assert.strictEqual(tag(again.text, "publicURI"), uri)
      const links = yield* req(emu, "GET", `/jfs/${emu.username}/Jotta/Links`)
      assert.include(links.text, `<publicURI>${uri}</publicURI>`)
      const pub = yield* req(emu, "GET", `/www/opin/io/downloadPublic/${emu.username}/${uri}`, { auth: false })
      assert.strictEqual(pub.status, 200)
      assert.strictEqual(pub.text, "shared content")
      const off = yield* req(emu, "GET", `${arch(emu, `${base}/doc.txt`)}?mode=disableShare`)
      assert.strictEqual(off.status, 200)
      assert.isUndefined(tag(off.text, "publicURI"))
      const dead = yield* req(emu, "GET", `/www/opin/io/downloadPublic/${emu.username}/${uri}`, { auth: false })
      assert.strictEqual(dead.status, 404)
      const missing = yield* req(emu, "GET", `${arch(emu, `${base}/nope.txt`)}?mode=enableShare`)
      assert.strictEqual(missing.status, 404)
    })
  )

  it.effect("a shared folder downloads as a zip archive", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const base = unique("zip")
      yield* put(emu, `${base}/dir/a.txt`, "alpha")
      yield* put(emu, `${base}/dir/sub/b.txt`, "bravo")
      const on = yield* req(emu, "GET", `${arch(emu, `${base}/dir`)}?mode=enableShare`)
      const uri = tag(on.text, "publicURI") ?? ""
      assert.match(uri, /^[0-9a-f]{32}$/)
      const z = yield* req(emu, "GET", `/www/opin/io/downloadPublic/${emu.username}/${uri}`, { auth: false })
      assert.strictEqual(z.status, 200)
      assert.strictEqual(z.headers.get("content-type"), "application/zip")
      const buf = Buffer.from(z.bytes)
      assert.strictEqual(buf.readUInt32LE(0), 0x04034b50)
      const eocd = buf.length - 22
      assert.strictEqual(buf.readUInt32LE(eocd), 0x06054b50)
      assert.strictEqual(buf.readUInt16LE(eocd + 10), 2)
      // walk the central directory and check names and CRCs
      let p = buf.readUInt32LE(eocd + 16)
      const names: Array<string> = []
      for (let i = 0; i < 2; i++) {
        const nameLen = buf.readUInt16LE(p + 28)
        const crc = buf.readUInt32LE(p + 16)
        const size = buf.readUInt32LE(p + 24)
        const local = buf.readUInt32LE(p + 42)
        const name = buf.subarray(p + 46, p + 46 + nameLen).toString("utf8")
        names.push(name)
        const dataStart = local + 30 + buf.readUInt16LE(local + 26)
        const data = buf.subarray(dataStart, dataStart + size)
        assert.strictEqual(Zlib.crc32(data) >>> 0, crc)
        p += 46 + nameLen
      }
      assert.deepStrictEqual(names.sort(), ["dir/a.txt", "dir/sub/b.txt"])
    })
  )
})
