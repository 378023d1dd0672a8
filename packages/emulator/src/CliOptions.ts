/**
 * The emulator's command-line options alone: their `@effect/cli` definitions, their parsed
 * shape and its conversion to `Emulator.Options`. This module loads no server code (the fault
 * and account specs are parsed by small leaf modules), so a CLI that offers these options —
 * `fjord emulator` — can import it at start-up and load the server only when the command runs.
 *
 * @since 0.1.0
 */
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as Options from "@effect/cli/Options"
import * as ValidationError from "@effect/cli/ValidationError"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Emulator from "./Emulator.js"
import { parseAccountSpec } from "./internal/accountSpec.js"
import { parseSpec as parseFault } from "./internal/faults.js"

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
    Options.mapEffect(parsed("fault", (specs) => specs.map(parseFault)))
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
