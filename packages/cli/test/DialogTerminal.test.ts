// `fjord config`, the interactive dialog, on a real terminal: the CLI (sources, through tsx) runs
// in a tmux pane against the emulator of this test and each answer is typed with send-keys once
// its prompt shows; the written config file is then used by a named-remote command. One dialog
// per authentication type: standard (login token), legacy (the seeded account's password),
// legacy with the SMS code (a 2FA account) and white-label (Telia): the test plays the browser
// (opens the printed URL, is sent on) and pastes the address, as on a machine without a browser.
import * as FileSystem from "@effect/platform/FileSystem"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { assert, layer } from "@effect/vitest"
import * as Emulator from "@fjord/emulator/Emulator"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as RcloneConfig from "../src/internal/rcloneConfig.js"
import { fjord } from "./fjord.js"
import * as Tmux from "./tmux.js"

const twoFactor = { username: "k7tty2fa", email: "tty@example.org", password: "tty-pw", otp: "482913" }
const Env = Layer.mergeAll(Emulator.layer({ accounts: [twoFactor] }), NodeContext.layer)

/** An answer as it is typed, or computed from what the pane showed so far. */
type Answer = string | ((shown: string) => Effect.Effect<string>)

/**
 * `fjord config --config FILE` in a pane (closed at the end): each answer typed when its prompt shows after the
 * previous one; then the exit code and what the pane showed.
 */
const dialog = (dir: string, endpoint: string, answers: ReadonlyArray<readonly [prompt: string, answer: Answer]>) =>
  Effect.scoped(
    Effect.gen(function* () {
      const pane = yield* Tmux.open(`${dir}/tmux.sock`, [
        "config",
        "--config",
        `${dir}/rclone.conf`,
        "--endpoint",
        endpoint
      ])
      let cursor = 0
      const after = (marker: string) =>
        Effect.gen(function* () {
          const shown = yield* pane.until(pane.history, (s) => s.indexOf(marker, cursor) >= 0, 60_000)
          const at = shown.indexOf(marker, cursor)
          assert.isAtLeast(at, 0, `no ${marker} after the previous answer; shown:\n${shown}`)
          cursor = at + marker.length
          return shown
        })
      for (const [prompt, answer] of answers) {
        const shown = yield* after(prompt)
        yield* pane.type(typeof answer === "string" ? answer : yield* answer(shown))
      }
      const shown = yield* after("EXIT=")
      return { exit: shown.slice(cursor).trim().split(/\s/)[0], shown }
    })
  )

layer(Env, { timeout: 120_000, excludeTestServices: true })("fjord config on a terminal (tmux)", (it) => {
  it.scoped("standard, legacy and legacy with the SMS code and white-label, typed in four panes at once", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const fs = yield* FileSystem.FileSystem
      const temp = () => fs.makeTempDirectoryScoped({ prefix: "fjord-dlg-tty-" })
      const [std, leg, sms, telia] = [yield* temp(), yield* temp(), yield* temp(), yield* temp()]
      const token = yield* emu.newLoginToken()
      const opening = [
        ["n/s/q>", "n"],
        ["name>", "cloud"]
      ] as const
      const closing = [
        ["y/n>", "n"],
        ["y/e/d>", "y"],
        ["e/n/d/r/c/s/q>", "q"]
      ] as const
      const legacy = (username: string, password: string) =>
        [
          ["config_type>", "2"],
          ["y/n>", "n"],
          ["Username>", username],
          ["password>", password]
        ] as const
      /** Plays the browser: opens the URL shown and answers the address it is sent to. */
      const browser = (shown: string) =>
        Effect.promise(async () => {
          const url = /https?:\/\/\S+\/openid-connect\/auth\S*/.exec(shown)?.[0]
          assert.isDefined(url, shown)
          const reply = await fetch(url ?? "", { redirect: "manual" })
          return reply.headers.get("location") ?? ""
        })
      const runs = yield* Effect.all(
        [
          dialog(std, emu.url, [...opening, ["config_type>", "1"], ["Login Token>", token], ...closing]),
          dialog(leg, emu.url, [
            ...opening,
            ...legacy(Emulator.seededAccount.username, Emulator.seededAccount.password),
            ...closing
          ]),
          dialog(sms, emu.url, [
            ...opening,
            ...legacy(twoFactor.username, twoFactor.password),
            ["SMS code", twoFactor.otp],
            ...closing
          ]),
          dialog(telia, emu.url, [
            ...opening,
            ["config_type>", "telia_se"],
            ["paste the address your browser was sent to", browser],
            ...closing
          ])
        ],
        { concurrency: 4 }
      )
      for (const r of runs) assert.strictEqual(r.exit, "0", r.shown)
      assert.include(runs[0].shown, "Generate here: https://www.jottacloud.com/web/secure")
      assert.include(runs[2].shown, "SMS code")
      assert.include(runs[3].shown, "Open this URL in your browser to log in:")
      // nothing typed in secret is left on the screen
      assert.notInclude(runs[1].shown, Emulator.seededAccount.password)
      assert.notInclude(runs[2].shown, twoFactor.otp)

      for (const [dir, configVersion, username] of [
        [std, "1", Emulator.seededAccount.username],
        [leg, "0", Emulator.seededAccount.username],
        [sms, "0", twoFactor.username],
        [telia, "1", Emulator.seededAccount.username]
      ] as const) {
        const file = `${dir}/rclone.conf`
        const cloud = RcloneConfig.parse(yield* fs.readFileString(file)).cloud
        assert.isDefined(cloud)
        assert.strictEqual(cloud.type, "jottacloud")
        assert.strictEqual(cloud.configVersion, configVersion)
        assert.strictEqual(cloud.username, username)
        assert.strictEqual(cloud.endpoint, emu.url)
        assert.isString(JSON.parse(cloud.token ?? "{}").access_token, file)
        assert.isUndefined(cloud.device)
        assert.isUndefined(cloud.mountpoint)
        if (dir === telia) assert.match(cloud.tokenURL ?? "", /realms\/telia_se\//)
        const touch = yield* fjord("touch", "--config", file, "cloud:by-tty.txt")
        assert.strictEqual(touch.exitCode, 0, touch.stderr)
        const ls = yield* fjord("lsf", "--config", file, "cloud:")
        assert.strictEqual(ls.stdout, "by-tty.txt\n", ls.stderr)
      }
    })
  )
})
