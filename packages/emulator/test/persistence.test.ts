import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { assert, describe, it } from "@effect/vitest"
import * as Emulator from "@fjord/emulator/Emulator"
import * as Effect from "effect/Effect"
import { allocate, arch, md5, postUpload, put, req, rootAttr, tag } from "./helpers.js"

const tempDir = Effect.acquireRelease(
  Effect.sync(() => Fs.mkdtempSync(Path.join(Os.tmpdir(), "fjord-emu-"))),
  (dir) => Effect.sync(() => Fs.rmSync(dir, { recursive: true, force: true }))
)

describe("persistence (--data DIR)", () => {
  it.scoped("a restart keeps files, folders, revisions, trash, shares, devices and tokens", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const first = yield* Effect.scoped(
        Effect.gen(function* () {
          const emu = yield* Emulator.make({ dataDir: dir })
          yield* put(emu, "docs/report.txt", "version one")
          yield* put(emu, "docs/report.txt", "version two")
          yield* put(emu, "docs/trashed.txt", "bye")
          yield* req(emu, "POST", `${arch(emu, "docs/trashed.txt")}?dl=true`)
          yield* req(emu, "POST", `${arch(emu, "empty folder")}?mkDir=true`)
          yield* req(emu, "POST", `/jfs/${emu.username}/Laptop?type=WORKSTATION`)
          const share = yield* req(emu, "GET", `${arch(emu, "docs/report.txt")}?mode=enableShare`)
          // an incomplete upload survives too
          yield* req(emu, "POST", "/api/files/v1/allocate", {
            body: JSON.stringify({ bytes: 10, md5: md5("0123456789"), path: "/jfs/Jotta/Archive/docs/partial.bin" })
          })
          return { token: emu.accessToken, uri: tag(share.text, "publicURI") ?? "" }
        })
      )
      assert.isTrue(Fs.existsSync(Path.join(dir, "state.json")))
      const emu = yield* Emulator.make({ dataDir: dir })
      // the access token issued before the restart is still valid
      const listing = yield* req(emu, "GET", arch(emu, "docs"), { auth: first.token })
      assert.strictEqual(listing.status, 200)
      assert.match(listing.text, /<file name="trashed.txt"[^>]*deleted=/)
      assert.include(listing.text, "<state>INCOMPLETE</state>")
      const meta = yield* req(emu, "GET", arch(emu, "docs/report.txt"))
      assert.strictEqual(tag(meta.text, "publicURI"), first.uri)
      assert.match(meta.text, /<revision>\s*<number>1<\/number>/)
      const v2 = yield* req(emu, "GET", `${arch(emu, "docs/report.txt")}?mode=bin`)
      assert.strictEqual(v2.text, "version two")
      const v1 = yield* req(emu, "GET", `${arch(emu, "docs/report.txt")}?mode=bin&revision=1`)
      assert.strictEqual(v1.text, "version one")
      const folder = yield* req(emu, "GET", arch(emu, "empty folder"))
      assert.strictEqual(folder.status, 200)
      assert.isUndefined(rootAttr(folder.text, "deleted"))
      const user = yield* req(emu, "GET", `/jfs/${emu.username}`)
      assert.include(user.text, '<name xml:space="preserve">Laptop</name>')
      const pub = yield* req(emu, "GET", `/www/opin/io/downloadPublic/${emu.username}/${first.uri}`, { auth: false })
      assert.strictEqual(pub.text, "version two")
      // dedup still works against persisted content
      const dup = yield* req(emu, "POST", "/api/files/v1/allocate", {
        body: JSON.stringify({ bytes: 11, md5: md5("version one"), path: "/jfs/Jotta/Archive/dup.txt" })
      })
      assert.strictEqual(dup.json().state, "COMPLETED")
      const purge = yield* req(emu, "POST", "/api/files/v1/purge_trash")
      assert.deepStrictEqual(purge.json(), { folders: 0, files: 1 })
    })
  )

  it.scoped(
    "a partial blob holding more than the saved progress is the progress; one longer than the file is dropped",
    () =>
      Effect.gen(function* () {
        const dir = yield* tempDir
        const data = Buffer.alloc(300_000, 7).map((_, i) => (i * 31) % 251)
        const path = "/jfs/Jotta/Archive/partial.bin"
        // an upload cut after 100,000 bytes: the saved progress is what arrived before the cut
        yield* Effect.scoped(
          Effect.gen(function* () {
            const emu = yield* Emulator.make({
              dataDir: dir,
              faults: [{ _tag: "CutRequest", afterBytes: 100_000, op: "upload" }]
            })
            const { alloc } = yield* allocate(emu, { bytes: data.byteLength, md5: md5(data), path })
            yield* Effect.either(Effect.scoped(postUpload(emu, alloc.upload_url, data).pipe(Effect.sandbox)))
          })
        )
        const blobDir = Path.join(dir, "blobs")
        const [blob] = Fs.readdirSync(blobDir).filter((b) => Fs.statSync(Path.join(blobDir, b)).size === 100_000)
        assert.isDefined(blob)
        // more bytes reached the blob after the last save (a kill -9 between write and save)
        Fs.appendFileSync(Path.join(blobDir, blob!), data.subarray(100_000, 150_000))
        yield* Effect.scoped(
          Effect.gen(function* () {
            const emu = yield* Emulator.make({ dataDir: dir })
            const { alloc } = yield* allocate(emu, { bytes: data.byteLength, md5: md5(data), path })
            assert.strictEqual(alloc.resume_pos, 150_000)
            // and a partial longer than the file is garbage: dropped at the next load
            Fs.appendFileSync(Path.join(blobDir, blob!), Buffer.alloc(200_000))
          })
        )
        const emu = yield* Emulator.make({ dataDir: dir })
        const { alloc } = yield* allocate(emu, { bytes: data.byteLength, md5: md5(data), path })
        assert.strictEqual(alloc.resume_pos, 0)
        const up = yield* postUpload(emu, alloc.upload_url, data)
        assert.strictEqual(up.status, 200)
        const back = yield* req(emu, "GET", `${arch(emu, "partial.bin")}?mode=bin`)
        assert.strictEqual(md5(back.bytes), md5(data))
      })
  )

  it.scoped("a stored blob that no longer matches its MD5 is listed CORRUPT and never deduplicated against", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const data = Buffer.from("content that will rot on disk")
      yield* Effect.scoped(Effect.flatMap(Emulator.make({ dataDir: dir }), (emu) => put(emu, "rotten.txt", data)))
      const blobDir = Path.join(dir, "blobs")
      for (const b of Fs.readdirSync(blobDir)) Fs.writeFileSync(Path.join(blobDir, b), "content that will rot on disc")
      const emu = yield* Emulator.make({ dataDir: dir })
      const meta = yield* req(emu, "GET", arch(emu, "rotten.txt"))
      assert.strictEqual(tag(meta.text, "state"), "CORRUPT")
      const { alloc } = yield* allocate(emu, {
        bytes: data.byteLength,
        md5: md5(data),
        path: "/jfs/Jotta/Archive/copy.txt"
      })
      assert.strictEqual(alloc.state, "INCOMPLETE")
    })
  )
})
