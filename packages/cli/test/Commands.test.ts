// The everyday commands, backend flags, logging and error lines, in-process against the
// emulator (see fjord.ts).
import { createHash } from "node:crypto"
import * as NodeFs from "node:fs"
import * as FileSystem from "@effect/platform/FileSystem"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { assert, layer } from "@effect/vitest"
import * as Stdin from "@fjord/cli/Stdin"
import * as Emulator from "@fjord/emulator/Emulator"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import * as TestServices from "effect/TestServices"
import { fjord, type Result } from "./fjord.js"

const Env = Layer.mergeAll(Emulator.layer({ quotaBytes: 1_000_000 }), NodeContext.layer)

const loggedIn = Effect.gen(function* () {
  const emu = yield* Emulator.Emulator
  const fs = yield* FileSystem.FileSystem
  const dir = yield* fs.makeTempDirectoryScoped({ prefix: "fjord-cmd-" })
  const token = yield* emu.newLoginToken()
  const r = yield* fjord("login", "--login-token", token, "--endpoint", emu.url, "--config-dir", dir)
  assert.strictEqual(r.exitCode, 0, r.stderr)
  const run = (...args: ReadonlyArray<string>) => fjord(...args, "--config-dir", dir)
  const rcat = (path: string, text: string) =>
    run("rcat", path).pipe(Effect.provideService(Stdin.Stdin, Stream.succeed(new TextEncoder().encode(text))))
  return { emu, dir, fs, run, rcat }
})

const ok = (r: Result): string => {
  assert.strictEqual(r.exitCode, 0, `stderr: ${r.stderr}`)
  return r.stdout
}

/** One `fjord: …` line on stderr and `exitCode` (rclone's: 3 for a path that is not there). */
const oneErrorLine = (r: Result, pattern: RegExp, exitCode = 1) => {
  assert.strictEqual(r.exitCode, exitCode, r.stdout)
  const lines = r.stderr.trimEnd().split("\n")
  assert.strictEqual(lines.length, 1, r.stderr)
  assert.match(lines[0] ?? "", /^fjord: /)
  assert.match(lines[0] ?? "", pattern)
}

layer(Env, { timeout: 30_000 })("fjord everyday commands (in-process against the emulator)", (it) => {
  it.scoped("rcat stores stdin (in memory and spooled past the md5 memory limit); cat ranges", () =>
    Effect.gen(function* () {
      const { run, rcat } = yield* loggedIn
      ok(yield* rcat("jotta:r/small.txt", "0123456789"))
      assert.strictEqual(ok(yield* run("cat", "jotta:r/small.txt")), "0123456789")
      const big = "abcdefghij".repeat(300)
      ok(
        yield* run("rcat", "--jottacloud-md5-memory-limit", "1k", "jotta:r/big.txt").pipe(
          Effect.provideService(
            Stdin.Stdin,
            Stream.make(new TextEncoder().encode(big.slice(0, 1000)), new TextEncoder().encode(big.slice(1000)))
          )
        )
      )
      assert.strictEqual(ok(yield* run("cat", "jotta:r/big.txt")), big)
      assert.strictEqual(ok(yield* run("cat", "--head", "3", "jotta:r/small.txt")), "012")
      assert.strictEqual(ok(yield* run("cat", "--tail", "3", "jotta:r/small.txt")), "789")
      assert.strictEqual(ok(yield* run("cat", "--offset", "2", "--count", "4", "jotta:r/small.txt")), "2345")
      assert.strictEqual(ok(yield* run("cat", "--offset", "-4", "jotta:r/small.txt")), "6789")
      oneErrorLine(yield* run("cat", "jotta:r/nope.txt"), /^fjord: jotta:r\/nope\.txt: not found$/, 3)
    })
  )

  it.scoped("cat exits non-zero when the bytes do not match the file", () =>
    Effect.gen(function* () {
      const { emu, run, rcat } = yield* loggedIn
      ok(yield* rcat("jotta:c/file.txt", "the real content"))
      yield* emu.inject(Emulator.parseFault("corrupt,op=download"))
      const r = yield* run("cat", "jotta:c/file.txt")
      assert.strictEqual(r.exitCode, 1)
      assert.match(r.stderr, /^fjord: .*(MD5|md5|match)/m)
    })
  )

  it.scoped("touch creates an empty file and sets times; mkdir; rmdirs removes only empty folders", () =>
    Effect.gen(function* () {
      const { run } = yield* loggedIn
      ok(yield* run("touch", "jotta:t/new.txt"))
      ok(yield* run("touch", "-t", "2020-01-02T03:04:05Z", "jotta:t/new.txt"))
      assert.match(ok(yield* run("lsl", "jotta:t")), /^ +0 2020-01-02 03:04:05\.000000000 new\.txt\n$/)
      ok(yield* run("touch", "--no-create", "jotta:t/absent.txt"))
      assert.notInclude(ok(yield* run("lsf", "jotta:t")), "absent")
      for (const d of ["e/a/b", "e/c", "e/full"]) ok(yield* run("mkdir", `jotta:${d}`))
      ok(yield* run("touch", "jotta:e/full/f.txt"))
      ok(yield* run("rmdirs", "jotta:e"))
      assert.deepStrictEqual(
        ok(yield* run("lsf", "-R", "jotta:e"))
          .trim()
          .split("\n")
          .sort(),
        ["full/", "full/f.txt"]
      )
      assert.match(ok(yield* run("lsd", "jotta:")), /^ +-1 \d{4}-\d\d-\d\d \d\d:\d\d:\d\d +-1 e\n/m)
    })
  )

  it.scoped("about --json in rclone's shape; devices and mountpoints listed and created", () =>
    Effect.gen(function* () {
      const { run } = yield* loggedIn
      const about = JSON.parse(ok(yield* run("about", "--json")))
      assert.deepStrictEqual(Object.keys(about).sort(), ["free", "total", "used"])
      assert.strictEqual(about.total, 1_000_000)
      assert.match(ok(yield* run("devices", "--create", "Laptop")), /Created device Laptop/)
      assert.match(ok(yield* run("mountpoints", "--device", "Laptop", "--create", "Docs")), /Laptop\/Docs/)
      assert.match(ok(yield* run("mountpoints", "--device", "Laptop")), /^Docs/m)
      oneErrorLine(yield* run("mountpoints", "--create", "Mine"), /built-in device Jotta/)
      ok(yield* run("touch", "--device", "Laptop", "--mountpoint", "Docs", "jotta:in-docs.txt"))
      assert.strictEqual(ok(yield* run("lsf", "jotta:", "--device=Laptop", "--mountpoint=Docs")), "in-docs.txt\n")
    })
  )

  it.scoped("trash lists only what is trashed, -R below every folder; hard delete skips the trash", () =>
    Effect.gen(function* () {
      const { run } = yield* loggedIn
      ok(yield* run("touch", "jotta:tr/keep.txt"))
      ok(yield* run("touch", "jotta:tr/top.txt"))
      ok(yield* run("touch", "jotta:tr/sub/deep.txt"))
      ok(yield* run("touch", "jotta:tr/sub/gone.txt"))
      ok(yield* run("delete", "jotta:tr/top.txt"))
      ok(yield* run("delete", "jotta:tr/sub/deep.txt"))
      ok(yield* run("delete", "--jottacloud-hard-delete", "jotta:tr/sub/gone.txt"))
      const one = ok(yield* run("trash", "jotta:tr"))
      assert.match(one, / top\.txt\n$/)
      assert.notInclude(one, "sub")
      const all = ok(yield* run("trash", "-R", "jotta:tr"))
      assert.deepStrictEqual(
        all
          .trim()
          .split("\n")
          .map((l) => l.split(" ").pop())
          .sort(),
        ["sub/deep.txt", "top.txt"]
      )
    })
  )

  it.scoped("a stopped endpoint fails at once with one line naming it", () =>
    Effect.gen(function* () {
      const { run } = yield* loggedIn
      const started = Date.now()
      const r = yield* run("ls", "--endpoint", "http://127.0.0.1:9")
      oneErrorLine(r, /cannot reach http:\/\/127\.0\.0\.1:9 \(connection refused\): check the endpoint/)
      assert.isBelow(Date.now() - started, 3000)
      // --low-level-retries sets the attempts of the same policy: still no retry of a refused connection
      const again = Date.now()
      oneErrorLine(yield* run("ls", "--low-level-retries", "20", "--endpoint", "http://127.0.0.1:9"), /cannot reach/)
      assert.isBelow(Date.now() - again, 3000)
      const zero = yield* run("ls", "--low-level-retries", "0")
      assert.strictEqual(zero.exitCode, 2)
      assert.match(zero.stderr, /^fjord: --low-level-retries: expected a number/)
    })
  )

  it.scoped("--low-level-retries 1 fails a cut upload at once; the next upload resumes, logged at -v", () =>
    Effect.gen(function* () {
      const { emu, run } = yield* loggedIn
      const data = new Uint8Array(200_000).map((_, i) => i % 251)
      const rcat = (...args: ReadonlyArray<string>) =>
        run("rcat", ...args, "jotta:resume/big.bin").pipe(Effect.provideService(Stdin.Stdin, Stream.succeed(data)))
      yield* emu.inject(Emulator.parseFault("cut-request:65536,op=upload"))
      const cut = yield* rcat("-v", "--low-level-retries", "1")
      assert.strictEqual(cut.exitCode, 1, cut.stderr)
      assert.notMatch(cut.stderr, /retrying/)
      const resumed = yield* rcat("-v")
      assert.strictEqual(resumed.exitCode, 0, resumed.stderr)
      // the log goes through Output (stderr) when there is no --log-file
      assert.match(
        resumed.stderr,
        /^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d INFO {2}: resume\/big\.bin: resuming the upload at byte 65536 of 200000$/m
      )
      assert.strictEqual(
        ok(yield* run("md5sum", "jotta:resume")).split(" ")[0],
        createHash("md5").update(data).digest("hex")
      )
      const quiet = yield* rcat()
      assert.notMatch(quiet.stderr, /INFO/)
    })
  )

  // live: the retry waits in real time
  it.scoped("-v logs retries to --log-file; -vv adds the failure's detail; no token in the log", () =>
    Effect.gen(function* () {
      const { emu, dir, run, rcat } = yield* loggedIn
      ok(yield* rcat("jotta:l/f.txt", "x"))
      const log = `${dir}/fjord.log`
      yield* emu.inject(Emulator.parseFault("status:503,op=download"))
      assert.strictEqual(ok(yield* run("cat", "-v", "--log-file", log, "jotta:l/f.txt")), "x")
      const text = NodeFs.readFileSync(log, "utf8")
      assert.match(text, /^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d INFO {2}: .*HTTP 503.*retrying$/m)
      ok(yield* run("cat", "--log-file", log, "jotta:l/f.txt"))
      assert.strictEqual(NodeFs.readFileSync(log, "utf8"), text)
      yield* run("cat", "-vv", "--log-file", log, "jotta:l/missing.txt")
      assert.match(NodeFs.readFileSync(log, "utf8"), /DEBUG : .*not found/)
      assert.notMatch(NodeFs.readFileSync(log, "utf8"), /eyJ/)
    }).pipe(TestServices.provideLive)
  )

  it.scoped("a used login token says to generate a new one; a full account names cleanup; no server text", () =>
    Effect.gen(function* () {
      const { emu, fs, run, rcat } = yield* loggedIn
      const used = yield* emu.newLoginToken()
      const first = yield* fs.makeTempDirectoryScoped({ prefix: "fjord-cmd-" })
      ok(yield* fjord("login", "--login-token", used, "--endpoint", emu.url, "--config-dir", first))
      const again = yield* fs.makeTempDirectoryScoped({ prefix: "fjord-cmd-" })
      const reused = yield* fjord("login", "--login-token", used, "--endpoint", emu.url, "--config-dir", again)
      oneErrorLine(reused, /login token was refused.*generate a new one/)
      assert.notInclude(reused.stderr, used)
      oneErrorLine(yield* rcat("jotta:q/huge.bin", "x".repeat(1_100_000)), /storage is full.*fjord cleanup/)
      ok(yield* rcat("jotta:q/small.txt", "small"))
      yield* emu.inject(Emulator.parseFault("status:403,op=download"))
      const denied = yield* run("cat", "jotta:q/small.txt")
      oneErrorLine(denied, /HTTP 403/)
      assert.notMatch(denied.stderr, /Exception|no\.jotta/)
    })
  )

  it.scoped("-vv logs a token refresh", () =>
    Effect.gen(function* () {
      const { emu, dir, run } = yield* loggedIn
      const log = `${dir}/refresh.log`
      yield* emu.inject(Emulator.parseFault("expire-tokens,op=customer"))
      ok(yield* run("userinfo", "-vv", "--log-file", log))
      assert.match(NodeFs.readFileSync(log, "utf8"), /DEBUG : access token refreshed/)
    })
  )

  it.scoped("FJORD_* variables set the backend options", () =>
    Effect.gen(function* () {
      const { run } = yield* loggedIn
      ok(yield* run("touch", "jotta:env/a.txt"))
      process.env.FJORD_JOTTACLOUD_HARD_DELETE = "true"
      const r = yield* run("delete", "jotta:env/a.txt").pipe(
        Effect.ensuring(Effect.sync(() => delete process.env.FJORD_JOTTACLOUD_HARD_DELETE))
      )
      ok(r)
      assert.strictEqual(ok(yield* run("trash", "-R", "jotta:env")), "")
    })
  )
})
