import { assert, describe, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as FastCheck from "effect/FastCheck"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as JottaPath from "../src/JottaPath.js"
import * as Name from "../src/Name.js"

const mount: JottaPath.Mount = { username: "abc123", device: "Jotta", mountpoint: "Archive" }
const wireOf = (raw: string) => Either.getOrThrow(JottaPath.toWireSegments(JottaPath.unsafeMake(raw)))

describe("JottaPath", () => {
  it("escapes like rclone (protocol §1.5 table)", () => {
    const table: ReadonlyArray<readonly [string, string]> = [
      ["docs/Q1: plan?.txt", "abc123/Jotta/Archive/docs/Q1%EF%BC%9A%20plan%EF%BC%9F.txt"],
      ["Notepad++/a&b;c=d @x$.txt", "abc123/Jotta/Archive/Notepad%2B%2B/a&b;c=d%20@x$.txt"],
      [
        "100% done (v2)!/it's #1*.txt",
        "abc123/Jotta/Archive/100%EF%BC%85%20done%20%28v2%29%21/it%27s%20%231%EF%BC%8A.txt"
      ],
      ["Blåbær/æøå.txt", "abc123/Jotta/Archive/Bl%C3%A5b%C3%A6r/%C3%A6%C3%B8%C3%A5.txt"],
      ["", "abc123/Jotta/Archive"]
    ]
    for (const [raw, url] of table) assert.strictEqual(JottaPath.jfsUrlPath(mount, wireOf(raw)), url, raw)
  })

  it("absolute, allocate and form-encoded move targets (§1.3-1.5)", () => {
    const wire = wireOf("new dir/a+b:c.txt")
    const abs = JottaPath.absolutePath(mount, wire)
    assert.strictEqual(abs, "/abc123/Jotta/Archive/new dir/a+b\uff1ac.txt")
    assert.strictEqual(
      JottaPath.formEncode({ mv: abs }),
      "mv=%2Fabc123%2FJotta%2FArchive%2Fnew+dir%2Fa%2Bb%EF%BC%9Ac.txt"
    )
    assert.strictEqual(JottaPath.allocatePath(mount, wireOf("docs/report.txt")), "/jfs/Jotta/Archive/docs/report.txt")
    assert.strictEqual(JottaPath.allocatePath(mount, []), "/jfs/Jotta/Archive")
    assert.strictEqual(
      JottaPath.absolutePath(mount, wireOf("docs/report (final).txt")),
      "/abc123/Jotta/Archive/docs/report (final).txt"
    )
  })

  it("formEncode sorts keys, drops undefined, repeats arrays", () => {
    assert.strictEqual(
      JottaPath.formEncode({ umode: "nomultipart", mode: "bin", x: undefined, a: ["1 2", "~*"] }),
      "a=1+2&a=~%2A&mode=bin&umode=nomultipart"
    )
  })

  it("make cleans empty segments and rejects dot segments and lone surrogates", () => {
    assert.strictEqual(JottaPath.unsafeMake("/a//b/"), "a/b")
    assert.strictEqual(JottaPath.unsafeMake("///"), JottaPath.root)
    for (const [raw, reason] of [
      ["a/./b", "DotSegment"],
      ["../x", "DotSegment"],
      ["a/\ud800", "InvalidUtf8"]
    ] as const) {
      const result = JottaPath.make(raw)
      assert.isTrue(Either.isLeft(result), raw)
      if (Either.isLeft(result)) {
        assert.strictEqual(result.left._tag, "InvalidName")
        assert.strictEqual(result.left.reason, reason)
      }
    }
    assert.isTrue(Either.isLeft(Schema.decodeUnknownEither(JottaPath.JottaPath)("a//b")))
    assert.isTrue(Either.isRight(Schema.decodeUnknownEither(JottaPath.JottaPath)("a/ b /c")))
    assert.isTrue(Either.isLeft(JottaPath.fromSegments(["a/b"])))
    assert.isTrue(Either.isLeft(JottaPath.fromSegments([""])))
    assert.strictEqual(Either.getOrThrow(JottaPath.fromSegments(["a", " b "])), "a/ b ")
  })

  it("join, parent, basename, segments", () => {
    const p = JottaPath.unsafeMake("a/b/c.txt")
    assert.deepStrictEqual(JottaPath.segments(p), ["a", "b", "c.txt"])
    assert.strictEqual(JottaPath.parent(p), "a/b")
    assert.strictEqual(JottaPath.basename(p), "c.txt")
    assert.strictEqual(JottaPath.parent(JottaPath.unsafeMake("a")), JottaPath.root)
    assert.strictEqual(JottaPath.parent(JottaPath.root), JottaPath.root)
    assert.strictEqual(JottaPath.basename(JottaPath.root), "")
    assert.deepStrictEqual(JottaPath.segments(JottaPath.root), [])
    assert.strictEqual(JottaPath.join(JottaPath.root, p, JottaPath.root), p)
    assert.strictEqual(Either.getOrThrow(JottaPath.resolve(p, "d/")), "a/b/c.txt/d")
    assert.isTrue(JottaPath.isRoot(JottaPath.root))
  })

  it("toWireSegments enforces 255 UTF-16 units per wire name", () => {
    assert.isTrue(Either.isRight(JottaPath.toWireSegments(JottaPath.unsafeMake("a".repeat(255)))))
    const long = JottaPath.toWireSegments(JottaPath.unsafeMake(`ok/${"a".repeat(256)}`))
    assert.isTrue(Either.isLeft(long) && long.left.reason === "TooLong")
    // 127 emoji + 1 = 255 units; 255 ':' stay 255 units; 85 invalid bytes = 255 wire units, 86 = 258
    assert.isTrue(Either.isRight(JottaPath.wireName(`${"😀".repeat(127)}a`)))
    assert.isTrue(Either.isRight(JottaPath.wireName(":".repeat(255))))
    assert.isTrue(Either.isRight(JottaPath.wireName(new Uint8Array(85).fill(0xff))))
    const bytes = JottaPath.wireName(new Uint8Array(86).fill(0xff))
    assert.isTrue(Either.isLeft(bytes) && bytes.left.reason === "TooLong")
    const none = Either.getOrThrow(Name.parseEncoding("None"))
    const invalid = JottaPath.wireName(Uint8Array.of(0x61, 0xff), none)
    assert.isTrue(Either.isLeft(invalid) && invalid.left.reason === "InvalidUtf8")
    const dot = JottaPath.wireName(".", none)
    assert.isTrue(Either.isLeft(dot) && dot.left.reason === "DotSegment")
    assert.strictEqual(Either.getOrThrow(JottaPath.wireName(".")), "\uff0e")
    const empty = JottaPath.wireName("")
    assert.isTrue(Either.isLeft(empty) && empty.left.reason === "Empty")
  })

  it("parseListStreamPath", () => {
    assert.deepStrictEqual(
      JottaPath.parseListStreamPath("/Archive/photos/2020", "Archive"),
      Option.some(["photos", "2020"])
    )
    assert.deepStrictEqual(JottaPath.parseListStreamPath("/Archive", "Archive"), Option.some([]))
    assert.deepStrictEqual(JottaPath.parseListStreamPath("/Archive2/x", "Archive"), Option.none())
    assert.deepStrictEqual(JottaPath.parseListStreamPath("/Sync/x", "Archive"), Option.none())
  })

  it("sameName is case-insensitive", () => {
    assert.isTrue(JottaPath.sameName("Hello.doc", "hello.DOC"))
    assert.isFalse(JottaPath.sameName("a", "b"))
  })

  it("displayWire decodes wire names", () => {
    assert.strictEqual(JottaPath.displayWire(["a\uff1ab", "x\u201bFF"]), "a:b/x\ufffd")
  })
})

const anyString = FastCheck.string({ unit: "binary", maxLength: 30 })

describe("JottaPath properties", () => {
  it.prop("escapeSegment percent-decodes back and never leaves '+', '%' unescaped", [anyString], ([s]) => {
    const e = JottaPath.escapeSegment(s)
    assert.strictEqual(decodeURIComponent(e), s)
    assert.match(e, /^[A-Za-z0-9\-_.~$&,/:;=@%]*$/)
    assert.notInclude(e, "+")
  })

  it.prop(
    "formEncode round-trips through URLSearchParams",
    [FastCheck.dictionary(anyString, anyString)],
    ([params]) => {
      const parsed = new URLSearchParams(JottaPath.formEncode(params))
      const keys = Object.keys(params).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
      assert.deepStrictEqual([...parsed.keys()], keys)
      for (const k of keys) assert.strictEqual(parsed.get(k), params[k])
    }
  )

  it.prop("make is idempotent and segments/join agree", [anyString], ([s]) => {
    const made = JottaPath.make(s.replace(/[\ud800-\udfff]/g, ""))
    if (Either.isLeft(made)) return
    const p = made.right
    assert.deepStrictEqual(JottaPath.make(p), Either.right(p))
    const segs = JottaPath.segments(p)
    assert.strictEqual(segs.join("/"), p)
    if (segs.length > 0) {
      assert.strictEqual(JottaPath.join(JottaPath.parent(p), JottaPath.unsafeMake(JottaPath.basename(p))), p)
    }
  })

  it.prop("wire segments decode back to the raw names", [anyString], ([s]) => {
    const made = JottaPath.make(s.replace(/[\ud800-\udfff]/g, ""))
    if (Either.isLeft(made)) return
    const wire = JottaPath.toWireSegments(made.right)
    if (Either.isLeft(wire)) return assert.strictEqual(wire.left.reason, "TooLong")
    assert.strictEqual(JottaPath.displayWire(wire.right), made.right)
  })
})
