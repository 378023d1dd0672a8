// `fjord config`, rclone's interactive dialog, driven through a scripted Terminal (each answer
// typed key by key, then Enter) against the emulator.
import * as FileSystem from "@effect/platform/FileSystem"
import * as Terminal from "@effect/platform/Terminal"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { assert, layer } from "@effect/vitest"
import * as Emulator from "@fjord/emulator/Emulator"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Mailbox from "effect/Mailbox"
import * as Option from "effect/Option"
import * as TestServices from "effect/TestServices"
import { Interactive } from "../src/internal/prompts.js"
import * as RcloneConfig from "../src/internal/rcloneConfig.js"
import { fjord } from "./fjord.js"

const twoFactor = { username: "k7dialog2fa", email: "dlg@example.org", password: "dlg-pw", otp: "654321" }
const Env = Layer.mergeAll(Emulator.layer({ accounts: [twoFactor] }), NodeContext.layer)

const key = (name: string, input?: string): Terminal.UserInput => ({
  input: Option.fromNullable(input),
  key: { name, ctrl: false, meta: false, shift: false }
})

/** An answer typed as it is, or computed from what the terminal showed so far. */
type Answer = string | ((shown: string) => Promise<string>)

/** A terminal that answers each prompt with the next of `answers`; what it shows is kept. */
const scripted = (answers: Array<Answer>) => {
  const shown: Array<string> = []
  const terminal = Terminal.Terminal.of({
    columns: Effect.succeed(100),
    rows: Effect.succeed(40),
    isTTY: Effect.succeed(true),
    readLine: Effect.dieMessage("the dialog reads keys, not lines"),
    display: (text) => Effect.sync(() => void shown.push(text)),
    readInput: Effect.gen(function* () {
      const next = answers.shift()
      if (next === undefined) return yield* Effect.dieMessage(`no answer left; shown:\n${shown.join("")}`)
      const answer = typeof next === "string" ? next : yield* Effect.promise(() => next(plain(shown.join(""))))
      const mailbox = yield* Mailbox.make<Terminal.UserInput>()
      for (const ch of answer) yield* mailbox.offer(key(ch, ch))
      yield* mailbox.offer(key("enter"))
      return mailbox
    })
  })
  return { terminal, shown: () => plain(shown.join("")) }
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: the prompts' escape sequences
const plain = (text: string) => text.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, "")

const dialog = (file: string, endpoint: string, answers: Array<Answer>) => {
  const t = scripted(answers)
  return fjord("config", "--config", file, "--endpoint", endpoint).pipe(
    Effect.provideService(Terminal.Terminal, t.terminal),
    Effect.provideService(Interactive, true),
    Effect.map((r) => ({ ...r, shown: t.shown(), left: answers }))
  )
}

layer(Env, { timeout: 30_000 })("fjord config (the interactive dialog)", (it) => {
  it.scoped("standard: login token, a new device and mountpoint, y keeps the remote", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const fs = yield* FileSystem.FileSystem
      const file = `${yield* fs.makeTempDirectoryScoped({ prefix: "fjord-dlg-" })}/fjord.conf`
      const token = yield* emu.newLoginToken()
      const r = yield* dialog(file, emu.url, ["n", "myjotta", "1", token, "y", "Laptop", "Docs", "y", "q"])
      assert.strictEqual(r.exitCode, 0, r.stderr + r.shown)
      assert.deepStrictEqual(r.left, [])
      assert.include(r.shown, "No remotes found, make a new one?")
      assert.include(r.shown, "Generate here: https://www.jottacloud.com/web/secure")
      assert.match(r.shown, / 2 \| Use this if you're a normal|Use this if you're a normal Jottacloud user/)
      assert.include(r.shown, "(telia_se)")
      assert.include(r.shown, "Use a non-standard device/mountpoint?")
      assert.include(r.shown, "Created device Laptop")
      assert.include(r.shown, "Created mountpoint Laptop/Docs")
      assert.match(r.shown, /\[myjotta\][\s\S]*device = Laptop[\s\S]*mountpoint = Docs/)
      assert.notInclude(r.shown.slice(r.shown.indexOf("Configuration complete")), token)
      const text = yield* fs.readFileString(file)
      assert.match(text, /type = jottacloud/)
      assert.match(text, /username = /)
      const touch = yield* fjord("touch", "--config", file, "myjotta:made-by-dialog.txt")
      assert.strictEqual(touch.exitCode, 0, touch.stderr)
      const ls = yield* fjord("lsf", "--config", file, "myjotta:", "--mountpoint", "Docs", "--device", "Laptop")
      assert.strictEqual(ls.stdout, "made-by-dialog.txt\n")
    }).pipe(TestServices.provideLive)
  )

  it.scoped("legacy with the SMS code; the built-in Jotta device refuses a new mountpoint; d deletes", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const fs = yield* FileSystem.FileSystem
      const file = `${yield* fs.makeTempDirectoryScoped({ prefix: "fjord-dlg-" })}/fjord.conf`
      const answers = ["n", "leg", "2", "n", twoFactor.username, twoFactor.password, twoFactor.otp]
      const r = yield* dialog(file, emu.url, [...answers, "y", "Jotta", "Mine", "Archive", "d", "q"])
      assert.strictEqual(r.exitCode, 0, r.stderr + r.shown)
      assert.deepStrictEqual(r.left, [])
      assert.include(r.shown, "machine specific API key")
      assert.include(r.shown, "SMS code")
      assert.include(r.shown, "Custom mountpoints not supported on built-in Jotta device")
      assert.match(r.shown, /device = Jotta[\s\S]*mountpoint = Archive/)
      assert.include(r.shown, "Deleted remote leg:")
      assert.notMatch(yield* fs.readFileString(file), /\[leg\]/)
    }).pipe(TestServices.provideLive)
  )

  it.scoped("white-label (Telia): the browser login's redirect address pasted, as on a machine without a browser", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const fs = yield* FileSystem.FileSystem
      const file = `${yield* fs.makeTempDirectoryScoped({ prefix: "fjord-dlg-" })}/fjord.conf`
      /** Plays the browser: opens the printed URL and returns the address it is sent to. */
      const browser = async (shown: string) => {
        const url = /https?:\/\/\S+\/openid-connect\/auth\S*/.exec(shown)?.[0]
        if (url === undefined) throw new Error(`no URL shown:\n${shown}`)
        const reply = await fetch(url, { redirect: "manual" })
        return reply.headers.get("location") ?? ""
      }
      const r = yield* dialog(file, emu.url, ["n", "telia", "telia_se", browser, "n", "y", "q"])
      assert.strictEqual(r.exitCode, 0, r.stderr + r.shown)
      assert.deepStrictEqual(r.left, [])
      assert.include(r.shown, "Open this URL in your browser to log in:")
      assert.match(yield* fs.readFileString(file), /tokenURL = .*realms\/telia_se\//)
      const about = yield* fjord("about", "--config", file, "telia:")
      assert.strictEqual(about.exitCode, 0, about.stderr)
    }).pipe(TestServices.provideLive)
  )

  it.scoped("the opening menu: s says unsupported, c copies without the token, r renames, d deletes, e edits", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const fs = yield* FileSystem.FileSystem
      const file = `${yield* fs.makeTempDirectoryScoped({ prefix: "fjord-dlg-" })}/fjord.conf`
      const create = yield* fjord(
        "config",
        "create",
        "work",
        "jottacloud",
        `config_login_token=${yield* emu.newLoginToken()}`,
        "config_non_standard=true",
        "config_device=Jotta",
        "config_mountpoint=Sync",
        `endpoint=${emu.url}`,
        "--config",
        file
      )
      assert.strictEqual(create.exitCode, 0, create.stderr)
      const read = Effect.map(fs.readFileString(file), RcloneConfig.parse)
      const before = (yield* read).work ?? {}
      const menu = yield* dialog(file, emu.url, ["s", "c", "1", "spare", "r", "spare", "other", "d", "2", "q"])
      assert.strictEqual(menu.exitCode, 0, menu.stderr + menu.shown)
      assert.deepStrictEqual(menu.left, [])
      assert.include(
        menu.shown,
        "e) Edit existing remote\nn) New remote\nd) Delete remote\nr) Rename remote\nc) Copy remote\ns) Set configuration password\nq) Quit config"
      )
      assert.match(menu.shown, /work {17}jottacloud/)
      assert.include(menu.shown, "Setting a configuration password is not supported")
      assert.include(menu.shown, "spare: copied without the token")
      assert.include(menu.shown, "Enter new name for remote.")
      assert.include(menu.shown, " 2 > other")
      assert.deepStrictEqual(Object.keys(yield* read), ["work"])

      // e) keeps the login and offers the current device and mountpoint as the defaults
      yield* emu.clearRequests
      const keep = yield* dialog(file, emu.url, ["e", "work", "", "", "", "", "", "q"])
      assert.isFalse((yield* emu.requests).some((q) => q.path.includes("/.well-known/")))
      assert.strictEqual(keep.exitCode, 0, keep.stderr + keep.shown)
      assert.deepStrictEqual(keep.left, [])
      assert.include(keep.shown, 'Editing existing "work" remote with options:')
      assert.include(keep.shown, "Already have a token - refresh?")
      assert.include(keep.shown, "Press Enter for the default (Jotta).")
      assert.include(keep.shown, "Press Enter for the default (Sync).")
      // (its token may have been rotated by the account look-up: the rest stays)
      const { token: _kept, ...keptKeys } = (yield* read).work ?? {}
      const { token: _before, ...beforeKeys } = before
      assert.deepStrictEqual(keptKeys, beforeKeys)

      // e) with a new login (the menu's default is the remote's type), back to the standard storage
      const token = yield* emu.newLoginToken()
      yield* emu.clearRequests
      const relog = yield* dialog(file, emu.url, ["e", "1", "y", "", token, "n", "y", "q"])
      assert.strictEqual(relog.exitCode, 0, relog.stderr + relog.shown)
      assert.deepStrictEqual(relog.left, [])
      assert.include(relog.shown, "Press Enter for the default (standard).")
      assert.include(relog.shown, "Generate here: https://www.jottacloud.com/web/secure")
      const after = (yield* read).work ?? {}
      // a new login happened (its well-known document fetched); none when the login was kept
      const fetched = (requests: ReadonlyArray<{ readonly path: string }>) =>
        requests.some((q) => q.path.includes("/.well-known/openid-configuration"))
      assert.isTrue(fetched(yield* emu.requests), (yield* emu.requests).map((q) => `${q.method} ${q.path}`).join("\n"))
      assert.notProperty(after, "device")
      assert.notProperty(after, "mountpoint")
      const ls = yield* fjord("lsf", "--config", file, "work:")
      assert.strictEqual(ls.exitCode, 0, ls.stderr)
    }).pipe(TestServices.provideLive)
  )

  it.scoped("no terminal: the dialog does not wait, it names config create", () =>
    Effect.gen(function* () {
      const r = yield* fjord("config", "--config", "/nonexistent/fjord.conf").pipe(
        Effect.provideService(Interactive, false)
      )
      assert.strictEqual(r.exitCode, 1)
      assert.match(r.stderr, /^fjord: .*fjord config create NAME jottacloud/)
    })
  )
})
