import * as NodeFs from "node:fs"
import * as FileSystem from "@effect/platform/FileSystem"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { assert, layer } from "@effect/vitest"
import * as Emulator from "@fjord/emulator/Emulator"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as RcloneConfig from "../src/internal/rcloneConfig.js"
import { fjord } from "./fjord.js"

const twoFactor = { username: "k7cfg2fa", email: "c@example.org", password: "c-pw", otp: "112233" }
const Env = Layer.mergeAll(Emulator.layer({ accounts: [twoFactor] }), NodeContext.layer)

const ok = (r: { exitCode: number; stdout: string; stderr: string }) => {
  assert.strictEqual(r.exitCode, 0, `stderr: ${r.stderr}`)
  return r.stdout
}

/** A config file with remote `work` created by `config create` against the emulator. */
const created = Effect.gen(function* () {
  const emu = yield* Emulator.Emulator
  const fs = yield* FileSystem.FileSystem
  const dir = yield* fs.makeTempDirectoryScoped({ prefix: "fjord-config-" })
  const file = `${dir}/fjord.conf`
  const token = yield* emu.newLoginToken()
  const run = (...args: ReadonlyArray<string>) => fjord(...args, "--config", file, "--config-dir", dir)
  const r = yield* run(
    "config",
    "create",
    "work",
    "jottacloud",
    `config_login_token=${token}`,
    "config_non_standard=true",
    "config_device=Jotta",
    "config_mountpoint=Sync",
    `endpoint=${emu.url}`
  )
  assert.match(ok(r), /^Remote work: created for /)
  assert.notInclude(r.stdout + r.stderr, token)
  return { emu, dir, file, run }
})

layer(Env, { timeout: 30_000 })("fjord config (in-process against the emulator)", (it) => {
  it.scoped("config create writes rclone's keys (0600); name:path uses the remote; show redacts", () =>
    Effect.gen(function* () {
      const { emu, dir, file, run } = yield* created
      assert.strictEqual(NodeFs.statSync(file).mode & 0o777, 0o600)
      const section = RcloneConfig.parse(NodeFs.readFileSync(file, "utf8")).work ?? {}
      assert.strictEqual(section.type, "jottacloud")
      assert.strictEqual(section.configVersion, "1")
      assert.strictEqual(section.client_id, "jottacli")
      assert.match(section.tokenURL ?? "", /^http:\/\/127\.0\.0\.1:\d+\/.*token$/)
      assert.strictEqual(section.username, emu.username)
      assert.strictEqual(section.device, "Jotta")
      assert.strictEqual(section.mountpoint, "Sync")
      const token = JSON.parse(section.token ?? "{}")
      assert.isString(token.refresh_token)

      ok(yield* run("mkdir", "work:docs"))
      NodeFs.writeFileSync(`${dir}/a.txt`, "hello\n")
      ok(yield* run("copy", `${dir}/a.txt`, "work:docs"))
      assert.strictEqual(ok(yield* run("lsf", "-R", "work:")), "docs/\ndocs/a.txt\n")
      // global flags before the command
      const before = yield* fjord("--config", file, "--config-dir", dir, "--json", "lsf", "-R", "work:docs")
      assert.deepStrictEqual(
        JSON.parse(ok(before)).map((e: { Path: string }) => e.Path),
        ["a.txt"]
      )
      // the remote's mountpoint is Sync: the file is not in Archive
      const paths = (yield* emu.requests).map((r) => r.path)
      assert.isTrue(
        paths.some((p) => p.includes("/Jotta/Sync/docs/a.txt")),
        paths.join("\n")
      )

      // the account commands take the remote as rclone's `about remote:` does
      assert.isAtLeast(JSON.parse(ok(yield* run("about", "work:", "--json"))).used, 6)

      const shown = ok(yield* run("config", "show", "work"))
      assert.match(shown, /^\[work\]\ntype = jottacloud\n/)
      assert.include(shown, "token = *** REDACTED ***")
      assert.notInclude(shown, token.refresh_token)
      assert.strictEqual(ok(yield* run("config", "file")), `Configuration file is stored at:\n${file}\n`)

      const unknown = yield* run("lsf", "nope:")
      assert.strictEqual(unknown.exitCode, 1)
      assert.match(unknown.stderr, /^fjord: unknown remote nope: .*configured: work:/)

      ok(yield* run("config", "delete", "work"))
      assert.strictEqual(ok(yield* run("config", "show")), "\n")
      assert.match((yield* run("lsf", "work:")).stderr, /unknown remote work:.*configured: none/)
    })
  )

  it.scoped("import-rclone copies a jottacloud remote; other types are listed as unsupported; reconnect", () =>
    Effect.gen(function* () {
      const { emu, dir, file } = yield* created
      // `file` stands in for the user's rclone.conf: add a remote of another type to it
      NodeFs.appendFileSync(file, "\n[bucket]\ntype = s3\nprovider = AWS\n")
      const mine = `${dir}/mine.conf`
      const run = (...args: ReadonlyArray<string>) => fjord(...args, "--config", mine, "--config-dir", dir)
      assert.match(ok(yield* run("config", "import-rclone", "work", "--rclone-config", file)), /stop using the rclone/)
      ok(yield* run("mkdir", "work:imported"))
      assert.include(ok(yield* run("lsf", "work:")), "imported/\n")
      const notJotta = yield* run("config", "import-rclone", "bucket", "--rclone-config", file)
      assert.match(notJotta.stderr, /bucket: is of type s3/)
      // used on rclone's file directly, the s3 remote is named as unsupported
      const other = yield* fjord("lsf", "bucket:", "--config", file, "--config-dir", dir)
      assert.match(other.stderr, /^fjord: remote bucket: is of type s3/)
      const missing = yield* fjord("lsf", "x:", "--config", file, "--config-dir", dir)
      assert.match(missing.stderr, /configured: work:; not jottacloud \(unsupported\): bucket: \(s3\)/)

      // reconnect: a new login token replaces the old token family
      const before = RcloneConfig.parse(NodeFs.readFileSync(mine, "utf8")).work?.token
      assert.match((yield* run("config", "reconnect", "work:")).stderr, /new login token.*--login-token/)
      const fresh = yield* emu.newLoginToken()
      assert.match(ok(yield* run("config", "reconnect", "work:", "--login-token", fresh)), /reconnected as /)
      const after = RcloneConfig.parse(NodeFs.readFileSync(mine, "utf8")).work?.token
      assert.notStrictEqual(after, before)
      assert.include(ok(yield* run("lsf", "work:")), "imported/\n")
    })
  )

  it.scoped(
    "config create for the other config_types: legacy by username/password (SMS code), white-label refused",
    () =>
      Effect.gen(function* () {
        const emu = yield* Emulator.Emulator
        const fs = yield* FileSystem.FileSystem
        const dir = yield* fs.makeTempDirectoryScoped({ prefix: "fjord-config-" })
        const file = `${dir}/fjord.conf`
        const run = (...args: ReadonlyArray<string>) => fjord(...args, "--config", file, "--config-dir", dir)
        const create = (name: string, ...keys: ReadonlyArray<string>) =>
          run("config", "create", name, "jottacloud", ...keys, `endpoint=${emu.url}`)
        const legacy = yield* create(
          "old",
          "config_type=legacy",
          "config_machine_specific=true",
          `config_username=${emu.username}`,
          `config_password=${emu.password}`
        )
        assert.match(ok(legacy), /^Remote old: created for /)
        assert.notInclude(legacy.stdout + legacy.stderr, emu.password)
        const section = RcloneConfig.parse(NodeFs.readFileSync(file, "utf8")).old ?? {}
        assert.strictEqual(section.configVersion, "0")
        assert.strictEqual(section.username, emu.username)
        assert.notProperty(section, "password")
        assert.notStrictEqual(section.client_id, "jottacli")
        assert.notInclude(NodeFs.readFileSync(file, "utf8"), emu.password)
        assert.match(ok(yield* run("about", "old:")), /Used:/)

        const noCode = yield* create("tf", "config_type=legacy", "config_username=k7cfg2fa", "config_password=c-pw")
        assert.strictEqual(noCode.exitCode, 1)
        assert.match(noCode.stderr, /^fjord: .*config_auth_code=<code>/)
        assert.notMatch(NodeFs.readFileSync(file, "utf8"), /\[tf\]/)
        const withCode = yield* create(
          "tf",
          "config_type=legacy",
          "config_username=k7cfg2fa",
          "config_password=c-pw",
          "config_auth_code=112-233"
        )
        assert.match(ok(withCode), /^Remote tf: created for c@example\.org/)
        ok(yield* run("mkdir", "tf:made"))
        assert.strictEqual(ok(yield* run("lsf", "tf:")), "made/\n")

        const missing = yield* create("x", "config_type=legacy", `config_username=${emu.username}`)
        assert.strictEqual(missing.exitCode, 1)
        assert.match(missing.stderr, /config_password/)
        const telia = yield* create("t", "config_type=telia_se")
        assert.strictEqual(telia.exitCode, 1)
        assert.match(telia.stderr, /^fjord: config_type=telia_se logs in through a browser.*run `fjord config`/)
        const unknown = yield* create("u", "config_type=nonsense")
        assert.match(unknown.stderr, /unknown config_type nonsense \(known: standard, legacy, telia_se/)
      })
  )

  it.scoped("`jotta:` stays the remote of `fjord login` in --config-dir", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped({ prefix: "fjord-config-" })
      const token = yield* emu.newLoginToken()
      ok(yield* fjord("login", "--login-token", token, "--endpoint", emu.url, "--config-dir", dir))
      ok(yield* fjord("mkdir", "jotta:kept", "--config-dir", dir))
      assert.strictEqual(ok(yield* fjord("lsf", "jotta:", "--config-dir", dir)), "kept/\n")
      const bad = yield* fjord("config", "create", "x", "jottacloud", "config_device=Jotta", "--config-dir", dir)
      assert.strictEqual(bad.exitCode, 1)
      assert.match(bad.stderr, /config_login_token/)
    })
  )
})
