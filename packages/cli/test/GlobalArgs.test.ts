import { assert, describe, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as GlobalArgs from "../src/internal/globalArgs.js"

const parse = (args: ReadonlyArray<string>, env: Record<string, string> = {}) => {
  const r = GlobalArgs.parse(args, env)
  if (Either.isLeft(r)) throw new Error(r.left)
  return r.right
}

describe("global flags", () => {
  it("are read anywhere on the line, the rest left in order", () => {
    const r = parse(["--config", "f.conf", "ls", "-R", "--json", "remote:x", "--device=Laptop", "-vv"])
    assert.deepStrictEqual(r.rest, ["ls", "-R", "remote:x"])
    assert.deepStrictEqual(r.globals.config, Option.some("f.conf"))
    assert.deepStrictEqual(r.globals.device, Option.some("Laptop"))
    assert.isTrue(r.globals.json)
    assert.strictEqual(r.globals.verbose, 2)
    assert.strictEqual(GlobalArgs.logLevel(r.globals), "DEBUG")
  })

  it("stop at --", () => {
    const r = parse(["cat", "--", "--json"])
    assert.deepStrictEqual(r.rest, ["cat", "--", "--json"])
    assert.isFalse(r.globals.json)
  })

  it("fall back to FJORD_* variables; a flag wins over its variable", () => {
    const env = { FJORD_JOTTACLOUD_HARD_DELETE: "true", FJORD_DEVICE: "Env", FJORD_JOTTACLOUD_NO_VERSIONS: "1" }
    const r = parse(["ls", "--device", "Flag"], env)
    assert.isTrue(r.globals.hardDelete)
    assert.deepStrictEqual(r.globals.noVersions, Option.some(true))
    assert.deepStrictEqual(r.globals.device, Option.some("Flag"))
    assert.isTrue(parse(["--hard-delete", "rm", "x"]).globals.hardDelete)
    assert.strictEqual(GlobalArgs.logLevel(parse(["-q"]).globals), "ERROR")
  })

  it("refuse a flag without its value, a bad boolean and an unknown log level", () => {
    assert.isTrue(Either.isLeft(GlobalArgs.parse(["ls", "--config"], {})))
    assert.isTrue(Either.isLeft(GlobalArgs.parse(["--json=maybe"], {})))
    assert.isTrue(Either.isLeft(GlobalArgs.parse(["--log-level", "LOUD"], {})))
    assert.isTrue(Either.isLeft(GlobalArgs.parse([], { FJORD_JOTTACLOUD_TRASHED_ONLY: "x" })))
  })

  it("help lines stay within 100 columns", () => {
    for (const line of GlobalArgs.helpSection().split("\n")) assert.isAtMost(line.length, 100, line)
  })
})
