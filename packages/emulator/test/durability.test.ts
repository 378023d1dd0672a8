import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as KillLoop from "./killLoop.js"

/** Kills per run: a handful in CI; `FJORD_KILLS=60` for the long loop. */
const KILLS = Number(process.env.FJORD_KILLS ?? 5)
const SEED = Number(process.env.FJORD_KILL_SEED ?? Date.now() % 1_000_000)

const tempDir = Effect.acquireRelease(
  Effect.sync(() => Fs.mkdtempSync(Path.join(Os.tmpdir(), "fjord-kill-"))),
  (dir) => Effect.sync(() => Fs.rmSync(dir, { recursive: true, force: true }))
)

describe("durable emulator (--data) under kill -9", () => {
  it.live(
    `SIGKILL at random moments of uploads, moves and deletes loses no acknowledged write and serves no wrong byte (${KILLS} kills)`,
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const dataDir = yield* tempDir
          const figures = yield* KillLoop.run({ dataDir, kills: KILLS, seed: SEED })
          yield* Effect.sync(() =>
            process.stdout.write(
              `kill -9 loop (seed ${SEED}): ${JSON.stringify({ ...figures, problems: figures.problems.length })}\n`
            )
          )
          assert.deepStrictEqual(figures.problems, [])
          assert.strictEqual(figures.kills, KILLS)
          assert.strictEqual(figures.wrongBytes, 0)
          assert.strictEqual(figures.lost, 0)
          assert.isAbove(figures.filesVerified, 0)
          assert.isAbove(figures.acknowledged, 0)
        })
      ),
    30_000 + KILLS * 6_000
  )
})
