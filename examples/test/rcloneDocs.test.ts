import { fileURLToPath } from "node:url"
import * as Command from "@effect/platform/Command"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"

const script = fileURLToPath(new URL("../rclone-docs.sh", import.meta.url))

/** The lines each `$ fjord …` command printed, by command. */
const byCommand = (output: string): Map<string, Array<string>> => {
  const out = new Map<string, Array<string>>()
  let current: Array<string> = []
  for (const line of output.split("\n")) {
    if (line.startsWith("$ fjord ")) {
      current = []
      out.set(line.slice(2).replace(/\/tmp\/[^ ]+\/source/, "SRC"), current)
    } else if (line !== "") current.push(line.trim())
  }
  return out
}

describe("rclone docs script", () => {
  it.live(
    "runs rclone's Jottacloud commands with fjord against an emulator",
    () =>
      Effect.gen(function* () {
        const output = yield* Command.string(Command.make("bash", script))
        const runs = byCommand(output)
        const lines = (command: string): Array<string> => runs.get(command) ?? []
        assert.deepStrictEqual(
          [...runs.keys()],
          [
            "fjord login --emulator",
            "fjord lsd jotta:",
            "fjord copy SRC jotta:backup",
            "fjord ls jotta:",
            "fjord sync SRC jotta:backup",
            "fjord ls jotta:backup",
            "fjord about",
            "fjord cleanup",
            "fjord link jotta:backup/new.txt"
          ]
        )
        assert.deepStrictEqual(runs.get("fjord lsd jotta:"), [])
        assert.deepStrictEqual(runs.get("fjord ls jotta:"), ["7 backup/report.txt", "11 backup/photos/fjord.jpg"])
        assert.include(lines("fjord copy SRC jotta:backup"), "Transferred:            2 / 2, 100%")
        assert.include(lines("fjord sync SRC jotta:backup"), "Deleted:                1 (files), 0 (dirs)")
        assert.deepStrictEqual(runs.get("fjord ls jotta:backup"), ["4 new.txt", "11 photos/fjord.jpg"])
        assert.include(lines("fjord about"), "Used:    22 B")
        assert.deepStrictEqual(runs.get("fjord cleanup"), ["Emptied the trash: 1 files, 0 folders"])
        assert.match(runs.get("fjord link jotta:backup/new.txt")?.[0] ?? "", /^http:\/\/127\.0\.0\.1:\d+\/\S+$/)
      }).pipe(Effect.provide(NodeContext.layer)),
    // Ten CLI processes started through tsx; slow on a loaded machine.
    300_000
  )
})
