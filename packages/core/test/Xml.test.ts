import { readFileSync } from "node:fs"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as Decode from "../src/internal/decode.js"
import * as Op from "../src/internal/operation.js"
import * as Xml from "../src/Xml.js"

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}.xml`, import.meta.url), "utf8")
const parse = Schema.decodeSync(Xml.XmlFromString)
/** Reads a value at a key path in the object tree (tests only). */
const at = (x: unknown, ...keys: ReadonlyArray<string | number>): unknown =>
  keys.reduce<unknown>((v, k) => (v as Record<string | number, unknown> | undefined)?.[k], x)
const tree = (name: string): unknown => parse(fixture(name))
const len = (x: unknown): number => (Array.isArray(x) ? x.length : -1)

describe("Xml.XmlFromString on the protocol samples", () => {
  it("user", () => {
    const user = at(tree("user"), "user")
    assert.strictEqual(at(user, "@_time"), "2024-05-02-T09:14:03Z")
    assert.strictEqual(at(user, "@_host"), "dn-117")
    assert.strictEqual(at(user, "username"), "k9demouser4x7q2")
    assert.strictEqual(at(user, "capacity"), "-1")
    assert.strictEqual(at(user, "account-type"), "unlimited")
    assert.strictEqual(len(at(user, "devices", "device")), 2)
    assert.deepStrictEqual(at(user, "devices", "device", 1), {
      name: { "@_xml:space": "preserve", "#text": "Laptop-Ola" },
      display_name: { "@_xml:space": "preserve", "#text": "Laptop-Ola" },
      type: "WORKSTATION",
      sid: "0c9b8a7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d",
      size: "0",
      modified: ""
    })
  })

  it("device", () => {
    const device = at(tree("device"), "device")
    assert.strictEqual(at(device, "user"), "k9demouser4x7q2")
    assert.deepStrictEqual(
      (at(device, "mountPoints", "mountPoint") as ReadonlyArray<unknown>).map((m) => at(m, "name", "#text")),
      ["Archive", "Shared", "Sync"]
    )
    assert.deepStrictEqual(at(device, "metadata"), {
      "@_first": "",
      "@_max": "",
      "@_total": "3",
      "@_num_mountpoints": "3"
    })
  })

  it("mountPoint: a one-child collection is still an array; <device> outside devices is not", () => {
    const mountPoint = at(tree("mountPoint"), "mountPoint")
    assert.strictEqual(at(mountPoint, "device"), "Jotta")
    assert.deepStrictEqual(at(mountPoint, "folders", "folder"), [{ "@_name": "docs" }, { "@_name": "photos" }])
    assert.isTrue(Array.isArray(at(mountPoint, "files", "file")))
    assert.strictEqual(len(at(mountPoint, "files", "file")), 1)
    assert.strictEqual(at(mountPoint, "files", "file", 0, "currentRevision", "md5"), "b1946ac92492d2347c6235b4d2611184")
  })

  it("folder listing", () => {
    const folder = at(tree("folder"), "folder")
    assert.strictEqual(at(folder, "@_name"), "docs")
    assert.strictEqual(at(folder, "path", "#text"), "/k9demouser4x7q2/Jotta/Archive")
    assert.deepStrictEqual(at(folder, "folders", "folder", 1), {
      "@_name": "old drafts",
      "@_deleted": "2024-04-28-T12:01:09Z",
      abspath: { "@_xml:space": "preserve", "#text": "/k9demouser4x7q2/Jotta/Archive/docs" }
    })
    const files = at(folder, "files", "file")
    assert.deepStrictEqual(
      (files as ReadonlyArray<unknown>).map((f) => at(f, "@_name")),
      ["hello.txt", "draft.odt", "big.iso"]
    )
    assert.strictEqual(at(files, 0, "currentRevision", "size"), "14")
    assert.strictEqual(at(files, 2, "latestRevision", "state"), "INCOMPLETE")
    assert.strictEqual(at(folder, "metadata", "@_num_files"), "3")
  })

  it("file metadata with revisions", () => {
    const file = at(tree("file"), "file")
    assert.strictEqual(at(file, "@_uuid"), "9d3c2b1a-0f9e-4d8c-b7a6-5e4d3c2b1a09")
    assert.strictEqual(at(file, "currentRevision", "number"), "2")
    assert.strictEqual(len(at(file, "revisions", "revision")), 1)
    assert.strictEqual(at(file, "revisions", "revision", 0, "md5"), "b1946ac92492d2347c6235b4d2611184")
  })

  it("error", () => {
    const error = at(tree("error"), "error")
    assert.strictEqual(at(error, "code"), "404")
    assert.strictEqual(at(error, "reason"), "Not Found")
    assert.strictEqual(at(error, "cause"), "")
    assert.strictEqual(at(error, "x-id"), "518204937761")
  })

  it("liststream", () => {
    const liststream = at(tree("liststream"), "liststream")
    assert.strictEqual(len(at(liststream, "folder")), 3)
    assert.deepStrictEqual(at(liststream, "file"), {
      path: "/Archive/photos/2020",
      filename: "beach.jpg",
      size: "14",
      md5: "683099636059446db0703b45d7f2eb2e",
      modified: "2020-07-14T16:02:11.000Z",
      created: "2020-07-14T16:02:11.000Z"
    })
    assert.deepStrictEqual(at(liststream, "stats"), { folders: "3", files: "1" })
  })
})

describe("Xml.XmlFromString details", () => {
  it("keeps text exactly, decodes entities and CDATA, custom isArray", () => {
    assert.deepStrictEqual(parse("<a><b> x &amp; &lt;y&gt; &#x263A; </b><c><![CDATA[<raw>]]></c><d/></a>"), {
      a: { b: " x & <y> \u263a ", c: "<raw>", d: "" }
    })
    assert.deepStrictEqual(parse('<a x="1">t</a>'), { a: { "@_x": "1", "#text": "t" } })
    const custom = Schema.decodeSync(Xml.makeXmlFromString({ isArray: (p) => p.join("/") === "r/i" }))
    assert.deepStrictEqual(custom("<r><i>1</i><j>2</j></r>"), { r: { i: ["1"], j: "2" } })
    assert.deepStrictEqual(parse("<r><i>1</i><i>2</i><i>3</i></r>"), { r: { i: ["1", "2", "3"] } })
  })

  it.effect("malformed XML is a ParseError", () =>
    Effect.gen(function* () {
      for (const bad of ["", "<a>", "<a></b>", "<a><b></a>", "not xml", "<a>&undefined;</a>", "<a/><b/>"]) {
        const error = yield* Effect.flip(Schema.decodeUnknown(Xml.XmlFromString)(bad))
        assert.strictEqual(at(error, "_tag"), "ParseError", bad)
      }
    })
  )

  it.effect("a DOCTYPE with an entity bomb is rejected fast", () =>
    Effect.gen(function* () {
      const entities = Array.from({ length: 10 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i};`.repeat(10)}">`).join(
        ""
      )
      const bomb = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol0 "lol">${entities}]><lolz>&lol10;</lolz>`
      const start = Date.now()
      const error = yield* Effect.flip(Schema.decodeUnknown(Xml.XmlFromString)(bomb))
      assert.include(at(error, "message"), "DOCTYPE")
      assert.isBelow(Date.now() - start, 200)
    })
  )
})

const Revision = Schema.Struct({ state: Schema.String, size: Schema.NumberFromString })
const FileDoc = Schema.Struct({
  file: Schema.Struct({
    name: Schema.propertySignature(Schema.String).pipe(Schema.fromKey("@_name")),
    currentRevision: Revision
  })
})

describe("Decode.xml", () => {
  it.effect("decodes into a schema, ignoring unknown elements", () =>
    Effect.gen(function* () {
      const doc = yield* Decode.xml(FileDoc)(fixture("file"), { operation: "test.op" })
      assert.deepStrictEqual(doc, { file: { name: "hello.txt", currentRevision: { state: "COMPLETED", size: 14 } } })
    })
  )

  it.effect("a missing required element is InvalidResponse carrying the issue", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(Decode.xml(FileDoc)(fixture("folder"), { operation: "test.op" }))
      assert.strictEqual(at(error, "_tag"), "InvalidResponse")
      assert.strictEqual(at(error, "operation"), "test.op")
      assert.include(at(error, "issue"), "file")
      const malformed = yield* Effect.flip(Decode.xml(FileDoc)("<file", { operation: "test.op" }))
      assert.include(malformed.issue, "invalid XML")
    })
  )

  it.effect("without an operation given, the error names the current one and its path", () =>
    Effect.gen(function* () {
      const inOp = Op.fn("Test.op", (u) => (typeof u === "string" ? u : undefined))(function* (_path: string) {
        return yield* Decode.xml(FileDoc)(fixture("folder"), { status: 200 })
      })
      const error = yield* Effect.flip(inOp("a/b"))
      assert.strictEqual(error.operation, "Test.op")
      assert.strictEqual(error.path, "a/b")
      assert.strictEqual(error.status, 200)
    })
  )

  it.effect("the fast path's value is taken; when it declines, the schema decides", () =>
    Effect.gen(function* () {
      const built = { file: { name: "from the fast path", currentRevision: { state: "COMPLETED", size: 1 } } }
      const taken = yield* Decode.xml(FileDoc, { fast: () => built })(fixture("file"))
      assert.strictEqual(taken, built)
      const declined = yield* Decode.xml(FileDoc, { fast: () => undefined })(fixture("file"))
      assert.deepStrictEqual(declined, {
        file: { name: "hello.txt", currentRevision: { state: "COMPLETED", size: 14 } }
      })
      const invalid = yield* Effect.flip(Decode.xml(FileDoc, { fast: () => undefined })(fixture("folder")))
      assert.strictEqual(invalid._tag, "InvalidResponse")
    })
  )
})

describe("Decode.json", () => {
  it.effect("decodes JSON with a schema; a mismatch is InvalidResponse", () =>
    Effect.gen(function* () {
      const Reply = Schema.Struct({ files: Schema.Number })
      assert.deepStrictEqual(yield* Decode.json(Reply)('{"files":3}'), { files: 3 })
      const error = yield* Effect.flip(Decode.json(Reply)('{"files":"x"}', { operation: "test.op", path: "p" }))
      assert.strictEqual(error.operation, "test.op")
      assert.strictEqual(error.path, "p")
      const malformed = yield* Effect.flip(Decode.json(Reply)("{", { operation: "test.op" }))
      assert.strictEqual(malformed._tag, "InvalidResponse")
    })
  )
})
