// `fjord copy -P` on a real terminal: the CLI (sources, through tsx) runs in a tmux pane against
// the emulator of this test while the upload of a larger file is held by a `delay` fault; the
// pane is read with capture-pane while the file is in flight and after the run.
//
// Unit tests of the formats (rclone 1.60.1's, compared with the installed rclone) are below.

import * as ChildProcess from "node:child_process"
import * as NodeFs from "node:fs"
import * as NodeUrl from "node:url"
import * as FileSystem from "@effect/platform/FileSystem"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { assert, describe, it, layer } from "@effect/vitest"
import * as Emulator from "@fjord/emulator/Emulator"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Progress from "../src/internal/progress.js"
import { fjord } from "./fjord.js"

const root = NodeUrl.fileURLToPath(new URL("../../../", import.meta.url))
const Env = Layer.mergeAll(Emulator.layer(), NodeContext.layer)

/** Runs tmux on a socket of this test's own, in its temporary folder (never another tmux server). */
const tmux = (socket: string, ...args: ReadonlyArray<string>) =>
  Effect.async<string>((resume) => {
    ChildProcess.execFile("tmux", ["-S", socket, ...args], (error, stdout, stderr) =>
      resume(error === null ? Effect.succeed(stdout) : Effect.dieMessage(`tmux ${args[0]}: ${stderr}`))
    )
  })

const quote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`

layer(Env, { timeout: 60_000, excludeTestServices: true })("fjord -P on a terminal (tmux)", (it) => {
  it.scoped("the live display is redrawn in place on a timer while a file is held, then the final block", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped({ prefix: "fjord-tmux-" })
      const r = yield* fjord(
        "login",
        "--login-token",
        yield* emu.newLoginToken(),
        "--endpoint",
        emu.url,
        "--config-dir",
        dir
      )
      assert.strictEqual(r.exitCode, 0, r.stderr)
      NodeFs.mkdirSync(`${dir}/src`)
      NodeFs.writeFileSync(`${dir}/src/big.bin`, new Uint8Array(6 * 1024 * 1024).fill(7))
      // the upload waits 2.5 s at the server: the display must keep redrawing meanwhile
      yield* emu.inject(Emulator.parseFault("delay:2500,op=upload,times=1"))

      const socket = `${dir}/tmux.sock`
      const command = [
        `cd ${quote(root)} &&`,
        `${quote(process.execPath)} --import tsx --conditions=@fjord/source packages/cli/src/bin.ts`,
        `copy -P ${quote(`${dir}/src`)} jotta:tmux --config-dir ${quote(dir)};`,
        "echo EXIT=$?; sleep 60"
      ].join(" ")
      yield* Effect.acquireRelease(tmux(socket, "new-session", "-d", "-s", "p", "-x", "120", "-y", "30", command), () =>
        Effect.ignore(tmux(socket, "kill-server"))
      )
      const screen = tmux(socket, "capture-pane", "-p", "-t", "p")
      /** Reads the pane until `ok` holds (every 100 ms, at most `ms`). */
      const until = (ok: (s: string) => boolean, ms: number) =>
        Effect.gen(function* () {
          const deadline = Date.now() + ms
          for (;;) {
            const s = yield* screen
            if (ok(s) || Date.now() > deadline) return s
            yield* Effect.sleep("100 millis")
          }
        })

      const first = yield* until((s) => s.includes("Transferring:"), 30_000)
      assert.include(first, "Transferring:", first)
      yield* Effect.sleep("1200 millis")
      const second = yield* screen
      const live = second.split("\n")
      // rclone -P's lines, in its order
      const at = (re: RegExp) => live.findIndex((l) => re.test(l))
      const order = [
        at(/^Transferred: +[\d.]+ [KMG]?i?B \/ 6 MiB, \d+%, [\d.]+ [KMG]?i?B\/s, ETA \S+$/),
        at(/^Transferred: +0 \/ 1, 0%$/),
        at(/^Elapsed time: +\d+\.\ds$/),
        at(/^Transferring:$/),
        at(/^ \* +big\.bin: *\d+% \/6Mi, [\d.]+[KMG]?i?\/s, (-|\d+s)$/)
      ]
      assert.deepStrictEqual(
        order.map((i) => i >= 0),
        [true, true, true, true, true],
        second
      )
      assert.deepStrictEqual(
        [...order].sort((a, b) => a - b),
        order,
        second
      )
      // redrawn in place: one block on the screen, and its elapsed time moved on while the
      // upload was held (no event came from the transfer then, only the timer)
      const elapsed = (s: string) => s.match(/^Elapsed time: +(\d+\.\d)s$/gm) ?? []
      assert.strictEqual(elapsed(second).length, 1, second)
      assert.notDeepEqual(elapsed(first), elapsed(second))

      const end = yield* until((s) => s.includes("EXIT="), 30_000)
      assert.include(end, "EXIT=0", end)
      assert.match(end, /^Transferred: +6 MiB \/ 6 MiB, 100%, [\d.]+ [KMG]?i?B\/s, ETA \S+$/m)
      assert.match(end, /^Transferred: +1 \/ 1, 100%$/m)
      assert.notInclude(end, "Transferring:")
      assert.strictEqual(elapsed(end).length, 1, end)
      const ls = yield* fjord("lsf", "jotta:tmux", "--config-dir", dir)
      assert.strictEqual(ls.stdout, "big.bin\n")
    })
  )
})

const zero = {
  listing: false,
  filesPlanned: 0,
  filesDone: 0,
  bytesPlanned: 0,
  bytesDone: 0,
  checks: 0,
  errors: 0,
  deleted: 0,
  deletedDirs: 0,
  renamed: 0,
  elapsedMs: 0,
  rate: 0,
  etaSeconds: undefined,
  inFlight: [],
  checking: []
}

describe("rclone's formats", () => {
  it("sizes, percentages, durations, names", () => {
    assert.strictEqual(Progress.bytes(0), "0 B")
    assert.strictEqual(Progress.bytes(4), "4 B")
    assert.strictEqual(Progress.bytes(8_478_720), "8.086 MiB")
    assert.strictEqual(Progress.short(20_000_000), "19.073Mi")
    assert.strictEqual(Progress.short(6 * 1024 * 1024), "6Mi")
    assert.strictEqual(Progress.percent(1, 3), "33%")
    assert.strictEqual(Progress.percent(0, 0), "-")
    assert.strictEqual(Progress.goDuration(5.9), "5s")
    assert.strictEqual(Progress.goDuration(90), "1m30s")
    assert.strictEqual(Progress.goDuration(3605), "1h0m5s")
    assert.strictEqual(Progress.elapsed(2049), "2.0")
    assert.strictEqual(Progress.elapsed(65_500), "1m5.5")
    assert.strictEqual(Progress.elapsed(3_600_000 + 120_000 + 1000), "1h2m1.0")
    assert.strictEqual(Progress.shortenName("abcdefghij", 5), "ab…ij")
    assert.strictEqual(Progress.shortenName("abc", 5), "abc")
  })

  it("the block as rclone 1.60.1 printed it for the same figures", () => {
    const block = Progress.statsBlock(
      {
        listing: false,
        filesPlanned: 3,
        filesDone: 1,
        bytesPlanned: 28_000_256,
        bytesDone: 8_478_720,
        checks: 0,
        errors: 0,
        deleted: 0,
        deletedDirs: 0,
        renamed: 0,
        elapsedMs: 2000,
        rate: 4_349_500,
        etaSeconds: 4.5,
        inFlight: [{ path: "big.bin", size: 20_000_000, bytes: 4_300_000, rate: 2_224_000, etaSeconds: 7.1 }],
        checking: []
      },
      true
    )
    assert.deepStrictEqual(block, [
      "Transferred:   \t    8.086 MiB / 26.703 MiB, 30%, 4.148 MiB/s, ETA 4s",
      "Transferred:            1 / 3, 33%",
      "Elapsed time:         2.0s",
      "Transferring:",
      " *                                       big.bin: 21% /19.073Mi, 2.121Mi/s, 7s"
    ])
  })

  it("a hash comparison under way, as rclone 1.60.1 printed `check --stats 200ms` of a 300 MB pair", () => {
    const block = Progress.statsBlock({ ...zero, checks: 1, elapsedMs: 200, checking: ["big.bin"] }, true)
    assert.deepStrictEqual(block, [
      "Transferred:   \t          0 B / 0 B, -, 0 B/s, ETA -",
      "Checks:                 1 / 2, 50%",
      "Elapsed time:         0.2s",
      "Checking:",
      " *                                       big.bin: checking"
    ])
    // the summary at the end has no in-flight sections
    assert.notInclude(Progress.statsBlock({ ...zero, checking: ["big.bin"] }, false), "Checking:")
  })

  it("log lines: rclone's words for each step", () => {
    const progress = zero
    const done = (
      action: "Copied" | "Moved" | "ModTimeUpdated",
      replaced: boolean,
      serverSide: boolean,
      dryRun = false
    ) => ({ _tag: "Done", path: "a.txt", action, size: 3, replaced, serverSide, dryRun, progress }) as const
    const cloud = { source: "/here", destination: "jotta:x", bothLocal: false }
    const local = { source: "/here", destination: "/there", bothLocal: true }
    const lines = (e: Parameters<typeof Progress.eventLog>[0], sides = cloud) =>
      Progress.eventLog(e, sides).map(([level, text]) => `${level} ${text}`)
    assert.deepStrictEqual(lines(done("Copied", false, false)), ["INFO a.txt: Copied (new)"])
    assert.deepStrictEqual(lines(done("Copied", true, false)), ["INFO a.txt: Copied (replaced existing)"])
    assert.deepStrictEqual(lines(done("Copied", false, true)), ["INFO a.txt: Copied (server-side copy)"])
    assert.deepStrictEqual(lines(done("Copied", false, true), local), ["INFO a.txt: Copied (new)"])
    assert.deepStrictEqual(lines(done("Moved", false, true)), ["INFO a.txt: Moved (server-side)"])
    assert.deepStrictEqual(lines(done("Moved", false, false)), ["INFO a.txt: Copied (new)", "INFO a.txt: Deleted"])
    assert.deepStrictEqual(lines(done("ModTimeUpdated", true, false)), [
      "INFO a.txt: Updated modification time in destination"
    ])
    assert.deepStrictEqual(lines(done("Copied", false, false, true)), [
      "NOTICE a.txt: Skipped copy as --dry-run is set (size 3)"
    ])
    const deleted = (kind: "File" | "Dir", dryRun: boolean) =>
      ({ _tag: "Deleted", path: "old", kind, side: "destination", dryRun, progress }) as const
    assert.deepStrictEqual(lines(deleted("File", false)), ["INFO old: Deleted"])
    assert.deepStrictEqual(lines(deleted("Dir", false)), ["INFO old: Removing directory"])
    assert.deepStrictEqual(lines(deleted("Dir", true)), ["NOTICE old: Skipped remove directory as --dry-run is set"])
    const dirMove = (outcome: "Moved" | "Fallback", dryRun: boolean, description?: string) =>
      ({ _tag: "DirMove", outcome, description, dryRun, progress }) as const
    assert.deepStrictEqual(lines(dirMove("Moved", false)), ["INFO jotta:x: Server side directory move succeeded"])
    assert.deepStrictEqual(lines(dirMove("Moved", true)), [
      "NOTICE jotta:x: Skipped server-side directory move as --dry-run is set"
    ])
    assert.deepStrictEqual(lines(dirMove("Fallback", false, "can't copy directory - destination already exists")), [
      "INFO jotta:x: Server side directory move failed - fallback to file moves: can't copy directory - destination already exists"
    ])
    const checked = (result: "Differ" | "MissingOnDestination" | "MissingOnSource", difference?: "Size" | "Hash") =>
      ({ _tag: "Checked", path: "c", result, difference, progress }) as const
    assert.deepStrictEqual(lines(checked("Differ", "Size")), ["ERROR c: sizes differ"])
    assert.deepStrictEqual(lines(checked("Differ", "Hash")), ["ERROR c: md5 differ"])
    assert.deepStrictEqual(lines(checked("MissingOnDestination")), ["ERROR c: file not in jotta:x"])
    assert.deepStrictEqual(lines(checked("MissingOnSource")), ["ERROR c: file not in /here"])
    const failed = {
      _tag: "Failed",
      path: "b",
      description: "b: boom",
      retrying: false,
      fatal: false,
      progress
    } as const
    assert.deepStrictEqual(lines(failed), ["ERROR b: boom"])
    assert.deepStrictEqual(lines({ ...failed, retrying: true }), [])
    assert.match(Progress.logLine("INFO", "x", new Date(2024, 0, 2, 3, 4, 5)), /^2024\/01\/02 03:04:05 INFO {2}: x$/)
  })
})
