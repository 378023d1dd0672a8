/**
 * The emulator's command line, shared by the standalone `fjord-emulator` bin and
 * `fjord emulator`: the option set (defined in `CliOptions`, which loads no server code),
 * one start-up, one start-up line.
 *
 * @since 0.1.0
 */
import * as Command from "@effect/cli/Command"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { options, type Parsed, toOptions } from "./CliOptions.js"
import * as Emulator from "./Emulator.js"

/**
 * What the emulator prints when it is up: its URL, the seeded username, a login token, and
 * with `--login-tokens N` (N > 1) all N tokens (`loginToken` is the first).
 *
 * @since 0.1.0
 * @category models
 */
export interface Started {
  readonly url: string
  readonly username: string
  readonly loginToken: string
  readonly loginTokens?: ReadonlyArray<string>
}

/**
 * Starts an emulator from parsed options and mints the requested login tokens.
 *
 * @since 0.1.0
 * @category constructors
 */
export const start = (
  p: Parsed,
  extra: Pick<Emulator.Options, "onRequest"> = {}
): Effect.Effect<{ readonly handle: Emulator.Handle; readonly started: Started }, never, Scope.Scope> =>
  Effect.gen(function* () {
    const handle = yield* Emulator.make({ ...toOptions(p), ...extra })
    const more = yield* Effect.forEach(Array.from({ length: Math.max(0, p.loginTokens - 1) }), () =>
      handle.newLoginToken()
    )
    const started: Started = {
      url: handle.url,
      username: handle.username,
      loginToken: handle.loginToken,
      ...(p.loginTokens > 1 ? { loginTokens: [handle.loginToken, ...more] } : {})
    }
    return { handle, started }
  })

/** One request log line on stderr (the query is already redacted). */
const logLine = (e: Emulator.RequestLog): string => {
  const q = e.query === "" ? "" : `?${e.query}`
  return `${e.method} ${e.path}${q} ${e.status}${e.connectionCut ? " (connection cut)" : ""} in=${e.requestBytes} out=${e.responseBytes}\n`
}

/**
 * The standalone command: prints the start-up line as JSON on stdout, logs each request to
 * stderr, runs until interrupted (SIGINT/SIGTERM).
 *
 * @since 0.1.0
 * @category commands
 */
export const command = Command.make("fjord-emulator", options, (p) =>
  Effect.scoped(
    Effect.gen(function* () {
      const { started } = yield* start(p, { onRequest: (e) => void process.stderr.write(logLine(e)) })
      yield* Effect.sync(() => process.stdout.write(`${JSON.stringify(started)}\n`))
      return yield* Effect.never
    })
  )
).pipe(Command.withDescription("A protocol-faithful Jottacloud server on loopback, for tests and demos"))
