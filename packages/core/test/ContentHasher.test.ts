import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as FastCheck from "effect/FastCheck"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as ContentHasher from "../src/ContentHasher.js"

describe("ContentHasher", () => {
  it.effect("layerFunction hashes the collected bytes", () =>
    Effect.gen(function* () {
      const hasher = yield* ContentHasher.ContentHasher
      const md5 = yield* hasher.md5(Stream.make(Uint8Array.of(1), Uint8Array.of(2, 3)))
      assert.strictEqual(md5, "010203".padEnd(32, "0"))
    }).pipe(
      Effect.provide(
        ContentHasher.layerFunction((b) =>
          Array.from(b, (x) => x.toString(16).padStart(2, "0"))
            .join("")
            .padEnd(32, "0")
        )
      )
    )
  )

  it("Md5 is 32 lower-case hex digits; md5FromString normalises case", () => {
    assert.strictEqual(
      ContentHasher.md5FromString("D41D8CD98F00B204E9800998ECF8427E"),
      "d41d8cd98f00b204e9800998ecf8427e"
    )
    assert.isTrue(Schema.is(ContentHasher.Md5)("d41d8cd98f00b204e9800998ecf8427e"))
    assert.isFalse(Schema.is(ContentHasher.Md5)("D41D8CD98F00B204E9800998ECF8427E"))
    assert.throws(() => ContentHasher.md5FromString("abc"))
    assert.throws(() => ContentHasher.md5FromString("z".repeat(32)))
  })

  const decodeOption = Schema.decodeOption(ContentHasher.Md5FromHex)
  const hexChar = FastCheck.constantFrom(..."0123456789abcdefABCDEFxg ")
  const hex32 = FastCheck.string({
    unit: FastCheck.constantFrom(..."0123456789abcdefABCDEF"),
    minLength: 32,
    maxLength: 32
  })
  it.prop(
    "md5OrUndefined gives what decoding with Md5FromHex gives",
    [FastCheck.oneof(FastCheck.string(), FastCheck.string({ unit: hexChar, minLength: 31, maxLength: 33 }), hex32)],
    ([text]) => {
      assert.strictEqual(ContentHasher.md5OrUndefined(text), Option.getOrUndefined(decodeOption(text)))
    },
    { fastCheck: { numRuns: 500 } }
  )
})
