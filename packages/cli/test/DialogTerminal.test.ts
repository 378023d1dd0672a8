// `fjord config`, the interactive dialog, on a real terminal: the CLI (sources, through tsx) runs
// in a tmux pane against the emulator of this test and each answer is typed with send-keys once
// its prompt shows; the written config file is then used by a named-remote command. One dialog
// per authentication type that needs no browser: standard (login token), legacy (the seeded
// account's password) and legacy with the SMS code (a 2FA account). The white-label browser
// login (its redirect address pasted) is driven in Dialog.test.ts through a scripted Terminal.
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

/**
 * `fjord config --config FILE` in a pane: each answer typed when its prompt shows after the
 * previous one; then the exit code and what the pane showed.
 */
const dialog = (dir: string, endpoint: string, answers: ReadonlyArray<readonly [prompt: string, answer: string]>) =>
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
      yield* after(prompt)
      yield* pane.type(answer)
    }
    const shown = yield* after("EXIT=")
    return { exit: shown.slice(cursor).trim().split(/\s/)[0], shown }
  })

layer(Env, { timeout: 120_000, excludeTestServices: true })("fjord config on a terminal (tmux)", (it) => {
  it.scoped("standard, legacy and legacy with the SMS code, typed in three panes at once", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const fs = yield* FileSystem.FileSystem
      const temp = () => fs.makeTempDirectoryScoped({ prefix: "fjord-dlg-tty-" })
      const [std, leg, sms] = [yield* temp(), yield* temp(), yield* temp()]
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
          ])
        ].map((run) => Effect.scoped(run)),
        { concurrency: 3 }
      )
      for (const r of runs) assert.strictEqual(r.exit, "0", r.shown)
      assert.include(runs[0].shown, "Generate here: https://www.jottacloud.com/web/secure")
      assert.include(runs[2].shown, "SMS code")
      // nothing typed in secret is left on the screen
      assert.notInclude(runs[1].shown, Emulator.seededAccount.password)
      assert.notInclude(runs[2].shown, twoFactor.otp)

      for (const [dir, configVersion, username] of [
        [std, "1", Emulator.seededAccount.username],
        [leg, "0", Emulator.seededAccount.username],
        [sms, "0", twoFactor.username]
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
        const touch = yield* fjord("touch", "--config", file, "cloud:by-tty.txt")
        assert.strictEqual(touch.exitCode, 0, touch.stderr)
        const ls = yield* fjord("lsf", "--config", file, "cloud:")
        assert.strictEqual(ls.stdout, "by-tty.txt\n", ls.stderr)
      }
    })
  )
})
