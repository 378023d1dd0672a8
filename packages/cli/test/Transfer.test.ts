import * as NodeFs from "node:fs"
import * as FileSystem from "@effect/platform/FileSystem"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { assert, layer } from "@effect/vitest"
import * as Emulator from "@fjord/emulator/Emulator"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { fjord } from "./fjord.js"

const Env = Layer.mergeAll(Emulator.layer(), NodeContext.layer)

const loggedIn = Effect.gen(function* () {
  const emu = yield* Emulator.Emulator
  const fs = yield* FileSystem.FileSystem
  const dir = yield* fs.makeTempDirectoryScoped({ prefix: "fjord-cli-tr-" })
  const token = yield* emu.newLoginToken()
  const r = yield* fjord("login", "--login-token", token, "--endpoint", emu.url, "--config-dir", dir)
  assert.strictEqual(r.exitCode, 0, r.stderr)
  const run = (...args: ReadonlyArray<string>) => fjord(...args, "--config-dir", dir)
  return { emu, dir, run }
})

const write = (file: string, content: string) => {
  NodeFs.mkdirSync(file.slice(0, file.lastIndexOf("/")), { recursive: true })
  NodeFs.writeFileSync(file, content)
}

layer(Env, { timeout: 60_000, excludeTestServices: true })("fjord transfer commands", (it) => {
  it.scoped("keep going: one file failing with 500 forever; the others arrive, the summary names it, exit 1", () =>
    Effect.gen(function* () {
      const { emu, dir, run } = yield* loggedIn
      for (const n of ["a", "b", "c", "bad"]) write(`${dir}/src/${n}.txt`, `${n}\n`)
      assert.strictEqual((yield* run("copy", `${dir}/src`, "jotta:kg")).exitCode, 0)
      yield* emu.inject(Emulator.parseFault("status:500,op=download,path=*bad.txt,times=inf"))
      const r = yield* run("copy", "--low-level-retries", "1", "jotta:kg", `${dir}/dst`)
      yield* emu.clearFaults
      assert.strictEqual(r.exitCode, 1)
      assert.deepStrictEqual(NodeFs.readdirSync(`${dir}/dst`).sort(), ["a.txt", "b.txt", "c.txt"])
      assert.match(r.stdout, /^Errors: +1 \(retrying may help\)$/m)
      assert.match(r.stdout, /Transferred: +3 \/ 4, 75%/)
      assert.match(r.stdout, /Elapsed time: +\d/)
      assert.match(r.stderr, /^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d ERROR : bad\.txt: Files\.download .*HTTP 500/m)
      assert.match(r.stderr, /^fjord: 1 errors: failed: bad\.txt\n$/m)
    })
  )

  it.scoped("-v prints a line per file; --dry-run changes nothing; check reports differences with exit 1", () =>
    Effect.gen(function* () {
      const { emu, dir, run } = yield* loggedIn
      write(`${dir}/src/one.txt`, "1")
      write(`${dir}/src/sub/two.txt`, "22")
      const up = yield* run("sync", "-v", `${dir}/src`, "jotta:v")
      assert.strictEqual(up.exitCode, 0, up.stderr)
      assert.match(up.stderr, / INFO {2}: one\.txt: Copied \(new\)$/m)
      assert.match(up.stderr, / INFO {2}: sub\/two\.txt: Copied \(new\)$/m)
      const same = yield* run("check", `${dir}/src`, "jotta:v")
      assert.strictEqual(same.exitCode, 0, same.stderr)
      assert.match(same.stdout, /0 differences found/)
      NodeFs.rmSync(`${dir}/src/one.txt`)
      write(`${dir}/src/new.txt`, "n")
      yield* emu.clearRequests
      const dry = yield* run("sync", "--dry-run", "-v", `${dir}/src`, "jotta:v")
      assert.strictEqual(dry.exitCode, 0, dry.stderr)
      assert.match(dry.stderr, / NOTICE: new\.txt: Skipped copy as --dry-run is set \(size 1\)$/m)
      assert.match(dry.stderr, / NOTICE: one\.txt: Skipped delete as --dry-run is set$/m)
      const writes = (yield* emu.requests).filter((q) => q.method !== "GET" && q.op !== "token")
      assert.deepStrictEqual(writes, [])
      const differ = yield* run("check", `${dir}/src`, "jotta:v")
      assert.strictEqual(differ.exitCode, 1)
      assert.match(differ.stdout, /2 differences found/)
    })
  )

  it.scoped(
    "delete (rclone's): the included files below a path, rclone's lines, folders only with --rmdirs; exit 3",
    () =>
      Effect.gen(function* () {
        const { emu, dir, run } = yield* loggedIn
        write(`${dir}/src/a.txt`, "a")
        write(`${dir}/src/keep.log`, "k")
        write(`${dir}/src/sub/b.txt`, "b")
        write(`${dir}/src/sub/deep/c.txt`, "c")
        assert.strictEqual((yield* run("copy", `${dir}/src`, "jotta:del")).exitCode, 0)
        // --dry-run: rclone's NOTICE per file, nothing mutating sent
        yield* emu.clearRequests
        const dry = yield* run("delete", "--dry-run", "--exclude", "*.log", "jotta:del")
        assert.strictEqual(dry.exitCode, 0, dry.stderr)
        assert.match(dry.stderr, / NOTICE: sub\/b\.txt: Skipped delete as --dry-run is set/)
        assert.notInclude(dry.stderr, "keep.log")
        assert.deepStrictEqual(
          (yield* emu.requests).filter((r) => r.method === "POST" && r.op !== "token"),
          []
        )
        // the included files go (to the trash), the folders stay, no stats block (as rclone's delete)
        const r = yield* run("delete", "-v", "--exclude", "*.log", "jotta:del")
        assert.strictEqual(r.exitCode, 0, r.stderr)
        assert.strictEqual(r.stdout, "")
        assert.match(r.stderr, / INFO {2}: a\.txt: Deleted$/m)
        assert.match(r.stderr, / INFO {2}: sub\/deep\/c\.txt: Deleted$/m)
        assert.notMatch(r.stderr, /Removing directory/)
        assert.strictEqual((yield* run("lsf", "-R", "jotta:del")).stdout, "keep.log\nsub/\nsub/deep/\n")
        assert.match((yield* run("trash", "-R", "jotta:del")).stdout, /c\.txt/)
        // --rmdirs: the emptied folders too, deepest first; the path itself stays
        const dirs = yield* run("delete", "-v", "--rmdirs", "jotta:del/sub")
        assert.strictEqual(dirs.exitCode, 0, dirs.stderr)
        assert.match(dirs.stderr, / INFO {2}: deep: Removing directory$/m)
        assert.strictEqual((yield* run("lsf", "-R", "jotta:del")).stdout, "keep.log\nsub/\n")
        // a file path deletes that file alone; a local path works alike; a missing path exits 3
        assert.strictEqual((yield* run("delete", "jotta:del/keep.log")).exitCode, 0)
        assert.strictEqual((yield* run("lsf", "-R", "jotta:del")).stdout, "sub/\n")
        assert.strictEqual((yield* run("delete", `${dir}/src/sub`)).exitCode, 0)
        // rm (deletefile) removes one file only
        const folder = yield* run("rm", "jotta:del/sub")
        assert.strictEqual(folder.exitCode, 1)
        assert.match(folder.stderr, /is a folder/)
        assert.deepStrictEqual(NodeFs.readdirSync(`${dir}/src/sub`), ["deep"])
        const missing = yield* run("delete", "jotta:del/nope")
        assert.strictEqual(missing.exitCode, 3)
        assert.strictEqual(missing.stderr, "fjord: jotta:del/nope: directory not found\n")
      })
  )

  it.scoped("--log-file: a transfer's INFO lines go to the file, not to stderr", () =>
    Effect.gen(function* () {
      const { dir, run } = yield* loggedIn
      write(`${dir}/logsrc/one.txt`, "1")
      const logFile = `${dir}/fjord.log`
      const r = yield* run("copy", "-v", "--log-file", logFile, `${dir}/logsrc`, "jotta:logged")
      assert.strictEqual(r.exitCode, 0, r.stderr)
      assert.match(NodeFs.readFileSync(logFile, "utf8"), / INFO {2}: one\.txt: Copied \(new\)$/m)
      assert.notMatch(r.stderr, /Copied/)
    })
  )

  it.scoped("filters, move, moveto, copyto; local → local needs no login", () =>
    Effect.gen(function* () {
      const { dir, run } = yield* loggedIn
      write(`${dir}/src/a.jpg`, "a")
      write(`${dir}/src/b.png`, "b")
      write(`${dir}/src/skip/c.jpg`, "c")
      // rclone's order: --include rules come before --exclude ones, so mixing them would keep skip/c.jpg
      const f = yield* run(
        "copy",
        ...["--filter", "- /skip/**", "--filter", "+ *.jpg", "--filter", "- **"],
        `${dir}/src`,
        "jotta:flt"
      )
      assert.strictEqual(f.exitCode, 0, f.stderr)
      assert.strictEqual((yield* run("lsf", "-R", "jotta:flt")).stdout, "a.jpg\n")
      const mv = yield* run("moveto", "jotta:flt/a.jpg", "jotta:flt2/renamed.jpg")
      assert.strictEqual(mv.exitCode, 0, mv.stderr)
      assert.strictEqual((yield* run("lsf", "-R", "jotta:flt2")).stdout, "renamed.jpg\n")
      const moved = yield* run("move", `${dir}/src/skip`, "jotta:flt3")
      assert.strictEqual(moved.exitCode, 0, moved.stderr)
      assert.deepStrictEqual(NodeFs.readdirSync(`${dir}/src/skip`), [])
      // a whole cloud folder to a free destination: one server-side folder move, as rclone logs it
      const dry = yield* run("move", "-v", "--dry-run", "jotta:flt3", "jotta:flt4")
      assert.match(dry.stderr, /NOTICE: jotta:flt4: Skipped server-side directory move as --dry-run is set\n/)
      const whole = yield* run("move", "-v", "jotta:flt3", "jotta:flt4")
      assert.strictEqual(whole.exitCode, 0, whole.stderr)
      assert.match(whole.stderr, /INFO {2}: jotta:flt4: Server side directory move succeeded\n/)
      assert.notInclude(whole.stderr, "There was nothing to transfer")
      assert.strictEqual((yield* run("lsf", "-R", "jotta:flt4")).stdout, "c.jpg\n")
      const ct = yield* run("copyto", "jotta:flt4/c.jpg", `${dir}/out/c-copy.jpg`)
      assert.strictEqual(ct.exitCode, 0, ct.stderr)
      assert.strictEqual(NodeFs.readFileSync(`${dir}/out/c-copy.jpg`, "utf8"), "c")
      // --files-from (comments, blank lines, a missing file) and --exclude-if-present
      write(`${dir}/list`, "# wanted\n\n b.png \n/skip/c.jpg\nmissing.jpg\n")
      write(`${dir}/src/skip/c.jpg`, "c")
      const ff = yield* run("copy", "--files-from", `${dir}/list`, `${dir}/src`, `${dir}/listed`)
      assert.strictEqual(ff.exitCode, 0, ff.stderr)
      assert.deepStrictEqual(NodeFs.readdirSync(`${dir}/listed`, { recursive: true }).sort(), [
        "b.png",
        "skip",
        "skip/c.jpg"
      ])
      write(`${dir}/src/skip/.ignore`, "")
      const eip = yield* run("copy", "--exclude-if-present", ".ignore", `${dir}/src`, `${dir}/present`)
      assert.strictEqual(eip.exitCode, 0, eip.stderr)
      assert.deepStrictEqual(NodeFs.readdirSync(`${dir}/present`).sort(), ["a.jpg", "b.png"])
      const both = yield* run("copy", "--files-from", `${dir}/list`, "--include", "*.jpg", `${dir}/src`, `${dir}/x`)
      assert.notStrictEqual(both.exitCode, 0)
      assert.include(both.stderr, "the usage of --files-from overrides all other filters")
      NodeFs.rmSync(`${dir}/src/skip`, { recursive: true })
      // a fresh config directory, never logged in
      const ll = yield* fjord("copy", `${dir}/src`, `${dir}/mirror`, "--config-dir", `${dir}/nobody`)
      assert.strictEqual(ll.exitCode, 0, ll.stderr)
      assert.deepStrictEqual(NodeFs.readdirSync(`${dir}/mirror`).sort(), ["a.jpg", "b.png"])
    })
  )

  it.scoped("-v: rclone's INFO lines for new, replaced, touched and deleted files; -q prints nothing", () =>
    Effect.gen(function* () {
      const { dir, run } = yield* loggedIn
      const t0 = new Date(Date.UTC(2024, 0, 2, 3, 4, 5))
      write(`${dir}/src/new.txt`, "n")
      write(`${dir}/src/changed.txt`, "1")
      write(`${dir}/src/touched.txt`, "t")
      write(`${dir}/src/gone.txt`, "g")
      for (const f of ["changed", "touched", "gone"]) NodeFs.utimesSync(`${dir}/src/${f}.txt`, t0, t0)
      const first = yield* run("copy", `${dir}/src`, "jotta:info")
      assert.strictEqual(first.exitCode, 0, first.stderr)
      assert.strictEqual(first.stderr, "") // NOTICE level: nothing happened worth a line
      NodeFs.rmSync(`${dir}/src/gone.txt`)
      write(`${dir}/src/changed.txt`, "22")
      const later = new Date(t0.getTime() + 60_000)
      NodeFs.utimesSync(`${dir}/src/touched.txt`, later, later)
      write(`${dir}/src/another.txt`, "a")
      const r = yield* run("sync", "-v", `${dir}/src`, "jotta:info")
      assert.strictEqual(r.exitCode, 0, r.stderr)
      const info = r.stderr
        .split("\n")
        .filter((l) => l.includes(" INFO  : "))
        .map((l) => l.replace(/^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d INFO {2}: /, ""))
        .sort()
      assert.deepStrictEqual(info, [
        "another.txt: Copied (new)",
        "changed.txt: Copied (replaced existing)",
        "gone.txt: Deleted",
        "touched.txt: Updated modification time in destination"
      ])
      assert.match(r.stdout, /^Deleted: +1 \(files\), 0 \(dirs\)$/m)
      assert.match(r.stdout, /^Transferred: +2 \/ 2, 100%$/m)
      const nothing = yield* run("copy", "-v", `${dir}/src`, "jotta:info")
      assert.match(nothing.stderr, / INFO {2}: There was nothing to transfer$/m)
      write(`${dir}/src/quiet.txt`, "q")
      const q = yield* run("copy", "-q", `${dir}/src`, "jotta:info")
      assert.deepStrictEqual([q.exitCode, q.stdout, q.stderr], [0, "", ""])
    })
  )

  it.scoped(
    "sync with filters keeps excluded files (--delete-excluded removes them); move --delete-empty-src-dirs",
    () =>
      Effect.gen(function* () {
        const { dir, run } = yield* loggedIn
        write(`${dir}/src/a.jpg`, "a")
        write(`${dir}/old/a.jpg`, "a")
        write(`${dir}/old/notes.txt`, "n")
        write(`${dir}/old/gone/g.jpg`, "g")
        write(`${dir}/old/mixed/m.jpg`, "m")
        write(`${dir}/old/mixed/t.txt`, "t")
        assert.strictEqual((yield* run("copy", `${dir}/old`, "jotta:fs")).exitCode, 0)
        const r = yield* run("sync", "-v", "--exclude", "*.txt", `${dir}/src`, "jotta:fs")
        assert.strictEqual(r.exitCode, 0, r.stderr)
        assert.strictEqual((yield* run("lsf", "-R", "jotta:fs")).stdout, "a.jpg\nnotes.txt\nmixed/\nmixed/t.txt\n")
        assert.match(r.stderr, / INFO {2}: gone: Removing directory$/m)
        const all = yield* run("sync", "--exclude", "*.txt", "--delete-excluded", `${dir}/src`, "jotta:fs")
        assert.strictEqual(all.exitCode, 0, all.stderr)
        assert.strictEqual((yield* run("lsf", "-R", "jotta:fs")).stdout, "a.jpg\n")

        write(`${dir}/mv/x/y/z.txt`, "z")
        write(`${dir}/mv/top.txt`, "t")
        NodeFs.mkdirSync(`${dir}/mv/empty`)
        const kept = yield* run("move", `${dir}/mv`, "jotta:mv")
        assert.strictEqual(kept.exitCode, 0, kept.stderr)
        assert.deepStrictEqual(NodeFs.readdirSync(`${dir}/mv`).sort(), ["empty", "x"])
        assert.match(kept.stdout, /^Deleted: +2 \(files\), 0 \(dirs\)\nRenamed: +2\nTransferred: +2 \/ 2, 100%$/m)
        const back = yield* run("move", "--delete-empty-src-dirs", "jotta:mv", `${dir}/mv`)
        assert.strictEqual(back.exitCode, 0, back.stderr)
        assert.strictEqual((yield* run("lsf", "-R", "jotta:mv")).stdout, "")
        assert.match(back.stdout, /^Deleted: +2 \(files\), 2 \(dirs\)$/m)
        assert.strictEqual(NodeFs.readFileSync(`${dir}/mv/x/y/z.txt`, "utf8"), "z")
      })
  )

  it.scoped("without a terminal, -v prints a stats block every --stats interval on a timer, or one line", () =>
    Effect.gen(function* () {
      const { emu, dir, run } = yield* loggedIn
      write(`${dir}/src/slow.bin`, "x".repeat(300_000))
      // the upload is held for 1.5 s: no event comes from the engine meanwhile, the timer does
      yield* emu.inject(Emulator.parseFault("delay:1500,op=upload,times=1"))
      const r = yield* run("copy", "-v", "--stats", "300ms", `${dir}/src`, "jotta:stats")
      assert.strictEqual(r.exitCode, 0, r.stderr)
      const blocks = r.stderr.split(/^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d INFO {2}: \n/m).slice(1)
      assert.isAtLeast(blocks.length, 3, r.stderr)
      const during = blocks.find((b) => b.includes("Transferring:"))
      assert.isDefined(during, r.stderr)
      assert.match(during!, /^Transferred: +\t +[\d.]+ [KMG]?i?B \/ 292\.969 KiB, \d+%, /m)
      assert.match(during!, /^Transferred: +0 \/ 1, 0%$/m)
      assert.match(during!, /^Elapsed time: +\d+\.\ds$/m)
      assert.match(during!, /^ \* +slow\.bin: *\d+% \/292\.969Ki, [\d.]+[KMG]?i?\/s, (-|\d+s)$/m)
      yield* emu.inject(Emulator.parseFault("delay:1000,op=upload,times=1"))
      write(`${dir}/src2/slow.bin`, "y".repeat(300_000))
      const one = yield* run("copy", "-v", "--stats-one-line", "--stats", "300ms", `${dir}/src2`, "jotta:stats2")
      assert.strictEqual(one.exitCode, 0, one.stderr)
      assert.match(
        one.stderr,
        / INFO {2}: +[\d.]+ [KMG]?i?B \/ 292\.969 KiB, \d+%, [\d.]+ [KMG]?i?B\/s, ETA \S+ \(xfr#0\/1\)$/m
      )
      // -P off a terminal: the same blocks, without -v's INFO lines
      yield* emu.inject(Emulator.parseFault("delay:1000,op=upload,times=1"))
      write(`${dir}/src3/slow.bin`, "z".repeat(300_000))
      const p = yield* run("copy", "-P", "--stats", "300ms", `${dir}/src3`, "jotta:stats3")
      assert.strictEqual(p.exitCode, 0, p.stderr)
      assert.match(p.stderr, /^Transferring:\n \* +slow\.bin:/m)
      assert.notInclude(p.stderr, "Copied")
      assert.match(p.stdout, /^Transferred: +1 \/ 1, 100%$/m)
    })
  )
})
