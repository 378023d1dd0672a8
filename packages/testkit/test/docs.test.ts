import * as Fs from "node:fs"
import * as Path from "node:path"
import { assert, describe, it } from "@effect/vitest"

const here = import.meta.dirname

describe("README", () => {
  it("shows test/readme.test.ts verbatim as its complete test file", () => {
    const readme = Fs.readFileSync(Path.join(here, "../README.md"), "utf8")
    const file = Fs.readFileSync(Path.join(here, "readme.test.ts"), "utf8")
    assert.include(readme, `\`\`\`ts\n${file}\`\`\``)
  })
})
