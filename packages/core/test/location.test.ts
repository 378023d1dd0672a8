import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as FastCheck from "effect/FastCheck"
import * as Loc from "../src/internal/location.js"
import * as JottaConfig from "../src/JottaConfig.js"
import * as JottaPath from "../src/JottaPath.js"

const config = Effect.runSync(JottaConfig.make({ endpoint: "http://127.0.0.1:1", root: "base dir" }))
const rawConfig = Effect.runSync(JottaConfig.make({ endpoint: "http://127.0.0.1:1", encoding: "Raw" }))

/** Loc.resolve of a string path agrees with JottaPath.make + toWireSegments (the general route). */
const agrees = (c: JottaConfig.Service, input: string) => {
  const general = Either.flatMap(JottaPath.make(input, "op"), (path) =>
    Either.map(JottaPath.toWireSegments(path, c.encoding, "op"), (relative) => ({ relative, display: path }))
  )
  const got = Effect.runSync(Effect.either(Loc.resolve(c, "user", input)))
  if (Either.isLeft(general)) {
    assert.isTrue(Either.isLeft(got), `expected a failure for ${JSON.stringify(input)}`)
    if (Either.isLeft(got)) assert.strictEqual(got.left.reason, general.left.reason)
    return
  }
  assert.isTrue(Either.isRight(got), `expected a location for ${JSON.stringify(input)}`)
  if (Either.isRight(got)) {
    assert.deepStrictEqual(got.right.relative, general.right.relative)
    assert.strictEqual(got.right.display, general.right.display)
  }
}

const tricky = [
  "a/b c.txt",
  "/a//b/",
  "",
  "a/./b",
  "../x",
  "trailing space /x",
  " lead",
  "x.",
  'q?*:|<>"',
  "ＡＢ／",
  "\u201b\uff0e",
  "\uff0e",
  "\ud800x",
  "é/ü",
  "x".repeat(255),
  "x".repeat(256),
  "a\u0001b",
  "tab\there"
]

describe("Loc.resolve (string paths)", () => {
  it("agrees with the general route on tricky paths, default and Raw encodings", () => {
    for (const input of tricky) {
      agrees(config, input)
      agrees(rawConfig, input)
    }
  })

  it.prop(
    "agrees with the general route on arbitrary paths",
    [FastCheck.string({ unit: "binary", maxLength: 40 })],
    ([input]) => {
      agrees(config, input)
      agrees(rawConfig, input)
    },
    { fastCheck: { numRuns: 200 } }
  )
})
