/**
 * The kill -9 loop against a child emulator (its bin, `--data` in a temp dir): each round
 * restarts the child, checks that every listed file reads back with its listed MD5 and that
 * every acknowledged write is there, resumes the uploads the last kill interrupted, then starts
 * a burst of uploads (streamed slowly, some duplicate content), moves and deletes and kills the
 * child with SIGKILL at a random moment of it.
 */
import * as ChildProcess from "node:child_process"
import * as Crypto from "node:crypto"
import * as Path from "node:path"
import * as Readline from "node:readline"
import * as Effect from "effect/Effect"
import { seededAccount } from "../src/Emulator.js"
import { LEGACY_BUILTIN_CLIENT_ID } from "../src/internal/identity/routes.js"

const root = Path.resolve(import.meta.dirname, "../../..")
const FOLDER = "killed"

export interface Figures {
  kills: number
  /** Files read back and compared with their listed MD5, summed over the rounds. */
  filesVerified: number
  bytesVerified: number
  /** Acknowledged uploads, moves and deletes, summed over the rounds. */
  acknowledged: number
  /** Uploads interrupted by a kill and resumed after the restart. */
  resumed: number
  /** Listed complete files whose bytes did not match the listed MD5. */
  wrongBytes: number
  /** Acknowledged writes missing (or with other content) after a restart. */
  lost: number
  problems: Array<string>
}

interface Child {
  readonly url: string
  readonly process: ChildProcess.ChildProcess
}

interface Content {
  readonly data: Uint8Array
  readonly md5: string
}

const md5 = (b: Uint8Array) => Crypto.createHash("md5").update(b).digest("hex")

const spawn = (dataDir: string) =>
  Effect.async<Child, Error>((resume) => {
    // node itself with tsx's loader (not the tsx wrapper, which would take the SIGKILL and
    // leave the server running in its own child)
    const child = ChildProcess.spawn(
      process.execPath,
      ["--import", "tsx", "--conditions=@fjord/source", "packages/emulator/src/bin.ts", "--data", dataDir],
      { cwd: root, stdio: ["ignore", "pipe", "ignore"] }
    )
    const rl = Readline.createInterface({ input: child.stdout })
    rl.once("line", (l) => resume(Effect.succeed({ url: String(JSON.parse(l).url), process: child })))
    child.once("exit", (code) => resume(Effect.fail(new Error(`emulator exited with ${code} before listening`))))
  })

const kill = (child: Child) =>
  Effect.async<void>((resume) => {
    if (child.process.exitCode !== null || child.process.signalCode !== null) return resume(Effect.void)
    child.process.once("exit", () => resume(Effect.void))
    child.process.kill("SIGKILL")
  })

const fetchE = (url: string, init?: RequestInit) =>
  Effect.tryPromise({
    try: async () => {
      const r = await fetch(url, init)
      return { status: r.status, bytes: new Uint8Array(await r.arrayBuffer()) }
    },
    catch: (e) => (e instanceof Error ? e : new Error(String(e)))
  })

const text = (b: Uint8Array) => Buffer.from(b).toString("utf8")

/** A bearer token by the legacy password grant (§2.8). */
const accessToken = (url: string) =>
  Effect.gen(function* () {
    const r = yield* fetchE(`${url}/api/auth/v1/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "PASSWORD",
        username: seededAccount.username,
        password: seededAccount.password,
        client_id: LEGACY_BUILTIN_CLIENT_ID
      }).toString()
    })
    return String((JSON.parse(text(r.bytes)) as { access_token: string }).access_token)
  })

interface Session {
  readonly url: string
  readonly token: string
}

const jfsPath = (name = "") => `/jfs/${seededAccount.username}/Jotta/Archive/${FOLDER}${name === "" ? "" : `/${name}`}`

const jfs = (s: Session, path: string, method = "GET") =>
  fetchE(`${s.url}${path}`, { method, headers: { authorization: `Bearer ${s.token}` } })

interface Listed {
  readonly name: string
  readonly state: string
  readonly size: number
  readonly md5: string
}

/** The files of the test folder with their current revision (none yet: the folder is new). */
const list = (s: Session) =>
  Effect.gen(function* () {
    const r = yield* jfs(s, jfsPath())
    if (r.status === 404) return []
    if (r.status !== 200) return yield* Effect.dieMessage(`listing: ${r.status} ${text(r.bytes)}`)
    const out: Array<Listed> = []
    for (const m of text(r.bytes).matchAll(/<file name="([^"]+)"[^>]*>(.*?)<\/file>/gs)) {
      const cur = /<currentRevision>(.*?)<\/currentRevision>/s.exec(m[2]!)?.[1]
      if (cur === undefined) continue
      const field = (t: string) => new RegExp(`<${t}>([^<]*)</${t}>`).exec(cur)?.[1] ?? ""
      out.push({ name: m[1]!, state: field("state"), size: Number(field("size")), md5: field("md5") })
    }
    return out
  })

/** A body streamed in 64 KiB chunks with a pause between them, so a kill lands mid-upload. */
const slowBody = (data: Uint8Array): ReadableStream<Uint8Array> => {
  let off = 0
  return new ReadableStream({
    async pull(controller) {
      if (off >= data.byteLength) return controller.close()
      await new Promise((r) => setTimeout(r, 2))
      const end = Math.min(data.byteLength, off + 64 * 1024)
      controller.enqueue(data.subarray(off, end))
      off = end
    }
  })
}

/** Allocates and uploads from the resume position; succeeds once the file is complete. */
const upload = (s: Session, name: string, c: Content, slow: boolean) =>
  Effect.gen(function* () {
    const a = yield* fetchE(`${s.url}/api/files/v1/allocate`, {
      method: "POST",
      headers: { authorization: `Bearer ${s.token}`, "content-type": "application/json" },
      body: JSON.stringify({ bytes: c.data.byteLength, md5: c.md5, path: `/jfs/Jotta/Archive/${FOLDER}/${name}` })
    })
    if (a.status !== 200) return yield* Effect.fail(new Error(`allocate ${name}: ${a.status}`))
    const alloc = JSON.parse(text(a.bytes)) as { state: string; upload_url: string; resume_pos: number }
    if (alloc.state === "COMPLETED") return alloc.resume_pos
    const rest = c.data.subarray(alloc.resume_pos)
    const u = yield* fetchE(alloc.upload_url, {
      method: "POST",
      headers: {
        authorization: `Bearer ${s.token}`,
        "content-type": "application/octet-stream",
        range: `bytes=${alloc.resume_pos}-${c.data.byteLength - 1}/${c.data.byteLength}`
      },
      body: slow ? slowBody(rest) : rest,
      duplex: "half"
    } as RequestInit)
    if (u.status !== 200) return yield* Effect.fail(new Error(`upload ${name}: ${u.status} ${text(u.bytes)}`))
    return alloc.resume_pos
  })

const move = (s: Session, from: string, to: string) =>
  Effect.flatMap(
    jfs(
      s,
      `${jfsPath(from)}?mv=${encodeURIComponent(`/${seededAccount.username}/Jotta/Archive/${FOLDER}/${to}`)}`,
      "POST"
    ),
    (r) => (r.status === 200 ? Effect.void : Effect.fail(new Error(`mv ${from}: ${r.status}`)))
  )

const remove = (s: Session, name: string) =>
  Effect.flatMap(jfs(s, `${jfsPath(name)}?rm=true`, "POST"), (r) =>
    r.status === 200 ? Effect.void : Effect.fail(new Error(`rm ${name}: ${r.status}`))
  )

/** Pseudo-random content; sizes mostly small, some past a few socket buffers. */
const content = (rand: () => number): Content => {
  const size = rand() < 0.3 ? Math.floor(rand() * 3 * 1024 * 1024) : Math.floor(rand() * 96 * 1024)
  const data = Crypto.randomBytes(size)
  return { data, md5: md5(data) }
}

/** A seeded PRNG (mulberry32), so a failing run can be repeated with its seed. */
const prng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = seed
  t = Math.imul(t ^ (t >>> 15), t | 1)
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

export const run = (options: { readonly dataDir: string; readonly kills: number; readonly seed: number }) =>
  Effect.gen(function* () {
    const rand = prng(options.seed)
    const figures: Figures = {
      kills: 0,
      filesVerified: 0,
      bytesVerified: 0,
      acknowledged: 0,
      resumed: 0,
      wrongBytes: 0,
      lost: 0,
      problems: []
    }
    /** Acknowledged state of the folder: name → content. */
    const acked = new Map<string, Content>()
    /** Uploads a kill interrupted (to resume), moves and deletes it may or may not have done. */
    let pendingUploads = new Map<string, Content>()
    let pendingMoves: Array<{ from: string; to: string; c: Content }> = []
    let pendingDeletes: Array<{ name: string; c: Content }> = []
    let counter = 0
    const fresh = () => `f${counter++}.bin`

    for (let round = 0; round <= options.kills; round++) {
      const child = yield* spawn(options.dataDir)
      const s: Session = { url: child.url, token: yield* accessToken(child.url) }

      // 1. after the restart: the listing against the acknowledged model, every listed file's bytes
      const listed = new Map((yield* list(s)).map((l) => [l.name, l] as const))
      for (const l of listed.values()) {
        if (l.state !== "COMPLETED") continue
        const r = yield* jfs(s, `${jfsPath(l.name)}?mode=bin`)
        figures.filesVerified++
        figures.bytesVerified += r.bytes.byteLength
        if (r.status !== 200 || r.bytes.byteLength !== l.size || md5(r.bytes) !== l.md5) {
          figures.wrongBytes++
          figures.problems.push(
            `round ${round}: ${l.name} reads ${r.bytes.byteLength} B ${md5(r.bytes)}, listed ${l.size} B ${l.md5}`
          )
        }
      }
      // an interrupted move happened or not; an interrupted delete too
      for (const m of pendingMoves) {
        if (listed.has(m.to)) {
          acked.delete(m.from)
          acked.set(m.to, m.c)
        }
      }
      for (const d of pendingDeletes) if (!listed.has(d.name)) acked.delete(d.name)
      for (const [name, c] of acked) {
        const l = listed.get(name)
        if (l === undefined || l.state !== "COMPLETED" || l.md5 !== c.md5 || l.size !== c.data.byteLength) {
          figures.lost++
          figures.problems.push(
            `round ${round}: acknowledged ${name} (${c.md5}) is ${l === undefined ? "missing" : `${l.state} ${l.md5}`}`
          )
        }
      }
      for (const name of listed.keys()) {
        if (!acked.has(name) && !pendingUploads.has(name)) {
          figures.problems.push(`round ${round}: ${name} is listed but was never written`)
        }
      }

      // 2. resume what the last kill interrupted; the result must read back right
      for (const [name, c] of pendingUploads) {
        yield* upload(s, name, c, false).pipe(Effect.orDie)
        const r = yield* jfs(s, `${jfsPath(name)}?mode=bin`)
        figures.resumed++
        figures.filesVerified++
        figures.bytesVerified += r.bytes.byteLength
        if (md5(r.bytes) !== c.md5) {
          figures.wrongBytes++
          figures.problems.push(
            `round ${round}: resumed ${name} reads ${r.bytes.byteLength} B, wrote ${c.data.byteLength} B`
          )
        }
        acked.set(name, c)
      }
      pendingUploads = new Map()
      pendingMoves = []
      pendingDeletes = []
      if (round === options.kills) {
        yield* kill(child)
        break
      }

      // 3. a burst of uploads, moves and deletes, killed at a random moment
      const ops: Array<Effect.Effect<void>> = []
      const existing = Array.from(acked.entries())
      for (let i = 0; i < 6; i++) {
        const name = fresh()
        const dup = existing.length > 0 && rand() < 0.2
        const c = dup ? existing[Math.floor(rand() * existing.length)]![1] : content(rand)
        pendingUploads.set(name, c)
        ops.push(
          upload(s, name, c, true).pipe(
            Effect.tap(() =>
              Effect.sync(() => {
                pendingUploads.delete(name)
                acked.set(name, c)
                figures.acknowledged++
              })
            ),
            Effect.ignore
          )
        )
      }
      const shuffled = existing.sort(() => rand() - 0.5)
      for (const [from, c] of shuffled.slice(0, 2)) {
        const to = fresh()
        const m = { from, to, c }
        pendingMoves.push(m)
        ops.push(
          move(s, from, to).pipe(
            Effect.tap(() =>
              Effect.sync(() => {
                pendingMoves = pendingMoves.filter((x) => x !== m)
                acked.delete(from)
                acked.set(to, c)
                figures.acknowledged++
              })
            ),
            Effect.ignore
          )
        )
      }
      // keep the folder small: delete when it grows past 30 files
      if (acked.size > 30) {
        for (const [name, c] of shuffled.slice(2, 6)) {
          const d = { name, c }
          pendingDeletes.push(d)
          ops.push(
            remove(s, name).pipe(
              Effect.tap(() =>
                Effect.sync(() => {
                  pendingDeletes = pendingDeletes.filter((x) => x !== d)
                  acked.delete(name)
                  figures.acknowledged++
                })
              ),
              Effect.ignore
            )
          )
        }
      }
      const burst = yield* Effect.fork(Effect.all(ops, { concurrency: "unbounded", discard: true }))
      yield* Effect.sleep(Math.floor(10 + rand() * 250))
      yield* kill(child)
      figures.kills++
      yield* burst.await
    }
    return figures
  })
