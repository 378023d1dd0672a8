/**
 * The fault matrix (issue 11): every fault the emulator injects × every operation, each cell
 * on its own emulator and SDK (zero-delay retries, short timeouts, low spool and resume
 * limits). A cell ends with the right bytes or a typed error with nothing half-done; the
 * suite prints the matrix it ran and writes it to `.vitest/fault-matrix.{json,md}`, which
 * RELIABILITY.md quotes.
 */
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import * as NodeUrl from "node:url"
import { assert, describe, it } from "@effect/vitest"
import * as AuthPolicy from "@fjord/auth/AuthPolicy"
import * as StaticAuth from "@fjord/auth/StaticAuth"
import * as TokenStore from "@fjord/auth/TokenStore"
import * as Files from "@fjord/core/Files"
import * as JottaClient from "@fjord/core/JottaClient"
import * as Emulator from "@fjord/emulator/Emulator"
import * as NodeJotta from "@fjord/node/NodeJotta"
import { TestKit } from "@fjord/testkit"
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Schedule from "effect/Schedule"
import { connectTimeout, type FaultRow, faults, idleTimeout } from "./matrix/faults.js"
import { md5MemoryLimit, type OperationRow, type Outcome, operations, uploadResumeLimit } from "./matrix/operations.js"

const root = NodeUrl.fileURLToPath(new URL("../../../", import.meta.url))

const systemTmp = NodeOs.tmpdir()

/**
 * Spool files of `uploadStream` go to the OS temporary directory: one of this suite's own while
 * the matrix runs (checked empty at the end), removed afterwards.
 */
const spoolDir = Effect.acquireRelease(
  Effect.sync(() => {
    const dir = NodeFs.mkdtempSync(NodePath.join(systemTmp, "fjord-matrix-spool-"))
    const before = process.env.TMPDIR
    process.env.TMPDIR = dir
    return { dir, before }
  }),
  ({ dir, before }) =>
    Effect.sync(() => {
      if (before === undefined) delete process.env.TMPDIR
      else process.env.TMPDIR = before
      NodeFs.rmSync(dir, { recursive: true, force: true })
    })
)

interface Cell {
  readonly fault: string
  readonly operation: string
  /** `ok`, a typed error's tag (and reason), `n failed` (a transfer's reported files), `fatal`, or `n/a`. */
  readonly outcome: string
  readonly fired: boolean
  readonly requests: number
  readonly bytesVerified: number
  readonly problems: ReadonlyArray<string>
}

const isTyped = (e: unknown): e is Error & { readonly _tag: string; readonly reason?: unknown } =>
  e instanceof Error && "_tag" in e && typeof e._tag === "string"

const outcomeOf = (exit: Exit.Exit<Outcome, unknown>): { outcome: string; problems: Array<string> } => {
  if (Exit.isSuccess(exit)) {
    const o = exit.value
    const outcome = o.fatal !== undefined ? "fatal" : o.failed.length > 0 ? `${o.failed.length} failed` : "ok"
    return { outcome, problems: [...o.problems] }
  }
  const failure = Cause.failureOption(exit.cause)
  if (failure._tag === "None") return { outcome: "defect", problems: [`defect: ${Cause.pretty(exit.cause)}`] }
  const e = failure.value
  if (!isTyped(e)) return { outcome: "untyped", problems: [`untyped failure: ${String(e)}`] }
  const reason = typeof e.reason === "string" ? `:${e.reason}` : ""
  return { outcome: `${e._tag}${reason}`, problems: [] }
}

const client = {
  connectTimeout,
  timeout: idleTimeout,
  md5MemoryLimit: String(md5MemoryLimit),
  uploadResumeLimit: String(uploadResumeLimit)
}

const runCell = (fault: FaultRow, operation: OperationRow, index: number): Effect.Effect<Cell, unknown> =>
  Effect.scoped(
    Effect.gen(function* () {
      const base = { fault: fault.name, operation: operation.name }
      if (fault.needsBody === true && !operation.sendsBody) {
        return { ...base, outcome: "n/a", fired: false, requests: 0, bytesVerified: 0, problems: [] }
      }
      const emu = yield* Emulator.make()
      const context = yield* Layer.build(TestKit.sdk(emu, TestKit.zeroDelayRetry(), client))
      const local = NodeFs.mkdtempSync(NodePath.join(systemTmp, "fjord-cell-"))
      yield* Effect.addFinalizer(() => Effect.sync(() => NodeFs.rmSync(local, { recursive: true, force: true })))
      const cell = Effect.gen(function* () {
        const tokens = yield* TokenStore.TokenStore
        const prepared = yield* operation.prepare({ emu, local, remote: `cell${index}` })
        yield* emu.clearRequests
        yield* fault.arm(emu, operation.target, tokens)
        const exit = yield* Effect.exit(prepared.run)
        yield* emu.clearFaults
        const log = yield* emu.requests
        // checked by a client of its own (a fresh access token): the cell's may have lost its login
        const verifier = yield* Layer.build(
          Files.layer.pipe(
            Layer.provideMerge(JottaClient.layer({ endpoint: emu.url })),
            Layer.provide(StaticAuth.layer(yield* emu.issueAccessToken())),
            Layer.provideMerge(NodeJotta.layer)
          )
        )
        const checked = yield* Effect.provide(prepared.check(exit), verifier)
        const { outcome, problems } = outcomeOf(exit)
        return {
          ...base,
          outcome,
          fired: fault.transient ? log.some((e) => e.op === operation.target.op) : true,
          requests: log.length,
          bytesVerified: checked.bytesVerified,
          problems: [...problems, ...checked.problems]
        } satisfies Cell
      })
      return yield* cell.pipe(
        Effect.provide(context),
        Effect.provideService(Emulator.Emulator, emu),
        Effect.provideService(AuthPolicy.RefreshRetry, Schedule.recurs(4)),
        Effect.provideService(AuthPolicy.TokenRequestTimeout, Duration.millis(connectTimeout + idleTimeout)),
        // the auth layer warns of each failed refresh; the matrix reports outcomes itself
        Logger.withMinimumLogLevel(LogLevel.Error)
      )
    })
  )

/**
 * Cells whose typed error is the right outcome even for a transient fault, with the outcome
 * expected and the reason. Everything else a transient fault hits must end with the right bytes.
 */
const expectedTyped: ReadonlyArray<{ fault: RegExp; operation: RegExp; outcome: RegExp; why: string }> = [
  {
    fault: /^(truncate|corrupt)/,
    operation: /^download/,
    outcome: /^DownloadFailed:(SizeMismatch|Md5Mismatch|RangeMismatch)$/,
    why: "a well-formed reply with other bytes than the file's: caught by the size / MD5 / Content-Range check as it streams; not retried (the bytes already went to the caller)"
  },
  {
    fault: /^(truncate|corrupt)/,
    operation: /^list|on allocate$/,
    outcome: /^InvalidResponse$/,
    why: "a document (XML listing, allocate's JSON) that does not parse is InvalidResponse; a server sending broken documents is not retried"
  },
  {
    fault: /^(truncate|corrupt)/,
    operation: /^sync tree cloud/,
    outcome: /^1 failed$/,
    why: "the download's check fails the file; reported, the rest synced, nothing deleted (this matrix runs one pass)"
  },
  {
    fault: /^(cut response|truncate|corrupt|lost reply)/,
    operation: /^token refresh$/,
    outcome: /^AuthError:/,
    why: "the rotation committed on the server and its reply did not arrive: the old refresh token is spent, and sending it again revokes the family (§2.1, §2.4); log in again"
  }
]

/**
 * Wrong bytes that no check can catch, each with the reason. The suite fails if any other cell
 * ends with a problem, or if one of these stops happening (then this list is out of date).
 */
const knownLimits: ReadonlyArray<{ fault: RegExp; operation: RegExp; why: string }> = [
  {
    fault: /^corrupt/,
    operation: /^download range$/,
    why: "no checksum covers a byte range (the MD5 is the whole file's): a range is checked for its length and Content-Range only"
  }
]

const markdown = (cells: ReadonlyArray<Cell>): string => {
  const ops = operations.map((o) => o.name)
  const lines = [`| fault \\ operation | ${ops.join(" | ")} |`, `|---|${ops.map(() => "---").join("|")}|`]
  for (const f of faults) {
    const row = ops.map((o) => {
      const c = cells.find((x) => x.fault === f.name && x.operation === o)
      if (c === undefined) return ""
      if (c.problems.length === 0) return c.outcome
      const known = knownLimits.some((x) => x.fault.test(c.fault) && x.operation.test(c.operation))
      return known ? `${c.outcome} (undetected, known limit)` : `**${c.outcome} ✗**`
    })
    lines.push(`| ${f.name} | ${row.join(" | ")} |`)
  }
  return lines.join("\n")
}

describe("fault matrix", () => {
  it.scopedLive(
    `every fault × every operation: right bytes or a typed error, nothing half-done (${faults.length} × ${operations.length})`,
    () =>
      Effect.gen(function* () {
        const spool = yield* spoolDir
        const started = Date.now()
        const plan = faults.flatMap((f) => operations.map((o) => [f, o] as const))
        const cells = yield* Effect.forEach(plan, ([f, o], i) => runCell(f, o, i), { concurrency: 6 })
        const ran = cells.filter((c) => c.outcome !== "n/a")
        const limited = (c: Cell) => knownLimits.some((x) => x.fault.test(c.fault) && x.operation.test(c.operation))
        const figures = {
          cells: cells.length,
          ran: ran.length,
          notApplicable: cells.length - ran.length,
          faultsInjected: ran.filter((c) => c.fired).length,
          ok: ran.filter((c) => c.outcome === "ok").length,
          typed: ran.filter((c) => c.outcome !== "ok").length,
          requests: ran.reduce((n, c) => n + c.requests, 0),
          bytesVerified: ran.reduce((n, c) => n + c.bytesVerified, 0),
          failures: ran.filter((c) => c.problems.length > 0 && !limited(c)).length,
          knownLimits: ran.filter((c) => c.problems.length > 0 && limited(c)).length,
          seconds: Math.round((Date.now() - started) / 100) / 10
        }
        const table = markdown(cells)
        NodeFs.mkdirSync(NodePath.join(root, ".vitest"), { recursive: true })
        NodeFs.writeFileSync(
          NodePath.join(root, ".vitest/fault-matrix.json"),
          `${JSON.stringify({ figures, expectedTyped: expectedTyped.map((x) => ({ fault: String(x.fault), operation: String(x.operation), outcome: String(x.outcome), why: x.why })), knownLimits: knownLimits.map((x) => ({ fault: String(x.fault), operation: String(x.operation), why: x.why })), cells }, null, 1)}\n`
        )
        NodeFs.writeFileSync(NodePath.join(root, ".vitest/fault-matrix.md"), `${table}\n`)
        process.stdout.write(`fault matrix: ${JSON.stringify(figures)}\n${table}\n`)

        const broken = ran.filter((c) => c.problems.length > 0 && !limited(c))
        assert.deepStrictEqual(
          ran.filter(limited).map((c) => c.problems.length > 0),
          knownLimits.map(() => true),
          "the known limits still show"
        )
        assert.deepStrictEqual(
          broken.map((c) => `${c.fault} × ${c.operation}: ${c.outcome}: ${c.problems.join("; ")}`),
          []
        )
        assert.deepStrictEqual(
          ran.filter((c) => !c.fired).map((c) => `${c.fault} × ${c.operation}`),
          [],
          "every fault reached its request"
        )
        const unexpected = ran.filter((c) => {
          const transient = faults.find((f) => f.name === c.fault)?.transient === true
          const allowed = expectedTyped.some(
            (x) => x.fault.test(c.fault) && x.operation.test(c.operation) && x.outcome.test(c.outcome)
          )
          return transient ? c.outcome !== "ok" && !allowed : !/^(AuthError:StaleToken|fatal)$/.test(c.outcome)
        })
        assert.deepStrictEqual(
          unexpected.map((c) => `${c.fault} × ${c.operation}: ${c.outcome}`),
          [],
          "transient faults are ridden out, a revoked family fails typed"
        )
        assert.deepStrictEqual(NodeFs.readdirSync(spool.dir), [], "no spool file left")
      }),
    170_000
  )
})
