import * as NodeFs from "node:fs"
import * as FileSystem from "@effect/platform/FileSystem"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { assert, layer } from "@effect/vitest"
import * as Cli from "@fjord/cli/Cli"
import * as Output from "@fjord/cli/Output"
import * as Emulator from "@fjord/emulator/Emulator"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import { fjord, type Result } from "./fjord.js"

const twoFactor = { username: "k7twofactor9user", email: "kari@example.org", password: "kari-pw", otp: "123456" }
const Env = Layer.mergeAll(Emulator.layer({ accounts: [twoFactor] }), NodeContext.layer)

/** A fresh config directory, logged in to the emulator. */
const loggedIn = Effect.gen(function* () {
  const emu = yield* Emulator.Emulator
  const fs = yield* FileSystem.FileSystem
  const dir = yield* fs.makeTempDirectoryScoped({ prefix: "fjord-cli-" })
  const token = yield* emu.newLoginToken()
  const r = yield* fjord("login", "--login-token", token, "--endpoint", emu.url, "--config-dir", dir)
  assert.strictEqual(r.exitCode, 0, r.stderr)
  const run = (...args: ReadonlyArray<string>) => fjord(...args, "--config-dir", dir)
  return { emu, dir, token, run }
})

const ok = (r: Result): string => {
  assert.strictEqual(r.exitCode, 0, `stderr: ${r.stderr}`)
  assert.strictEqual(r.stderr, "")
  return r.stdout
}

/** One `fjord: …` line on stderr and `exitCode` (rclone's: 3 for a path that is not there). */
const oneErrorLine = (r: Result, pattern: RegExp, exitCode = 1) => {
  assert.strictEqual(r.exitCode, exitCode)
  assert.strictEqual(r.stdout, "")
  const lines = r.stderr.trimEnd().split("\n")
  assert.strictEqual(lines.length, 1, r.stderr)
  assert.match(lines[0] ?? "", /^fjord: /)
  assert.match(lines[0] ?? "", pattern)
  assert.notMatch(r.stderr, /\n\s+at /)
}

layer(Env, { timeout: 30_000 })("fjord CLI (in-process against the emulator)", (it) => {
  it.scoped("login stores a 0600 token and the endpoint, and never prints the token", () =>
    Effect.gen(function* () {
      const { emu, dir, token, run } = yield* loggedIn
      assert.strictEqual(NodeFs.statSync(`${dir}/token.json`).mode & 0o777, 0o600)
      assert.strictEqual(JSON.parse(NodeFs.readFileSync(`${dir}/config.json`, "utf8")).endpoint, emu.url)
      const r = yield* run("userinfo")
      assert.match(ok(r), new RegExp(`Email: +${emu.email.replace(/[.]/g, "\\.")}`))
      const info = JSON.parse(ok(yield* run("userinfo", "--json")))
      assert.strictEqual(info.username, emu.username)
      const again = yield* fjord("login", "--login-token", token, "--config-dir", dir, "--json")
      assert.strictEqual(JSON.parse(ok(again)).username, emu.username)
      assert.notInclude(again.stdout + r.stdout, token)
      assert.match(ok(yield* run("logout")), /Logged out/)
      assert.isFalse(NodeFs.existsSync(`${dir}/token.json`))
      oneErrorLine(yield* run("ls"), /not logged in/)
    })
  )

  it.scoped("without a login, commands fail with one clear line", () =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped({ prefix: "fjord-cli-" })
      oneErrorLine(yield* fjord("ls", "--config-dir", dir), /not logged in .*fjord login/)
      oneErrorLine(yield* fjord("login", "--config-dir", dir), /--login-token/)
      oneErrorLine(yield* fjord("login", "--emulator", "--config-dir", dir), /no emulator found/)
      const garbage = yield* fjord("login", "--login-token", "c2VjcmV0LWdhcmJhZ2UtdG9rZW4", "--config-dir", dir)
      oneErrorLine(garbage, /not a Jottacloud personal login token/)
      assert.notInclude(garbage.stderr, "c2VjcmV0LWdhcmJhZ2UtdG9rZW4")
    })
  )

  it.scoped("login --emulator uses what `fjord emulator` left in the config dir", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped({ prefix: "fjord-cli-" })
      const loginToken = yield* emu.newLoginToken()
      NodeFs.writeFileSync(`${dir}/emulator.json`, JSON.stringify({ url: emu.url, username: emu.username, loginToken }))
      assert.match(ok(yield* fjord("login", "--emulator", "--config-dir", dir)), /^Logged in as /)
      assert.match(ok(yield* fjord("about", "--config-dir", dir)), /Used: /)
    })
  )

  it.scoped("login --service runs the white-label browser login (the test plays the browser)", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped({ prefix: "fjord-cli-" })
      const { service, captured } = Output.makeMemory()
      const args = [
        "login",
        "--service",
        "telia_se",
        "--redirect-port",
        "0",
        "--endpoint",
        emu.url,
        "--config-dir",
        dir
      ]
      const fiber = yield* Effect.fork(Cli.run(args).pipe(Effect.provideService(Output.Output, service)))
      let url: string | undefined
      while (url === undefined) {
        // real time (it.scoped runs on the TestClock)
        yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 10)))
        url = /https?:\/\/\S+\/openid-connect\/auth\S*/.exec(captured.stderr())?.[0]
      }
      const page = yield* Effect.promise(() => fetch(url).then((r) => r.text()))
      assert.match(page, /login complete/)
      yield* Fiber.join(fiber)
      assert.match(captured.stdout(), /^Logged in as /)
      const token = JSON.parse(NodeFs.readFileSync(`${dir}/token.json`, "utf8"))
      assert.match(token.tokenUrl, /realms\/telia_se\//)
    })
  )

  it.scoped("legacy login with username and password, the SMS code from --otp", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped({ prefix: "fjord-cli-" })
      const base = [
        "--username",
        twoFactor.email,
        "--password",
        twoFactor.password,
        "--endpoint",
        emu.url,
        "--config-dir",
        dir
      ]
      const without = yield* fjord("login", ...base, "--otp", "000000")
      assert.strictEqual(without.exitCode, 1)
      assert.notInclude(without.stderr, twoFactor.password)
      const r = yield* fjord("login", ...base, "--otp", "123-456")
      assert.match(ok(r), /^Logged in as kari@example\.org/)
      assert.strictEqual(JSON.parse(NodeFs.readFileSync(`${dir}/token.json`, "utf8")).kind, "legacy")
      assert.match(ok(yield* fjord("about", "--config-dir", dir)), /Used: /)
    })
  )

  it.scoped("login --rclone-config imports an rclone remote's token, device and mountpoint", () =>
    Effect.gen(function* () {
      const { emu, dir: first } = yield* loggedIn
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped({ prefix: "fjord-cli-" })
      const stored = JSON.parse(NodeFs.readFileSync(`${first}/token.json`, "utf8"))
      NodeFs.rmSync(`${first}/token.json`) // the first client must not rotate it any more
      const token = JSON.stringify({
        access_token: stored.accessToken,
        token_type: "Bearer",
        refresh_token: stored.refreshToken,
        expiry: new Date(stored.expiresAt).toISOString()
      })
      const conf = [
        "[other]",
        "type = s3",
        "",
        "[myjotta]",
        "type = jottacloud",
        "configVersion = 1",
        "client_id = jottacli",
        "client_secret =",
        `tokenURL = ${stored.tokenUrl}`,
        `token = ${token}`,
        "device = Jotta",
        "mountpoint = Sync",
        ""
      ].join("\n")
      NodeFs.writeFileSync(`${dir}/rclone.conf`, conf)
      const r = yield* fjord(
        "login",
        "--rclone-config",
        `${dir}/rclone.conf`,
        "--rclone-remote",
        "myjotta",
        "--endpoint",
        emu.url,
        "--config-dir",
        dir
      )
      assert.match(ok(r), /Logged in as .*\nImported|Imported .*\nLogged in as/s)
      assert.strictEqual(JSON.parse(NodeFs.readFileSync(`${dir}/config.json`, "utf8")).mountpoint, "Sync")
      yield* emu.expireAllAccessTokens
      ok(yield* fjord("mkdir", "jotta:from-rclone", "--config-dir", dir))
      assert.strictEqual(ok(yield* fjord("lsf", "--mountpoint", "Sync", "--config-dir", dir)), "from-rclone/\n")
      oneErrorLine(
        yield* fjord("login", "--rclone-config", `${dir}/rclone.conf`, "--rclone-remote", "nope", "--config-dir", dir),
        /no such remote/
      )
    })
  )

  it.scoped("mkdir, copy up, ls/lsl/lsf/lsd/md5sum, cat, copy down", () =>
    Effect.gen(function* () {
      const { dir, run } = yield* loggedIn
      NodeFs.writeFileSync(`${dir}/hello.txt`, "hello\n")
      ok(yield* run("mkdir", "jotta:t1/sub"))
      assert.match(ok(yield* run("copy", `${dir}/hello.txt`, "jotta:t1")), /Transferred: +1 \/ 1, 100%/)
      assert.strictEqual(ok(yield* run("ls", "jotta:t1")), "        6 hello.txt\n")
      assert.strictEqual(ok(yield* run("ls", "jotta:t1/hello.txt")), "        6 hello.txt\n")
      assert.strictEqual(ok(yield* run("ls", "t1")), "        6 hello.txt\n")
      assert.match(ok(yield* run("lsl", "jotta:t1")), /^ {8}6 \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{9} hello\.txt\n$/)
      assert.strictEqual(ok(yield* run("lsf", "jotta:t1")), "sub/\nhello.txt\n")
      assert.match(ok(yield* run("lsd", "jotta:t1")), / sub\n$/)
      assert.strictEqual(ok(yield* run("md5sum", "jotta:t1")), "b1946ac92492d2347c6235b4d2611184  hello.txt\n")
      assert.strictEqual(ok(yield* run("cat", "jotta:t1/hello.txt")), "hello\n")
      ok(yield* run("copyto", "jotta:t1/hello.txt", `${dir}/down/copy.txt`))
      assert.strictEqual(NodeFs.readFileSync(`${dir}/down/copy.txt`, "utf8"), "hello\n")
      const listed = JSON.parse(ok(yield* run("lsf", "--json", "jotta:t1")))
      assert.deepStrictEqual(
        listed.map((e: { Path: string; IsDir: boolean }) => [e.Path, e.IsDir]),
        [
          ["sub", true],
          ["hello.txt", false]
        ]
      )
    })
  )

  it.scoped("lsjson in rclone's shape (-R, --hash, --files-only, --dirs-only, --no-modtime) and size", () =>
    Effect.gen(function* () {
      const { dir, run } = yield* loggedIn
      NodeFs.writeFileSync(`${dir}/hello.txt`, "hello\n")
      ok(yield* run("mkdir", "jotta:j/sub"))
      ok(yield* run("copyto", `${dir}/hello.txt`, "jotta:j/sub/hello.txt"))
      ok(yield* run("copyto", `${dir}/hello.txt`, "jotta:j/top.txt"))
      const top = JSON.parse(ok(yield* run("lsjson", "jotta:j")))
      assert.deepStrictEqual(
        top.map((e: { Path: string; Size: number; IsDir: boolean; MimeType: string }) => [
          e.Path,
          e.Size,
          e.IsDir,
          e.MimeType
        ]),
        [
          ["sub", -1, true, "inode/directory"],
          ["top.txt", 6, false, top[1].MimeType]
        ]
      )
      assert.match(top[1].ModTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/)
      assert.notProperty(top[1], "Hashes")
      const files = JSON.parse(ok(yield* run("lsjson", "-R", "--hash", "--files-only", "--no-modtime", "jotta:j")))
      assert.deepStrictEqual(files.map((e: { Path: string; Hashes: unknown }) => [e.Path, e.Hashes]).sort(), [
        ["sub/hello.txt", { md5: "b1946ac92492d2347c6235b4d2611184" }],
        ["top.txt", { md5: "b1946ac92492d2347c6235b4d2611184" }]
      ])
      assert.notProperty(files[0], "ModTime")
      const dirs = JSON.parse(ok(yield* run("lsjson", "-R", "--dirs-only", "jotta:j")))
      assert.deepStrictEqual(
        dirs.map((e: { Path: string }) => e.Path),
        ["sub"]
      )
      assert.strictEqual(ok(yield* run("size", "jotta:j")), "Total objects: 2 (2)\nTotal size: 12 B (12 Byte)\n")
      assert.deepStrictEqual(JSON.parse(ok(yield* run("size", "--json", "jotta:j"))), {
        count: 2,
        bytes: 12,
        sizeless: 0
      })
      oneErrorLine(yield* run("size", "jotta:nope"), /not found/, 3)
      oneErrorLine(yield* run("cat", "jotta:j/nope.txt"), /^fjord: jotta:j\/nope\.txt: not found$/, 3)
    })
  )

  it.scoped("copy a directory tree up and down; a second copy transfers nothing", () =>
    Effect.gen(function* () {
      const { dir, run } = yield* loggedIn
      NodeFs.mkdirSync(`${dir}/tree/a/b`, { recursive: true })
      NodeFs.writeFileSync(`${dir}/tree/one.txt`, "1")
      NodeFs.writeFileSync(`${dir}/tree/a/b/two.txt`, "22")
      assert.match(ok(yield* run("copy", `${dir}/tree`, "jotta:t2")), /Transferred: +2 \/ 2, 100%/)
      const unchanged = ok(yield* run("copy", "--transfers", "1", `${dir}/tree`, "jotta:t2"))
      assert.match(unchanged, /Checks: +2 \/ 2, 100%/)
      assert.notMatch(unchanged, /Transferred: +\d+ \/ \d+, /)
      assert.strictEqual(ok(yield* run("lsr", "jotta:t2")), "a/\na/b/\na/b/two.txt\none.txt\n")
      assert.strictEqual(
        ok(yield* run("tree", "jotta:t2")),
        "/t2\n├── a\n│   └── b\n│       └── two.txt\n└── one.txt\n\n2 directories, 2 files\n"
      )
      assert.match(ok(yield* run("copy", "jotta:t2", `${dir}/back`)), /Transferred: +2 \/ 2, 100%/)
      assert.strictEqual(NodeFs.readFileSync(`${dir}/back/a/b/two.txt`, "utf8"), "22")
      // sync: the destination loses what the source lacks
      NodeFs.rmSync(`${dir}/tree/a`, { recursive: true })
      const synced = yield* run("sync", "-v", `${dir}/tree`, "jotta:t2")
      assert.strictEqual(synced.exitCode, 0, synced.stderr)
      assert.match(synced.stderr, / INFO {2}: a: Removing directory\n/)
      assert.match(synced.stdout, /Deleted: +0 \(files\), 1 \(dirs\)/)
      assert.strictEqual(ok(yield* run("lsr", "jotta:t2")), "one.txt\n")
      assert.match(ok(yield* run("sync", "jotta:t2", `${dir}/back`)), /Deleted: +0 \(files\), 1 \(dirs\)/)
      assert.deepStrictEqual(NodeFs.readdirSync(`${dir}/back`), ["one.txt"])
      oneErrorLine(yield* run("sync", `${dir}/tree/one.txt`, "jotta:t2"), /needs a folder/)
    })
  )

  it.scoped("revisions, moveto (file and folder), link and link --remove", () =>
    Effect.gen(function* () {
      const { dir, run } = yield* loggedIn
      NodeFs.writeFileSync(`${dir}/f.txt`, "v1")
      ok(yield* run("copyto", `${dir}/f.txt`, "jotta:t3/f.txt"))
      NodeFs.writeFileSync(`${dir}/f.txt`, "v2!")
      ok(yield* run("copyto", `${dir}/f.txt`, "jotta:t3/f.txt"))
      const revs = JSON.parse(ok(yield* run("revisions", "--json", "jotta:t3/f.txt")))
      assert.deepStrictEqual(
        revs.map((r: { number: number; current: boolean; size: number }) => [r.number, r.current, r.size]),
        [
          [2, true, 3],
          [1, false, 2]
        ]
      )
      assert.strictEqual(ok(yield* run("cat", "--revision", "1", "jotta:t3/f.txt")), "v1")
      assert.match(
        ok(yield* run("revisions", "--restore", "1", "jotta:t3/f.txt")),
        /Restored revision 1 .* as revision 3/
      )
      assert.strictEqual(ok(yield* run("cat", "jotta:t3/f.txt")), "v1")
      NodeFs.writeFileSync(`${dir}/f.txt`, "v2!")
      ok(yield* run("copyto", `${dir}/f.txt`, "jotta:t3/f.txt"))
      ok(yield* run("moveto", "jotta:t3/f.txt", "jotta:t3/g.txt"))
      ok(yield* run("moveto", "jotta:t3", "jotta:t3moved"))
      assert.strictEqual(ok(yield* run("ls", "jotta:t3moved")), "        3 g.txt\n")
      const url = ok(yield* run("link", "jotta:t3moved/g.txt")).trim()
      const body = yield* Effect.promise(() => fetch(url).then((r) => r.text()))
      assert.strictEqual(body, "v2!")
      ok(yield* run("link", "--remove", "jotta:t3moved/g.txt"))
      const status = yield* Effect.promise(() => fetch(url).then((r) => r.status))
      assert.notStrictEqual(status, 200)
    })
  )

  it.scoped("delete to trash, cleanup, rmdir refuses a non-empty folder, purge, --hard-delete", () =>
    Effect.gen(function* () {
      const { dir, run } = yield* loggedIn
      NodeFs.writeFileSync(`${dir}/x.txt`, "x")
      ok(yield* run("copyto", `${dir}/x.txt`, "jotta:t4/x.txt"))
      ok(yield* run("copyto", `${dir}/x.txt`, "jotta:t4/y.txt"))
      oneErrorLine(yield* run("rmdir", "jotta:t4"), /not empty/)
      oneErrorLine(yield* run("deletefile", "jotta:t4"), /is a folder/)
      ok(yield* run("delete", "jotta:t4/x.txt"))
      assert.strictEqual(ok(yield* run("ls", "jotta:t4")), "        1 y.txt\n")
      assert.match(ok(yield* run("trash", "jotta:t4")), / x\.txt\n/)
      ok(yield* run("restore", "jotta:t4/x.txt"))
      assert.strictEqual(ok(yield* run("ls", "jotta:t4")), "        1 x.txt\n        1 y.txt\n")
      ok(yield* run("delete", "jotta:t4/x.txt"))
      const emptied = JSON.parse(ok(yield* run("cleanup", "--json")))
      assert.isAtLeast(emptied.files, 1)
      ok(yield* run("delete", "--hard-delete", "jotta:t4/y.txt"))
      ok(yield* run("rmdir", "jotta:t4"))
      ok(yield* run("mkdir", "jotta:t5/deep/er"))
      ok(yield* run("purge", "jotta:t5"))
      oneErrorLine(yield* run("ls", "jotta:t5"), /not found/, 3)
    })
  )

  it.scoped("typed errors are one line with rclone's exit codes: 3 for a path not there, 2 for usage, else 1", () =>
    Effect.gen(function* () {
      const { dir, run } = yield* loggedIn
      oneErrorLine(yield* run("cat", "jotta:nope/missing.txt"), /not found/, 3)
      oneErrorLine(yield* run("copy", `${dir}/a`, `${dir}/b`), /a: directory not found/, 3)
      const fault = yield* run("emulator", "--fault", "bogus")
      assert.strictEqual(fault.exitCode, 2)
      assert.match(fault.stderr, /unknown fault kind/)
      oneErrorLine(yield* run("copy", `${dir}/does-not-exist`, "jotta:x"), /does-not-exist/, 3)
      // the CLI library's usage errors read as every other error
      const bad = yield* run("ls", "--no-such-flag")
      assert.strictEqual(bad.exitCode, 2)
      assert.strictEqual(bad.stderr, "fjord: unknown flag --no-such-flag (see --help)\n")
      const missing = yield* run("cat")
      assert.strictEqual(missing.exitCode, 2)
      assert.strictEqual(missing.stderr, "fjord: Missing argument <path>\n")
      const unknown = yield* run("nosuchcommand")
      assert.strictEqual(unknown.exitCode, 2)
      assert.match(unknown.stderr, /^fjord: Invalid subcommand for fjord - use one of 'login'/)
      assert.notMatch(unknown.stderr, /\n\n/)
      assert.match(fault.stderr, /^fjord: /)
      const about = JSON.parse(ok(yield* run("about", "--json")))
      assert.isNumber(about.used)
      const devices = JSON.parse(ok(yield* run("devices", "--json")))
      const jotta = devices.find((d: { name: string }) => d.name === "Jotta")
      assert.include(
        jotta.mountpoints.map((m: { name: string }) => m.name),
        "Archive"
      )
    })
  )
})
