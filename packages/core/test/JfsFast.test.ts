import { readFileSync } from "node:fs"
import { assert, describe, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as FastCheck from "effect/FastCheck"
import * as Schema from "effect/Schema"
import * as JfsFast from "../src/internal/jfsFast.js"
import * as Jfs from "../src/Jfs.js"
import * as Xml from "../src/Xml.js"

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}.xml`, import.meta.url), "utf8")
const viaSchema = Schema.decodeUnknownEither(Jfs.ItemDocument)

/** The fast decoder either agrees with the Schema decoder or gives up; `fast` says which is expected. */
const agrees = (xml: string, fast: boolean) => {
  const tree = Xml.parse(xml)
  const quick = JfsFast.itemDocument(tree)
  const slow = viaSchema(tree, { onExcessProperty: "ignore" })
  if (!fast) {
    assert.isUndefined(quick)
    return
  }
  assert.isTrue(Either.isRight(slow), "the Schema decoder accepts it")
  assert.isDefined(quick)
  assert.deepStrictEqual(quick, Either.getOrThrow(slow))
}

const file = (inner: string, attrs = "") =>
  `<?xml version="1.0" encoding="UTF-8"?><file name="a b.txt" uuid="u-1"${attrs}>${inner}</file>`
const rev = (inner: string, tag = "currentRevision") =>
  `<${tag}><number>3</number><state>COMPLETED</state>${inner}</${tag}>`

describe("jfsFast.itemDocument matches Schema decoding of Jfs.ItemDocument", () => {
  it("fixtures: file, folder, mountpoint", () => {
    agrees(fixture("file"), true)
    agrees(fixture("folder"), true)
    agrees(fixture("mountPoint"), true)
  })

  it("file variants", () => {
    agrees(file(rev("<size>12</size><md5>1CA2B3083B636B26AA5A34184972129C</md5><mime> text/plain </mime>")), true)
    agrees(file(rev("<created/><modified>2024-03-01-T11:00:00+0100</modified>")), true)
    agrees(file(rev(""), ' deleted="2024-05-02-T09:21:40Z"'), true)
    agrees(file(`${rev("")}<revisions>${rev("", "revision")}</revisions>`), true)
    agrees(file(`${rev("")}<revisions/>`), true)
    agrees(file(`<path xml:space="preserve"> /x/y </path>${rev("", "latestRevision")}`), true)
    agrees(file("<publicURI> abc </publicURI><publicSharePath>/s</publicSharePath>"), true)
    agrees(file(""), true)
  })

  it("gives up on what the Schema decoder must judge", () => {
    agrees(file(rev("<size>x</size>")), false)
    agrees(file(rev("<size>99999999999999999999</size>")), false)
    agrees(file(rev("<md5>nothex</md5>")), false)
    agrees(file(rev("<modified>yesterday</modified>")), false)
    agrees(file("<currentRevision><state>COMPLETED</state></currentRevision>"), false)
    agrees(file("<currentRevision/>"), false)
    agrees(file(rev(""), ' deleted="soon"'), false)
    agrees(`<file uuid="x">${rev("")}</file>`, false)
    agrees("<folder><files/></folder>", false)
    agrees("<mountPoint><size>1</size></mountPoint>", false)
    agrees("<device><name>Jotta</name></device>", false)
  })

  it("folder and mountpoint variants", () => {
    agrees('<folder name="f" deleted=""><folders><folder name="a"/></folders><files/></folder>', true)
    agrees(`<folder name="f"><files>${file(rev("")).replace(/^<\?xml[^>]*>/, "")}</files></folder>`, true)
    agrees("<mountPoint><name> Archive </name><size>0</size><folders/><files/></mountPoint>", true)
  })
})

// Generated documents: every element optional, each value drawn from valid and invalid forms,
// so that both decoders are exercised on accepted and refused input alike.
const pick = <A>(...xs: ReadonlyArray<A>) => FastCheck.constantFrom(...xs)
const maybe = (tag: string, values: FastCheck.Arbitrary<string>) =>
  FastCheck.option(
    values.map((v) => `<${tag}>${v}</${tag}>`),
    { nil: "" }
  )
const timeValue = pick("2024-03-01-T11:00:00Z", "2024-03-01-T11:00:00+0100", "", " ", "yesterday")
const intValue = pick("0", "12", " 7 ", "-3", "x", "99999999999999999999", "")
const md5Value = pick("1ca2b3083b636b26aa5a34184972129c", "1CA2B3083B636B26AA5A34184972129C", "nothex", "")
const textValue = pick("text/plain", " padded ", "", "a &amp; b")
const revisionXml = (tag: string) =>
  FastCheck.tuple(
    maybe("number", intValue),
    maybe("state", pick("COMPLETED", "INCOMPLETE", " CORRUPT ")),
    maybe("created", timeValue),
    maybe("modified", timeValue),
    maybe("updated", timeValue),
    maybe("mime", textValue),
    maybe("size", intValue),
    maybe("md5", md5Value)
  ).map((parts) => `<${tag}>${parts.join("")}</${tag}>`)
const attrs = FastCheck.tuple(
  FastCheck.option(pick('name="a b.txt"', 'name=""', 'name=" x "'), { nil: "" }),
  FastCheck.option(pick('uuid="u-1"', 'uuid=""'), { nil: "" }),
  FastCheck.option(pick('deleted="2024-05-02-T09:21:40Z"', 'deleted=""', 'deleted="soon"'), { nil: "" })
).map((xs) => xs.filter((x) => x !== "").join(" "))
const fileXml = FastCheck.tuple(
  attrs,
  maybe("path", pick("/u/Jotta/Archive", " /x ")),
  maybe("publicURI", textValue),
  FastCheck.option(revisionXml("currentRevision"), { nil: "" }),
  FastCheck.option(revisionXml("latestRevision"), { nil: "" }),
  FastCheck.option(
    FastCheck.array(revisionXml("revision"), { maxLength: 2 }).map((rs) => `<revisions>${rs.join("")}</revisions>`),
    { nil: "" }
  )
).map(([a, ...inner]) => `<file ${a}>${inner.join("")}</file>`)
const folderXml = FastCheck.tuple(
  attrs,
  FastCheck.array(
    attrs.map((a) => `<folder ${a}/>`),
    { maxLength: 2 }
  ),
  FastCheck.array(fileXml, { maxLength: 2 })
).map(([a, fs, xs]) => `<folder ${a}><folders>${fs.join("")}</folders><files>${xs.join("")}</files></folder>`)
const mountPointXml = FastCheck.tuple(
  maybe("name", pick("Archive", " Sync ", "")),
  maybe("size", intValue),
  maybe("modified", timeValue),
  FastCheck.array(fileXml, { maxLength: 2 })
).map(([n, s, m, xs]) => `<mountPoint>${n}${s}${m}<files>${xs.join("")}</files></mountPoint>`)

describe("jfsFast.itemDocument on generated documents", () => {
  it.prop(
    "agrees with the Schema decoder whenever it decides, and gives up whenever the Schema decoder fails",
    [FastCheck.oneof(fileXml, folderXml, mountPointXml)],
    ([xml]) => {
      const tree = Xml.parse(xml)
      const quick = JfsFast.itemDocument(tree)
      const slow = viaSchema(tree, { onExcessProperty: "ignore" })
      if (Either.isLeft(slow)) assert.isUndefined(quick, xml)
      else if (quick !== undefined) assert.deepStrictEqual(quick, slow.right, xml)
    },
    { fastCheck: { numRuns: 300 } }
  )
})

describe("jfsFast field lists", () => {
  it("list every field of each Jfs class it builds (also checked at compile time)", () => {
    const classes = {
      Revision: Jfs.Revision,
      File: Jfs.File,
      FolderEntry: Jfs.FolderEntry,
      Folder: Jfs.Folder,
      MountPoint: Jfs.MountPoint
    }
    for (const [name, C] of Object.entries(classes)) {
      const handled = Object.keys(JfsFast.handledFields[name as keyof typeof classes]).sort()
      assert.deepStrictEqual(handled, Object.keys(C.fields).sort(), name)
    }
  })
})
