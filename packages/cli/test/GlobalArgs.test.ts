import { assert, describe, it } from "@effect/vitest"
import * as GlobalArgs from "../src/internal/globalArgs.js"

describe("GlobalArgs.hoist", () => {
  it("moves the global flags before the command behind it", () => {
    assert.deepStrictEqual(GlobalArgs.hoist(["--config", "f.conf", "--json", "--device=D", "ls", "r:"]), [
      "ls",
      "r:",
      "--config",
      "f.conf",
      "--json",
      "--device=D"
    ])
    assert.deepStrictEqual(GlobalArgs.hoist(["--mountpoint", "Sync", "config", "show"]), [
      "config",
      "show",
      "--mountpoint",
      "Sync"
    ])
  })

  it("leaves everything else as it is", () => {
    assert.deepStrictEqual(GlobalArgs.hoist(["ls", "--config", "f"]), ["ls", "--config", "f"])
    assert.deepStrictEqual(GlobalArgs.hoist(["--help"]), ["--help"])
    assert.deepStrictEqual(GlobalArgs.hoist(["--json", "--help", "ls"]), ["--json", "--help", "ls"])
    // a value flag without its value, or flags with no command after them
    assert.deepStrictEqual(GlobalArgs.hoist(["--config"]), ["--config"])
    assert.deepStrictEqual(GlobalArgs.hoist(["--json"]), ["--json"])
  })
})
