import { assert, describe, layer } from "@effect/vitest"
import * as Emulator from "@fjord/emulator/Emulator"
import * as Chunk from "effect/Chunk"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as FastCheck from "effect/FastCheck"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"
import * as ContentHasher from "../src/ContentHasher.js"
import * as UploadSource from "../src/UploadSource.js"
import { AuthStats, bytes, collect, Files, fastRetry, makeEnv, md5Hex, RetryPolicy, text } from "./utils.js"

const mtime = DateTime.unsafeMake("2024-03-01T11:00:00Z")
const put = (path: Files.Path, content: string | Uint8Array, modified = mtime) =>
  Effect.flatMap(Files.Files, (f) =>
    f.upload(path, UploadSource.fromUint8Array(typeof content === "string" ? bytes(content) : content), { modified })
  )
const get = (path: Files.Path, options?: Files.DownloadOptions) =>
  Effect.flatMap(Files.Files, (f) => Effect.map(collect(f.download(path, options)), text))
const names = (entries: ReadonlyArray<Files.Entry>) =>
  entries.map((e) => `${e._tag === "Folder" ? "d" : "f"}:${e.name}`)
const log = Effect.flatMap(Emulator.Emulator, (e) => e.requests)
const clearLog = Effect.flatMap(Emulator.Emulator, (e) => e.clearRequests)
const ops = (entries: ReadonlyArray<Emulator.RequestLog>) => entries.map((r) => r.op)
/** The statuses the emulator answered to `op`, in order. */
const statusesOf = (op: string) => Effect.map(log, (l) => l.filter((r) => r.op === op).map((r) => r.status))

/** Random bytes (deterministic, incompressible enough for the emulator). */
const blob = (n: number, seed = 1): Uint8Array => {
  const out = new Uint8Array(n)
  let x = seed
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff
    out[i] = x >> 16
  }
  return out
}

layer(makeEnv(), { excludeTestServices: true })("Files", (it) => {
  it.effect("upload from an uninterruptible region (as a plain HttpApp handler runs) completes", () =>
    Effect.gen(function* () {
      // the streamed data POST races a stall watchdog; the race must not inherit the caller's
      // uninterruptibility, or it waits for ever to stop the losing watchdog
      const content = blob(100_000, 7)
      const info = yield* Effect.disconnect(Effect.uninterruptible(put("uninterruptible/a.bin", content))).pipe(
        Effect.timeoutFail({ duration: "10 seconds", onTimeout: () => "upload hung" })
      )
      assert.strictEqual(info.size, content.length)
      assert.strictEqual(info.md5, md5Hex(content))
    })
  )

  it.effect("upload → stat → download → list", () =>
    Effect.gen(function* () {
      const files = yield* Files.Files
      const info = yield* put("basic/hello.txt", "hello, world\n")
      assert.strictEqual(info.name, "hello.txt")
      assert.strictEqual(info.path, "basic/hello.txt")
      assert.strictEqual(info.size, 13)
      assert.strictEqual(info.md5, md5Hex("hello, world\n"))
      assert.strictEqual(info.contentType, "text/plain")
      assert.deepStrictEqual(Option.map(info.modified, DateTime.formatIso), Option.some("2024-03-01T11:00:00.000Z"))
      assert.deepStrictEqual(info.created, info.modified)
      assert.isTrue(Option.isSome(info.updated))
      const again = yield* files.stat("basic/hello.txt")
      assert.strictEqual(again.md5, info.md5)
      assert.strictEqual(yield* get("basic/hello.txt"), "hello, world\n")
      assert.strictEqual(yield* get("basic/hello.txt", { range: { start: 7, end: 12 } }), "world")
      assert.deepStrictEqual(names(yield* files.list("basic")), ["f:hello.txt"])
      const born = DateTime.unsafeMake("2001-02-03T04:05:06Z")
      const both = yield* files.upload("basic/times.txt", UploadSource.fromUint8Array(bytes("t")), {
        modified: mtime,
        created: born
      })
      assert.deepStrictEqual(both.created, Option.some(born))
      assert.deepStrictEqual(both.modified, Option.some(mtime))
    })
  )

  it.effect("stat: NotFound, IsADirectory, NotAFile", () =>
    Effect.gen(function* () {
      const files = yield* Files.Files
      yield* files.mkdir("statdir/sub")
      const e1 = yield* Effect.flip(files.stat("statdir/missing.txt"))
      assert.strictEqual(e1._tag, "NotFound")
      assert.strictEqual(e1._tag === "NotFound" ? e1.status : 0, 404)
      assert.strictEqual((yield* Effect.flip(files.stat("statdir/sub")))._tag, "IsADirectory")
      assert.strictEqual((yield* Effect.flip(files.stat("")))._tag, "NotAFile")
      assert.strictEqual((yield* Effect.flip(files.list("statdir/nope")))._tag, "NotFound")
      yield* put("statdir/f.txt", "x")
      assert.strictEqual((yield* Effect.flip(files.list("statdir/f.txt")))._tag, "NotAFile")
      assert.strictEqual((yield* Effect.flip(Stream.runDrain(files.download("statdir/none"))))._tag, "NotFound")
    })
  )

  it.effect("mkdir creates parents, is idempotent, sends command POSTs without body or Content-Type", () =>
    Effect.gen(function* () {
      const files = yield* Files.Files
      yield* clearLog
      yield* files.mkdir("mk/a/b/c")
      yield* files.mkdir("mk/a/b/c")
      assert.deepStrictEqual(names(yield* files.list("mk/a/b")), ["d:c"])
      const posts = (yield* log).filter((r) => r.op === "mkDir")
      assert.strictEqual(posts.length, 1)
      assert.strictEqual(posts[0]?.requestBytes, 0)
      assert.isUndefined(posts[0]?.headers["content-type"])
    })
  )

  it.effect("case collisions are InvalidName before the mutating request", () =>
    Effect.gen(function* () {
      const files = yield* Files.Files
      yield* files.mkdir("case/Photos")
      yield* put("case/Notes.txt", "n")
      yield* put("case/other.txt", "o")
      yield* clearLog
      const e1 = yield* Effect.flip(files.mkdir("case/photos"))
      assert.strictEqual(e1._tag, "InvalidName")
      assert.strictEqual(e1._tag === "InvalidName" ? e1.reason : "", "CaseCollision")
      const e2 = yield* Effect.flip(files.copy("case/other.txt", "case/notes.TXT"))
      assert.strictEqual(e2._tag === "InvalidName" ? e2.reason : "", "CaseCollision")
      const e3 = yield* Effect.flip(files.move("case/other.txt", "case/NOTES.txt"))
      assert.strictEqual(e3._tag === "InvalidName" ? e3.reason : "", "CaseCollision")
      assert.deepStrictEqual(
        ops(yield* log).filter((o) => o === "mkDir" || o === "cp" || o === "mv"),
        []
      )
      // renaming a file to a case variant of itself is allowed
      const renamed = yield* files.move("case/Notes.txt", "case/notes.txt")
      assert.strictEqual(renamed.name, "notes.txt")
    })
  )

  it.effect("names longer than 255 wire units fail before any request", () =>
    Effect.gen(function* () {
      const files = yield* Files.Files
      yield* files.list("")
      yield* clearLog
      const e = yield* Effect.flip(put(`long/${"a".repeat(256)}`, "x"))
      assert.strictEqual(e._tag === "InvalidName" ? e.reason : "", "TooLong")
      // 85 colons become 85 fullwidth colons: 255 units, fine; one more is too long
      const ok = yield* put(`long/${":".repeat(85)}`, "y")
      assert.strictEqual(ok.name, ":".repeat(85))
      yield* clearLog
      const e2 = yield* Effect.flip(files.mkdir(`long/${"é".repeat(256)}`))
      assert.strictEqual(e2._tag === "InvalidName" ? e2.reason : "", "TooLong")
      assert.deepStrictEqual(yield* log, [])
    })
  )

  it.effect("special characters: '+', '%', ':', spaces, invalid UTF-8 round-trip", () =>
    Effect.gen(function* () {
      const files = yield* Files.Files
      yield* put("chars/Notepad++/a&b;c=d @x$.txt", "1")
      yield* put("chars/100% done (v2)!/it's #1*.txt", "2")
      yield* put(["chars", "a/b:c?.txt"], "3")
      yield* put(["chars", new Uint8Array([0x62, 0x61, 0x64, 0xfe])], "4")
      assert.strictEqual(yield* get("chars/Notepad++/a&b;c=d @x$.txt"), "1")
      assert.strictEqual(yield* get("chars/100% done (v2)!/it's #1*.txt"), "2")
      const entries = yield* files.list("chars")
      assert.deepStrictEqual(names(entries), ["d:100% done (v2)!", "d:Notepad++", "f:a/b:c?.txt", "f:bad\ufffd"])
      const bad = entries.find((e) => e.name === "bad\ufffd")!
      assert.deepStrictEqual(bad.nameBytes, new Uint8Array([0x62, 0x61, 0x64, 0xfe]))
      assert.strictEqual(bad.wireName, "bad\u201bFE")
      // the entry's wire path addresses it verbatim
      assert.strictEqual(yield* get(bad), "4")
      const slash = entries.find((e) => e.name === "a/b:c?.txt")!
      assert.strictEqual(yield* get(slash), "3")
    })
  )

  it.effect("empty files; a source whose MD5 is wrong is UploadFailed (Corrupt), not retried", () =>
    Effect.gen(function* () {
      const files = yield* Files.Files
      const empty = yield* put("up/empty.txt", "")
      assert.strictEqual(empty.size, 0)
      assert.strictEqual(yield* get("up/empty.txt"), "")
      yield* clearLog
      const source = UploadSource.make({
        size: 5,
        stream: Stream.succeed(bytes("hello")),
        md5: ContentHasher.md5FromString(md5Hex("world"))
      })
      const e = yield* Effect.flip(files.upload("up/corrupt.txt", source))
      assert.strictEqual(e._tag, "UploadFailed")
      assert.strictEqual(e._tag === "UploadFailed" ? e.reason : "", "Corrupt")
      assert.strictEqual(ops(yield* log).filter((o) => o === "upload").length, 1)
      yield* clearLog
      const short = UploadSource.make({ size: 10, stream: Stream.succeed(bytes("short")) })
      const e2 = yield* Effect.flip(files.upload("up/short.txt", short))
      assert.strictEqual(e2._tag === "UploadFailed" ? e2.reason : "", "SizeMismatch")
      assert.deepStrictEqual(yield* log, [])
    })
  )

  it.effect("dedup upload sends no body", () =>
    Effect.gen(function* () {
      yield* put("dedup/one.bin", blob(3000, 7))
      yield* clearLog
      const info = yield* put("dedup/two.bin", blob(3000, 7))
      assert.strictEqual(info.size, 3000)
      const entries = yield* log
      assert.deepStrictEqual(
        ops(entries).filter((o) => o === "allocate" || o === "upload"),
        ["allocate"]
      )
      assert.strictEqual(yield* Effect.map(get("dedup/two.bin"), (s) => s.length > 0), true)
    })
  )

  it.effect("a broken upload is resumed from resume_pos", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const content = blob(40_000, 3)
      yield* clearLog
      yield* emu.inject({ _tag: "CutRequest", op: "upload", afterBytes: 16_384, times: 1 })
      const info = yield* RetryPolicy.withPolicy(put("resume/big.bin", content), fastRetry)
      assert.strictEqual(info.size, 40_000)
      assert.strictEqual(info.md5, md5Hex(content))
      const uploads = (yield* log).filter((r) => r.op === "upload")
      assert.strictEqual(uploads.length, 2)
      assert.isTrue(uploads[0]!.connectionCut)
      const range = uploads[1]!.headers.range ?? ""
      const from = Number(/^bytes=(\d+)-39999$/.exec(range)?.[1] ?? -1)
      assert.isTrue(from > 0 && from <= 16_384, `resumed from ${range}`)
      assert.strictEqual(uploads[1]!.requestBytes, 40_000 - from)
      const down = yield* Effect.flatMap(Files.Files, (f) => collect(f.download("resume/big.bin")))
      assert.deepStrictEqual(down, content)
    })
  )

  it.effect("allocate failing (503) or losing its reply restarts the upload sequence", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      yield* clearLog
      yield* emu.inject({ _tag: "Status", status: 503, op: "allocate", times: 1 })
      const a = yield* RetryPolicy.withPolicy(put("alloc/a.bin", blob(2000, 21)), fastRetry)
      assert.strictEqual(a.size, 2000)
      assert.deepStrictEqual(yield* statusesOf("allocate"), [503, 200])
      yield* clearLog
      yield* emu.inject({ _tag: "LostReply", op: "allocate", times: 1 })
      const b = yield* RetryPolicy.withPolicy(put("alloc/b.bin", blob(2000, 22)), fastRetry)
      assert.strictEqual(b.md5, md5Hex(blob(2000, 22)))
      assert.strictEqual(ops(yield* log).filter((o) => o === "allocate").length, 2)
      assert.strictEqual(ops(yield* log).filter((o) => o === "upload").length, 1)
    })
  )

  it.effect("a download that breaks off is resumed with a Range request", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const content = blob(30_000, 11)
      yield* put("dl/big.bin", content)
      yield* clearLog
      yield* emu.inject({ _tag: "CutResponse", op: "download", afterBytes: 12_000, times: 1 })
      const down = yield* RetryPolicy.withPolicy(
        Effect.flatMap(Files.Files, (f) => collect(f.download("dl/big.bin"))),
        fastRetry
      )
      assert.deepStrictEqual(down, content)
      const downloads = (yield* log).filter((r) => r.op === "download")
      assert.strictEqual(downloads.length, 2)
      assert.match(downloads[1]!.headers.range ?? "", /^bytes=\d+-$/)
      // a ranged download resumes within its range
      yield* emu.inject({ _tag: "CutResponse", op: "download", afterBytes: 5_000, times: 1 })
      const part = yield* RetryPolicy.withPolicy(
        Effect.flatMap(Files.Files, (f) => collect(f.download("dl/big.bin", { range: { start: 1000, end: 21_000 } }))),
        fastRetry
      )
      assert.deepStrictEqual(part, content.subarray(1000, 21_000))
    })
  )

  it.effect("429 then success; 503 three times then success", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const files = yield* Files.Files
      yield* put("retry/r.txt", "retry me")
      yield* clearLog
      yield* emu.inject({ _tag: "Status", status: 429, op: "get", times: 1, retryAfter: 0 })
      const info = yield* RetryPolicy.withPolicy(files.stat("retry/r.txt"), fastRetry)
      assert.strictEqual(info.size, 8)
      assert.deepStrictEqual(yield* statusesOf("get"), [429, 200])
      yield* clearLog
      yield* emu.inject({ _tag: "Status", status: 503, op: "download", times: 3 })
      assert.strictEqual(yield* RetryPolicy.withPolicy(get("retry/r.txt"), fastRetry), "retry me")
      assert.deepStrictEqual(yield* statusesOf("download"), [503, 503, 503, 200])
      yield* emu.inject({ _tag: "Status", status: 503, op: "get", times: 1 })
      const e = yield* Effect.flip(RetryPolicy.withPolicy(files.stat("retry/r.txt"), RetryPolicy.none))
      assert.strictEqual(e._tag, "ServerError")
    })
  )

  it.effect("a move whose reply is lost is checked, not blindly repeated", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const files = yield* Files.Files
      yield* put("lost/a.txt", "moving")
      yield* clearLog
      yield* emu.inject({ _tag: "LostReply", op: "mv", times: 1 })
      const info = yield* RetryPolicy.withPolicy(files.move("lost/a.txt", "lost/b.txt"), fastRetry)
      assert.strictEqual(info.name, "b.txt")
      assert.strictEqual(yield* get("lost/b.txt"), "moving")
      assert.strictEqual(ops(yield* log).filter((o) => o === "mv").length, 1)
    })
  )

  it.effect("401 → invalidate → one retry carrying the new token", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const files = yield* Files.Files
      const stats = yield* AuthStats
      yield* put("auth/a.txt", "a")
      const before = yield* Ref.get(stats.invalidations)
      yield* emu.expireAllAccessTokens
      yield* clearLog
      const info = yield* files.stat("auth/a.txt")
      assert.strictEqual(info.size, 1)
      assert.strictEqual(yield* Ref.get(stats.invalidations), before + 1)
      assert.deepStrictEqual(
        (yield* log).map((r) => r.status),
        [401, 200]
      )
    })
  )

  it.effect("remove → trash → listTrash → restore; rmdir; purge", () =>
    Effect.gen(function* () {
      const files = yield* Files.Files
      yield* put("rm/keep/a.txt", "a")
      yield* put("rm/b.txt", "b")
      yield* files.remove("rm/b.txt")
      assert.strictEqual((yield* Effect.flip(files.stat("rm/b.txt")))._tag, "NotFound")
      assert.deepStrictEqual(names(yield* files.list("rm")), ["d:keep"])
      assert.deepStrictEqual(names(yield* files.listTrash("rm")), ["d:keep", "f:b.txt"])
      const restored = yield* files.restore("rm/b.txt")
      assert.strictEqual(restored.size, 1)
      assert.strictEqual(yield* get("rm/b.txt"), "b")
      assert.strictEqual((yield* Effect.flip(files.remove("rm/keep")))._tag, "IsADirectory")
      assert.strictEqual((yield* Effect.flip(files.rmdir("rm/keep")))._tag, "DirectoryNotEmpty")
      assert.strictEqual((yield* Effect.flip(files.rmdir("")))._tag, "InvalidName")
      yield* files.mkdir("rm/empty")
      yield* files.rmdir("rm/empty")
      assert.strictEqual((yield* Effect.flip(files.list("rm/empty")))._tag, "NotFound")
      yield* files.purge("rm/keep")
      assert.strictEqual((yield* Effect.flip(files.list("rm/keep")))._tag, "NotFound")
      assert.strictEqual((yield* Effect.flip(files.rmdir("rm/missing")))._tag, "NotFound")
      assert.strictEqual((yield* Effect.flip(files.remove("rm/missing.txt")))._tag, "NotFound")
      assert.strictEqual((yield* Effect.flip(files.purge("")))._tag, "InvalidName")
    })
  )

  it.effect("copy and move of a file", () =>
    Effect.gen(function* () {
      const files = yield* Files.Files
      yield* put("cm/src.txt", "copy me")
      const copied = yield* files.copy("cm/src.txt", "cm/new/dir/copy.txt")
      assert.strictEqual(copied.path, "cm/new/dir/copy.txt")
      assert.strictEqual(copied.md5, md5Hex("copy me"))
      assert.strictEqual(yield* get("cm/src.txt"), "copy me")
      const moved = yield* files.move("cm/src.txt", "cm/moved.txt")
      assert.strictEqual(moved.name, "moved.txt")
      assert.strictEqual((yield* Effect.flip(files.stat("cm/src.txt")))._tag, "NotFound")
      assert.strictEqual(yield* get("cm/moved.txt"), "copy me")
      assert.strictEqual((yield* Effect.flip(files.copy("cm/none.txt", "cm/x.txt")))._tag, "NotFound")
      assert.strictEqual((yield* Effect.flip(files.copy("cm/new", "cm/x.txt")))._tag, "IsADirectory")
    })
  )

  it.effect("copy onto a trashed file is repaired (quirk #6112)", () =>
    Effect.gen(function* () {
      const files = yield* Files.Files
      yield* put("quirk/a.txt", "new content")
      yield* put("quirk/b.txt", "old content")
      yield* files.remove("quirk/b.txt")
      const info = yield* files.copy("quirk/a.txt", "quirk/b.txt")
      assert.isTrue(Option.isNone(info.deleted))
      assert.strictEqual(yield* get("quirk/b.txt"), "new content")
      assert.deepStrictEqual(names(yield* files.list("quirk")), ["f:a.txt", "f:b.txt"])
    })
  )

  it.effect("moveDir; an existing destination is AlreadyExists", () =>
    Effect.gen(function* () {
      const files = yield* Files.Files
      yield* put("md/from/x.txt", "x")
      yield* files.mkdir("md/taken")
      assert.strictEqual((yield* Effect.flip(files.moveDir("md/from", "md/taken")))._tag, "AlreadyExists")
      yield* files.moveDir("md/from", "md/to/here")
      assert.strictEqual(yield* get("md/to/here/x.txt"), "x")
      assert.strictEqual((yield* Effect.flip(files.list("md/from")))._tag, "NotFound")
      assert.strictEqual((yield* Effect.flip(files.moveDir("md/none", "md/other")))._tag, "NotFound")
      // renaming a folder to a case variant of itself is allowed
      yield* files.moveDir("md/to/here", "md/to/HERE")
      assert.deepStrictEqual(names(yield* files.list("md/to")), ["d:HERE"])
    })
  )

  it.effect("setModTime", () =>
    Effect.gen(function* () {
      const files = yield* Files.Files
      yield* put("mt/f.txt", "t")
      const when = DateTime.unsafeMake("2020-07-14T16:02:11Z")
      const info = yield* files.setModTime("mt/f.txt", when)
      assert.deepStrictEqual(Option.map(info.modified, DateTime.formatIso), Option.some("2020-07-14T16:02:11.000Z"))
      assert.deepStrictEqual(info.created, Option.some(mtime))
      assert.strictEqual((yield* Effect.flip(files.setModTime("mt/none.txt", when)))._tag, "NotFound")
    })
  )

  it.effect("publicLink and removePublicLink", () =>
    Effect.gen(function* () {
      const files = yield* Files.Files
      const emu = yield* Emulator.Emulator
      yield* put("share/s.txt", "shared")
      const url = yield* files.publicLink("share/s.txt")
      assert.isTrue(url.startsWith(`${emu.url}/www/opin/io/downloadPublic/${emu.username}/`))
      const body = yield* Effect.promise(() => fetch(url).then((r) => r.text()))
      assert.strictEqual(body, "shared")
      yield* files.removePublicLink("share/s.txt")
      const status = yield* Effect.promise(() => fetch(url).then((r) => r.status))
      assert.strictEqual(status, 404)
      assert.strictEqual((yield* Effect.flip(files.publicLink("share/none")))._tag, "NotFound")
    })
  )

  it.effect("revisions: list, download an older one, restore it", () =>
    Effect.gen(function* () {
      const files = yield* Files.Files
      yield* put("rev/r.txt", "version one")
      yield* put("rev/r.txt", "version two!")
      const revs = yield* files.revisions("rev/r.txt")
      assert.deepStrictEqual(
        revs.map((r) => [r.number, r.current, r.size]),
        [
          [2, true, 12],
          [1, false, 11]
        ]
      )
      assert.strictEqual(yield* Effect.map(collect(files.downloadRevision("rev/r.txt", 1)), text), "version one")
      const restored = yield* files.restoreRevision("rev/r.txt", 1)
      assert.strictEqual(restored.size, 11)
      assert.strictEqual(yield* get("rev/r.txt"), "version one")
      assert.strictEqual((yield* Effect.flip(files.restoreRevision("rev/r.txt", 9)))._tag, "NotFound")
    })
  )

  it.effect("listRecursive streams the tree", () =>
    Effect.gen(function* () {
      const files = yield* Files.Files
      yield* put("tree/a/1.txt", "1")
      yield* put("tree/a/b/2.txt", "22")
      yield* files.mkdir("tree/empty")
      const all = Chunk.toReadonlyArray(yield* Stream.runCollect(files.listRecursive("tree")))
      const seen = all.map((e) => `${e._tag === "Folder" ? "d" : "f"}:${e.path}`).sort()
      assert.deepStrictEqual(seen, ["d:tree/a", "d:tree/a/b", "d:tree/empty", "f:tree/a/1.txt", "f:tree/a/b/2.txt"])
      const two = all.find((e) => e.path === "tree/a/b/2.txt")
      assert.strictEqual(two?._tag === "File" ? two.size : 0, 2)
      assert.strictEqual((yield* Effect.flip(Stream.runDrain(files.listRecursive("tree/none"))))._tag, "NotFound")
    })
  )

  it.effect("emptyTrash", () =>
    Effect.gen(function* () {
      const files = yield* Files.Files
      yield* put("et/x.txt", "x")
      yield* files.remove("et/x.txt")
      const result = yield* files.emptyTrash()
      assert.isTrue(result.files + result.folders >= 1)
      assert.deepStrictEqual(names(yield* files.listTrash("et")), [])
    })
  )

  it.effect.prop(
    "any file name survives upload → list → download",
    [FastCheck.string({ minLength: 1, maxLength: 40, unit: "binary" }).filter((s) => !/\p{Surrogate}/u.test(s))],
    ([name]) =>
      Effect.gen(function* () {
        const files = yield* Files.Files
        const content = `content of ${name}`
        const info = yield* put(["prop", name], content)
        assert.strictEqual(info.name, name)
        const entry = (yield* files.list("prop")).find((e) => e.name === name)
        assert.isDefined(entry)
        assert.strictEqual(yield* get(entry!), content)
        assert.strictEqual(yield* get(["prop", name]), content)
      }),
    { fastCheck: { numRuns: 30 } }
  )
})

describe("Files with hardDelete and noVersions", () => {
  layer(makeEnv({ hardDelete: true, noVersions: true }), { excludeTestServices: true })("options", (it) => {
    it.effect("remove deletes for good; uploads keep no old revision", () =>
      Effect.gen(function* () {
        const files = yield* Files.Files
        yield* put("h/a.txt", "first")
        yield* put("h/a.txt", "second")
        assert.deepStrictEqual(
          (yield* files.revisions("h/a.txt")).map((r) => r.number),
          [1]
        )
        yield* files.remove("h/a.txt")
        assert.deepStrictEqual(names(yield* files.listTrash("h")), [])
      })
    )
  })
})

describe("Files in the trashed-only view", () => {
  layer(makeEnv({ trashedOnly: true }), { excludeTestServices: true })("trashedOnly", (it) => {
    it.effect("list shows trashed files (and every folder); stat reaches them; listRecursive is refused", () =>
      Effect.gen(function* () {
        const files = yield* Files.Files
        yield* put("t/live.txt", "live")
        yield* put("t/gone.txt", "gone")
        yield* files.remove("t/gone.txt")
        assert.deepStrictEqual(names(yield* files.list("t")), ["f:gone.txt"])
        const info = yield* files.stat("t/gone.txt")
        assert.isTrue(Option.isSome(info.deleted))
        assert.strictEqual(yield* get("t/gone.txt"), "gone")
        assert.strictEqual((yield* Effect.flip(Stream.runDrain(files.listRecursive("t"))))._tag, "NotFound")
      })
    )
  })
})
