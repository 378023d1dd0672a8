import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as FastCheck from "effect/FastCheck"
import * as Fiber from "effect/Fiber"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import type { Md5 } from "../src/ContentHasher.js"
import * as Plan from "../src/internal/transfer/plan.js"
import * as Transfer from "../src/Transfer.js"

const file = (path: string, size: number, modified: number | undefined, md5?: string): Transfer.FileEntry => ({
  _tag: "File",
  path,
  size,
  modified,
  md5: md5 as Md5 | undefined
})

describe("Transfer.decide (rclone's comparisons)", () => {
  const t0 = 1_700_000_000_000
  it("default: size, then modification time within 1 s, then the MD5 decides between re-send and a time update", () => {
    assert.deepStrictEqual(Transfer.decide(file("a", 1, t0), undefined, {}), { _tag: "Transfer", reason: "Missing" })
    assert.deepStrictEqual(Transfer.decide(file("a", 1, t0), file("a", 2, t0), {}), {
      _tag: "Transfer",
      reason: "Size"
    })
    assert.deepStrictEqual(Transfer.decide(file("a", 1, t0 + 999), file("a", 1, t0), {}), {
      _tag: "Skip",
      reason: "Identical"
    })
    assert.deepStrictEqual(Transfer.decide(file("a", 1, t0 + 5000), file("a", 1, t0), {}), {
      _tag: "CompareHash",
      onEqual: "SetModTime"
    })
    assert.deepStrictEqual(Transfer.afterHash(true, "SetModTime"), { _tag: "SetModTime" })
    assert.deepStrictEqual(Transfer.afterHash(false, "SetModTime"), { _tag: "Transfer", reason: "Hash" })
  })

  it("checksum ignores times; size-only ignores content; ignore-existing never replaces; update skips newer destinations", () => {
    assert.deepStrictEqual(Transfer.decide(file("a", 1, t0), file("a", 1, t0), { checksum: true }), {
      _tag: "CompareHash",
      onEqual: "Skip"
    })
    assert.deepStrictEqual(Transfer.decide(file("a", 1, t0), file("a", 2, t0), { checksum: true }), {
      _tag: "Transfer",
      reason: "Size"
    })
    assert.deepStrictEqual(Transfer.decide(file("a", 1, t0 + 9e6), file("a", 1, t0), { sizeOnly: true }), {
      _tag: "Skip",
      reason: "Identical"
    })
    assert.deepStrictEqual(Transfer.decide(file("a", 1, t0), file("a", 7, 0), { ignoreExisting: true }), {
      _tag: "Skip",
      reason: "Exists"
    })
    assert.deepStrictEqual(Transfer.decide(file("a", 1, t0), file("a", 7, t0 + 5000), { update: true }), {
      _tag: "Skip",
      reason: "DestinationNewer"
    })
    assert.deepStrictEqual(Transfer.decide(file("a", 1, t0 + 5000), file("a", 7, t0), { update: true }), {
      _tag: "Transfer",
      reason: "Size"
    })
  })
})

// listings: paths from a small alphabet so that collisions, nesting and case variants occur
const segment = FastCheck.constantFrom("a", "b", "A", "c.txt", "d")
const pathArb = FastCheck.array(segment, { minLength: 1, maxLength: 3 }).map((s) => s.join("/"))
const entryArb = FastCheck.record({
  path: pathArb,
  size: FastCheck.integer({ min: 0, max: 3 }),
  modified: FastCheck.constantFrom(0, 500, 4000),
  md5: FastCheck.constantFrom("0".repeat(32), "1".repeat(32))
})
/** A listing with unique paths (per key) and the parent folders of every file. */
const listing = (caseInsensitive: boolean) =>
  FastCheck.array(entryArb, { maxLength: 12 }).map((raw) => {
    const key = (p: string) => (caseInsensitive ? p.toLowerCase() : p)
    const files = new Map<string, Transfer.FileEntry>()
    for (const e of raw) if (!files.has(key(e.path))) files.set(key(e.path), file(e.path, e.size, e.modified, e.md5))
    const dirs = new Map<string, Transfer.DirEntry>()
    for (const f of files.values()) {
      const parts = f.path.split("/")
      for (let i = 1; i < parts.length; i++) {
        const d = parts.slice(0, i).join("/")
        if (!files.has(key(d))) dirs.set(key(d), { _tag: "Dir", path: d })
      }
    }
    // a path cannot be both a file and a folder
    const out: Array<Transfer.Listed> = [...dirs.values()]
    for (const [k, f] of files) if (!dirs.has(k)) out.push(f)
    return out
  })

const filesOf = (l: ReadonlyArray<Transfer.Listed>) => l.filter((e): e is Transfer.FileEntry => e._tag === "File")

/** Applies a plan to a destination listing, as the engine would (content = md5, size). */
const apply = (dst: ReadonlyArray<Transfer.Listed>, actions: ReadonlyArray<Transfer.Action>, ci: boolean) => {
  const key = (p: string) => (ci ? p.toLowerCase() : p)
  const files = new Map(filesOf(dst).map((f) => [key(f.path), f]))
  const dirs = new Map(dst.filter((e) => e._tag === "Dir").map((d) => [key(d.path), d]))
  for (const a of actions) {
    if (a._tag === "Transfer") files.set(key(a.to), { ...a.src, path: a.to })
    else if (a._tag === "CompareHash") {
      if (a.src.md5 === a.dst.md5) files.set(key(a.to), { ...a.dst, modified: a.src.modified })
      else files.set(key(a.to), { ...a.src, path: a.to })
    } else if (a._tag === "Delete") files.delete(key(a.file.path))
    else if (a._tag === "RemoveEmptyDir") {
      const k = key(a.dir.path)
      const busy = [...files.keys(), ...dirs.keys()].some((p) => p.startsWith(`${k}/`))
      if (!busy) dirs.delete(k)
    } else if (a._tag === "DeleteDir") {
      const k = key(a.dir.path)
      for (const f of [...files.keys()]) if (f.startsWith(`${k}/`)) files.delete(f)
      for (const d of [...dirs.keys()]) if (d === k || d.startsWith(`${k}/`)) dirs.delete(d)
    }
  }
  return [...dirs.values(), ...files.values()]
}

describe("Transfer.plan properties", () => {
  it.prop(
    "every source file gets exactly one action; copy never deletes",
    [listing(true), listing(true)],
    ([src, dst]) => {
      const actions = Transfer.plan(src, dst, { caseInsensitive: true })
      const touched = actions.filter((a) => a._tag === "Transfer" || a._tag === "Skip" || a._tag === "CompareHash")
      assert.strictEqual(touched.length, filesOf(src).length)
      assert.isFalse(actions.some((a) => a._tag === "Delete" || a._tag === "DeleteDir"))
    }
  )

  it.prop(
    "sync deletes exactly the destination files and folders the source lacks, filtered or not",
    [listing(true), listing(true), FastCheck.boolean()],
    ([src, dst, filtered]) => {
      const actions = Transfer.plan(src, dst, { caseInsensitive: true, deleteExtraneous: true, filtered })
      const srcKeys = new Set(filesOf(src).map((f) => f.path.toLowerCase()))
      const after = apply(dst, actions, true)
      const afterFiles = new Set(filesOf(after).map((f) => f.path.toLowerCase()))
      assert.deepStrictEqual([...afterFiles].sort(), [...srcKeys].sort())
      // every folder left is one the source has (the listings here hold every file, so an
      // extraneous folder is always empty by the time it is tried), or where it has a file (a
      // kind conflict: that copy fails, and the folder is not removed under it)
      const srcDirs = new Set(src.map((d) => d.path.toLowerCase()))
      for (const d of after) if (d._tag === "Dir") assert.isTrue(srcDirs.has(d.path.toLowerCase()), d.path)
      // filtered: folders only ever go one by one, each after everything below it
      if (filtered) {
        assert.isFalse(actions.some((a) => a._tag === "DeleteDir"))
        const order = actions.flatMap((a) => (a._tag === "RemoveEmptyDir" ? [a.dir.path] : []))
        order.forEach((d, i) => {
          for (const later of order.slice(i + 1)) assert.isFalse(later.startsWith(`${d}/`), `${later} after ${d}`)
        })
      }
    }
  )

  it.prop(
    "a sync applied once leaves nothing to do (idempotent)",
    [listing(false), listing(false), FastCheck.boolean()],
    ([src, dst, checksum]) => {
      const first = Transfer.plan(src, dst, { deleteExtraneous: true, checksum })
      const after = apply(dst, first, false)
      const second = Transfer.plan(src, after, { deleteExtraneous: true, checksum })
      const work = second.filter(
        (a) =>
          a._tag === "Transfer" ||
          a._tag === "Delete" ||
          a._tag === "DeleteDir" ||
          (a._tag === "CompareHash" && a.src.md5 !== a.dst.md5)
      )
      assert.deepStrictEqual(work, [])
    }
  )

  it.prop(
    "a move's source folders (--delete-empty-src-dirs): each listed one once, every folder before its parent",
    [listing(false), listing(false)],
    ([src, dst]) => {
      const index = Plan.emptyIndex()
      for (const e of dst) Plan.addToIndex(index, (p) => p, e)
      const p = Plan.planner(index, false, {})
      for (const e of src) p.next(e)
      const dirs = p.sourceDirs().map((d) => d.path)
      assert.deepStrictEqual(
        [...dirs].sort(),
        src
          .filter((e) => e._tag === "Dir")
          .map((d) => d.path)
          .sort()
      )
      dirs.forEach((d, i) => {
        for (const later of dirs.slice(i + 1)) assert.isFalse(later.startsWith(`${d}/`), `${later} after ${d}`)
      })
    }
  )

  it.prop("an empty destination means every source file is sent", [listing(false)], ([src]) => {
    const actions = Transfer.plan(src, [], { deleteExtraneous: true })
    assert.strictEqual(actions.filter((a) => a._tag === "Transfer").length, filesOf(src).length)
    assert.isTrue(actions.every((a) => a._tag === "Transfer"))
  })

  it.prop(
    "size-only sends exactly the missing or differently sized files; ignore-existing only the missing",
    [listing(false), listing(false)],
    ([src, dst]) => {
      const sizes = new Map(filesOf(dst).map((f) => [f.path, f.size]))
      const bySize = Transfer.plan(src, dst, { sizeOnly: true }).filter((a) => a._tag === "Transfer")
      assert.deepStrictEqual(
        bySize.map((a) => (a._tag === "Transfer" ? a.src.path : "")).sort(),
        filesOf(src)
          .filter((f) => sizes.get(f.path) !== f.size)
          .map((f) => f.path)
          .sort()
      )
      const missing = Transfer.plan(src, dst, { ignoreExisting: true }).filter((a) => a._tag === "Transfer")
      assert.deepStrictEqual(
        missing.map((a) => (a._tag === "Transfer" ? a.src.path : "")).sort(),
        filesOf(src)
          .filter((f) => !sizes.has(f.path))
          .map((f) => f.path)
          .sort()
      )
    }
  )

  it("case variants that collide on a case-insensitive destination are per-file failures", () => {
    const actions = Transfer.plan([file("A.txt", 1, 0), file("a.txt", 2, 0)], [], { caseInsensitive: true })
    assert.deepStrictEqual(
      actions.map((a) => a._tag),
      ["Transfer", "Fail"]
    )
    assert.strictEqual(Transfer.plan([file("A.txt", 1, 0), file("a.txt", 2, 0)], [], {}).length, 2)
  })

  it("an extraneous folder is deleted as a whole unless filtered; filtered, its files go, then it if empty", () => {
    const dst: Array<Transfer.Listed> = [
      { _tag: "Dir", path: "old" },
      { _tag: "Dir", path: "old/deeper" },
      file("old/x", 1, 0),
      file("keep", 1, 0)
    ]
    const whole = Transfer.plan([file("keep", 1, 0)], dst, { deleteExtraneous: true })
    assert.deepStrictEqual(
      whole.map((a) => a._tag),
      ["Skip", "DeleteDir"]
    )
    const filtered = Transfer.plan([file("keep", 1, 0)], dst, { deleteExtraneous: true, filtered: true })
    assert.deepStrictEqual(
      filtered.map((a) => `${a._tag} ${"dir" in a ? a.dir.path : "file" in a ? a.file.path : ""}`),
      ["Skip ", "Delete old/x", "RemoveEmptyDir old/deeper", "RemoveEmptyDir old"]
    )
  })

  it("engine names: '.', '..' and '/' become full-width look-alikes and back", () => {
    assert.strictEqual(Transfer.engineName(".."), "\uFF0E\uFF0E")
    assert.strictEqual(Transfer.engineName("."), "\uFF0E")
    assert.strictEqual(Transfer.engineName("../../x"), "..\uFF0F..\uFF0Fx")
    for (const raw of ["..", ".", "a/b", "plain", "...", "a..b"]) {
      assert.strictEqual(Transfer.rawName(Transfer.engineName(raw)), raw)
    }
  })
})

/** A side in memory whose reads take `readMs` (on the clock, so TestClock drives them). */
const memorySide = (entries: ReadonlyArray<Transfer.FileEntry>, readMs: number): Transfer.Side => {
  const files = new Map(entries.map((f) => [f.path, f]))
  return {
    kind: "memory",
    root: "memory:",
    caseInsensitive: false,
    writeNeedsMd5: false,
    stat: (path) => Effect.succeed(files.get(path)),
    list: () => Stream.fromIterable([...files.values()]),
    read: (f) => Stream.fromEffect(Effect.as(Effect.sleep(readMs), new Uint8Array(f.size))),
    hash: () => Effect.succeed("0".repeat(32) as Md5),
    hashContent: () => Effect.succeed("0".repeat(32) as Md5),
    write: (path, content) =>
      Effect.flatMap(Stream.runDrain(content.stream), () =>
        Effect.sync(
          () =>
            void files.set(path, { _tag: "File", path, size: content.size, modified: content.modified, md5: undefined })
        )
      ),
    setModTime: () => Effect.void,
    remove: (f) => Effect.sync(() => void files.delete(f.path)),
    removeDir: () => Effect.void,
    removeEmptyDir: () => Effect.succeed(true),
    mkdir: () => Effect.void
  }
}

describe("Transfer.run progress on a timer", () => {
  it.effect(
    "a Progress event every progressEveryMs while a file is held, with the file in flight; none after the summary",
    () =>
      Effect.gen(function* () {
        const source = memorySide([file("big.bin", 1000, 0)], 1000)
        const destination = memorySide([], 0)
        const fiber = yield* Effect.fork(
          Stream.runCollect(Transfer.run(source, destination, { mode: "copy", progressEveryMs: 100 }))
        )
        for (let i = 0; i < 12; i++) yield* TestClock.adjust("100 millis")
        const events = Chunk.toReadonlyArray(yield* Fiber.join(fiber))
        const ticks = events.flatMap((e) => (e._tag === "Progress" ? [e.progress] : []))
        // held 1 s: ticks at 100 … 900 ms see the file in flight with nothing read yet
        const held = ticks.filter((p) => p.elapsedMs < 1000)
        assert.deepStrictEqual(
          held.map((p) => p.elapsedMs),
          [100, 200, 300, 400, 500, 600, 700, 800, 900]
        )
        for (const p of held) {
          assert.deepStrictEqual(
            p.inFlight.map((f) => [f.path, f.bytes, f.size, f.rate]),
            [["big.bin", 0, 1000, 0]]
          )
          assert.isUndefined(p.etaSeconds)
        }
        assert.strictEqual(events[events.length - 1]!._tag, "Summary")
        const end = events[events.length - 1]!.progress
        assert.deepStrictEqual([end.filesDone, end.bytesDone, end.inFlight.length], [1, 1000, 0])
      })
  )
  it.effect("a hash comparison under way is in the snapshot's checking list until it ends (rclone's Checking:)", () =>
    Effect.gen(function* () {
      const slowHash = (side: Transfer.Side): Transfer.Side => ({
        ...side,
        hash: () => Effect.as(Effect.sleep(500), "0".repeat(32) as Md5)
      })
      const source = slowHash(memorySide([file("big.bin", 1000, 0)], 0))
      const destination = slowHash(memorySide([file("big.bin", 1000, 0)], 0))
      const fiber = yield* Effect.fork(
        Stream.runCollect(Transfer.run(source, destination, { mode: "check", progressEveryMs: 100 }))
      )
      for (let i = 0; i < 8; i++) yield* TestClock.adjust("100 millis")
      const events = Chunk.toReadonlyArray(yield* Fiber.join(fiber))
      const ticks = events.flatMap((e) => (e._tag === "Progress" ? [e.progress] : []))
      const during = ticks.filter((p) => p.elapsedMs < 500)
      assert.deepStrictEqual(
        during.map((p) => [p.elapsedMs, p.checks, p.checking]),
        [100, 200, 300, 400].map((t) => [t, 0, ["big.bin"]])
      )
      const end = events[events.length - 1]!
      assert.strictEqual(end._tag, "Summary")
      assert.deepStrictEqual([end.progress.checks, end.progress.checking], [1, []])
    })
  )
})
