/**
 * Property tests (issue 11) against one emulator: names (any Unicode, invalid UTF-8, reserved
 * characters, the 255-unit edge, case variants) through the transfer engine and back; sizes at
 * the spool and resume limits (± 1) through every upload and download path, with a cut at a
 * random byte; and random fault schedules during a sync, after which the destination equals
 * the source, or the run reported exactly the files that differ and those are untouched.
 */
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { assert, layer } from "@effect/vitest"
import * as Files from "@fjord/core/Files"
import * as Transfer from "@fjord/core/Transfer"
import * as UploadSource from "@fjord/core/UploadSource"
import * as Emulator from "@fjord/emulator/Emulator"
import * as NodeFiles from "@fjord/node/NodeFiles"
import * as NodeTransfer from "@fjord/node/NodeTransfer"
import { TestKit } from "@fjord/testkit"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as FastCheck from "effect/FastCheck"
import * as Stream from "effect/Stream"
import { md5 } from "./matrix/operations.js"

const md5Limit = 16 * 1024
const resumeLimit = 64 * 1024

const client = {
  connectTimeout: 250,
  timeout: 500,
  md5MemoryLimit: String(md5Limit),
  uploadResumeLimit: String(resumeLimit)
}

let serial = 0
const fresh = (prefix: string) => `${prefix}${++serial}`
const tempDir = (prefix: string) =>
  Effect.acquireRelease(
    Effect.sync(() => NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), prefix))),
    (dir) => Effect.sync(() => NodeFs.rmSync(dir, { recursive: true, force: true }))
  )

/** Files below `dir`: name bytes (hex, `/`-joined) → MD5. */
const snapshot = (dir: string): Map<string, string> => {
  const out = new Map<string, string>()
  const walk = (abs: Buffer, rel: ReadonlyArray<string>) => {
    for (const name of NodeFs.readdirSync(abs, { encoding: "buffer" })) {
      const child = Buffer.concat([abs, Buffer.from("/"), name])
      const key = [...rel, name.toString("hex")]
      if (NodeFs.statSync(child).isDirectory()) walk(child, key)
      else out.set(key.join("/"), md5(NodeFs.readFileSync(child)))
    }
  }
  if (NodeFs.existsSync(dir)) walk(Buffer.from(dir), [])
  return out
}

const hex = (name: Buffer | string) => Buffer.from(name).toString("hex")

/** Runs a transfer; its summary. */
const run = (events: Stream.Stream<Transfer.Event>) =>
  Effect.map(Stream.runCollect(events), (c) => {
    const last = Chunk.unsafeLast(c)
    assert.strictEqual(last._tag, "Summary")
    return (last as Extract<Transfer.Event, { _tag: "Summary" }>).summary
  })

// ---- names -------------------------------------------------------------------------------

/** A local name: any Unicode (no `/`, NUL or lone surrogate; not `.`/`..`), within 255 bytes. */
const unicodeName = FastCheck.string({ unit: "binary", minLength: 1, maxLength: 24 }).filter(
  (s) => !/[/\0]|\p{Surrogate}/u.test(s) && s !== "." && s !== ".." && Buffer.byteLength(s) <= 255
)
const reserved = FastCheck.string({
  unit: FastCheck.constantFrom(..."\\:*?\"<>|%+#&;~'` \t\r\n\u007f\u00a0\u3000\uff0e\uff0f\u2400.-_".split("")),
  minLength: 1,
  maxLength: 12
}).filter((s) => s !== "." && s !== "..")
const edge = FastCheck.constantFrom(`${"a".repeat(251)}.txt`, "é".repeat(127), `${"ø".repeat(126)}x`, "Ǆ".repeat(85))
const invalidUtf8 = FastCheck.uint8Array({ minLength: 1, maxLength: 6 }).map((b) =>
  Buffer.concat([
    Buffer.from("bad-"),
    Buffer.from(b.map((x) => (x === 0 || x === 0x2f ? 0x80 : x))),
    Buffer.from([0xff])
  ])
)

type NameCase = { readonly name: string | Buffer; readonly invalid: boolean }
const nameCase: FastCheck.Arbitrary<NameCase> = FastCheck.oneof(
  { arbitrary: unicodeName.map((name) => ({ name, invalid: false })), weight: 4 },
  { arbitrary: reserved.map((name) => ({ name, invalid: false })), weight: 2 },
  { arbitrary: edge.map((name) => ({ name, invalid: false })), weight: 1 },
  { arbitrary: invalidUtf8.map((name) => ({ name, invalid: true })), weight: 1 }
)
/** A few names, unique by bytes, sometimes with a case variant of the first one. */
const nameSet = FastCheck.tuple(
  FastCheck.uniqueArray(nameCase, { minLength: 1, maxLength: 5, selector: (c) => hex(c.name) }),
  FastCheck.boolean()
).map(([cases, variant]) => {
  const first = cases[0]
  if (!variant || first === undefined || first.invalid) return cases
  const flipped = [...String(first.name)]
    .map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase()))
    .join("")
  return flipped === first.name || Buffer.byteLength(flipped) > 255
    ? cases
    : [...cases, { name: flipped, invalid: false }]
})

// ---- sizes -------------------------------------------------------------------------------

const size = FastCheck.constantFrom(
  0,
  1,
  md5Limit - 1,
  md5Limit,
  md5Limit + 1,
  resumeLimit - 1,
  resumeLimit,
  resumeLimit + 1
)
const uploadPath = FastCheck.constantFrom("Files.upload", "NodeFiles.uploadStream", "NodeFiles.uploadFile")

// ---- fault schedules ---------------------------------------------------------------------

const fault = (
  kind: string,
  m: { readonly op: string; readonly after?: number; readonly times: number; readonly path?: string }
): Emulator.Fault => {
  switch (kind) {
    case "429":
      return { _tag: "Status", status: 429, retryAfter: 0, ...m }
    case "500":
    case "503":
      return { _tag: "Status", status: Number(kind), ...m }
    case "cut-request":
      return { _tag: "CutRequest", afterBytes: 100, ...m }
    case "cut-response":
      return { _tag: "CutResponse", afterBytes: 100, ...m }
    case "truncate":
      return { _tag: "Truncate", bytes: 50, ...m }
    case "corrupt":
      return { _tag: "Corrupt", ...m }
    case "lost-reply":
      return { _tag: "LostReply", ...m }
    default:
      return { _tag: "ExpireTokens", ...m }
  }
}
const kinds = ["429", "500", "503", "cut-request", "cut-response", "truncate", "corrupt", "lost-reply", "expire"]

/** A passing fault: any request kind, fired 1–3 times after a few matching requests. */
const transientFault = FastCheck.record({
  kind: FastCheck.constantFrom(...kinds),
  op: FastCheck.constantFrom("upload", "allocate", "download", "get", "liststream", "mkDir", "cphash", "rm"),
  after: FastCheck.nat(6),
  times: FastCheck.integer({ min: 1, max: 3 })
}).map(({ kind, ...m }) => fault(kind, m))

/** A lasting fault on one file's requests (JFS paths name the file; upload URLs do not). */
const lastingFault = FastCheck.record({
  kind: FastCheck.constantFrom(...kinds),
  op: FastCheck.constantFrom("download", "get", "cphash", "rm"),
  file: FastCheck.constantFrom("a.txt", "c.txt", "d.bin")
}).map(({ kind, op, file }) => fault(kind, { op, path: `*/${file}`, times: Number.POSITIVE_INFINITY }))

const faultArb = FastCheck.oneof({ arbitrary: transientFault, weight: 3 }, { arbitrary: lastingFault, weight: 1 })

const treeArb = FastCheck.record({
  sizes: FastCheck.array(FastCheck.constantFrom(0, 1, 700, 5000, 40_000), { minLength: 5, maxLength: 5 }),
  /** Which files the destination already holds in another version. */
  stale: FastCheck.array(FastCheck.boolean(), { minLength: 5, maxLength: 5 })
})
const treePaths = ["a.txt", "b.bin", "sub/c.txt", "sub/deep/d.bin", "e.bin"]
const bytesOf = (n: number, seed: number) => new Uint8Array(n).map((_, i) => (i * 7 + seed * 31 + (i >> 5)) & 0xff)

const figures = {
  nameRuns: 0,
  names: 0,
  invalidNames: 0,
  sizeRuns: 0,
  bytes: 0,
  syncRuns: 0,
  faults: 0,
  failedFiles: 0,
  committedThenFailed: 0,
  fatalRuns: 0,
  caseVariants: 0
}

layer(TestKit.layer({ client }), { excludeTestServices: true, timeout: 120_000 })("properties", (it) => {
  it.effect.prop(
    "names: local → cloud → local keeps every name byte for byte; only names that cannot be carried fail, and nothing of them arrives",
    [nameSet],
    ([cases]) =>
      Effect.scoped(
        Effect.gen(function* () {
          const src = yield* tempDir("fjord-prop-src-")
          const back = yield* tempDir("fjord-prop-back-")
          for (const [i, c] of cases.entries()) {
            NodeFs.writeFileSync(Buffer.concat([Buffer.from(`${src}/`), Buffer.from(c.name)]), bytesOf(10 + i, i))
          }
          const remote = fresh("names/")
          const up = yield* run(
            Transfer.run(NodeTransfer.side(src), yield* Transfer.cloudSide(remote), { mode: "copy" })
          )
          const failed = new Set(up.failures.map((f) => f.path))
          const down = yield* run(
            Transfer.run(yield* Transfer.cloudSide(remote), NodeTransfer.side(back), { mode: "copy" })
          )
          assert.deepStrictEqual(down.failures, [])
          const before = snapshot(src)
          const after = snapshot(back)
          // case variants: the cloud compares names case-insensitively, so one of a pair is
          // reported failed (or both sent to one file) — never two files mixed into one
          const lower = new Map<string, Array<NameCase>>()
          for (const c of cases) {
            if (c.invalid) continue
            const k = String(c.name).toLowerCase()
            lower.set(k, [...(lower.get(k) ?? []), c])
          }
          for (const c of cases) {
            const key = hex(c.name)
            const collides = !c.invalid && (lower.get(String(c.name).toLowerCase())?.length ?? 0) > 1
            if (c.invalid) {
              assert.isFalse(after.has(key), "an invalid UTF-8 name does not arrive")
              assert.strictEqual(up.failures.length > 0, true, "an invalid UTF-8 name is reported")
            } else if (!collides) {
              assert.strictEqual(after.get(key), before.get(key), `${JSON.stringify(c.name)} round trip`)
            } else {
              const arrived = after.get(key)
              if (arrived !== undefined) {
                const variants = lower.get(String(c.name).toLowerCase()) ?? []
                assert.include(
                  variants.map((v) => before.get(hex(v.name))),
                  arrived,
                  "a case variant holds one of the sources' content"
                )
              }
            }
          }
          const invalid = cases.filter((c) => c.invalid).length
          const collisions = [...lower.values()].filter((v) => v.length > 1).length
          // exactly the names that cannot be carried fail: invalid UTF-8, and at most one of a case pair
          assert.isAtLeast(failed.size, invalid)
          assert.isAtMost(failed.size, invalid + collisions)
          figures.caseVariants += collisions
          figures.nameRuns++
          figures.names += cases.length
          figures.invalidNames += cases.filter((c) => c.invalid).length
        })
      ),
    { fastCheck: { numRuns: 15 } }
  )

  it.effect.prop(
    "sizes at the limits (0, 1, md5_memory_limit ± 1, upload_resume_limit ± 1) through every upload path, a cut at a random byte, read back whole and to a file",
    [size, uploadPath, FastCheck.option(FastCheck.double({ min: 0, max: 1, noNaN: true }), { nil: undefined })],
    ([n, path, cutAt]) =>
      Effect.scoped(
        Effect.gen(function* () {
          const emu = yield* Emulator.Emulator
          const files = yield* Files.Files
          const dir = yield* tempDir("fjord-prop-size-")
          const data = bytesOf(n, n % 251)
          const remote = `${fresh("sizes/")}.bin`
          if (cutAt !== undefined && n > 0) {
            yield* emu.inject({ _tag: "CutRequest", afterBytes: Math.floor(cutAt * n), op: "upload" })
          }
          const info =
            path === "Files.upload"
              ? yield* files.upload(remote, UploadSource.fromUint8Array(data))
              : path === "NodeFiles.uploadStream"
                ? yield* NodeFiles.uploadStream(Stream.fromIterable(chunks(data, 4096)), remote)
                : yield* Effect.flatMap(
                    Effect.sync(() => NodeFs.writeFileSync(`${dir}/in.bin`, data)),
                    () => NodeFiles.uploadFile(`${dir}/in.bin`, remote)
                  )
          yield* emu.clearFaults
          assert.strictEqual(info.size, n)
          assert.strictEqual(info.md5, md5(data))
          const whole = Buffer.concat(Chunk.toReadonlyArray(yield* Stream.runCollect(files.download(remote))))
          assert.strictEqual(md5(whole), md5(data))
          yield* NodeFiles.downloadFile(remote, `${dir}/out.bin`)
          assert.strictEqual(md5(NodeFs.readFileSync(`${dir}/out.bin`)), md5(data))
          assert.deepStrictEqual(
            NodeFs.readdirSync(dir).sort(),
            path === "NodeFiles.uploadFile" ? ["in.bin", "out.bin"] : ["out.bin"]
          )
          figures.sizeRuns++
          figures.bytes += 2 * n
        })
      ),
    { fastCheck: { numRuns: 24 } }
  )

  it.effect.prop(
    "random fault schedules during a sync: the destination equals the source, or the failed files are reported and untouched",
    [treeArb, FastCheck.array(faultArb, { minLength: 1, maxLength: 4 }), FastCheck.constantFrom("up", "down")],
    ([tree, schedule, direction]) =>
      Effect.scoped(
        Effect.gen(function* () {
          const emu = yield* Emulator.Emulator
          const files = yield* Files.Files
          const seed = ++serial
          const source = new Map(treePaths.map((p, i) => [p, bytesOf(tree.sizes[i] ?? 0, seed + i)]))
          const previous = new Map(
            treePaths.flatMap((p, i) => (tree.stale[i] === true ? [[p, bytesOf(3 + i, seed + 100 + i)] as const] : []))
          )
          previous.set("stray.txt", bytesOf(5, seed))
          const local = yield* tempDir("fjord-prop-sync-")
          const remote = `sync/${seed}`
          const put = (root: string, tree: ReadonlyMap<string, Uint8Array>) =>
            Effect.forEach(tree, ([p, data]) =>
              root === remote
                ? files.upload(`${remote}/${p}`, UploadSource.fromUint8Array(data))
                : Effect.sync(() => {
                    NodeFs.mkdirSync(NodePath.dirname(`${root}/${p}`), { recursive: true })
                    NodeFs.writeFileSync(`${root}/${p}`, data)
                  })
            )
          // up: local source → cloud destination holding `previous`; down: the reverse
          yield* put(direction === "up" ? local : remote, source)
          yield* put(direction === "up" ? remote : local, previous)
          const cloud = yield* Transfer.cloudSide(remote)
          const [from, to] = direction === "up" ? [NodeTransfer.side(local), cloud] : [cloud, NodeTransfer.side(local)]
          for (const f of schedule) yield* emu.inject(f)
          const summary = yield* run(Transfer.run(from, to, { mode: "sync", retries: 1 }))
          yield* emu.clearFaults
          const failed = new Set(summary.failures.map((f) => f.path))
          const read = (p: string) =>
            direction === "up"
              ? Effect.map(Effect.either(Stream.runCollect(files.download(`${remote}/${p}`))), (e) =>
                  e._tag === "Right" ? md5(Buffer.concat(Chunk.toReadonlyArray(e.right))) : "absent"
                )
              : Effect.sync(() =>
                  NodeFs.existsSync(`${local}/${p}`) ? md5(NodeFs.readFileSync(`${local}/${p}`)) : "absent"
                )
          for (const [p, data] of source) {
            const now = yield* read(p)
            const was = previous.has(p) ? md5(previous.get(p)!) : "absent"
            if (summary.fatal === undefined && !failed.has(p)) {
              assert.strictEqual(now, md5(data), `${p}: not reported, so it must equal the source`)
            } else {
              // reported failed: untouched, or, when the failure came after the commit (the
              // read-back of the stored file failed), complete with the source's bytes
              assert.include([was, md5(data)], now, `${p}: reported failed, yet neither as before nor the source`)
              if (now !== was && summary.fatal === undefined) figures.committedThenFailed++
            }
          }
          const stray = yield* read("stray.txt")
          const clean = summary.fatal === undefined && failed.size === 0
          assert.strictEqual(stray === "absent", clean, "extraneous files are deleted only after a clean copy")
          const leftovers =
            direction === "down"
              ? [...snapshot(local).keys()].filter((k) =>
                  Buffer.from(k.split("/").pop() ?? "", "hex")
                    .toString()
                    .includes(".fjord-")
                )
              : []
          assert.deepStrictEqual(leftovers, [])
          figures.syncRuns++
          figures.faults += schedule.length
          figures.failedFiles += failed.size
          if (summary.fatal !== undefined) figures.fatalRuns++
        })
      ),
    { fastCheck: { numRuns: 40 } }
  )

  it.effect("figures", () =>
    Effect.sync(() => {
      process.stdout.write(`properties: ${JSON.stringify(figures)}\n`)
      assert.isAbove(figures.syncRuns, 0)
    })
  )
})

const chunks = (data: Uint8Array, n: number): Array<Uint8Array> =>
  Array.from({ length: Math.ceil(data.length / n) }, (_, i) => data.subarray(i * n, (i + 1) * n))
