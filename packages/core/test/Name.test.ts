import { readFileSync } from "node:fs"
import { assert, describe, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as FastCheck from "effect/FastCheck"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Name from "../src/Name.js"

interface Vector {
  readonly raw: string | null
  readonly rawHex: string
  readonly wire: string
  readonly note: string
}
const vectors: { mask: string; cases: ReadonlyArray<Vector>; decodeOnly: ReadonlyArray<Vector> } = JSON.parse(
  readFileSync(new URL("../../../../shared/vectors/name-encoding.json", import.meta.url), "utf8")
)

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("")
const fromHex = (s: string) => Uint8Array.from(s.match(/../g) ?? [], (x) => Number.parseInt(x, 16))
const utf8 = (s: string) => new TextEncoder().encode(s)
const enc = (s: string) => Either.getOrThrow(Name.parseEncoding(s))

describe("Name vectors (rclone's encoder output)", () => {
  it("the vector mask is the default encoding", () => {
    assert.strictEqual(enc(vectors.mask), Name.defaultEncoding)
    assert.strictEqual(Name.defaultEncoding, 0x301978e)
    assert.strictEqual(Name.formatEncoding(Name.defaultEncoding), vectors.mask)
    assert.isAtLeast(vectors.cases.length, 1500)
    assert.isAtLeast(vectors.decodeOnly.length, 100)
  })

  it("encode(bytes(rawHex)) === wire and decode(wire) === bytes(rawHex) for every case", () => {
    const failures: Array<string> = []
    for (const v of vectors.cases) {
      const bytes = fromHex(v.rawHex)
      const wire = Name.encode(bytes)
      const back = hex(Name.decode(v.wire))
      if (wire !== v.wire || back !== v.rawHex)
        failures.push(`${v.note}: ${JSON.stringify(v.wire)} got ${JSON.stringify(wire)} / ${back}`)
      if (v.raw !== null) {
        if (Name.encode(v.raw) !== v.wire) failures.push(`string ${v.note}`)
        if (Option.getOrUndefined(Name.decodeToString(v.wire)) !== v.raw) failures.push(`decodeToString ${v.note}`)
      } else if (Option.isSome(Name.decodeToString(v.wire))) {
        failures.push(`decodeToString should be None: ${v.note}`)
      }
    }
    assert.deepStrictEqual(failures, [])
  })

  it("decode(wire) === bytes(rawHex) for every decodeOnly entry", () => {
    const failures: Array<string> = []
    for (const v of vectors.decodeOnly) {
      if (hex(Name.decode(v.wire)) !== v.rawHex) failures.push(`${v.note}: ${JSON.stringify(v.wire)}`)
    }
    assert.deepStrictEqual(failures, [])
  })
})

// protocol §8.6: [raw (\xNN = byte), wire]
const worked: ReadonlyArray<readonly [string, string]> = [
  ["report.txt", "report.txt"],
  ["a:b", "a\uff1ab"],
  ["what?.txt", "what\uff1f.txt"],
  ['say "hi"', "say \uff02hi\uff02"],
  ["<tag>", "\uff1ctag\uff1e"],
  ["x*y|z", "x\uff0ay\uff5cz"],
  ["test%46.txt", "test\uff0546.txt"],
  ["a/b", "a\uff0fb"],
  ["tab\\x09here", "tab\u2409here"],
  ["\\x00nul", "\u2400nul"],
  ["del\\x7F", "del\u2421"],
  ["\\x0D\\x0A", "\u240d\u240a"],
  [".", "\uff0e"],
  ["..", "\uff0e\uff0e"],
  ["...", "..."],
  [".hidden", ".hidden"],
  ["trailing.", "trailing."],
  [" lead", " lead"],
  ["full\uff1acolon", "full\u201b\uff1acolon"],
  ["\uff05", "\u201b\uff05"],
  ["it\u201bs", "it\u201b\u201bs"],
  ["\u2400", "\u201b\u2400"],
  ["\u2409x", "\u201b\u2409x"],
  ["\u2421", "\u201b\u2421"],
  ["\uff0e", "\u201b\uff0e"],
  ["\uff0e\uff0e", "\u201b\uff0e\u201b\uff0e"],
  ["invalid utf-8\\xFE", "invalid utf-8\u201bFE"],
  ["a\\xBF\\xFEb", "a\u201bBF\u201bFEb"],
  ["\\xE2\\x82", "\u201bE2\u201b82"],
  ["café", "café"],
  ["ok\ufffd", "ok\ufffd"],
  ["a\\\\b#c+d~", "a\\b#c+d~"],
  ["\u2420", "\u2420"]
]

// "\xNN" is a byte, "\\\\" a backslash, anything else its UTF-8
const rawBytes = (s: string): Uint8Array => {
  const out: Array<number> = []
  for (let i = 0; i < s.length; i++) {
    if (s.startsWith("\\x", i)) {
      out.push(Number.parseInt(s.slice(i + 2, i + 4), 16))
      i += 3
    } else if (s.startsWith("\\\\", i)) {
      out.push(0x5c)
      i += 1
    } else {
      const cp = s.codePointAt(i)!
      if (cp > 0xffff) i++
      out.push(...utf8(String.fromCodePoint(cp)))
    }
  }
  return Uint8Array.from(out)
}

describe("Name worked examples (protocol §8.6)", () => {
  it("encode and decode each row", () => {
    for (const [raw, wire] of worked) {
      const bytes = rawBytes(raw)
      assert.strictEqual(Name.encode(bytes), wire, raw)
      assert.strictEqual(hex(Name.decode(wire)), hex(bytes), raw)
    }
  })

  it("wire names that do not round-trip (§8.7)", () => {
    assert.strictEqual(hex(Name.decode("a:b")), hex(utf8("a:b")))
    assert.strictEqual(Name.encode("a:b"), "a\uff1ab")
    assert.strictEqual(hex(Name.decode("\u201b41")), "41")
    assert.strictEqual(hex(Name.decode("a\u201b")), hex(utf8("a\u201b")))
    assert.strictEqual(Name.encode("a\u201b"), "a\u201b\u201b")
    assert.strictEqual(hex(Name.decode("a\u201b\uff0e")), hex(utf8("a\u201b\uff0e")))
    assert.deepStrictEqual(Name.decodeToString("\u201bff"), Option.none())
  })

  it("utf16Length counts UTF-16 units", () => {
    assert.strictEqual(Name.utf16Length("😀é"), 3)
    assert.strictEqual(Name.utf16Length(Name.encode(Uint8Array.of(0xff))), 3)
  })
})

describe("Name non-default encodings (facts from rclone's lib/encoder tests)", () => {
  const cases: ReadonlyArray<readonly [string, string, string]> = [
    ["LeftSpace", " ", "\u2420"],
    ["LeftSpace", "  ", "\u2420 "],
    ["LeftTilde", "~", "\uff5e"],
    ["LeftTilde", "~~", "\uff5e~"],
    ["LeftCrLfHtVt", "\\x09", "\u2409"],
    ["LeftCrLfHtVt", "\\x0D", "\u240d"],
    ["RightPeriod", ".", "\uff0e"],
    ["RightPeriod", "..", ".\uff0e"],
    ["LeftPeriod", ".", "\uff0e"],
    ["None", ".", "."],
    ["Dot", ". .", ". ."],
    ["None", "a\\xBF\\xFEb", "a\\xBF\\xFEb"],
    ["BackSlash", "a\\xBF\\\\\\xFEb", "a\\xBF\uff3c\\xFEb"],
    ["InvalidUtf8,BackSlash", "a\\xBF\\\\\\xFEb", "a\u201bBF\uff3c\u201bFEb"],
    ["InvalidUtf8", "a\\xBF\u03be\\xFEb", "a\u201bBF\u03be\u201bFEb"],
    [
      "CrLf",
      "F\uff47\uff01\uff3b\u2402\u03c0|\\x0EY\\x0A\u03bc$\uff0a0\u240a\u03bd\\x01V\u03c7I\uff13\u240d\uff1e\\x00\u2410\uff1f\u03b4\\x0D\u240a\u03c9",
      "F\uff47\uff01\uff3b\u2402\u03c0|\\x0EY\u240a\u03bc$\uff0a0\u201b\u240a\u03bd\\x01V\u03c7I\uff13\u201b\u240d\uff1e\u2400\u2410\uff1f\u03b4\u240d\u201b\u240a\u03c9"
    ],
    ["LeftSpace,RightSpace", " a ", "\u2420a\u2420"],
    ["LeftSpace,RightSpace", "\u2420a\u2420", "\u201b\u2420a\u201b\u2420"],
    ["RightCrLfHtVt", "a\\x0A", "a\u240a"],
    [
      "SquareBracket,Semicolon,Exclamation,Dollar,SingleQuote,BackQuote,Hash",
      "[;!$'`#]",
      "\uff3b\uff1b\uff01\uff04\uff07\uff40\uff03\uff3d"
    ],
    ["Raw", "a:\\x00\\xFF", "a:\\x00\\xFF"]
  ]
  it("encode and decode", () => {
    for (const [mask, raw, wire] of cases) {
      const e = enc(mask)
      const rawB = rawBytes(raw)
      const wireB = rawBytes(wire)
      assert.strictEqual(hex(Name.encodeBytes(rawB, e)), hex(wireB), `${mask} ${raw}`)
      assert.strictEqual(hex(Name.decode(wireB, e)), hex(rawB), `${mask} ${raw}`)
    }
  })

  it("a sample of rclone's generated encoder table (every flag alone and in pairs)", () => {
    const table: { cases: ReadonlyArray<{ mask: string; inHex: string; outHex: string }> } = JSON.parse(
      readFileSync(new URL("./fixtures/rclone-encoder-cases.json", import.meta.url), "utf8")
    )
    assert.isAtLeast(table.cases.length, 200)
    const failures: Array<string> = []
    for (const c of table.cases) {
      const e = enc(c.mask)
      if (hex(Name.encodeBytes(fromHex(c.inHex), e)) !== c.outHex) failures.push(`encode ${c.mask} ${c.inHex}`)
      if (hex(Name.decode(fromHex(c.outHex), e)) !== c.inHex) failures.push(`decode ${c.mask} ${c.outHex}`)
    }
    assert.deepStrictEqual(failures, [])
  })

  it("decoding half escapes (rclone TestDecodeHalf)", () => {
    const half: ReadonlyArray<readonly [string, string, string]> = [
      ["None", "\u201b", "\u201b"],
      ["None", "\u201b\u201b", "\u201b"],
      ["None", "\u201ba\u201b", "\u201ba\u201b"],
      ["InvalidUtf8", "a\u201bB\u201bEg", "a\u201bB\u201bEg"],
      ["InvalidUtf8", "a\u201bB\uff3c\u201bEg", "a\u201bB\uff3c\u201bEg"],
      ["InvalidUtf8,BackSlash", "a\u201bB\uff3c\u201bEg", "a\u201bB\\\u201bEg"]
    ]
    for (const [mask, wire, raw] of half) {
      assert.strictEqual(hex(Name.decode(wire, enc(mask))), hex(utf8(raw)), `${mask} ${wire}`)
    }
  })

  it("reproduces rclone's non-round-tripping positional flags", () => {
    // rclone's Right* and Left*+Dot flags do not round-trip every name; fjord keeps its behaviour.
    assert.strictEqual(Name.encode("\u201b ", enc("RightSpace")), "\u201b\u201b\u2420")
    assert.strictEqual(hex(Name.decode("\u201b\u201b\u2420", enc("RightSpace"))), hex(utf8("\u201b\u2420")))
    assert.strictEqual(Name.encode(".\uff0e", enc("LeftPeriod,Dot")), "\uff0e\uff0e")
    assert.strictEqual(hex(Name.decode("\uff0e\uff0e", enc("LeftPeriod,Dot"))), hex(utf8("..")))
  })

  it("encodeOption is None when the wire form is not valid UTF-8", () => {
    assert.deepStrictEqual(Name.encodeOption(Uint8Array.of(0x61, 0xff), enc("None")), Option.none())
    assert.deepStrictEqual(Name.encodeOption(Uint8Array.of(0x61, 0xff)), Option.some("a\u201bFF"))
  })

  it("parseEncoding and formatEncoding follow rclone's Set and String", () => {
    const ok: ReadonlyArray<readonly [string, number]> = [
      ["Raw", 1],
      ["None", 0],
      ["DoubleQuote", 8],
      ["Dot", 1 << 25],
      ["LtGt,DoubleQuote,Colon,Question,Asterisk,Pipe", 0x78c],
      ["Hash,Percent", 0x1800],
      ["Slash,Dollar,Colon", 0xc2],
      ["Slash,0x80000000", 0x80000002],
      [" Slash , Dot ", 0x2000002],
      ["0x301978E", 0x301978e]
    ]
    for (const [s, n] of ok) assert.strictEqual(enc(s), n, s)
    for (const s of ["", "Blerp", "0xFGFFF", "Slash,", "slash"]) assert.isTrue(Either.isLeft(Name.parseEncoding(s)), s)
    assert.strictEqual(Name.formatEncoding(enc("Raw")), "Raw")
    assert.strictEqual(Name.formatEncoding(enc("None")), "None")
    assert.strictEqual(
      Name.formatEncoding(enc("Colon,Question,DoubleQuote,Asterisk,LtGt,Pipe")),
      "LtGt,DoubleQuote,Colon,Question,Asterisk,Pipe"
    )
    assert.strictEqual(Name.formatEncoding(enc("Slash,0x80000000")), "Slash,0x80000000")
    assert.strictEqual(Schema.decodeSync(Name.EncodingFromString)("Slash,Dot"), Name.make("Slash", "Dot"))
    assert.strictEqual(Schema.encodeSync(Name.EncodingFromString)(Name.defaultEncoding), vectors.mask)
    assert.isTrue(Name.has(Name.defaultEncoding, "Percent"))
    assert.isFalse(Name.has(Name.defaultEncoding, "Hash"))
  })
})

const special = [
  ..."\0\t\n\v\r\x01\x1f\x7f \"%*/:<>?|.~\\#+;&$'![]`",
  "\u201b",
  "\u2400",
  "\u2409",
  "\u240a",
  "\u241f",
  "\u2420",
  "\u2421",
  "\uff0e",
  "\uff02",
  "\uff05",
  "\uff0a",
  "\uff0f",
  "\uff1a",
  "\uff1c",
  "\uff1e",
  "\uff1f",
  "\uff5c",
  "\uff5e",
  "\uff3b",
  "\ufffd",
  "a",
  "F",
  "4",
  "é",
  "日",
  "😀"
]
const nameArb = FastCheck.oneof(
  FastCheck.string({ unit: FastCheck.constantFrom(...special), maxLength: 12 }),
  FastCheck.string({ unit: "binary", maxLength: 20 })
)
const bytesArb = FastCheck.oneof(
  FastCheck.uint8Array({ maxLength: 16 }),
  FastCheck.array(
    FastCheck.oneof(
      FastCheck.constantFrom(...special).map(utf8),
      FastCheck.uint8Array({ minLength: 1, maxLength: 2 }).map((b) => b.map((x) => x | 0x80))
    ),
    { maxLength: 8 }
  ).map((parts) => Uint8Array.from(parts.flatMap((p) => [...p])))
)
const encodings = [
  Name.defaultEncoding,
  enc("None"),
  enc("Slash,LtGt,DoubleQuote,Colon,Question,Asterisk,Pipe,Del,Ctl,InvalidUtf8,Dot"),
  enc("LeftSpace,LeftPeriod,LeftTilde,LeftCrLfHtVt,InvalidUtf8"),
  enc("0x1F01FFFE") // every flag but Raw and the Left*/Right* ones
]

describe("Name properties", () => {
  it.prop("decode(encode(s)) = s for strings, several encodings", [nameArb], ([s]) => {
    for (const e of encodings) {
      const wire = Name.encode(s, e)
      assert.deepStrictEqual(Name.decodeToString(wire, e), Option.some(s))
    }
  })

  it.prop("decode(encode(b)) = b for byte arrays (with InvalidUtf8)", [bytesArb], ([b]) => {
    for (const e of [Name.defaultEncoding, encodings[3]!, encodings[4]!]) {
      const wire = Name.encode(b, e)
      assert.strictEqual(hex(Name.decode(wire, e)), hex(b))
      if (Name.has(e, "Slash")) assert.notInclude(wire, "/")
    }
  })

  it.prop("decode(encodeBytes(b)) = b on bytes, also without InvalidUtf8", [bytesArb], ([b]) => {
    for (const e of [enc("None"), enc("Slash,Ctl,Del,Dot"), Name.defaultEncoding]) {
      assert.strictEqual(hex(Name.decode(Name.encodeBytes(b, e), e)), hex(b))
    }
  })

  it.prop("the default fast path agrees with the general encoder", [nameArb], ([s]) => {
    assert.strictEqual(Name.encode(s), new TextDecoder().decode(Name.encodeBytes(s)))
    assert.deepStrictEqual(Name.decodeToString(s), Option.fromNullable(tryDecode(Name.decode(s))))
  })
})

const tryDecode = (b: Uint8Array): string | undefined => {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(b)
  } catch {
    return undefined
  }
}
