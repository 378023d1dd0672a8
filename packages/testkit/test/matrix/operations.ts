/**
 * The columns of the fault matrix: every operation, each with the request its fault is aimed
 * at, its fixtures, and the invariants checked once the faults are cleared: the right bytes
 * (MD5 against the source), or a typed error with nothing half-done (no partial local target,
 * no temporary file, no remote file listed complete with other content, a moved source intact
 * until its copy is verified).
 */
import * as Crypto from "node:crypto"
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import type * as TokenStore from "@fjord/auth/TokenStore"
import * as Files from "@fjord/core/Files"
import * as Transfer from "@fjord/core/Transfer"
import * as UploadSource from "@fjord/core/UploadSource"
import type * as Emulator from "@fjord/emulator/Emulator"
import * as NodeFiles from "@fjord/node/NodeFiles"
import * as NodeTransfer from "@fjord/node/NodeTransfer"
import type { TestKit } from "@fjord/testkit"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Stream from "effect/Stream"
import type { Target } from "./faults.js"

/** Client limits of the matrix, lowered so the spooling and resuming paths take small files. */
export const md5MemoryLimit = 16 * 1024
export const uploadResumeLimit = 64 * 1024

export type R = TestKit.Services | TokenStore.TokenStore

export interface Env {
  readonly emu: Emulator.Handle
  /** A fresh local directory of this cell. */
  readonly local: string
  /** The cell's remote folder. */
  readonly remote: string
}

/** What a run reports. */
export interface Outcome {
  readonly bytes: number
  /** Files a transfer reported failed (after its passes). */
  readonly failed: ReadonlyArray<string>
  /** Why a transfer stopped early. */
  readonly fatal?: string | undefined
  /** Wrong results the run itself saw (wrong bytes returned as a success). */
  readonly problems: ReadonlyArray<string>
}

export interface Checked {
  readonly problems: ReadonlyArray<string>
  readonly bytesVerified: number
}

export interface Prepared {
  readonly run: Effect.Effect<Outcome, unknown, R>
  readonly check: (exit: Exit.Exit<Outcome, unknown>) => Effect.Effect<Checked, unknown, R>
}

export interface OperationRow {
  readonly name: string
  readonly target: Target
  /** Whether the target request carries a body (a cut request applies). */
  readonly sendsBody: boolean
  readonly prepare: (env: Env) => Effect.Effect<Prepared, unknown, R>
}

export const md5 = (b: Uint8Array): string => Crypto.createHash("md5").update(b).digest("hex")
const random = (n: number) => new Uint8Array(Crypto.randomBytes(n))

const collect = (stream: Stream.Stream<Uint8Array, unknown, R>) =>
  Effect.map(Stream.runCollect(stream), (c) => Buffer.concat(Chunk.toReadonlyArray(c)))

/** What the cloud holds at `path`, compared with `expected`. */
type RemoteState = "absent" | "right" | "incomplete" | `wrong: ${string}`
const wrong = (why: string): RemoteState => `wrong: ${why}`

export const remoteState = (path: string, expected: Uint8Array): Effect.Effect<RemoteState, unknown, R> =>
  Effect.gen(function* () {
    const files = yield* Files.Files
    const stat = yield* Effect.either(files.stat(path))
    if (stat._tag === "Left") {
      return stat.left instanceof Error && "_tag" in stat.left && stat.left._tag === "NotFound"
        ? "absent"
        : wrong(`stat failed ${String(stat.left)}`)
    }
    const body = yield* Effect.either(collect(files.download(path)))
    // a listed file that cannot be read whole is an incomplete upload: fine after a failure,
    // as long as what it is listed with is the source's content
    if (body._tag === "Left") {
      return stat.right.md5 === md5(expected) && stat.right.size === expected.length
        ? "incomplete"
        : wrong(`unreadable and listed ${stat.right.size} B ${stat.right.md5}`)
    }
    if (md5(body.right) !== stat.right.md5) return wrong(`listed ${stat.right.md5}, holds ${md5(body.right)}`)
    return md5(body.right) === md5(expected) ? "right" : wrong(`holds ${body.right.length} B of other content`)
  })

const ok = (bytes: number, problems: ReadonlyArray<string> = []): Outcome => ({ bytes, failed: [], problems })

/** Every file below `dir` (relative paths, hidden ones included). */
export const localTree = (dir: string): Array<string> =>
  NodeFs.existsSync(dir)
    ? (NodeFs.readdirSync(dir, { recursive: true, encoding: "utf8" }) as Array<string>)
        .filter((p) => NodeFs.statSync(NodePath.join(dir, p)).isFile())
        .sort()
    : []

const leftovers = (dir: string): Array<string> =>
  localTree(dir)
    .filter((p) => /(^|\/)\.fjord-|fjord-partial|\.partial$/.test(p))
    .map((p) => `temporary file left: ${p}`)

const writeTree = (root: string, tree: Record<string, Uint8Array>) => {
  for (const [p, data] of Object.entries(tree)) {
    const file = NodePath.join(root, p)
    NodeFs.mkdirSync(NodePath.dirname(file), { recursive: true })
    NodeFs.writeFileSync(file, data)
  }
}

const uploadTree = (remote: string, tree: Record<string, Uint8Array>) =>
  Effect.flatMap(Files.Files, (files) =>
    Effect.forEach(Object.entries(tree), ([p, data]) =>
      files.upload(`${remote}/${p}`, UploadSource.fromUint8Array(data))
    )
  )

const smallTree = (): Record<string, Uint8Array> => ({
  "a.txt": random(10),
  "d.bin": random(5000),
  "sub/b.bin": random(100 * 1024),
  "sub/deep/c.txt": random(20)
})

/** Runs a transfer, its summary as the outcome. */
const transfer = (events: Stream.Stream<Transfer.Event, never, R>) =>
  Effect.map(Stream.runCollect(events), (c): Outcome => {
    const last = Chunk.last(c)
    if (last._tag === "None" || last.value._tag !== "Summary") return { ...ok(0), problems: ["no summary"] }
    const s = last.value.summary
    return { bytes: s.bytes, failed: s.failures.map((f) => f.path), fatal: s.fatal, problems: [] }
  })

const settled = (exit: Exit.Exit<Outcome, unknown>) =>
  Exit.isSuccess(exit) && exit.value.failed.length === 0 && exit.value.fatal === undefined

const failedFile = (exit: Exit.Exit<Outcome, unknown>, path: string) =>
  Exit.isFailure(exit) || exit.value.fatal !== undefined || exit.value.failed.includes(path)

/** An upload of `data` through `send`; afterwards the cloud holds it, or nothing wrong. */
const uploadRow = (
  name: string,
  size: number,
  target: Target,
  send: (path: string, data: Uint8Array) => Effect.Effect<Files.FileInfo, unknown, R>
): OperationRow => ({
  name,
  target,
  sendsBody: true,
  prepare: (env) =>
    Effect.sync(() => {
      const data = random(size)
      const path = `${env.remote}/up.bin`
      return {
        run: Effect.map(send(path, data), (info) =>
          ok(size, info.md5 === md5(data) ? [] : [`upload returned MD5 ${info.md5}`])
        ),
        check: (exit) =>
          Effect.map(remoteState(path, data), (state) => ({
            problems:
              state === "right" || (Exit.isFailure(exit) && (state === "absent" || state === "incomplete"))
                ? []
                : [`remote after ${Exit.isSuccess(exit) ? "success" : "failure"}: ${state}`],
            bytesVerified: state === "right" ? size : 0
          }))
      }
    })
})

/** A 150 KiB file of random bytes in the cell's remote folder. */
const remoteFile = (env: Env) =>
  Effect.gen(function* () {
    const files = yield* Files.Files
    const data = random(150 * 1024)
    const path = `${env.remote}/down.bin`
    yield* files.upload(path, UploadSource.fromUint8Array(data))
    return { data, path }
  })

/** A download of a 150 KiB file through `read`, which returns the bytes it got. */
const downloadRow = (
  name: string,
  expected: (data: Uint8Array) => Uint8Array,
  read: (path: string) => Effect.Effect<Uint8Array, unknown, R>
): OperationRow => ({
  name,
  target: { op: "download" },
  sendsBody: false,
  prepare: (env) =>
    Effect.gen(function* () {
      const { data, path } = yield* remoteFile(env)
      const want = expected(data)
      return {
        run: Effect.map(read(path), (got) =>
          ok(got.length, md5(got) === md5(want) ? [] : [`read ${got.length} B of other content`])
        ),
        check: (exit) => Effect.succeed({ problems: [], bytesVerified: Exit.isSuccess(exit) ? want.length : 0 })
      }
    })
})

/**
 * A transfer of a small local tree to the cloud, its `mode` (`copy` or `move`) in its name;
 * `checkFile` judges each file from the local source's MD5 (or `absent`) and the cloud's state.
 */
const upTreeRow = (
  mode: "copy" | "move",
  checkFile: (
    file: { readonly path: string; readonly data: Uint8Array; readonly local: string; readonly remote: RemoteState },
    exit: Exit.Exit<Outcome, unknown>
  ) => ReadonlyArray<string>
): OperationRow => ({
  name: `${mode} tree local → cloud`,
  target: { op: "upload", cutAt: 2048 },
  sendsBody: true,
  prepare: (env) =>
    Effect.gen(function* () {
      const tree = smallTree()
      const src = NodePath.join(env.local, "src")
      writeTree(src, tree)
      const dst = `${env.remote}/${mode}`
      const side = yield* Transfer.cloudSide(dst)
      return {
        run: transfer(Transfer.run(NodeTransfer.side(src), side, { mode, retries: 1 })),
        check: (exit) =>
          Effect.gen(function* () {
            const problems: Array<string> = [...leftovers(src)]
            let bytesVerified = 0
            for (const [path, data] of Object.entries(tree)) {
              const f = NodePath.join(src, path)
              const local = NodeFs.existsSync(f) ? md5(NodeFs.readFileSync(f)) : "absent"
              const remote = yield* remoteState(`${dst}/${path}`, data)
              if (remote === "right") bytesVerified += data.length
              problems.push(...checkFile({ path, data, local, remote }, exit))
            }
            return { problems, bytesVerified }
          })
      }
    })
})

/**
 * A server-side move of a small cloud tree: to a free destination (one `mvDir`), or into a
 * folder that already holds a file (one `mv` per file). Every file ends at exactly one place
 * with its content; a file not reported failed has moved.
 */
const cloudMoveRow = (op: "mvDir" | "mv"): OperationRow => ({
  name: op === "mvDir" ? "move tree cloud → free cloud folder (mvDir)" : "move tree cloud → cloud folder (mv per file)",
  target: { op },
  sendsBody: false,
  prepare: (env) =>
    Effect.gen(function* () {
      const tree = smallTree()
      const from = `${env.remote}/mv-src`
      const to = `${env.remote}/mv-dst`
      yield* uploadTree(from, tree)
      const other = random(33)
      if (op === "mv") yield* uploadTree(to, { "other.txt": other })
      const source = yield* Transfer.cloudSide(from)
      const destination = yield* Transfer.cloudSide(to)
      return {
        run: transfer(Transfer.run(source, destination, { mode: "move", retries: 1 })),
        check: (exit) =>
          Effect.gen(function* () {
            const problems: Array<string> = []
            let bytesVerified = 0
            for (const [p, data] of Object.entries(tree)) {
              const a = yield* remoteState(`${from}/${p}`, data)
              const b = yield* remoteState(`${to}/${p}`, data)
              if (b === "right") bytesVerified += data.length
              if (a !== "right" && b !== "right") problems.push(`${p}: lost (source ${a}, destination ${b})`)
              for (const s of [a, b]) if (s.startsWith("wrong")) problems.push(`${p}: ${s}`)
              if (!failedFile(exit, p) && (a !== "absent" || b !== "right"))
                problems.push(`${p}: not reported failed, yet source ${a}, destination ${b}`)
            }
            if (op === "mv" && (yield* remoteState(`${to}/other.txt`, other)) !== "right")
              problems.push("the destination's own file changed")
            return { problems, bytesVerified }
          })
      }
    })
})

export const operations: ReadonlyArray<OperationRow> = [
  uploadRow("upload 3 KB", 3000, { op: "upload", cutAt: 64 }, (path, data) =>
    Effect.flatMap(Files.Files, (f) => f.upload(path, UploadSource.fromUint8Array(data)))
  ),
  uploadRow("upload 3 KB, fault on allocate", 3000, { op: "allocate", cutAt: 64 }, (path, data) =>
    Effect.flatMap(Files.Files, (f) => f.upload(path, UploadSource.fromUint8Array(data)))
  ),
  uploadRow(
    `upload 200 KiB (> resume limit ${uploadResumeLimit / 1024} KiB)`,
    200 * 1024,
    { op: "upload", cutAt: 96 * 1024 },
    (path, data) => Effect.flatMap(Files.Files, (f) => f.upload(path, UploadSource.fromUint8Array(data)))
  ),
  uploadRow(
    `upload stream, MD5 unknown, 100 KiB (> md5 limit ${md5MemoryLimit / 1024} KiB)`,
    100 * 1024,
    { op: "upload", cutAt: 48 * 1024 },
    (path, data) => {
      const chunks = Array.from({ length: Math.ceil(data.length / 8192) }, (_, i) =>
        data.subarray(i * 8192, (i + 1) * 8192)
      )
      return NodeFiles.uploadStream(Stream.fromIterable(chunks), path)
    }
  ),
  downloadRow(
    "download whole",
    (d) => d,
    (path) => Effect.flatMap(Files.Files, (f) => collect(f.download(path)))
  ),
  downloadRow(
    "download range",
    (d) => d.subarray(1000, 90_000),
    (path) => Effect.flatMap(Files.Files, (f) => collect(f.download(path, { range: { start: 1000, end: 90_000 } })))
  ),
  {
    name: "download to file",
    target: { op: "download" },
    sendsBody: false,
    prepare: (env) =>
      Effect.gen(function* () {
        const { data, path } = yield* remoteFile(env)
        const dir = NodePath.join(env.local, "dl")
        const target = NodePath.join(dir, "target.bin")
        const old = random(777)
        writeTree(dir, { "target.bin": old })
        return {
          run: Effect.as(NodeFiles.downloadFile(path, target), ok(data.length)),
          check: (exit) =>
            Effect.sync(() => {
              const now = new Uint8Array(NodeFs.readFileSync(target))
              const want = Exit.isSuccess(exit) ? data : old
              const problems = [
                ...leftovers(dir),
                ...(localTree(dir).join() === "target.bin" ? [] : [`local dir holds ${localTree(dir).join(", ")}`]),
                ...(md5(now) === md5(want)
                  ? []
                  : [`target holds ${now.length} B, not the ${Exit.isSuccess(exit) ? "download" : "old content"}`])
              ]
              return { problems, bytesVerified: Exit.isSuccess(exit) ? data.length : 0 }
            })
        }
      })
  },
  {
    name: "list folder",
    target: { op: "get" },
    sendsBody: false,
    prepare: (env) =>
      Effect.gen(function* () {
        const tree = { "x.txt": random(11), "y.bin": random(3000), "z/inner.txt": random(5) }
        yield* uploadTree(`${env.remote}/list`, tree)
        const files = yield* Files.Files
        const want = ["x.txt:11", "y.bin:3000", "z/"]
        return {
          run: Effect.map(files.list(`${env.remote}/list`), (entries) => {
            const got = entries.map((e) => (e._tag === "File" ? `${e.name}:${e.size}` : `${e.name}/`)).sort()
            return ok(0, got.join() === want.join() ? [] : [`listed ${got.join(", ")}`])
          }),
          check: () => Effect.succeed({ problems: [], bytesVerified: 0 })
        }
      })
  },
  {
    name: "list recursive (liststream)",
    target: { op: "liststream" },
    sendsBody: false,
    prepare: (env) =>
      Effect.gen(function* () {
        const tree = smallTree()
        yield* uploadTree(`${env.remote}/tree`, tree)
        const files = yield* Files.Files
        const want = Object.entries(tree)
          .map(([p, d]) => `${p}:${d.length}:${md5(d)}`)
          .sort()
        return {
          run: Effect.map(Stream.runCollect(files.listRecursive(`${env.remote}/tree`)), (c) => {
            const got = Chunk.toReadonlyArray(c)
              .flatMap((e) =>
                e._tag === "File" ? [`${e.path.slice(env.remote.length + 6)}:${e.size}:${e.md5 ?? ""}`] : []
              )
              .sort()
            return ok(0, got.join() === want.join() ? [] : [`listed ${got.join(", ")}`])
          }),
          check: () => Effect.succeed({ problems: [], bytesVerified: 0 })
        }
      })
  },
  upTreeRow("copy", ({ path, data, local, remote }, exit) => [
    ...(local === md5(data) ? [] : [`${path}: source changed`]),
    ...(remote === "right" || (failedFile(exit, path) && (remote === "absent" || remote === "incomplete"))
      ? []
      : [`${path}: ${remote}${failedFile(exit, path) ? " (reported failed)" : ""}`])
  ]),
  {
    name: "sync tree cloud → local",
    target: { op: "download" },
    sendsBody: false,
    prepare: (env) =>
      Effect.gen(function* () {
        const tree = smallTree()
        const remote = `${env.remote}/sync`
        yield* uploadTree(remote, tree)
        const dst = NodePath.join(env.local, "dst")
        const before: Record<string, Uint8Array> = { "a.txt": random(3), "stray.txt": random(4) }
        writeTree(dst, before)
        const side = yield* Transfer.cloudSide(remote)
        return {
          run: transfer(Transfer.run(side, NodeTransfer.side(dst), { mode: "sync", retries: 1 })),
          check: (exit) =>
            Effect.sync(() => {
              const problems: Array<string> = [...leftovers(dst)]
              let bytesVerified = 0
              const read = (p: string) => {
                const f = NodePath.join(dst, p)
                return NodeFs.existsSync(f) ? md5(NodeFs.readFileSync(f)) : "absent"
              }
              for (const [p, data] of Object.entries(tree)) {
                const now = read(p)
                if (now === md5(data)) bytesVerified += data.length
                else {
                  const was = before[p] === undefined ? "absent" : md5(before[p])
                  if (!(failedFile(exit, p) && now === was))
                    problems.push(`${p}: local ${now}, neither source nor as before`)
                }
              }
              const stray = NodeFs.existsSync(NodePath.join(dst, "stray.txt"))
              if (settled(exit) && stray) problems.push("sync succeeded but left stray.txt")
              if (!settled(exit) && !stray) problems.push("sync with failures deleted stray.txt")
              return { problems, bytesVerified }
            })
        }
      })
  },
  upTreeRow("move", ({ path, data, local, remote }, exit) => [
    ...(local === "absent" && remote !== "right" ? [`${path}: source removed, copy ${remote}`] : []),
    ...(local !== "absent" && local !== md5(data) ? [`${path}: source changed`] : []),
    ...(remote.startsWith("wrong") ? [`${path}: ${remote}`] : []),
    ...(!failedFile(exit, path) && (local !== "absent" || remote !== "right")
      ? [`${path}: not reported failed, yet source ${local}, copy ${remote}`]
      : [])
  ]),
  cloudMoveRow("mvDir"),
  cloudMoveRow("mv"),
  {
    name: "token refresh",
    target: { op: "token", cutAt: 16 },
    sendsBody: true,
    prepare: (env) =>
      Effect.gen(function* () {
        const files = yield* Files.Files
        const data = random(1234)
        const path = `${env.remote}/t.bin`
        yield* files.upload(path, UploadSource.fromUint8Array(data))
        // every access token expires: the next request is answered 401 and the client refreshes
        yield* env.emu.expireAllAccessTokens
        const statOk = Effect.map(files.stat(path), (info) =>
          ok(0, info.md5 === md5(data) ? [] : [`stat says ${info.md5}`])
        )
        return {
          run: statOk,
          check: (exit) =>
            Exit.isFailure(exit)
              ? Effect.succeed({ problems: [], bytesVerified: 0 })
              : // the stored refresh token is the live one: a second refresh works too
                Effect.flatMap(env.emu.expireAllAccessTokens, () =>
                  Effect.map(Effect.either(statOk), (again) => ({
                    problems: again._tag === "Right" ? [] : [`second refresh failed: ${String(again.left)}`],
                    bytesVerified: 0
                  }))
                )
        }
      })
  }
]
