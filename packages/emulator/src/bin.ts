#!/usr/bin/env node
/**
 * Command line: `fjord-emulator [--port N] [--host H] [--data DIR] [--access-token-ttl SECONDS]
 * [--quota BYTES] [--fault SPEC]...`. Prints one JSON line `{"url","username","loginToken"}` on
 * stdout, then logs each request to stderr; exits on SIGINT/SIGTERM.
 *
 * @since 0.1.0
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Emulator from "./Emulator.js"

interface Args {
  help?: boolean
  port?: number
  host?: string
  dataDir?: string
  ttl?: number
  quota?: number
  faults: Array<Emulator.Fault>
}

const USAGE =
  "usage: emulator [--port N] [--host 127.0.0.1] [--data DIR] [--access-token-ttl SECONDS] [--quota BYTES] [--fault SPEC]..."

const parseArgs = (argv: ReadonlyArray<string>): Args => {
  const out: Args = { faults: [] }
  for (let i = 0; i < argv.length; i++) {
    const raw = argv[i]!
    const eq = raw.indexOf("=")
    const name = raw.startsWith("--") && eq > 0 ? raw.slice(0, eq) : raw
    const value = (): string => {
      if (raw.startsWith("--") && eq > 0) return raw.slice(eq + 1)
      const v = argv[++i]
      if (v === undefined) throw new Error(`${name} needs a value\n${USAGE}`)
      return v
    }
    const int = (v: string): number => {
      const n = Number(v)
      if (!Number.isInteger(n)) throw new Error(`${name}: not an integer: ${v}`)
      return n
    }
    switch (name) {
      case "--port":
        out.port = int(value())
        break
      case "--host":
        out.host = value()
        break
      case "--data":
        out.dataDir = value()
        break
      case "--access-token-ttl":
        out.ttl = int(value())
        break
      case "--quota":
        out.quota = int(value())
        break
      case "--fault":
        out.faults.push(Emulator.parseFault(value()))
        break
      case "--":
        break
      case "--help":
      case "-h":
        out.help = true
        break
      default:
        throw new Error(`unknown argument ${raw}\n${USAGE}`)
    }
  }
  return out
}

const program = Effect.gen(function* () {
  const args = yield* Effect.try({
    try: () => parseArgs(process.argv.slice(2)),
    catch: (e) => (e instanceof Error ? e.message : String(e))
  })
  if (args.help) {
    yield* Console.log(USAGE)
    return
  }
  const emu = yield* Emulator.make({
    port: args.port,
    host: args.host,
    dataDir: args.dataDir,
    accessTokenTtlSeconds: args.ttl,
    quotaBytes: args.quota,
    faults: args.faults,
    onRequest: (e) => {
      const q = e.query === "" ? "" : `?${e.query}`
      process.stderr.write(
        `${e.method} ${e.path}${q} ${e.status}${e.connectionCut ? " (connection cut)" : ""} in=${e.requestBytes} out=${e.responseBytes}\n`
      )
    }
  })
  yield* Effect.sync(() =>
    process.stdout.write(`${JSON.stringify({ url: emu.url, username: emu.username, loginToken: emu.loginToken })}\n`)
  )
  return yield* Effect.never
}).pipe(
  Effect.scoped,
  Effect.catchAll((message) => Console.error(message).pipe(Effect.zipRight(Effect.sync(() => process.exit(2)))))
)

NodeRuntime.runMain(program)
