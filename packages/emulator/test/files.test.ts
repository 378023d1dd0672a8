import { assert, layer } from "@effect/vitest"
import * as Emulator from "@fjord/emulator/Emulator"
import * as Effect from "effect/Effect"
import { arch, dest, md5, put, req, rootAttr, rootName, tag, unique } from "./helpers.js"

const CLASSIC = /^\d{4}-\d\d-\d\d-T\d\d:\d\d:\d\dZ$/

layer(Emulator.layer())("files and folders", (it) => {
  it.effect("mkDir is recursive and idempotent; reply is a folder document without metadata (§4.3)", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const base = unique("mk")
      const r = yield* req(emu, "POST", `${arch(emu, `${base}/a/b`)}?mkDir=true`)
      assert.strictEqual(r.status, 200)
      assert.strictEqual(rootName(r.text), "folder")
      assert.strictEqual(rootAttr(r.text, "name"), "b")
      assert.include(r.text, `<path xml:space="preserve">/${emu.username}/Jotta/Archive/${base}/a</path>`)
      assert.notInclude(r.text, "<metadata")
      const again = yield* req(emu, "POST", `${arch(emu, `${base}/a/b`)}?mkDir=true`)
      assert.strictEqual(again.status, 200)
      const list = yield* req(emu, "GET", arch(emu, `${base}/a`))
      assert.include(list.text, '<folder name="b"/>')
      const mp = yield* req(emu, "POST", `${arch(emu)}?mkDir=true`)
      assert.strictEqual(mp.status, 200)
      assert.strictEqual(rootName(mp.text), "mountPoint")
    })
  )

  it.effect("folder listing shape (§4.1): children by name, trashed ones with deleted + abspath, counts", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const base = unique("ls")
      yield* put(emu, `${base}/zeta.txt`, "zeta")
      yield* put(emu, `${base}/alpha.txt`, "alpha")
      yield* put(emu, `${base}/gone.txt`, "gone")
      yield* req(emu, "POST", `${arch(emu, `${base}/sub`)}?mkDir=true`)
      yield* req(emu, "POST", `${arch(emu, `${base}/old`)}?mkDir=true`)
      yield* req(emu, "POST", `${arch(emu, `${base}/gone.txt`)}?dl=true`)
      yield* req(emu, "POST", `${arch(emu, `${base}/old`)}?dlDir=true`)
      const r = yield* req(emu, "GET", arch(emu, base))
      assert.strictEqual(r.status, 200)
      assert.strictEqual(rootName(r.text), "folder")
      assert.strictEqual(rootAttr(r.text, "name"), base)
      assert.match(rootAttr(r.text, "time") ?? "", CLASSIC)
      assert.include(r.text, `<path xml:space="preserve">/${emu.username}/Jotta/Archive</path>`)
      const names = Array.from(r.text.matchAll(/<file name="([^"]+)"/g), (m) => m[1])
      assert.deepStrictEqual(names, ["alpha.txt", "gone.txt", "zeta.txt"])
      assert.match(r.text, /<folder name="old" deleted="[^"]+">\s*<abspath xml:space="preserve">[^<]+<\/abspath>/)
      assert.match(r.text, /<file name="gone.txt" uuid="[0-9a-f-]{36}" deleted="[^"]+">\s*<abspath/)
      assert.include(r.text, '<folder name="sub"/>')
      assert.include(r.text, '<metadata first="" max="" total="5" num_folders="2" num_files="3"/>')
      assert.match(r.text, /<currentRevision>\s*<number>1<\/number>\s*<state>COMPLETED<\/state>/)
      const missing = yield* req(emu, "GET", arch(emu, `${base}/nope`))
      assert.strictEqual(missing.status, 404)
      assert.include(tag(missing.text, "message") ?? "", "NoSuchPathException")
    })
  )

  it.effect("file metadata (§4.2): revision fields, classic times, mime from the name", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const base = unique("meta")
      yield* put(emu, `${base}/hello.txt`, "hello", {
        created: "2024-03-01T12:00:00+01:00",
        modified: "2024-03-02T08:30:00.250Z"
      })
      const r = yield* req(emu, "GET", arch(emu, `${base}/hello.txt`))
      assert.strictEqual(r.status, 200)
      assert.strictEqual(rootName(r.text), "file")
      assert.match(rootAttr(r.text, "uuid") ?? "", /^[0-9a-f-]{36}$/)
      assert.isUndefined(rootAttr(r.text, "deleted"))
      assert.strictEqual(tag(r.text, "state"), "COMPLETED")
      assert.strictEqual(tag(r.text, "created"), "2024-03-01-T11:00:00Z")
      assert.strictEqual(tag(r.text, "modified"), "2024-03-02-T08:30:00Z")
      assert.match(tag(r.text, "updated") ?? "", CLASSIC)
      assert.strictEqual(tag(r.text, "mime"), "text/plain")
      assert.strictEqual(tag(r.text, "size"), "5")
      assert.strictEqual(tag(r.text, "md5"), md5("hello"))
      assert.include(r.text, `<abspath xml:space="preserve">/${emu.username}/Jotta/Archive/${base}</abspath>`)
      assert.notInclude(r.text, "<latestRevision>")
    })
  )

  it.effect("case-insensitive names keep the stored spelling (§8.1)", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const base = unique("case")
      yield* put(emu, `${base}/Hello.doc`, "one")
      yield* put(emu, `${base}/hello.doc`, "two")
      const list = yield* req(emu, "GET", arch(emu, base.toUpperCase()))
      assert.strictEqual(list.status, 200)
      const names = Array.from(list.text.matchAll(/<file name="([^"]+)"/g), (m) => m[1])
      assert.deepStrictEqual(names, ["Hello.doc"])
      const meta = yield* req(emu, "GET", arch(emu, `${base}/HELLO.DOC`))
      assert.strictEqual(tag(meta.text, "number"), "2")
      assert.strictEqual(rootAttr(meta.text, "name"), "Hello.doc")
      yield* req(emu, "POST", `${arch(emu, `${base}/SUB`)}?mkDir=true`)
      yield* req(emu, "POST", `${arch(emu, `${base}/sub/x`)}?mkDir=true`)
      const l2 = yield* req(emu, "GET", arch(emu, base))
      assert.include(l2.text, '<folder name="SUB"/>')
      assert.notInclude(l2.text, '<folder name="sub"/>')
    })
  )

  it.effect("255 UTF-16 unit name limit -> 400 InvalidArgumentException on every name-creating op (§8.2)", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const base = unique("len")
      const ok = "é".repeat(255)
      const long = "a".repeat(256)
      const astral = "😀".repeat(128) // 256 UTF-16 units
      const mk = yield* req(emu, "POST", `${arch(emu, `${base}/${ok}`)}?mkDir=true`)
      assert.strictEqual(mk.status, 200)
      for (const name of [long, astral]) {
        const r = yield* req(emu, "POST", `${arch(emu, `${base}/${name}`)}?mkDir=true`)
        assert.strictEqual(r.status, 400)
        assert.include(tag(r.text, "message") ?? "", "InvalidArgumentException")
      }
      const alloc = yield* req(emu, "POST", "/api/files/v1/allocate", {
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ bytes: 1, md5: md5("x"), path: `/jfs/Jotta/Archive/${base}/${long}` })
      })
      assert.strictEqual(alloc.status, 400)
      assert.strictEqual(alloc.json().error_id, "InvalidArgumentException")
      yield* put(emu, `${base}/f.txt`, "f")
      const cp = yield* req(emu, "POST", `${arch(emu, `${base}/f.txt`)}?cp=${dest(emu, `${base}/${long}`)}`)
      assert.strictEqual(cp.status, 400)
      const mv = yield* req(emu, "POST", `${arch(emu, `${base}/f.txt`)}?mv=${dest(emu, `${base}/${long}`)}`)
      assert.strictEqual(mv.status, 400)
      const mvDir = yield* req(emu, "POST", `${arch(emu, `${base}/${ok}`)}/?mvDir=${dest(emu, `${base}/${long}`)}`)
      assert.strictEqual(mvDir.status, 400)
      const ch = yield* req(emu, "POST", `${arch(emu, `${base}/${long}`)}?cphash=true`, {
        headers: { JSize: "1", JMd5: md5("f"), JCreated: "2024-01-01-T00:00:00Z", JModified: "2024-01-01-T00:00:00Z" }
      })
      assert.strictEqual(ch.status, 400)
    })
  )

  it.effect("path checks: %25 and literal + rejected with the XML error (§1.6)", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const pct = yield* req(emu, "GET", `${arch(emu)}/100%25`)
      assert.strictEqual(pct.status, 400)
      assert.strictEqual(tag(pct.text, "code"), "400")
      const plus = yield* req(emu, "POST", `${arch(emu)}/a+b?mkDir=true`)
      assert.strictEqual(plus.status, 400)
      assert.include(tag(plus.text, "message") ?? "", "Unable to validate decoded path")
      for (const bad of ["%ZZ", "a%", "%FF"]) {
        const r = yield* req(emu, "GET", `${arch(emu)}/${bad}`)
        assert.strictEqual(r.status, 400, bad)
        assert.strictEqual(tag(r.text, "code"), "400")
      }
      const slash = yield* req(emu, "POST", `${arch(emu)}/a%2Fb?mkDir=true`)
      assert.strictEqual(slash.status, 400)
      const escaped = yield* req(emu, "POST", `${arch(emu)}/${unique("a%2Bb")}?mkDir=true`)
      assert.strictEqual(escaped.status, 200)
      assert.include(escaped.text, "a+b")
    })
  )

  it.effect("dl trashes (200 even when missing); rm is permanent (404 when missing) (§4.4)", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const base = unique("del")
      yield* put(emu, `${base}/a.txt`, "a")
      const dl = yield* req(emu, "POST", `${arch(emu, `${base}/a.txt`)}?dl=true`)
      assert.strictEqual(dl.status, 200)
      assert.strictEqual(rootName(dl.text), "file")
      assert.match(rootAttr(dl.text, "deleted") ?? "", CLASSIC)
      const meta = yield* req(emu, "GET", arch(emu, `${base}/a.txt`))
      assert.strictEqual(meta.status, 200)
      assert.isDefined(rootAttr(meta.text, "deleted"))
      const ghost = yield* req(emu, "POST", `${arch(emu, `${base}/never.txt`)}?dl=true`)
      assert.strictEqual(ghost.status, 200)
      assert.strictEqual(rootAttr(ghost.text, "name"), "never.txt")
      assert.notInclude(ghost.text, "currentRevision")
      // rm of a trashed file removes it from the trash; reply is the parent document
      const rm = yield* req(emu, "POST", `${arch(emu, `${base}/a.txt`)}?rm=true`)
      assert.strictEqual(rm.status, 200)
      assert.strictEqual(rootName(rm.text), "folder")
      const after = yield* req(emu, "GET", arch(emu, `${base}/a.txt`))
      assert.strictEqual(after.status, 404)
      const rmMissing = yield* req(emu, "POST", `${arch(emu, `${base}/a.txt`)}?rm=true`)
      assert.strictEqual(rmMissing.status, 404)
      // rm on a folder is 404; an unknown command is 500
      const rmFolder = yield* req(emu, "POST", `${arch(emu, base)}?rm=true`)
      assert.strictEqual(rmFolder.status, 404)
      const none = yield* req(emu, "POST", arch(emu, base))
      assert.strictEqual(none.status, 500)
      assert.include(tag(none.text, "message") ?? "", "missing multipart content")
    })
  )

  it.effect("dlDir stamps the subtree; mkDir revives the folder only; rmDir removes it for good", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const base = unique("dldir")
      yield* put(emu, `${base}/d/inner.txt`, "inner")
      const dl = yield* req(emu, "POST", `${arch(emu, `${base}/d`)}?dlDir=true`)
      assert.strictEqual(dl.status, 200)
      const stamp = rootAttr(dl.text, "deleted")
      assert.match(stamp ?? "", CLASSIC)
      const inner = yield* req(emu, "GET", arch(emu, `${base}/d/inner.txt`))
      assert.strictEqual(rootAttr(inner.text, "deleted"), stamp)
      const revived = yield* req(emu, "POST", `${arch(emu, `${base}/d`)}?mkDir=true`)
      assert.strictEqual(revived.status, 200)
      const list = yield* req(emu, "GET", arch(emu, `${base}/d`))
      assert.isUndefined(rootAttr(list.text, "deleted"))
      assert.match(list.text, /<file name="inner.txt"[^>]*deleted=/)
      const rmDir = yield* req(emu, "POST", `${arch(emu, `${base}/d`)}?rmDir=true`)
      assert.strictEqual(rmDir.status, 200)
      const gone = yield* req(emu, "GET", arch(emu, `${base}/d`))
      assert.strictEqual(gone.status, 404)
      const again = yield* req(emu, "POST", `${arch(emu, `${base}/d`)}?rmDir=true`)
      assert.strictEqual(again.status, 404)
    })
  )

  it.effect("cp: absolute destination, fresh uuid and revision 1, times copied (§4.5)", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const base = unique("cp")
      yield* put(emu, `${base}/src.txt`, "content", {
        created: "2020-01-01T00:00:00Z",
        modified: "2020-01-02T00:00:00Z"
      })
      yield* put(emu, `${base}/src.txt`, "content v2", {
        created: "2020-01-01T00:00:00Z",
        modified: "2020-01-03T00:00:00Z"
      })
      const src = yield* req(emu, "GET", arch(emu, `${base}/src.txt`))
      const r = yield* req(
        emu,
        "POST",
        `${arch(emu, `${base}/src.txt`)}?cp=${dest(emu, `${base}/new dir/copy (1).txt`)}`
      )
      assert.strictEqual(r.status, 200)
      assert.strictEqual(rootName(r.text), "file")
      assert.strictEqual(rootAttr(r.text, "name"), "copy (1).txt")
      assert.notStrictEqual(rootAttr(r.text, "uuid"), rootAttr(src.text, "uuid"))
      assert.strictEqual(tag(r.text, "number"), "1")
      assert.strictEqual(tag(r.text, "modified"), "2020-01-03-T00:00:00Z")
      assert.strictEqual(tag(r.text, "md5"), md5("content v2"))
      assert.include(r.text, `<path xml:space="preserve">/${emu.username}/Jotta/Archive/${base}/new dir</path>`)
      const still = yield* req(emu, "GET", arch(emu, `${base}/src.txt`))
      assert.strictEqual(still.status, 200)
      const missing = yield* req(emu, "POST", `${arch(emu, `${base}/nope.txt`)}?cp=${dest(emu, `${base}/x.txt`)}`)
      assert.strictEqual(missing.status, 404)
      assert.strictEqual(
        tag(missing.text, "message"),
        `no.jotta.backup.errors.NoSuchFileException: Source file /${emu.username}/Jotta/Archive/${base}/nope.txt does not exist`
      )
    })
  )

  it.effect("cp onto a trashed file keeps it trashed (quirk #6112); cphash restores it", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const base = unique("quirk")
      yield* put(emu, `${base}/a.txt`, "A")
      yield* put(emu, `${base}/b.txt`, "B")
      yield* req(emu, "POST", `${arch(emu, `${base}/b.txt`)}?dl=true`)
      const r = yield* req(emu, "POST", `${arch(emu, `${base}/a.txt`)}?cp=${dest(emu, `${base}/b.txt`)}`)
      assert.strictEqual(r.status, 200)
      assert.isDefined(rootAttr(r.text, "deleted"))
      assert.strictEqual(tag(r.text, "state"), "COMPLETED")
      assert.strictEqual(tag(r.text, "md5"), md5("A"))
      const zero = "0001-01-01-T00:00:00Z"
      const restore = yield* req(emu, "POST", `${arch(emu, `${base}/b.txt`)}?cphash=true`, {
        headers: { JSize: "1", JMd5: md5("A"), JCreated: zero, JModified: zero }
      })
      assert.strictEqual(restore.status, 200)
      assert.isUndefined(rootAttr(restore.text, "deleted"))
      assert.strictEqual(tag(restore.text, "modified"), tag(r.text, "modified"))
    })
  )

  it.effect("mv moves the node; case-variant rename; missing source 404 (§4.5, §8.1)", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const base = unique("mv")
      yield* put(emu, `${base}/a.txt`, "move me")
      const before = yield* req(emu, "GET", arch(emu, `${base}/a.txt`))
      const r = yield* req(emu, "POST", `${arch(emu, `${base}/a.txt`)}?mv=${dest(emu, `${base}/sub/b+c.txt`)}`)
      assert.strictEqual(r.status, 200)
      assert.strictEqual(rootAttr(r.text, "name"), "b+c.txt")
      assert.strictEqual(rootAttr(r.text, "uuid"), rootAttr(before.text, "uuid"))
      const old = yield* req(emu, "GET", arch(emu, `${base}/a.txt`))
      assert.strictEqual(old.status, 404)
      const rename = yield* req(
        emu,
        "POST",
        `${arch(emu, `${base}/sub/b+c.txt`)}?mv=${dest(emu, `${base}/sub/B+C.TXT`)}`
      )
      assert.strictEqual(rename.status, 200)
      const list = yield* req(emu, "GET", arch(emu, `${base}/sub`))
      assert.include(list.text, 'name="B+C.TXT"')
      assert.notInclude(list.text, 'name="b+c.txt"')
      const again = yield* req(emu, "POST", `${arch(emu, `${base}/a.txt`)}?mv=${dest(emu, `${base}/z.txt`)}`)
      assert.strictEqual(again.status, 404)
      assert.include(tag(again.text, "message") ?? "", "NoSuchFileException")
    })
  )

  it.effect("mvDir: trailing-slash source, subtree incl. trashed, live destination -> 400 (§4.6)", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const base = unique("mvdir")
      yield* put(emu, `${base}/src/keep.txt`, "keep")
      yield* put(emu, `${base}/src/deep/trash.txt`, "trash")
      yield* req(emu, "POST", `${arch(emu, `${base}/src/deep/trash.txt`)}?dl=true`)
      yield* req(emu, "POST", `${arch(emu, `${base}/taken`)}?mkDir=true`)
      const conflict = yield* req(emu, "POST", `${arch(emu, `${base}/src`)}/?mvDir=${dest(emu, `${base}/taken`)}`)
      assert.strictEqual(conflict.status, 400)
      const r = yield* req(emu, "POST", `${arch(emu, `${base}/src`)}/?mvDir=${dest(emu, `${base}/moved`)}`)
      assert.strictEqual(r.status, 200)
      assert.strictEqual(rootName(r.text), "folder")
      assert.strictEqual(rootAttr(r.text, "name"), "moved")
      const keep = yield* req(emu, "GET", arch(emu, `${base}/moved/keep.txt`))
      assert.strictEqual(keep.status, 200)
      const trashed = yield* req(emu, "GET", arch(emu, `${base}/moved/deep/trash.txt`))
      assert.strictEqual(trashed.status, 200)
      assert.isDefined(rootAttr(trashed.text, "deleted"))
      const old = yield* req(emu, "GET", arch(emu, `${base}/src`))
      assert.strictEqual(old.status, 404)
      const missing = yield* req(emu, "POST", `${arch(emu, `${base}/src`)}/?mvDir=${dest(emu, `${base}/x`)}`)
      assert.strictEqual(missing.status, 404)
      assert.include(tag(missing.text, "message") ?? "", "NoSuchPathException")
      // a trashed destination counts as free
      yield* req(emu, "POST", `${arch(emu, `${base}/taken`)}?dlDir=true`)
      const ontoTrashed = yield* req(emu, "POST", `${arch(emu, `${base}/moved`)}/?mvDir=${dest(emu, `${base}/taken`)}`)
      assert.strictEqual(ontoTrashed.status, 200)
      const mvFolder = yield* req(emu, "POST", `${arch(emu, `${base}/taken`)}?mv=${dest(emu, `${base}/y`)}`)
      assert.strictEqual(mvFolder.status, 404)
    })
  )

  it.effect("cphash cases 1-4 (§4.7)", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const base = unique("cphash")
      const content = `cphash content ${base}`
      yield* put(emu, `${base}/a.txt`, content)
      const h = (size: number, sum: string, created: string, modified: string) => ({
        headers: { JSize: String(size), JMd5: sum, JCreated: created, JModified: modified }
      })
      // case 1: same content: times updated, no new revision
      const c1 = yield* req(
        emu,
        "POST",
        `${arch(emu, `${base}/a.txt`)}?cphash=true`,
        h(content.length, md5(content), "2019-05-05-T10:00:00+0200", "2019-06-06T10:00:00.999+02:00")
      )
      assert.strictEqual(c1.status, 200)
      assert.strictEqual(tag(c1.text, "number"), "1")
      assert.strictEqual(tag(c1.text, "created"), "2019-05-05-T08:00:00Z")
      assert.strictEqual(tag(c1.text, "modified"), "2019-06-06-T08:00:00Z")
      // case 2: dedup to a new path (parents created)
      const c2 = yield* req(
        emu,
        "POST",
        `${arch(emu, `${base}/new/b.txt`)}?cphash=true`,
        h(content.length, md5(content), "2021-01-01-T00:00:00Z", "2021-01-01-T00:00:00Z")
      )
      assert.strictEqual(c2.status, 200)
      assert.strictEqual(tag(c2.text, "md5"), md5(content))
      assert.strictEqual(tag(c2.text, "number"), "1")
      // case 2 on an existing file with other content: new revision
      yield* put(emu, `${base}/c.txt`, "other")
      const c2b = yield* req(
        emu,
        "POST",
        `${arch(emu, `${base}/c.txt`)}?cphash=true`,
        h(content.length, md5(content), "2021-01-01-T00:00:00Z", "2021-01-01-T00:00:00Z")
      )
      assert.strictEqual(c2b.status, 200)
      assert.strictEqual(tag(c2b.text, "number"), "2")
      // case 3: trashed file restored
      yield* req(emu, "POST", `${arch(emu, `${base}/a.txt`)}?dl=true`)
      const c3 = yield* req(
        emu,
        "POST",
        `${arch(emu, `${base}/a.txt`)}?cphash=true`,
        h(content.length, md5(content), "2019-05-05-T10:00:00+0200", "2019-06-06-T10:00:00+0200")
      )
      assert.strictEqual(c3.status, 200)
      assert.isUndefined(rootAttr(c3.text, "deleted"))
      // case 4: unknown content
      const c4 = yield* req(
        emu,
        "POST",
        `${arch(emu, `${base}/d.txt`)}?cphash=true`,
        h(3, md5(`nobody has this ${base}`), "2021-01-01-T00:00:00Z", "2021-01-01-T00:00:00Z")
      )
      assert.strictEqual(c4.status, 404)
      assert.strictEqual(tag(c4.text, "code"), "404")
      // Go zero time keeps the current value
      const zero = "0001-01-01-T00:00:00Z"
      const z = yield* req(
        emu,
        "POST",
        `${arch(emu, `${base}/a.txt`)}?cphash=true`,
        h(content.length, md5(content), zero, zero)
      )
      assert.strictEqual(tag(z.text, "created"), "2019-05-05-T08:00:00Z")
    })
  )

  it.effect("trash view lists top-level trashed items with contextType=TRASH; purge_trash counts them (§4.11)", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      yield* req(emu, "POST", "/api/files/v1/purge_trash")
      const base = unique("trash")
      yield* put(emu, `${base}/t1/x.txt`, "x1")
      yield* put(emu, `${base}/t2/y.txt`, "y1")
      yield* put(emu, `${base}/loose.txt`, "loose")
      yield* req(emu, "POST", `${arch(emu, `${base}/t1`)}?dlDir=true`)
      yield* req(emu, "POST", `${arch(emu, `${base}/t2`)}?dlDir=true`)
      yield* req(emu, "POST", `${arch(emu, `${base}/loose.txt`)}?dl=true`)
      const view = yield* req(emu, "GET", `/jfs/${emu.username}/Jotta/Trash`)
      assert.strictEqual(view.status, 200)
      assert.match(view.text, /<folder name="t1" deleted="[^"]+" contextType="TRASH">/)
      assert.match(view.text, /<file name="loose.txt" uuid="[^"]+" deleted="[^"]+" contextType="TRASH">/)
      assert.include(view.text, `<abspath xml:space="preserve">/${emu.username}/Jotta/Archive/${base}</abspath>`)
      assert.notInclude(view.text, 'name="x.txt"')
      const purge = yield* req(emu, "POST", "/api/files/v1/purge_trash")
      assert.strictEqual(purge.status, 200)
      assert.deepStrictEqual(purge.json(), { folders: 2, files: 1 })
      const gone = yield* req(emu, "GET", arch(emu, `${base}/t1`))
      assert.strictEqual(gone.status, 404)
      const empty = yield* req(emu, "GET", `/jfs/${emu.username}/Jotta/Trash`)
      assert.include(empty.text, 'total="0"')
    })
  )

  it.effect("usage tracks stored bytes (customer, user, device, mountpoint)", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const usage = () => Effect.map(req(emu, "GET", "/api/account/v1/customer"), (r) => r.json().usage as number)
      const u0 = yield* usage()
      const base = unique("usage")
      yield* put(emu, `${base}/ten.bin`, "0123456789")
      assert.strictEqual(yield* usage(), u0 + 10)
      const user = yield* req(emu, "GET", `/jfs/${emu.username}`)
      assert.strictEqual(Number(tag(user.text, "usage")), u0 + 10)
      yield* req(emu, "POST", `${arch(emu, `${base}/ten.bin`)}?rm=true`)
      assert.strictEqual(yield* usage(), u0)
    })
  )

  it.effect("edge cases: mvDir into itself, dl on a folder, cphash without headers, wrong-kind verbs", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const base = unique("edge")
      yield* put(emu, `${base}/a/b/f.txt`, "edge")
      const into = yield* req(emu, "POST", `${arch(emu, `${base}/a`)}/?mvDir=${dest(emu, `${base}/a/b/c`)}`)
      assert.strictEqual(into.status, 400)
      const noHeaders = yield* req(emu, "POST", `${arch(emu, `${base}/a/b/f.txt`)}?cphash=true`)
      assert.strictEqual(noHeaders.status, 400)
      const dlDirFile = yield* req(emu, "POST", `${arch(emu, `${base}/a/b/f.txt`)}?dlDir=true`)
      assert.strictEqual(dlDirFile.status, 404)
      const rmDirFile = yield* req(emu, "POST", `${arch(emu, `${base}/a/b/f.txt`)}?rmDir=true`)
      assert.strictEqual(rmDirFile.status, 404)
      const put405 = yield* req(emu, "PUT", arch(emu, `${base}/a`))
      assert.strictEqual(put405.status, 405)
      // dl on a folder bypasses the trash (unconfirmed report, reproduced)
      const dl = yield* req(emu, "POST", `${arch(emu, `${base}/a/b`)}?dl=true`)
      assert.strictEqual(dl.status, 200)
      const gone = yield* req(emu, "GET", arch(emu, `${base}/a/b`))
      assert.strictEqual(gone.status, 404)
      const trash = yield* req(emu, "GET", `/jfs/${emu.username}/Jotta/Trash`)
      assert.notInclude(trash.text, `${base}/a`)
    })
  )

  it.effect("HEAD on a download answers headers only", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const base = unique("head")
      yield* put(emu, `${base}/h.txt`, "head body")
      const r = yield* req(emu, "HEAD", `${arch(emu, `${base}/h.txt`)}?mode=bin`)
      assert.strictEqual(r.status, 200)
      assert.strictEqual(r.headers.get("content-length"), "9")
      assert.strictEqual(r.bytes.length, 0)
    })
  )

  it.effect("removing a device and a mountpoint (?rm=true)", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const dev = unique("Dev")
      yield* req(emu, "POST", `/jfs/${emu.username}/${dev}?type=WORKSTATION`)
      yield* req(emu, "POST", `/jfs/${emu.username}/${dev}/Set1`)
      yield* req(emu, "POST", `/jfs/${emu.username}/${dev}/Set2`)
      const rmMp = yield* req(emu, "POST", `/jfs/${emu.username}/${dev}/Set1?rm=true`)
      assert.strictEqual(rmMp.status, 200)
      assert.strictEqual(rootName(rmMp.text), "device")
      assert.notInclude(rmMp.text, ">Set1<")
      const rmDev = yield* req(emu, "POST", `/jfs/${emu.username}/${dev}?rm=true`)
      assert.strictEqual(rmDev.status, 200)
      assert.strictEqual(rootName(rmDev.text), "user")
      assert.notInclude(rmDev.text, `>${dev}<`)
      const jotta = yield* req(emu, "POST", `/jfs/${emu.username}/Jotta?rm=true`)
      assert.strictEqual(jotta.status, 400)
    })
  )
})
