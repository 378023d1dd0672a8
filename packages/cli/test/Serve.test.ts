// `fjord serve` against the emulator, with real clients: the litmus WebDAV suite (Debian's
// `litmus`) and rclone's webdav backend (vendor=other). Both are installed by .ci/run.
import * as ChildProcess from "node:child_process"
import * as Crypto from "node:crypto"
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import * as FileSystem from "@effect/platform/FileSystem"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { assert, layer } from "@effect/vitest"
import * as Cli from "@fjord/cli/Cli"
import * as Output from "@fjord/cli/Output"
import * as Emulator from "@fjord/emulator/Emulator"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Schedule from "effect/Schedule"
import { fjord } from "./fjord.js"

const Env = Layer.mergeAll(Emulator.layer(), NodeContext.layer)
const user = "litmus"
const pass = "litmus-pw"

/** Logs in to the emulator and starts `fjord serve …args` in the background; returns its URL. */
const serve = (...args: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const emu = yield* Emulator.Emulator
    const fs = yield* FileSystem.FileSystem
    const dir = yield* fs.makeTempDirectoryScoped({ prefix: "fjord-serve-" })
    const token = yield* emu.newLoginToken()
    const login = yield* fjord("login", "--login-token", token, "--endpoint", emu.url, "--config-dir", dir)
    assert.strictEqual(login.exitCode, 0, login.stderr)
    const { service, captured } = Output.makeMemory()
    const fiber = yield* Cli.run(["serve", ...args, "--addr", "127.0.0.1:0", "--config-dir", dir]).pipe(
      Effect.provideService(Output.Output, service),
      Effect.forkScoped
    )
    const url = yield* Effect.suspend(() => {
      const m = /on (http:\/\/127\.0\.0\.1:\d+)\//.exec(captured.stderr())
      return m === null ? Effect.fail(captured.stderr()) : Effect.succeed(m[1] ?? "")
    }).pipe(Effect.retry(Schedule.spaced("20 millis").pipe(Schedule.upTo("10 seconds"))))
    return { url, fiber, captured }
  })

const run = (command: string, args: ReadonlyArray<string>, env: Record<string, string> = {}, cwd?: string) =>
  Effect.promise(
    () =>
      new Promise<{ code: number; out: string }>((resolve) => {
        ChildProcess.execFile(
          command,
          args,
          { env: { ...process.env, ...env }, timeout: 120_000, maxBuffer: 16 * 1024 * 1024, ...(cwd ? { cwd } : {}) },
          (error, stdout, stderr) =>
            resolve({ code: error === null ? 0 : Number(error.code ?? 1), out: stdout + stderr })
        )
      })
  )

/** `<- summary for `basic': of 16 tests run: 16 passed, 0 failed.` → figures per group. */
const summaries = (out: string): Record<string, { run: number; passed: number; failed: number }> =>
  Object.fromEntries(
    [...out.matchAll(/summary for `(\w+)': of (\d+) tests run: (\d+) passed, (\d+) failed/g)].map((m) => [
      m[1],
      { run: Number(m[2]), passed: Number(m[3]), failed: Number(m[4]) }
    ])
  )

const tree = (root: string) => {
  const files: Record<string, string> = {}
  const walk = (dir: string) => {
    for (const e of NodeFs.readdirSync(dir, { withFileTypes: true })) {
      const p = NodePath.join(dir, e.name)
      if (e.isDirectory()) walk(p)
      else files[NodePath.relative(root, p)] = Crypto.createHash("md5").update(NodeFs.readFileSync(p)).digest("hex")
    }
  }
  walk(root)
  return files
}

layer(Env, { timeout: 120_000, excludeTestServices: true })(
  "fjord serve (real clients over loopback, against the emulator)",
  (it) => {
    it.scoped(
      "litmus: basic, copymove, props and locks all pass against fjord serve webdav",
      () =>
        Effect.gen(function* () {
          const { url, captured } = yield* serve("webdav", "jotta:litmus", "--user", user, "--pass", pass, "-v")
          // litmus writes its debug.log into its working directory
          const cwd = yield* (yield* FileSystem.FileSystem).makeTempDirectoryScoped({ prefix: "fjord-litmus-" })
          const r = yield* run("litmus", [`${url}/`, user, pass], { TESTS: "basic copymove props locks" }, cwd)
          const figures = summaries(r.out)
          // the figures of each group, for the record
          console.log(`litmus figures: ${JSON.stringify(figures)}`)
          assert.deepStrictEqual(Object.keys(figures), ["basic", "copymove", "props", "locks"], r.out)
          for (const [group, f] of Object.entries(figures)) {
            assert.strictEqual(f.failed, 0, `${group}: ${r.out}`)
            assert.strictEqual(f.passed, f.run, group)
          }
          assert.strictEqual(figures.basic?.run, 16)
          assert.strictEqual(figures.copymove?.run, 13)
          assert.strictEqual(figures.props?.run, 30)
          assert.strictEqual(figures.locks?.run, 41)
          // -v: one access log line per request
          assert.match(captured.stderr(), /\nPROPFIND \/\S* 207 \d+ms\n/)
          assert.notInclude(r.out, "warning")
        }),
      120_000
    )

    it.scoped(
      "rclone (webdav, vendor=other) copies a tree in, checks it, lists it and copies it back byte-identical",
      () =>
        Effect.gen(function* () {
          const { url } = yield* serve("webdav", "jotta:rclone", "--user", user, "--pass", pass)
          const fs = yield* FileSystem.FileSystem
          const dir = yield* fs.makeTempDirectoryScoped({ prefix: "fjord-serve-rclone-" })
          const src = NodePath.join(dir, "src")
          NodeFs.mkdirSync(NodePath.join(src, "docs/deep"), { recursive: true })
          NodeFs.writeFileSync(NodePath.join(src, "a.txt"), "alpha\n")
          NodeFs.writeFileSync(NodePath.join(src, "docs/b b.md"), "# bravo\n")
          NodeFs.writeFileSync(NodePath.join(src, "docs/deep/c.bin"), Crypto.randomBytes(3 * 1024 * 1024 + 5))
          NodeFs.writeFileSync(NodePath.join(src, "docs/deep/empty"), "")
          NodeFs.writeFileSync(NodePath.join(src, "ünïcode €.txt"), "unicode\n")
          const obscured = yield* run("rclone", ["obscure", pass])
          const config = NodePath.join(dir, "rclone.conf")
          NodeFs.writeFileSync(config, "")
          const env = {
            RCLONE_CONFIG: config,
            RCLONE_CONFIG_DAV_TYPE: "webdav",
            RCLONE_CONFIG_DAV_URL: `${url}/`,
            RCLONE_CONFIG_DAV_VENDOR: "other",
            RCLONE_CONFIG_DAV_USER: user,
            RCLONE_CONFIG_DAV_PASS: obscured.out.trim()
          }
          const copyIn = yield* run("rclone", ["copy", src, "dav:tree"], env)
          assert.strictEqual(copyIn.code, 0, copyIn.out)
          const check = yield* run("rclone", ["check", src, "dav:tree"], env)
          assert.strictEqual(check.code, 0, check.out)
          assert.match(check.out, /0 differences found/)
          const list = yield* run("rclone", ["lsf", "-R", "--files-only", "dav:tree"], env)
          assert.strictEqual(list.code, 0, list.out)
          assert.deepStrictEqual(list.out.trim().split("\n").sort(), Object.keys(tree(src)).sort())
          const back = NodePath.join(dir, "back")
          const copyBack = yield* run("rclone", ["copy", "dav:tree", back], env)
          assert.strictEqual(copyBack.code, 0, copyBack.out)
          assert.deepStrictEqual(tree(back), tree(src))
        })
    )

    it.scoped("without credentials every request is 401; serve http is read-only", () =>
      Effect.gen(function* () {
        const { url, fiber } = yield* serve("webdav", "jotta:", "--user", user, "--pass", pass)
        const none = yield* Effect.promise(() => fetch(`${url}/`, { method: "PROPFIND", headers: { depth: "0" } }))
        assert.strictEqual(none.status, 401)
        yield* Fiber.interrupt(fiber)
        const http = yield* serve("http", "jotta:", "--read-only")
        const put = yield* Effect.promise(() => fetch(`${http.url}/x.txt`, { method: "PUT", body: "x" }))
        assert.strictEqual(put.status, 405)
        const index = yield* Effect.promise(() => fetch(`${http.url}/`).then((r) => r.text()))
        assert.include(index, "Index of /")
      })
    )

    it.scoped("--read-only refuses writes with 403; a bad --htpasswd entry is a usage error", () =>
      Effect.gen(function* () {
        const { url } = yield* serve("webdav", "jotta:", "--read-only")
        const put = yield* Effect.promise(() => fetch(`${url}/x.txt`, { method: "PUT", body: "x" }))
        assert.strictEqual(put.status, 403)
        const mkcol = yield* Effect.promise(() => fetch(`${url}/d`, { method: "MKCOL" }))
        assert.strictEqual(mkcol.status, 403)
        const fs = yield* FileSystem.FileSystem
        const file = yield* fs.makeTempFileScoped()
        yield* fs.writeFileString(file, "anna:{SHA}notbcrypt\n")
        const emu = yield* Emulator.Emulator
        const dir = yield* fs.makeTempDirectoryScoped()
        const token = yield* emu.newLoginToken()
        yield* fjord("login", "--login-token", token, "--endpoint", emu.url, "--config-dir", dir)
        const bad = yield* fjord("serve", "webdav", "jotta:", "--htpasswd", file, "--config-dir", dir)
        assert.strictEqual(bad.exitCode, 1)
        assert.match(bad.stderr, /not a bcrypt entry/)
      })
    )
  }
)
