/**
 * A protocol-faithful Jottacloud server on loopback for tests, demos and benchmarks.
 *
 * @since 0.1.0
 */
import type * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import type { Fault as FaultSpec } from "./internal/faults.js"
import { parseSpec } from "./internal/faults.js"
import { makeIdentity } from "./internal/identity.js"
import type { RequestLogEntry } from "./internal/server.js"
import { start } from "./internal/server.js"
import type { AccountSeed } from "./internal/state.js"

/**
 * A fault to inject. Every fault has the optional matchers `method`, `path` (glob on the raw
 * request path, `*` = anything), `op` (operation name such as `download`, `allocate`,
 * `upload`, `mkDir`, `liststream`, `get`, `token`, or a group `jfs` / `api` / `identity`),
 * `times` (default 1, `Infinity` for always) and `after` (let that many matching requests pass
 * first).
 *
 * @since 0.1.0
 * @category models
 */
export type Fault = FaultSpec

/**
 * Parses a command-line fault spec (`KIND[:ARG][,KEY=VALUE]...`), e.g.
 * `status:503,op=download,times=2`. See the package README.
 *
 * @since 0.1.0
 * @category faults
 */
export const parseFault: (spec: string) => Fault = parseSpec

/**
 * An extra account.
 *
 * @since 0.1.0
 * @category models
 */
export type Account = AccountSeed

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** TCP port; default 0 (a free port). */
  readonly port?: number | undefined
  /** Listen address; default 127.0.0.1. */
  readonly host?: string | undefined
  /** Persist content and metadata here; default: everything in memory. */
  readonly dataDir?: string | undefined
  /** Access token lifetime (expires_in); default 3600. */
  readonly accessTokenTtlSeconds?: number | undefined
  /** Capacity of every account in bytes; default -1 (unlimited). */
  readonly quotaBytes?: number | undefined
  /** Accounts besides the seeded one. */
  readonly accounts?: ReadonlyArray<Account> | undefined
  /** Faults armed from the start. */
  readonly faults?: ReadonlyArray<Fault> | undefined
  /** Reject `%25` and literal `+` in JFS paths (§1.6); both default true. */
  readonly pathChecks?: { readonly rejectPercent25?: boolean; readonly rejectLiteralPlus?: boolean } | undefined
  /** cp/mv/mvDir create missing destination parents; default true. */
  readonly lenientParents?: boolean | undefined
  /** Called when each request completes (the CLI logs to stderr with it). */
  readonly onRequest?: ((entry: RequestLog) => void) | undefined
}

/**
 * One entry of the request log. Credentials never appear in it: credential headers
 * (authorization, cookie, 2FA code) and credential query parameters (passwords, tokens, codes,
 * client secrets) are `<redacted>`, and request bodies are not logged.
 *
 * @since 0.1.0
 * @category models
 */
export interface RequestLog {
  readonly method: string
  readonly path: string
  readonly query: string
  readonly op: string
  readonly status: number
  readonly requestBytes: number
  readonly responseBytes: number
  readonly headers: Readonly<Record<string, string>>
  readonly connectionCut: boolean
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Handle {
  /** Base URL B (no trailing slash). */
  readonly url: string
  /** The seeded account's internal username. */
  readonly username: string
  readonly email: string
  readonly password: string
  /** A fresh single-use personal login token (issued at start). */
  readonly loginToken: string
  /** Issues another personal login token, optionally for a white-label realm. */
  readonly newLoginToken: (realm?: string) => Effect.Effect<string>
  /** A valid access token for raw requests (issued at start). */
  readonly accessToken: string
  /** Issues an access token for the seeded account, or for `username`. */
  readonly issueAccessToken: (username?: string) => Effect.Effect<string>
  readonly requests: Effect.Effect<ReadonlyArray<RequestLog>>
  readonly clearRequests: Effect.Effect<void>
  readonly inject: (fault: Fault) => Effect.Effect<void>
  readonly clearFaults: Effect.Effect<void>
  readonly expireAllAccessTokens: Effect.Effect<void>
  readonly revokeRefreshToken: (refreshToken: string) => Effect.Effect<void>
  readonly setAccessTokenTtl: (seconds: number) => Effect.Effect<void>
  /** Moves the emulator's clock forward (token expiry, timestamps). */
  readonly advanceClock: (millis: number) => Effect.Effect<void>
}

/**
 * The service shape of the `Emulator` tag (the handle).
 *
 * @since 0.1.0
 * @category models
 */
export type Service = Handle

/**
 * @since 0.1.0
 * @category tags
 */
export class Emulator extends Context.Tag("@fjord/emulator/Emulator")<Emulator, Handle>() {}

/**
 * The seeded account.
 *
 * @since 0.1.0
 * @category constants
 */
export const seededAccount: Account = {
  username: "k9demouser4x7q2",
  email: "ola.nordmann@example.org",
  password: "fjord-emulator-password",
  name: "Ola Nordmann"
}

const snapshotEntry = (e: RequestLogEntry): RequestLog => ({ ...e, headers: { ...e.headers } })

/**
 * Starts an emulator on a free loopback port; it stops when the scope closes. A port that is
 * already taken (explicit `port`) is a defect.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (options?: Options) => Effect.Effect<Handle, never, Scope.Scope> = Effect.fn("Emulator.make")(
  function* (options: Options = {}) {
    const running = yield* start(
      {
        port: options.port ?? 0,
        host: options.host ?? "127.0.0.1",
        dataDir: options.dataDir,
        accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 3600,
        quotaBytes: options.quotaBytes ?? -1,
        accounts: [seededAccount, ...(options.accounts ?? [])],
        faults: options.faults ?? [],
        pathChecks: {
          rejectPercent25: options.pathChecks?.rejectPercent25 ?? true,
          rejectLiteralPlus: options.pathChecks?.rejectLiteralPlus ?? true
        },
        lenientParents: options.lenientParents ?? true,
        onRequest: options.onRequest
      },
      makeIdentity
    )
    const { identity, state, faults, log } = running
    const username = seededAccount.username
    const persisted = <A>(eff: Effect.Effect<A>): Effect.Effect<A> => Effect.tap(eff, () => running.persist)
    const loginToken = yield* persisted(identity.issueLoginToken(username))
    const accessToken = yield* persisted(identity.issueAccessToken(username))
    return {
      url: running.url,
      username,
      email: seededAccount.email,
      password: seededAccount.password,
      loginToken,
      accessToken,
      newLoginToken: (realm) => persisted(identity.issueLoginToken(username, realm)),
      issueAccessToken: (user) => persisted(identity.issueAccessToken(user ?? username)),
      requests: Effect.sync(() => log.map(snapshotEntry)),
      clearRequests: Effect.sync(() => {
        log.length = 0
      }),
      inject: (fault) => Effect.sync(() => faults.add(fault)),
      clearFaults: Effect.sync(() => faults.clear()),
      expireAllAccessTokens: persisted(identity.expireAllAccessTokens),
      revokeRefreshToken: (token) => persisted(identity.revokeRefreshToken(token)),
      setAccessTokenTtl: (seconds) => identity.setAccessTokenTtl(seconds),
      advanceClock: (millis) =>
        Effect.sync(() => {
          state.clockOffset += millis
        })
    } satisfies Handle
  }
)

/**
 * A layer providing the `Emulator` service (the Handle) for the layer's lifetime.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options?: Options): Layer.Layer<Emulator> => Layer.scoped(Emulator, make(options))

/**
 * A layer whose options come from Effect `Config` (e.g. `Config.all({ port: Config.integer("FJORD_EMULATOR_PORT") })`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (config: Config.Config<Options>): Layer.Layer<Emulator, ConfigError.ConfigError> =>
  Layer.scoped(Emulator, Effect.flatMap(config, make))
