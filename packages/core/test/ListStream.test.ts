import { readFileSync } from "node:fs"
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as FastCheck from "effect/FastCheck"
import * as Stream from "effect/Stream"
import * as ListStream from "../src/ListStream.js"

const sample = readFileSync(new URL("./fixtures/liststream.xml", import.meta.url), "utf8")
const utf8 = (s: string) => new TextEncoder().encode(s)

const chunked = (s: string, size: number) => {
  const bytes = utf8(s)
  const parts: Array<Uint8Array> = []
  for (let i = 0; i < bytes.length; i += size) parts.push(bytes.subarray(i, i + size))
  return Stream.fromIterable(parts)
}

const run = (body: string, root: ReadonlyArray<string>, size = 1 << 20) =>
  Stream.runCollect(
    ListStream.decode(chunked(body, size), { mountpoint: "Archive", root, operation: "test.listRecursive" })
  ).pipe(Effect.map(Chunk.toReadonlyArray))

const describeEntry = (e: ListStream.ListStreamEntry) =>
  e._tag === "Folder"
    ? `D ${e.path.join("/")}`
    : `F ${[...e.parent, e.name].join("/")} ${e.size} ${e.md5} ${DateTime.formatIso(e.modified)} ${DateTime.formatIso(e.created)}`

const doc = (inner: string) => `<?xml version="1.0" encoding="UTF-8"?><liststream>${inner}</liststream>`
const folder = (p: string) => `<folder><path>${p}</path></folder>`
const file = (p: string, name: string, size = 1) =>
  `<file><path>${p}</path><filename>${name}</filename><size>${size}</size><md5>d41d8cd98f00b204e9800998ecf8427e</md5><modified>2021-11-30T10:21:05.123Z</modified><created>2021-11-30T10:21:05.000Z</created></file>`
const stats = (folders: number, files: number) => `<stats><folders>${folders}</folders><files>${files}</files></stats>`

describe("ListStream.decode", () => {
  it.effect("decodes the protocol sample, skipping the listed folder itself", () =>
    Effect.gen(function* () {
      const entries = yield* run(sample, ["photos"])
      assert.deepStrictEqual(entries.map(describeEntry), [
        "D 2020",
        "F 2020/beach.jpg 14 683099636059446db0703b45d7f2eb2e 2020-07-14T16:02:11.000Z 2020-07-14T16:02:11.000Z",
        "D empty"
      ])
      const f = entries[1]!
      assert.isTrue(f instanceof ListStream.File)
      if (f._tag === "File") assert.deepStrictEqual(f.path, ["2020", "beach.jpg"])
    })
  )

  it.effect("a one-byte-per-chunk stream gives identical entries", () =>
    Effect.gen(function* () {
      const body = doc(
        `${folder("/Archive")}${folder("/Archive/Blåbær ＂x＂")}${file("/Archive/Blåbær ＂x＂", " lead &amp; 日本 ", 7)}${file("/Archive", "top.txt")}${stats(2, 2)}`
      )
      const whole = yield* run(body, [])
      const bytewise = yield* run(body, [], 1)
      assert.deepStrictEqual(bytewise.map(describeEntry), whole.map(describeEntry))
      assert.deepStrictEqual(whole.map(describeEntry), [
        "D Blåbær ＂x＂",
        "F Blåbær ＂x＂/ lead & 日本  7 d41d8cd98f00b204e9800998ecf8427e 2021-11-30T10:21:05.123Z 2021-11-30T10:21:05.000Z",
        "F top.txt 1 d41d8cd98f00b204e9800998ecf8427e 2021-11-30T10:21:05.123Z 2021-11-30T10:21:05.000Z"
      ])
    })
  )

  it.effect("emits entries per input chunk, before the end of the body", () =>
    Effect.gen(function* () {
      const first = doc(`${folder("/Archive")}${folder("/Archive/a")}`).replace("</liststream>", "")
      const body = Stream.make(utf8(first)).pipe(Stream.concat(Stream.never))
      const entries = yield* Stream.runCollect(
        Stream.take(ListStream.decode(body, { mountpoint: "Archive", root: [], operation: "op" }), 1)
      )
      assert.deepStrictEqual(Chunk.toReadonlyArray(entries).map(describeEntry), ["D a"])
    })
  )

  it.effect("a file whose parent was not announced implies the folder (counted and emitted once)", () =>
    Effect.gen(function* () {
      const entries = yield* run(doc(`${file("/Archive/x/y", "f")}${file("/Archive/x/y", "g")}${stats(1, 2)}`), [])
      assert.deepStrictEqual(
        entries.map((e) => e._tag),
        ["Folder", "File", "File"]
      )
    })
  )

  it.effect("a folder after its own file is counted twice, like rclone", () =>
    Effect.gen(function* () {
      const body = (n: number) =>
        doc(`${folder("/Archive")}${file("/Archive/a", "f")}${folder("/Archive/a")}${stats(n, 1)}`)
      const entries = yield* run(body(3), [])
      assert.deepStrictEqual(
        entries.map(describeEntry).map((s) => s.slice(0, 5)),
        ["D a", "F a/f"]
      )
      const error = yield* Effect.flip(run(body(2), []))
      assert.strictEqual(error._tag, "InvalidResponse")
    })
  )

  it.effect("a stats mismatch fails with InvalidResponse", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(run(doc(`${folder("/Archive")}${file("/Archive", "f")}${stats(1, 2)}`), []))
      assert.strictEqual(error._tag, "InvalidResponse")
      if (error._tag === "InvalidResponse") {
        assert.strictEqual(error.operation, "test.listRecursive")
        assert.include(error.issue, "invalid result from listStream")
      }
    })
  )

  it.effect("missing stats and truncated bodies fail", () =>
    Effect.gen(function* () {
      const noStats = yield* Effect.flip(run(doc(folder("/Archive")), []))
      assert.include(noStats.issue, "stats")
      const truncated = sample.slice(0, sample.indexOf("<stats>") + 12)
      const error = yield* Effect.flip(run(truncated, ["photos"], 7))
      assert.strictEqual(error._tag, "InvalidResponse")
      const empty = yield* Effect.flip(run("", []))
      assert.strictEqual(empty._tag, "InvalidResponse")
    })
  )

  it.effect("bad values and foreign paths fail", () =>
    Effect.gen(function* () {
      for (const body of [
        doc(`${file("/Archive", "f").replace("<size>1</size>", "<size>x</size>")}${stats(1, 1)}`),
        doc(`${file("/Archive", "f").replace("2021-11-30T10:21:05.123Z", "yesterday")}${stats(1, 1)}`),
        doc(`${file("/Other", "f")}${stats(1, 1)}`),
        doc(`${file("/Archive", "")}${stats(1, 1)}`),
        `<!DOCTYPE x [<!ENTITY a "b">]>${doc(stats(0, 0))}`,
        doc("<folder><path>/Archive</path>")
      ]) {
        const error = yield* Effect.flip(run(body, []))
        assert.strictEqual(error._tag, "InvalidResponse", body)
      }
    })
  )

  it.effect("empty times are Go's zero time; upstream errors pass through", () =>
    Effect.gen(function* () {
      const entries = yield* run(
        doc(
          `<file><path>/Archive</path><filename>f</filename><size></size><md5/><modified></modified><created/><extra><size>9</size></extra></file>${stats(1, 1)}`
        ),
        []
      )
      const f = entries[0]!
      assert.strictEqual(f._tag, "File")
      if (f._tag === "File") {
        assert.strictEqual(f.size, 0)
        assert.strictEqual(DateTime.formatIso(f.modified), "0001-01-01T00:00:00.000Z")
      }
      const upstream = yield* Effect.flip(
        Stream.runDrain(
          ListStream.decode(Stream.concat(Stream.make(utf8("<liststream>")), Stream.fail("boom" as const)), {
            mountpoint: "Archive",
            root: [],
            operation: "op"
          })
        )
      )
      assert.strictEqual(upstream, "boom")
    })
  )

  it.effect("the listed folder's spelling may differ in case (the service is case-insensitive)", () =>
    Effect.gen(function* () {
      const body = doc(`${folder("/archive/PHOTOS")}${file("/archive/PHOTOS/2020", "a.jpg")}${stats(2, 1)}`)
      const entries = yield* run(body, ["photos"])
      assert.deepStrictEqual(
        entries.map(describeEntry).map((s) => s.slice(0, 12)),
        ["D 2020", "F 2020/a.jpg"]
      )
    })
  )

  it.effect("namespaced element names are matched by local name", () =>
    Effect.gen(function* () {
      const body = `<j:ls xmlns:j="urn:x"><j:folder><j:path>/Archive/a</j:path></j:folder><j:stats><j:folders>1</j:folders><j:files>0</j:files></j:stats></j:ls>`
      const entries = yield* run(body, [])
      assert.deepStrictEqual(entries.map(describeEntry), ["D a"])
    })
  )
})

const escapeXml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")

/** A liststream body for a tree given as file paths, emitted like the emulator (folders first, depth-first). */
const bodyOf = (root: ReadonlyArray<string>, files: ReadonlyArray<ReadonlyArray<string>>): string => {
  const folders = new Set<string>([""])
  for (const f of files) for (let i = 1; i < f.length; i++) folders.add(f.slice(0, i).join("/"))
  const base = `/Archive${root.map((s) => `/${s}`).join("")}`
  const full = (rel: string) => escapeXml(rel === "" ? base : `${base}/${rel}`)
  const parts: Array<string> = []
  let fileCount = 0
  for (const dir of [...folders].sort()) {
    parts.push(folder(full(dir)))
    for (const f of files) {
      if (f.slice(0, -1).join("/") === dir) {
        parts.push(file(full(dir), escapeXml(f[f.length - 1]!), f.length))
        fileCount++
      }
    }
  }
  return doc(`${parts.join("")}${stats(folders.size, fileCount)}`)
}

const segment = FastCheck.string({
  unit: FastCheck.constantFrom("a", "B", " ", "&", "<", "é", "日", "＂", "😀"),
  minLength: 1,
  maxLength: 4
})

describe("ListStream properties", () => {
  it.effect.prop(
    "any tree decodes to its folders and files, whatever the chunking",
    [
      FastCheck.uniqueArray(FastCheck.array(segment, { minLength: 1, maxLength: 3 }), {
        maxLength: 12,
        selector: (p) => p.join("/")
      }),
      FastCheck.integer({ min: 1, max: 64 })
    ],
    ([paths, size]) =>
      Effect.gen(function* () {
        // a path cannot be both a file and a folder
        const files = paths.filter(
          (p) => !paths.some((q) => q.length > p.length && q.slice(0, p.length).join("/") === p.join("/"))
        )
        const entries = yield* run(bodyOf(["root dir"], files), ["root dir"], size)
        const got = entries.map((e) =>
          e._tag === "Folder" ? `D ${e.path.join("/")}` : `F ${[...e.parent, e.name].join("/")} ${e.size}`
        )
        const folders = new Set<string>()
        for (const f of files) for (let i = 1; i < f.length; i++) folders.add(f.slice(0, i).join("/"))
        const want = [...[...folders].map((d) => `D ${d}`), ...files.map((f) => `F ${f.join("/")} ${f.length}`)]
        assert.deepStrictEqual([...got].sort(), [...want].sort())
      }),
    { fastCheck: { numRuns: 25 } }
  )
})
