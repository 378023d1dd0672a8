import * as Crypto from "node:crypto"
import * as NodeFs from "node:fs"
import { assert, layer } from "@effect/vitest"
import * as Files from "@fjord/core/Files"
import * as Filter from "@fjord/core/Filter"
import * as RetryPolicy from "@fjord/core/RetryPolicy"
import * as Transfer from "@fjord/core/Transfer"
import * as UploadSource from "@fjord/core/UploadSource"
import * as Emulator from "@fjord/emulator/Emulator"
import * as NodeTransfer from "@fjord/node/NodeTransfer"
import * as Chunk from "effect/Chunk"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { EmulatorEnv } from "./emulatorEnv.js"
import { tempDir } from "./utils.js"

const Env = EmulatorEnv

// quick retries: the tests run on the real clock
const fast = RetryPolicy.make({ baseDelay: "1 millis", maxDelay: "5 millis", maxAttempts: 3 })

const bytes = (n: number, seed: number) => new Uint8Array(n).map((_, i) => (i * 131 + seed * 7 + (i >> 8)) & 0xff)

/** Runs a transfer; returns all events (the summary last). */
const go = (stream: Stream.Stream<Transfer.Event>) =>
  Effect.map(Stream.runCollect(stream.pipe(Stream.provideService(RetryPolicy.RetryPolicy, fast))), (c) => {
    const events = Chunk.toReadonlyArray(c)
    const last = events[events.length - 1]
    assert.strictEqual(last?._tag, "Summary")
    const summary = (last as Extract<Transfer.Event, { _tag: "Summary" }>).summary
    const paths = (tag: Transfer.Event["_tag"], f: (e: Transfer.Event) => boolean = () => true) =>
      events
        .filter((e) => e._tag === tag && f(e))
        .map((e) => ("path" in e ? e.path : ""))
        .sort()
    return { events, summary, paths }
  })

const cloud = (root: string) => Transfer.cloudSide(root)
const local = (dir: string) => NodeTransfer.side(dir)
const write = (file: string, content: string | Uint8Array, mtime?: number) => {
  NodeFs.mkdirSync(file.slice(0, file.lastIndexOf("/")), { recursive: true })
  NodeFs.writeFileSync(file, content)
  if (mtime !== undefined) NodeFs.utimesSync(file, new Date(mtime), new Date(mtime))
}
const mutating = (log: ReadonlyArray<Emulator.RequestLog>) =>
  log.filter((r) => r.method !== "GET" && r.method !== "HEAD" && r.op !== "token")
const ops = (log: ReadonlyArray<Emulator.RequestLog>) => log.map((r) => r.op)
const remoteTree = (path: string) =>
  Effect.flatMap(Files.Files, (files) =>
    Effect.map(Stream.runCollect(files.listRecursive(path)), (c) =>
      Chunk.toReadonlyArray(c)
        .map((e) => `${e.path.slice(path.length + 1)}${e._tag === "Folder" ? "/" : `:${e.size}`}`)
        .sort()
    )
  )
const t0 = Date.UTC(2024, 0, 2, 3, 4, 5)

/** Everything below a side's root, unfiltered: `path:size` for files, `path/` for folders. */
const treeOf = (side: Transfer.Side) =>
  Effect.map(
    Stream.runCollect(side.list({ descend: () => true, keep: () => true })).pipe(
      Effect.catchAll((e) =>
        e.reason === "NotFound" ? Effect.succeed(Chunk.empty<Transfer.Listed>()) : Effect.fail(e)
      )
    ),
    (c) =>
      Chunk.toReadonlyArray(c)
        .map((e) => (e._tag === "File" ? `${e.path}:${e.size}` : `${e.path}/`))
        .sort()
  )

layer(Env, { timeout: 60_000, excludeTestServices: true })("NodeTransfer + Transfer against the emulator", (it) => {
  it.scoped("local → cloud copy; unchanged copy sends nothing; a touched mtime is pushed without re-sending", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const emu = yield* Emulator.Emulator
        const dir = yield* tempDir("fjord-tr-")
        write(`${dir}/src/top.txt`, "top\n", t0)
        write(`${dir}/src/sub/deep/low.bin`, bytes(40_000, 1), t0)
        write(`${dir}/src/sub/mid.txt`, "mid\n", t0)
        const dst = yield* cloud("tr/up")
        const first = yield* go(Transfer.run(local(`${dir}/src`), dst, { mode: "copy" }))
        assert.strictEqual(first.summary.transferred, 3)
        assert.strictEqual(first.summary.bytes, 40_008)
        assert.strictEqual(first.summary.errors, 0)
        assert.deepStrictEqual(yield* remoteTree("tr/up"), [
          "sub/",
          "sub/deep/",
          "sub/deep/low.bin:40000",
          "sub/mid.txt:4",
          "top.txt:4"
        ])
        // planned totals grew while the listing streamed in, and the last progress is complete
        const planned = first.events.filter((e) => e._tag === "Planned").map((e) => e.progress.filesPlanned)
        assert.deepStrictEqual(planned, [1, 2, 3])
        const end = first.events[first.events.length - 1]!.progress
        assert.deepStrictEqual(
          [end.filesDone, end.filesPlanned, end.bytesDone, end.bytesPlanned],
          [3, 3, 40_008, 40_008]
        )

        yield* emu.clearRequests
        const again = yield* go(Transfer.run(local(`${dir}/src`), dst, { mode: "copy" }))
        assert.strictEqual(again.summary.transferred, 0)
        assert.strictEqual(again.summary.checks, 3)
        assert.deepStrictEqual(mutating(yield* emu.requests), [])

        // same content, another mtime: only the time changes (cphash), no upload
        NodeFs.utimesSync(`${dir}/src/sub/mid.txt`, new Date(t0 + 60_000), new Date(t0 + 60_000))
        yield* emu.clearRequests
        const touched = yield* go(Transfer.run(local(`${dir}/src`), dst, { mode: "copy" }))
        assert.deepStrictEqual(
          touched.paths("Done", (e) => e._tag === "Done" && e.action === "ModTimeUpdated"),
          ["sub/mid.txt"]
        )
        assert.strictEqual(touched.summary.transferred, 0)
        const log = yield* emu.requests
        assert.notInclude(ops(log), "upload")
        assert.notInclude(ops(log), "allocate")
        const files = yield* Files.Files
        const info = yield* files.stat("tr/up/sub/mid.txt")
        assert.strictEqual(info.modified._tag === "Some" ? info.modified.value.epochMillis : 0, t0 + 60_000)

        // same size, other content, other mtime: the MD5 decides, the file is sent
        write(`${dir}/src/top.txt`, "TOP\n", t0 + 120_000)
        const changed = yield* go(Transfer.run(local(`${dir}/src`), dst, { mode: "copy" }))
        assert.deepStrictEqual(changed.paths("Done"), ["top.txt"])
      })
    )
  )

  it.scoped("cloud → local sync deletes extraneous files only after every copy succeeded; local → local copy", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const dir = yield* tempDir("fjord-tr-")
        write(`${dir}/src/a.txt`, "a", t0)
        write(`${dir}/src/keep/k.txt`, "k", t0)
        const remote = yield* cloud("tr/down")
        yield* go(Transfer.run(local(`${dir}/src`), remote, { mode: "copy" }))
        write(`${dir}/dst/stray.txt`, "s")
        write(`${dir}/dst/junk/more/j.txt`, "j")
        const synced = yield* go(Transfer.run(remote, local(`${dir}/dst`), { mode: "sync" }))
        assert.strictEqual(synced.summary.transferred, 2)
        assert.deepStrictEqual(synced.paths("Deleted"), ["junk", "stray.txt"])
        assert.deepStrictEqual(NodeFs.readdirSync(`${dir}/dst`).sort(), ["a.txt", "keep"])
        assert.strictEqual(NodeFs.statSync(`${dir}/dst/a.txt`).mtimeMs, t0)

        // local → local, server-side kind of copy (copyFile), times kept
        const ll = yield* go(Transfer.run(local(`${dir}/dst`), local(`${dir}/copy`), { mode: "copy" }))
        assert.strictEqual(ll.summary.transferred, 2)
        assert.strictEqual(NodeFs.readFileSync(`${dir}/copy/keep/k.txt`, "utf8"), "k")
        assert.strictEqual(NodeFs.statSync(`${dir}/copy/keep/k.txt`).mtimeMs, t0)
      })
    )
  )

  it.scoped(
    "keep going: a file failing forever with 500 is reported, every other file arrives, sync does not delete",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const emu = yield* Emulator.Emulator
          const dir = yield* tempDir("fjord-tr-")
          for (let i = 0; i < 6; i++) write(`${dir}/src/f${i}.txt`, `file ${i}`, t0)
          write(`${dir}/src/bad.txt`, "bad", t0)
          const remote = yield* cloud("tr/keep")
          yield* go(Transfer.run(local(`${dir}/src`), remote, { mode: "copy" }))
          write(`${dir}/dst/extra.txt`, "x")
          yield* emu.inject(Emulator.parseFault("status:500,op=download,path=*bad.txt,times=inf"))
          const r = yield* go(Transfer.run(remote, local(`${dir}/dst`), { mode: "sync" }))
          yield* emu.clearFaults
          assert.strictEqual(r.summary.transferred, 6)
          assert.strictEqual(r.summary.errors, 1)
          assert.deepStrictEqual(
            r.summary.failures.map((f) => f.path),
            ["bad.txt"]
          )
          // three whole passes: two retried failures, then the final one
          const failed = r.events.filter((e) => e._tag === "Failed" && e.path === "bad.txt")
          assert.deepStrictEqual(
            failed.map((e) => (e._tag === "Failed" ? e.retrying : undefined)),
            [true, true, false]
          )
          assert.deepStrictEqual(NodeFs.readdirSync(`${dir}/dst`).sort(), [
            "extra.txt",
            "f0.txt",
            "f1.txt",
            "f2.txt",
            "f3.txt",
            "f4.txt",
            "f5.txt"
          ])
          assert.deepStrictEqual(r.paths("Deleted"), [])
        })
      )
  )

  it.scoped("dry run: every action is reported and no mutating request is sent", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const emu = yield* Emulator.Emulator
        const dir = yield* tempDir("fjord-tr-")
        write(`${dir}/src/old.txt`, "old", t0)
        const remote = yield* cloud("tr/dry")
        yield* go(Transfer.run(local(`${dir}/src`), remote, { mode: "copy" }))
        NodeFs.rmSync(`${dir}/src/old.txt`)
        write(`${dir}/src/new.txt`, "new", t0)
        yield* emu.clearRequests
        const r = yield* go(Transfer.run(local(`${dir}/src`), remote, { mode: "sync", dryRun: true }))
        assert.deepStrictEqual(r.paths("Done"), ["new.txt"])
        assert.deepStrictEqual(r.paths("Deleted"), ["old.txt"])
        assert.isTrue(r.summary.dryRun)
        assert.deepStrictEqual(mutating(yield* emu.requests), [])
        assert.deepStrictEqual(yield* remoteTree("tr/dry"), ["old.txt:3"])
      })
    )
  )

  it.scoped(
    "cloud → cloud copy and move are server-side (cp/mv, no byte through the client); move deletes sources",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const emu = yield* Emulator.Emulator
          const dir = yield* tempDir("fjord-tr-")
          write(`${dir}/src/x/1.txt`, "one", t0)
          write(`${dir}/src/2.txt`, "two", t0)
          yield* go(Transfer.run(local(`${dir}/src`), yield* cloud("tr/cc/a"), { mode: "copy" }))
          yield* emu.clearRequests
          const copied = yield* go(Transfer.run(yield* cloud("tr/cc/a"), yield* cloud("tr/cc/b"), { mode: "copy" }))
          assert.strictEqual(copied.summary.transferred, 2)
          const log = yield* emu.requests
          assert.deepStrictEqual(
            ops(mutating(log)).filter((o) => o !== "mkDir"),
            ["cp", "cp"]
          )
          for (const op of ["download", "allocate", "upload"]) assert.notInclude(ops(log), op)
          assert.deepStrictEqual(yield* remoteTree("tr/cc/b"), ["2.txt:3", "x/", "x/1.txt:3"])
          yield* emu.clearRequests
          // onto an existing destination: file by file (a whole-folder move needs a free destination)
          yield* Effect.flatMap(Files.Files, (files) => files.mkdir("tr/cc/c"))
          const moved = yield* go(Transfer.run(yield* cloud("tr/cc/b"), yield* cloud("tr/cc/c"), { mode: "move" }))
          assert.strictEqual(moved.summary.transferred, 2)
          assert.isFalse(moved.summary.dirMoved)
          assert.deepStrictEqual(
            ops(mutating(yield* emu.requests)).filter((o) => o !== "mkDir"),
            ["mv", "mv"]
          )
          assert.deepStrictEqual(
            (yield* remoteTree("tr/cc/b")).filter((p) => !p.endsWith("/")),
            []
          )
          // local → cloud move: each source removed after its verified upload
          const m = yield* go(Transfer.run(local(`${dir}/src`), yield* cloud("tr/cc/d"), { mode: "move" }))
          assert.strictEqual(m.summary.transferred, 2)
          assert.deepStrictEqual(NodeFs.readdirSync(`${dir}/src/x`), [])
          assert.isFalse(NodeFs.existsSync(`${dir}/src/2.txt`))
          // moveto one file
          const one = yield* go(
            Transfer.runFile(yield* cloud("tr/cc/d"), "2.txt", yield* cloud("tr/cc/e"), "renamed.txt", { mode: "move" })
          )
          assert.strictEqual(one.summary.transferred, 1)
          assert.deepStrictEqual(yield* remoteTree("tr/cc/e"), ["renamed.txt:3"])
        })
      )
  )

  it.scoped("check: size + MD5, one-way, and --download comparing content", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const dir = yield* tempDir("fjord-tr-")
        write(`${dir}/src/same.txt`, "same", t0)
        write(`${dir}/src/diff.txt`, "aaaa", t0)
        const remote = yield* cloud("tr/check")
        yield* go(Transfer.run(local(`${dir}/src`), remote, { mode: "copy" }))
        const ok = yield* go(Transfer.run(local(`${dir}/src`), remote, { mode: "check" }))
        assert.strictEqual(ok.summary.differences, 0)
        assert.strictEqual(ok.summary.checks, 2)
        write(`${dir}/src/diff.txt`, "bbbb", t0)
        write(`${dir}/src/onlylocal.txt`, "l", t0)
        const files = yield* Files.Files
        yield* files.upload("tr/check/onlyremote.txt", UploadSource.fromUint8Array(bytes(3, 3)))
        const bad = yield* go(Transfer.run(local(`${dir}/src`), remote, { mode: "check" }))
        const results = bad.events
          .filter((e) => e._tag === "Checked")
          .map((e) => (e._tag === "Checked" ? `${e.path}:${e.result}` : ""))
          .sort()
        assert.deepStrictEqual(results, [
          "diff.txt:Differ",
          "onlylocal.txt:MissingOnDestination",
          "onlyremote.txt:MissingOnSource",
          "same.txt:Equal"
        ])
        assert.strictEqual(bad.summary.differences, 3)
        const oneWay = yield* go(Transfer.run(local(`${dir}/src`), remote, { mode: "check", oneWay: true }))
        assert.strictEqual(oneWay.summary.differences, 2)
        const download = yield* go(
          Transfer.run(local(`${dir}/src`), remote, { mode: "check", oneWay: true, download: true })
        )
        assert.strictEqual(download.summary.differences, 2)
        // no side was changed
        assert.strictEqual(NodeFs.readFileSync(`${dir}/src/diff.txt`, "utf8"), "bbbb")
      })
    )
  )

  it.scoped("--checksum, --size-only, --ignore-existing, --update", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const dir = yield* tempDir("fjord-tr-")
        write(`${dir}/src/a.txt`, "aaaa", t0)
        const remote = yield* cloud("tr/cmp")
        yield* go(Transfer.run(local(`${dir}/src`), remote, { mode: "copy" }))
        // same size, new content, same mtime: the default compare sees nothing, --checksum does
        write(`${dir}/src/a.txt`, "bbbb", t0)
        assert.strictEqual(
          (yield* go(Transfer.run(local(`${dir}/src`), remote, { mode: "copy" }))).summary.transferred,
          0
        )
        assert.strictEqual(
          (yield* go(Transfer.run(local(`${dir}/src`), remote, { mode: "copy", sizeOnly: true }))).summary.transferred,
          0
        )
        assert.strictEqual(
          (yield* go(Transfer.run(local(`${dir}/src`), remote, { mode: "copy", checksum: true }))).summary.transferred,
          1
        )
        // other size: ignore-existing keeps the destination; update skips a newer destination
        write(`${dir}/src/a.txt`, "ccccc", t0 - 60_000)
        assert.strictEqual(
          (yield* go(Transfer.run(local(`${dir}/src`), remote, { mode: "copy", ignoreExisting: true }))).summary
            .transferred,
          0
        )
        assert.strictEqual(
          (yield* go(Transfer.run(local(`${dir}/src`), remote, { mode: "copy", update: true }))).summary.transferred,
          0
        )
        assert.strictEqual(
          (yield* go(Transfer.run(local(`${dir}/src`), remote, { mode: "copy" }))).summary.transferred,
          1
        )
      })
    )
  )

  it.scoped(
    "delete (rclone's): the included files go, folders stay unless rmdirs, the root always; dry run sends nothing",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const emu = yield* Emulator.Emulator
          const dir = yield* tempDir("fjord-tr-")
          write(`${dir}/src/a.txt`, "a", t0)
          write(`${dir}/src/keep.log`, "k", t0)
          write(`${dir}/src/sub/b.txt`, "b", t0)
          write(`${dir}/src/sub/deep/c.txt`, "c", t0)
          write(`${dir}/src/logs/d.log`, "d", t0)
          const remote = yield* cloud("tr/del")
          yield* go(Transfer.run(local(`${dir}/src`), remote, { mode: "copy" }))
          const keepLogs = yield* Filter.make({ exclude: ["*.log"] })
          // a dry run reports every deletion (and every folder it would try to remove: what the
          // filters hid from the listing may keep one) and sends nothing mutating
          yield* emu.clearRequests
          const dry = yield* go(Transfer.deleteFiles(remote, { filter: keepLogs, dryRun: true, rmdirs: true }))
          assert.deepStrictEqual(dry.paths("Deleted"), [
            "a.txt",
            "logs",
            "sub",
            "sub/b.txt",
            "sub/deep",
            "sub/deep/c.txt"
          ])
          assert.deepStrictEqual(mutating(yield* emu.requests), [])
          // without rmdirs the folders stay, emptied; the excluded files are not touched
          const r = yield* go(Transfer.deleteFiles(remote, { filter: keepLogs }))
          assert.strictEqual(r.summary.mode, "delete")
          assert.strictEqual(r.summary.deleted, 3)
          assert.strictEqual(r.summary.deletedDirs, 0)
          assert.strictEqual(r.summary.transferred, 0)
          assert.deepStrictEqual(yield* remoteTree("tr/del"), [
            "keep.log:1",
            "logs/",
            "logs/d.log:1",
            "sub/",
            "sub/deep/"
          ])
          // with rmdirs the emptied folders go too, deepest first; a folder still holding a file stays
          const again = yield* go(Transfer.deleteFiles(remote, { filter: keepLogs, rmdirs: true }))
          assert.strictEqual(again.summary.deleted, 0)
          assert.deepStrictEqual(again.paths("Deleted"), ["sub", "sub/deep"])
          assert.deepStrictEqual(yield* remoteTree("tr/del"), ["keep.log:1", "logs/", "logs/d.log:1"])
          // the local side alike: everything, the root stays
          const all = yield* go(Transfer.deleteFiles(local(`${dir}/src`), { rmdirs: true }))
          assert.strictEqual(all.summary.deleted, 5)
          assert.deepStrictEqual(yield* treeOf(local(`${dir}/src`)), [])
          assert.isTrue(NodeFs.existsSync(`${dir}/src`))
        })
      )
  )

  it.scoped(
    "uploads read through four reused buffers: every size arrives byte for byte; other writers get fresh ones",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const dir = yield* tempDir("fjord-tr-")
          const block = 256 * 1024
          const sizes = [0, 1, block - 1, block, block + 1, 6 * block + 7]
          // random bytes: a block of `bytes` repeats every 64 KiB, so a reused buffer would not show
          const content = new Map(sizes.map((n) => [`f${n}.bin`, new Uint8Array(Crypto.randomBytes(n))]))
          for (const [name, data] of content) write(`${dir}/src/${name}`, data, t0)
          const side = local(`${dir}/src`)
          const entry = (name: string) =>
            Effect.map(side.stat(name), (e) => {
              assert.strictEqual(e?._tag, "File")
              return e as Transfer.FileEntry
            })
          const md5 = (data: Uint8Array) => Crypto.createHash("md5").update(data).digest("hex")
          const join = (parts: ReadonlyArray<Uint8Array>) => Buffer.concat(parts.map((p) => Buffer.from(p)))
          assert.isDefined(side.readTransient)
          for (const [name, data] of content) {
            // a consumer that is done with each element before the next: the file's bytes
            const copied = yield* Stream.runCollect(
              Stream.map(side.readTransient!(yield* entry(name)), (b) => Uint8Array.from(b))
            )
            assert.strictEqual(md5(join(Chunk.toReadonlyArray(copied))), md5(data), name)
          }
          // the buffers are reused: kept without copying, the first view shows the fifth block
          const big = `f${6 * block + 7}.bin`
          const kept = Chunk.toReadonlyArray(yield* Stream.runCollect(side.readTransient!(yield* entry(big))))
          assert.strictEqual(kept.length, 7)
          assert.strictEqual(kept[0]!.buffer, kept[4]!.buffer)
          assert.notStrictEqual(md5(join(kept)), md5(content.get(big)!))
          // which read the engine picks: transient toward the cloud, fresh toward a local side
          const used: Array<string> = []
          const spied: Transfer.Side = {
            ...side,
            read: (f) =>
              Stream.suspend(() => {
                used.push("read")
                return side.read(f)
              }),
            readTransient: (f) =>
              Stream.suspend(() => {
                used.push("transient")
                return side.readTransient!(f)
              })
          }
          // local → cloud takes them (the server checks what it received against the MD5)
          const up = yield* go(Transfer.run(spied, yield* cloud("tr/ring"), { mode: "copy" }))
          assert.deepStrictEqual(used.splice(0), Array(sizes.length).fill("transient"))
          assert.strictEqual(up.summary.transferred, sizes.length)
          const files = yield* Files.Files
          for (const [name, data] of content) {
            const info = yield* files.stat(`tr/ring/${name}`)
            assert.strictEqual(info.md5, md5(data), name)
          }
          // a destination that does not say it takes them gets fresh buffers (new content: the
          // service would deduplicate the old without reading it)
          for (const [name, data] of content) {
            content.set(name, new Uint8Array(Crypto.randomBytes(data.length)))
            write(`${dir}/src/${name}`, content.get(name)!, t0)
          }
          const cautious: Transfer.Side = { ...(yield* cloud("tr/ring2")), writeTakesTransient: false }
          yield* go(Transfer.run(spied, cautious, { mode: "copy" }))
          assert.deepStrictEqual(used.splice(0), Array(sizes.length).fill("read"))
          for (const [name, data] of content) {
            assert.strictEqual((yield* files.stat(`tr/ring2/${name}`)).md5, md5(data), name)
          }
          // local → local copies with copyFile, reading nothing here
          const copy = yield* go(Transfer.run(spied, local(`${dir}/copy`), { mode: "copy" }))
          assert.strictEqual(copy.summary.transferred, sizes.length)
          assert.deepStrictEqual(used, [])
          for (const [name, data] of content) {
            assert.strictEqual(md5(NodeFs.readFileSync(`${dir}/copy/${name}`)), md5(data), name)
          }
        })
      )
  )

  it.scoped("filters apply while listing: excluded folders are not descended; size limits", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const dir = yield* tempDir("fjord-tr-")
        write(`${dir}/src/keep.jpg`, "j", t0)
        write(`${dir}/src/skip.png`, "p", t0)
        write(`${dir}/src/big.jpg`, bytes(5000, 1), t0)
        write(`${dir}/src/cache/deep/x.jpg`, "x", t0)
        write(`${dir}/src/photos/y.jpg`, "y", t0)
        const filter = yield* Filter.make({ filter: ["- /cache/", "+ *.jpg", "- **"], maxSize: 1024 })
        const asked: Array<string> = []
        const side = local(`${dir}/src`)
        const listed = yield* Stream.runCollect(
          side.list({
            descend: (d) => {
              asked.push(d)
              return Filter.includeDir(filter, d)
            },
            keep: (f) => Filter.includeFile(filter, f.path, f.size, f.modified, Date.now())
          })
        )
        assert.deepStrictEqual(asked.sort(), ["cache", "photos"])
        assert.deepStrictEqual(
          Chunk.toReadonlyArray(listed)
            .map((e) => e.path)
            .sort(),
          ["keep.jpg", "photos", "photos/y.jpg"]
        )
        const r = yield* go(Transfer.run(side, yield* cloud("tr/filter"), { mode: "sync", filter }))
        assert.strictEqual(r.summary.transferred, 2)
        assert.deepStrictEqual(yield* remoteTree("tr/filter"), ["keep.jpg:1", "photos/", "photos/y.jpg:1"])
        // the same filter on the cloud side as source
        const back = yield* go(
          Transfer.run(yield* cloud("tr/filter"), local(`${dir}/back`), {
            mode: "copy",
            filter: yield* Filter.make({ maxDepth: 1 })
          })
        )
        assert.deepStrictEqual(back.paths("Done"), ["keep.jpg"])
      })
    )
  )

  it.scoped("--files-from and --exclude-if-present apply while listing, on local and cloud sides alike", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const dir = yield* tempDir("fjord-tr-")
        for (const [path, content] of [
          ["a.txt", "a"],
          ["b.txt", "b"],
          ["d/c.txt", "c"],
          ["d/e/f.txt", "f"],
          ["skip/g.txt", "g"],
          ["skip/.ignore", ""],
          ["d/e/deeper/.ignore", ""],
          ["d/e/deeper/h.txt", "h"]
        ] as const) {
          write(`${dir}/src/${path}`, content, t0)
        }
        const tree = ["a.txt:1", "b.txt:1", "d/", "d/c.txt:1", "d/e/", "d/e/f.txt:1"]
        // a folder holding .ignore is left out, its own entry too (rclone: "skip: Excluded")
        const present = yield* Filter.make({ excludeIfPresent: [".ignore"] })
        const up = yield* go(
          Transfer.run(local(`${dir}/src`), yield* cloud("tr/eip"), {
            mode: "copy",
            filter: present,
            createEmptySrcDirs: true
          })
        )
        assert.strictEqual(up.summary.errors, 0)
        assert.deepStrictEqual(yield* remoteTree("tr/eip"), tree)
        // the cloud as source: the whole tree goes up first, then comes down filtered
        yield* go(Transfer.run(local(`${dir}/src`), yield* cloud("tr/eip-all"), { mode: "copy" }))
        yield* go(
          Transfer.run(yield* cloud("tr/eip-all"), local(`${dir}/down`), {
            mode: "copy",
            filter: present,
            createEmptySrcDirs: true
          })
        )
        assert.deepStrictEqual(yield* treeOf(local(`${dir}/down`)), tree)
        // a marker in the root leaves out everything
        write(`${dir}/src/.ignore`, "", t0)
        const nothing = yield* go(
          Transfer.run(local(`${dir}/src`), local(`${dir}/none`), { mode: "copy", filter: present })
        )
        assert.strictEqual(nothing.summary.transferred, 0)
        NodeFs.rmSync(`${dir}/src/.ignore`)

        // --files-from: only the listed files; a listed file that is not there is no error
        const listed = yield* Filter.make({ filesFrom: ["# a comment", "", " a.txt ", "/d/c.txt", "missing.txt", "d"] })
        const ff = yield* go(
          Transfer.run(yield* cloud("tr/eip-all"), local(`${dir}/ff`), { mode: "copy", filter: listed })
        )
        assert.deepStrictEqual([ff.summary.transferred, ff.summary.errors], [2, 0])
        assert.deepStrictEqual(yield* treeOf(local(`${dir}/ff`)), ["a.txt:1", "d/", "d/c.txt:1"])
        // a sync with a list leaves the destination's unlisted files alone (they are filtered out)
        write(`${dir}/extra/zzz.txt`, "z", t0)
        write(`${dir}/extra/d/q.txt`, "q", t0)
        yield* go(Transfer.run(local(`${dir}/extra`), yield* cloud("tr/ff"), { mode: "copy" }))
        const synced = yield* go(
          Transfer.run(local(`${dir}/src`), yield* cloud("tr/ff"), { mode: "sync", filter: listed })
        )
        assert.deepStrictEqual([synced.summary.transferred, synced.summary.deleted, synced.summary.errors], [2, 0, 0])
        assert.deepStrictEqual(yield* remoteTree("tr/ff"), ["a.txt:1", "d/", "d/c.txt:1", "d/q.txt:1", "zzz.txt:1"])
        // raw lines are paths as they are: " b.txt" names no file
        const raw = yield* Filter.make({ filesFromRaw: [" b.txt", "d/e/f.txt"] })
        const r = yield* go(Transfer.run(local(`${dir}/src`), local(`${dir}/raw`), { mode: "copy", filter: raw }))
        assert.deepStrictEqual(r.paths("Done"), ["d/e/f.txt"])
      })
    )
  )

  it.scoped("traversal names from the cloud stay inside the target; a 255-character name round-trips", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const dir = yield* tempDir("fjord-tr-")
        const files = yield* Files.Files
        yield* files.upload(["tr", "trav", ".."], UploadSource.fromUint8Array(bytes(10, 1)))
        yield* files.upload(["tr", "trav", "."], UploadSource.fromUint8Array(bytes(11, 1)))
        yield* files.upload(["tr", "trav", "../../x"], UploadSource.fromUint8Array(bytes(12, 1)))
        yield* files
          .upload(["tr", "trav", "sub", "..", ".."], UploadSource.fromUint8Array(bytes(13, 1)))
          .pipe(Effect.ignore)
        NodeFs.mkdirSync(`${dir}/target`)
        const r = yield* go(Transfer.run(yield* cloud("tr/trav"), local(`${dir}/target`), { mode: "copy" }))
        assert.strictEqual(r.summary.errors, 0)
        assert.deepStrictEqual(NodeFs.readdirSync(dir).sort(), ["target"])
        assert.includeMembers(NodeFs.readdirSync(`${dir}/target`), ["\uFF0E\uFF0E", "\uFF0E", "..\uFF0F..\uFF0Fx"])
        assert.strictEqual(NodeFs.statSync(`${dir}/target/\uFF0E\uFF0E`).size, 10)
        // and back up: the look-alikes become the raw names again
        const up = yield* go(Transfer.run(local(`${dir}/target`), yield* cloud("tr/trav2"), { mode: "copy" }))
        assert.strictEqual(up.summary.errors, 0)
        const names = (yield* files.list("tr/trav2")).map((e) => e.name).sort()
        assert.includeMembers(names, ["..", ".", "../../x"])

        const long = `${"n".repeat(251)}.txt`
        write(`${dir}/long/${long}`, "long", t0)
        yield* go(Transfer.run(local(`${dir}/long`), yield* cloud("tr/long"), { mode: "copy" }))
        const down = yield* go(Transfer.run(yield* cloud("tr/long"), local(`${dir}/long-back`), { mode: "copy" }))
        assert.strictEqual(down.summary.errors, 0)
        assert.strictEqual(NodeFs.readFileSync(`${dir}/long-back/${long}`, "utf8"), "long")
      })
    )
  )

  it.scoped("invalid UTF-8 local names and case collisions are per-file errors; the rest arrive", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const dir = yield* tempDir("fjord-tr-")
        write(`${dir}/src/ok.txt`, "ok", t0)
        write(`${dir}/src/Case.txt`, "1", t0)
        write(`${dir}/src/case.txt`, "2", t0)
        NodeFs.writeFileSync(
          Buffer.concat([Buffer.from(`${dir}/src/bad-`), Buffer.from([0xff, 0xfe]), Buffer.from(".txt")]),
          "x"
        )
        const r = yield* go(Transfer.run(local(`${dir}/src`), yield* cloud("tr/names"), { mode: "copy" }))
        assert.strictEqual(r.summary.errors, 2)
        assert.strictEqual(r.summary.transferred, 2)
        assert.isTrue(r.summary.failures.some((f) => /not valid UTF-8/.test(f.description)))
        assert.isTrue(r.summary.failures.some((f) => /only in case/.test(f.description)))
      })
    )
  )

  it.scoped("a sync interrupted by a cut upload resumes from where the server got to", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const emu = yield* Emulator.Emulator
        const dir = yield* tempDir("fjord-tr-")
        // 2.5 MiB of random bytes: read through the ring of reused buffers, the resumed part too
        const size = 2.5 * 1024 * 1024
        const content = new Uint8Array(Crypto.randomBytes(size))
        write(`${dir}/src/big.bin`, content, t0)
        yield* emu.clearRequests
        yield* emu.inject(Emulator.parseFault("cut-request:700000,op=upload,times=1"))
        const r = yield* go(Transfer.run(local(`${dir}/src`), yield* cloud("tr/resume"), { mode: "sync" }))
        assert.strictEqual(r.summary.errors, 0)
        const uploads = (yield* emu.requests).filter((q) => q.op === "upload")
        assert.strictEqual(uploads.length, 2)
        assert.isTrue(uploads[0]!.connectionCut)
        assert.match(uploads[1]!.headers["range"] ?? "", new RegExp(`^bytes=[1-9]\\d*-${size - 1}$`))
        const files = yield* Files.Files
        const hash = Crypto.createHash("md5")
        yield* Stream.runForEach(files.download("tr/resume/big.bin"), (c) => Effect.sync(() => hash.update(c)))
        assert.strictEqual(hash.digest("hex"), Crypto.createHash("md5").update(content).digest("hex"))
      })
    )
  )

  it.scoped("a fatal error (unauthorized) stops early with one message", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const emu = yield* Emulator.Emulator
        const dir = yield* tempDir("fjord-tr-")
        for (let i = 0; i < 5; i++) write(`${dir}/src/f${i}.txt`, `f${i}`, t0)
        yield* emu.inject(Emulator.parseFault("status:401,op=allocate,times=inf"))
        const r = yield* go(Transfer.run(local(`${dir}/src`), yield* cloud("tr/fatal"), { mode: "copy", transfers: 1 }))
        yield* emu.clearFaults
        assert.isDefined(r.summary.fatal)
        assert.strictEqual(r.summary.transferred, 0)
        assert.isAtMost(r.events.filter((e) => e._tag === "Failed").length, 1)
      })
    )
  )

  it.scoped(
    "move cloud → cloud to a free destination is one mvDir (rclone's DirMove); dry run, existing destination, filters",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const emu = yield* Emulator.Emulator
          const dir = yield* tempDir("fjord-tr-")
          write(`${dir}/src/x/1.txt`, "one", t0)
          write(`${dir}/src/x/deep/2.txt`, "two", t0)
          write(`${dir}/src/3.txt`, "three", t0)
          yield* go(Transfer.run(local(`${dir}/src`), yield* cloud("tr/md/a"), { mode: "copy" }))
          const tree = yield* remoteTree("tr/md/a")
          // dry run: reported, nothing listed file by file, no mutating request
          yield* emu.clearRequests
          const dry = yield* go(
            Transfer.run(yield* cloud("tr/md/a"), yield* cloud("tr/md/b/c"), { mode: "move", dryRun: true })
          )
          assert.deepStrictEqual(
            dry.events.filter((e) => e._tag === "DirMove").map((e) => e._tag === "DirMove" && [e.outcome, e.dryRun]),
            [["Moved", true]]
          )
          assert.isTrue(dry.summary.dirMoved)
          assert.deepStrictEqual(mutating(yield* emu.requests), [])
          assert.deepStrictEqual(yield* remoteTree("tr/md/a"), tree)
          // the move: one mvDir (its missing parent made first), no per-file mv, nothing through here
          yield* emu.clearRequests
          const moved = yield* go(Transfer.run(yield* cloud("tr/md/a"), yield* cloud("tr/md/b/c"), { mode: "move" }))
          assert.isTrue(moved.summary.dirMoved)
          assert.deepStrictEqual([moved.summary.transferred, moved.summary.errors], [0, 0])
          const log = yield* emu.requests
          assert.deepStrictEqual(ops(mutating(log)), ["mkDir", "mvDir"])
          for (const op of ["mv", "download", "allocate", "upload", "liststream"]) assert.notInclude(ops(log), op)
          assert.deepStrictEqual(yield* remoteTree("tr/md/b/c"), tree)
          assert.deepStrictEqual(yield* treeOf(yield* cloud("tr/md/a")), [])
          // the destination exists: rclone's fallback to file moves
          yield* Effect.flatMap(Files.Files, (files) => files.mkdir("tr/md/d"))
          yield* emu.clearRequests
          const onto = yield* go(Transfer.run(yield* cloud("tr/md/b/c"), yield* cloud("tr/md/d"), { mode: "move" }))
          assert.deepStrictEqual(
            onto.events.flatMap((e) => (e._tag === "DirMove" ? [[e.outcome, e.description]] : [])),
            [["Fallback", "can't copy directory - destination already exists"]]
          )
          assert.deepStrictEqual([onto.summary.transferred, onto.summary.dirMoved], [3, false])
          assert.notInclude(ops(yield* emu.requests), "mvDir")
          assert.deepStrictEqual(yield* remoteTree("tr/md/d"), tree)
          // with a filter active: file by file, the excluded file stays
          const filter = yield* Filter.make({ exclude: ["3.txt"] })
          yield* emu.clearRequests
          const some = yield* go(
            Transfer.run(yield* cloud("tr/md/d"), yield* cloud("tr/md/e"), { mode: "move", filter })
          )
          assert.deepStrictEqual([some.summary.transferred, some.summary.dirMoved], [2, false])
          assert.notInclude(ops(yield* emu.requests), "mvDir")
          assert.deepStrictEqual(
            (yield* remoteTree("tr/md/d")).filter((p) => !p.endsWith("/")),
            ["3.txt:5"]
          )
        })
      )
  )

  it.scoped("every operation between every pair: copy, check, sync, move with --delete-empty-src-dirs", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const dir = yield* tempDir("fjord-tr-")
        const pairs = [
          ["local", "cloud"],
          ["cloud", "local"],
          ["cloud", "cloud"],
          ["local", "local"]
        ] as const
        for (const [from, to] of pairs) {
          const name = `${from}-${to}`
          const at = (kind: "local" | "cloud", where: string) =>
            kind === "local" ? Effect.succeed(local(`${dir}/${name}/${where}`)) : cloud(`tr/pairs/${name}/${where}`)
          const staging = local(`${dir}/${name}/staging`)
          const src = yield* at(from, "src")
          const dst = yield* at(to, "dst")
          /** The source gets the staging tree (through the engine when the source is the cloud). */
          const publish = from === "cloud" ? go(Transfer.run(staging, src, { mode: "sync" })) : Effect.void
          const stage = (path: string, content: string, mtime = t0) => {
            write(`${dir}/${name}/staging/${path}`, content, mtime)
            if (from === "local") write(`${dir}/${name}/src/${path}`, content, mtime)
          }
          stage("a.txt", "a")
          stage("sub/b.txt", "bb")
          stage("sub/deep/c.txt", "ccc")
          yield* publish

          const copied = yield* go(Transfer.run(src, dst, { mode: "copy" }))
          assert.strictEqual(copied.summary.transferred, 3, name)
          assert.deepStrictEqual(yield* treeOf(dst), yield* treeOf(src), name)
          const same = yield* go(Transfer.run(src, dst, { mode: "check" }))
          assert.deepStrictEqual([same.summary.checks, same.summary.differences], [3, 0], name)

          // the source changes: one file new, one with other content; the destination has an extra
          stage("sub/b.txt", "BB", t0 + 60_000)
          stage("new.txt", "n")
          yield* publish
          if (to === "local") write(`${dir}/${name}/dst/extra/x.txt`, "x", t0)
          else {
            write(`${dir}/${name}/extra-src/extra/x.txt`, "x", t0)
            yield* go(Transfer.run(local(`${dir}/${name}/extra-src`), dst, { mode: "copy" }))
          }
          const differ = yield* go(Transfer.run(src, dst, { mode: "check", download: true }))
          assert.strictEqual(differ.summary.differences, 3, name) // b differs, new missing, extra/x.txt extra
          const synced = yield* go(Transfer.run(src, dst, { mode: "sync" }))
          assert.strictEqual(synced.summary.errors, 0, name)
          assert.deepStrictEqual(yield* treeOf(dst), yield* treeOf(src), name)
          assert.deepStrictEqual(synced.paths("Deleted"), ["extra"], name)

          // move: every file leaves the source, its emptied folders stay (rclone's default);
          // cloud → cloud onto a free destination moves the whole folder in one request
          const whole = name === "cloud-cloud"
          const moved = yield* at(to, "moved")
          const there = yield* go(Transfer.run(src, moved, { mode: "move" }))
          assert.strictEqual(there.summary.transferred, whole ? 0 : 4, name)
          assert.strictEqual(there.summary.dirMoved, whole, name)
          assert.deepStrictEqual(yield* treeOf(src), whole ? [] : ["sub/", "sub/deep/"], name)
          // and back the other way (so every pair is tried) with --delete-empty-src-dirs
          const back = yield* go(Transfer.run(moved, src, { mode: "move", deleteEmptySrcDirs: true }))
          assert.strictEqual(back.summary.errors, 0, name)
          assert.deepStrictEqual(yield* treeOf(moved), [], name)
          assert.deepStrictEqual(
            back.paths("Deleted", (e) => e._tag === "Deleted" && e.kind === "Dir"),
            whole ? [] : ["sub", "sub/deep"],
            name
          )
          assert.deepStrictEqual(yield* treeOf(src), [
            "a.txt:1",
            "new.txt:1",
            "sub/",
            "sub/b.txt:2",
            "sub/deep/",
            "sub/deep/c.txt:3"
          ])
        }
      })
    )
  )

  it.scoped(
    "sync with filters: excluded destination files stay, extraneous folders go when empty; --delete-excluded",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const dir = yield* tempDir("fjord-tr-")
          const exclude = yield* Filter.make({ exclude: ["*.txt"] })
          // the case rclone 1.60.1 was run on (rclone sync --exclude '*.txt' [--delete-excluded])
          write(`${dir}/src/a.jpg`, "a", t0)
          write(`${dir}/src/keepdir/k.jpg`, "k", t0)
          write(`${dir}/before/gone/deep/g.jpg`, "g", t0)
          write(`${dir}/before/mixed/m.jpg`, "m", t0)
          write(`${dir}/before/mixed/t.txt`, "t", t0)
          write(`${dir}/before/top.txt`, "t", t0)
          write(`${dir}/before/old.jpg`, "o", t0)
          NodeFs.mkdirSync(`${dir}/before/emptyx`)
          NodeFs.mkdirSync(`${dir}/before/keepdir`)
          for (const kind of ["cloud", "local"] as const) {
            for (const deleteExcluded of [false, true]) {
              const where = `${kind}-${deleteExcluded}`
              const dst = kind === "cloud" ? yield* cloud(`tr/fsync/${where}`) : local(`${dir}/${where}`)
              // the destination as it was, empty folders included (--create-empty-src-dirs)
              const made = yield* go(
                Transfer.run(local(`${dir}/before`), dst, { mode: "copy", createEmptySrcDirs: true })
              )
              assert.strictEqual(made.summary.errors, 0)
              assert.includeMembers(yield* treeOf(dst), ["emptyx/", "keepdir/"], where)
              const r = yield* go(
                Transfer.run(local(`${dir}/src`), dst, { mode: "sync", filter: exclude, deleteExcluded })
              )
              assert.strictEqual(r.summary.errors, 0, where)
              assert.deepStrictEqual(
                yield* treeOf(dst),
                deleteExcluded
                  ? ["a.jpg:1", "keepdir/", "keepdir/k.jpg:1"]
                  : ["a.jpg:1", "keepdir/", "keepdir/k.jpg:1", "mixed/", "mixed/t.txt:1", "top.txt:1"],
                where
              )
              // filtered: gone/deep, gone, emptyx one by one (mixed keeps t.txt); with
              // --delete-excluded nothing is hidden, so the topmost gone, mixed, emptyx go whole
              assert.strictEqual(r.summary.deletedDirs, 3, where)
            }
          }
        })
      )
  )

  it.scoped(
    "comparisons with a local destination: a changed cloud mtime only touches the local file; --update; --checksum",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const emu = yield* Emulator.Emulator
          const dir = yield* tempDir("fjord-tr-")
          const files = yield* Files.Files
          write(`${dir}/up/a.txt`, "aaaa", t0)
          write(`${dir}/up/b.txt`, "bbbb", t0)
          const remote = yield* cloud("tr/cmpdown")
          yield* go(Transfer.run(local(`${dir}/up`), remote, { mode: "copy" }))
          const down = local(`${dir}/down`)
          assert.strictEqual((yield* go(Transfer.run(remote, down, { mode: "copy" }))).summary.transferred, 2)
          // the cloud file gets another time, same content: only the local time changes, nothing is downloaded
          yield* files.setModTime("tr/cmpdown/a.txt", DateTime.unsafeMake(t0 + 120_000))
          yield* emu.clearRequests
          const touched = yield* go(Transfer.run(remote, down, { mode: "copy" }))
          assert.deepStrictEqual(
            touched.paths("Done", (e) => e._tag === "Done" && e.action === "ModTimeUpdated"),
            ["a.txt"]
          )
          assert.notInclude(ops(yield* emu.requests), "download")
          assert.strictEqual(NodeFs.statSync(`${dir}/down/a.txt`).mtimeMs, t0 + 120_000)
          // a newer local file is kept with --update, replaced without it
          write(`${dir}/down/b.txt`, "local!", t0 + 600_000)
          assert.strictEqual(
            (yield* go(Transfer.run(remote, down, { mode: "copy", update: true }))).summary.transferred,
            0
          )
          assert.strictEqual(NodeFs.readFileSync(`${dir}/down/b.txt`, "utf8"), "local!")
          // same size and time, other content: only --checksum sees it (the local MD5 is computed)
          write(`${dir}/down/b.txt`, "BBBB", t0)
          assert.strictEqual((yield* go(Transfer.run(remote, down, { mode: "copy" }))).summary.transferred, 0)
          assert.strictEqual(
            (yield* go(Transfer.run(remote, down, { mode: "copy", checksum: true }))).summary.transferred,
            1
          )
          assert.strictEqual(NodeFs.readFileSync(`${dir}/down/b.txt`, "utf8"), "bbbb")
        })
      )
  )

  it.scoped(
    "dry run of a filtered sync with --delete-excluded and a move with --delete-empty-src-dirs changes nothing",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const emu = yield* Emulator.Emulator
          const dir = yield* tempDir("fjord-tr-")
          write(`${dir}/src/keep.jpg`, "k", t0)
          write(`${dir}/src/sub/x.jpg`, "x", t0)
          write(`${dir}/old/stale.jpg`, "s", t0)
          write(`${dir}/old/skip.txt`, "t", t0)
          write(`${dir}/old/gone/g.jpg`, "g", t0)
          const remote = yield* cloud("tr/dry2")
          yield* go(Transfer.run(local(`${dir}/old`), remote, { mode: "copy" }))
          const before = yield* remoteTree("tr/dry2")
          yield* emu.clearRequests
          const filter = yield* Filter.make({ exclude: ["*.txt"] })
          const sync = yield* go(
            Transfer.run(local(`${dir}/src`), remote, { mode: "sync", filter, deleteExcluded: true, dryRun: true })
          )
          assert.deepStrictEqual(sync.paths("Done"), ["keep.jpg", "sub/x.jpg"])
          assert.deepStrictEqual(sync.paths("Deleted"), ["gone", "skip.txt", "stale.jpg"])
          const move = yield* go(
            Transfer.run(remote, yield* cloud("tr/dry2-moved"), {
              mode: "move",
              deleteEmptySrcDirs: true,
              dryRun: true
            })
          )
          // a free cloud destination: one folder move would do it all (rclone's dry-run DirMove)
          assert.isTrue(move.summary.dirMoved)
          assert.deepStrictEqual([move.paths("Done"), move.paths("Deleted")], [[], []])
          const back = yield* go(
            Transfer.run(remote, local(`${dir}/down`), { mode: "move", deleteEmptySrcDirs: true, dryRun: true })
          )
          assert.strictEqual(back.summary.transferred, 3)
          assert.deepStrictEqual(mutating(yield* emu.requests), [])
          assert.deepStrictEqual(yield* remoteTree("tr/dry2"), before)
          assert.isFalse(NodeFs.existsSync(`${dir}/down`))
        })
      )
  )

  it.scoped("--create-empty-src-dirs from the cloud: empty folders arrive locally and server-side", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const dir = yield* tempDir("fjord-tr-")
        const files = yield* Files.Files
        yield* files.mkdir("tr/empties/a/b")
        yield* files.mkdir("tr/empties/c")
        yield* files.upload("tr/empties/f.txt", UploadSource.fromUint8Array(bytes(3, 1)))
        const remote = yield* cloud("tr/empties")
        const plain = yield* go(Transfer.run(remote, local(`${dir}/plain`), { mode: "copy" }))
        assert.strictEqual(plain.summary.transferred, 1)
        assert.deepStrictEqual(NodeFs.readdirSync(`${dir}/plain`), ["f.txt"])
        for (const to of [local(`${dir}/with`), yield* cloud("tr/empties-copy")]) {
          const r = yield* go(Transfer.run(remote, to, { mode: "sync", createEmptySrcDirs: true }))
          assert.strictEqual(r.summary.errors, 0)
          assert.deepStrictEqual(yield* treeOf(to), ["a/", "a/b/", "c/", "f.txt:3"])
        }
      })
    )
  )
})
