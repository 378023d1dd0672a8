/**
 * The emulator's command-line option set, shared by the standalone `fjord-emulator` bin and
 * `fjord emulator`: one definition (`@effect/cli` options), one conversion to
 * `Emulator.Options`, one start-up line.
 *
 * @since 0.1.0
 */
import * as Command from "@effect/cli/Command"
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as Options from "@effect/cli/Options"
import * as ValidationError from "@effect/cli/ValidationError"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as Emulator from "./Emulator.js"
import { parseAccountSpec } from "./internal/accountSpec.js"

const parsed =
  <A>(name: string, parse: (s: Array<string>) => A) =>
  (s: Array<string>) =>
    Effect.try({
      try: () => parse(s),
      catch: (e) => ValidationError.invalidValue(HelpDoc.p(`--${name}: ${e instanceof Error ? e.message : String(e)}`))
    })

/**
 * The options: `--port`, `--host`, `--data`, `--quota`, `--access-token-ttl`, `--fault`
 * (repeated), `--account` (repeated; `otp=` for a 2FA account) and `--login-tokens N`.
 *
 * @since 0.1.0
 * @category options
 */
export const options = {
  port: Options.integer("port").pipe(Options.withDescription("TCP port (default: a free one)"), Options.withDefault(0)),
  host: Options.text("host").pipe(
    Options.withDescription("Listen address (default 127.0.0.1)"),
    Options.withDefault("127.0.0.1")
  ),
  data: Options.directory("data", { exists: "either" }).pipe(
    Options.withDescription("Persist content and tokens in this directory (survives kill -9)"),
    Options.optional
  ),
  quota: Options.integer("quota").pipe(
    Options.withDescription("Capacity of every account in bytes (default: unlimited)"),
    Options.optional
  ),
  accessTokenTtl: Options.integer("access-token-ttl").pipe(
    Options.withDescription("Access token lifetime in seconds (default 3600)"),
    Options.optional
  ),
  fault: Options.text("fault").pipe(
    Options.withDescription("Inject a fault, e.g. status:503,op=download,times=2 (see the README)"),
    Options.repeated,
    Options.mapEffect(parsed("fault", (specs) => specs.map(Emulator.parseFault)))
  ),
  account: Options.text("account").pipe(
    Options.withDescription(
      "An extra account: username=NAME,password=PW[,email=ADDR][,otp=CODE][,name=DISPLAY][,quota=BYTES]; otp makes it a 2FA account"
    ),
    Options.repeated,
    Options.mapEffect(parsed("account", (specs) => specs.map(parseAccountSpec)))
  ),
  loginTokens: Options.integer("login-tokens").pipe(
    Options.withDescription("How many personal login tokens to mint for the seeded account (default 1)"),
    Options.withDefault(1)
  )
} as const

/**
 * The parsed options.
 *
 * @since 0.1.0
 * @category models
 */
export interface Parsed {
  readonly port: number
  readonly host: string
  readonly data: Option.Option<string>
  readonly quota: Option.Option<number>
  readonly accessTokenTtl: Option.Option<number>
  readonly fault: ReadonlyArray<Emulator.Fault>
  readonly account: ReadonlyArray<Emulator.Account>
  readonly loginTokens: number
}

/**
 * The `Emulator.Options` the parsed options stand for.
 *
 * @since 0.1.0
 * @category conversions
 */
export const toOptions = (p: Parsed): Emulator.Options => ({
  port: p.port,
  host: p.host,
  dataDir: Option.getOrUndefined(p.data),
  quotaBytes: Option.getOrUndefined(p.quota),
  accessTokenTtlSeconds: Option.getOrUndefined(p.accessTokenTtl),
  faults: p.fault,
  accounts: p.account
})

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
