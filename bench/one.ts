/**
 * Runs one benchmark module by name (see benches.ts). A module exports `run`, returning either a
 * Promise or an Effect; it prints its own JSON result lines.
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Effect from "effect/Effect"
import { benches } from "./benches.js"

const name = process.argv[2]
const bench = benches.find((b) => b.name === name)
if (bench === undefined) {
  process.stderr.write(`unknown bench ${name}; known: ${benches.map((b) => b.name).join(", ")}\n`)
  process.exit(2)
}
const program = Effect.promise(() => bench.load()).pipe(
  Effect.flatMap((mod) => {
    const out: unknown = mod.run()
    return Effect.isEffect(out)
      ? (out as Effect.Effect<unknown, unknown, never>)
      : Effect.promise(() => Promise.resolve(out))
  })
)
NodeRuntime.runMain(program)
