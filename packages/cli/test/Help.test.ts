// The help of every command: plain text, every argument and flag described, the global
// flags once, lines within 100 columns.
import * as NodeContext from "@effect/platform-node/NodeContext"
import { assert, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { fjord } from "./fjord.js"

/** Each heading line (an argument `<x>` or an option) must be followed by a described line. */
const undescribed = (text: string): Array<string> => {
  const lines = text.split("\n")
  const start = lines.findIndex((l) => l === "ARGUMENTS" || l === "OPTIONS")
  const end = lines.indexOf("GLOBAL FLAGS")
  if (start < 0) return []
  const missing: Array<string> = []
  for (let i = start + 1; i < end; i++) {
    const line = lines[i] ?? ""
    if (!/^(<|\(|-)/.test(line)) continue
    const next = lines.slice(i + 1).find((l) => l !== "")
    if (next === undefined || !/^ {2}\S/.test(next)) missing.push(line)
  }
  return missing
}

layer(NodeContext.layer)("fjord --help", (it) => {
  it.effect("every command's help is plain, described, within 100 columns, global flags once", () =>
    Effect.gen(function* () {
      const root = yield* fjord("--help")
      assert.strictEqual(root.exitCode, 0, root.stderr)
      const names = [...root.stdout.matchAll(/^ {2}- ([a-z0-9-]+(?: [a-z-]+)?)(?= |$)/gm)].map((m) => m[1] ?? "")
      for (const expected of ["login", "config", "config create", "ls", "lsjson", "copy", "rcat", "touch", "rmdirs"]) {
        assert.include(names, expected)
      }
      for (const name of ["", ...names]) {
        const r = yield* fjord(...name.split(" ").filter((w) => w !== ""), "--help")
        assert.strictEqual(r.exitCode, 0, `${name}: ${r.stderr}`)
        assert.notInclude(r.stdout, "\u001b", name)
        assert.notInclude(r.stdout, "A user-defined piece of text", name)
        for (const line of r.stdout.split("\n")) assert.isAtMost(line.length, 100, `${name}: ${line}`)
        assert.strictEqual(r.stdout.split("\nGLOBAL FLAGS\n").length, 2, name)
        assert.deepStrictEqual(undescribed(r.stdout), [], name)
      }
    })
  )
})
