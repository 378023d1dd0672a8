/**
 * The rows of the fault matrix: every fault the emulator injects, each aimed at one request
 * (the operation's `target`, an emulator operation name) and fired once.
 */

import type * as TokenStore from "@fjord/auth/TokenStore"
import type * as Emulator from "@fjord/emulator/Emulator"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"

/** The client timeouts of the matrix (short, so a stall costs well under a second). */
export const connectTimeout = 250
export const idleTimeout = 500
/** How long a `Delay` holds the request: past the wait for the response headers. */
export const stallMillis = 3 * (connectTimeout + idleTimeout)

/** The request a fault is aimed at: an emulator operation name, and where to cut its body. */
export interface Target {
  readonly op: string
  /** Request body bytes let through before a cut (default 64). */
  readonly cutAt?: number | undefined
}

export interface FaultRow {
  readonly name: string
  /** Armed just before the operation runs. */
  readonly arm: (emu: Emulator.Handle, target: Target, tokens: TokenStore.Service) => Effect.Effect<void, unknown>
  /** Only for operations that send a request body. */
  readonly needsBody?: boolean
  /** Whether the fault is expected to be ridden out (true) or to end in a typed error. */
  readonly transient: boolean
}

export const faults: ReadonlyArray<FaultRow> = [
  {
    name: "429 Retry-After: 0",
    arm: (emu, { op }) => emu.inject({ _tag: "Status", status: 429, retryAfter: 0, op }),
    transient: true
  },
  ...[500, 502, 503, 504, 509].map(
    (status): FaultRow => ({
      name: String(status),
      arm: (emu, { op }) => emu.inject({ _tag: "Status", status, op }),
      transient: true
    })
  ),
  {
    name: `stall ${stallMillis} ms (idle timeout ${idleTimeout} ms)`,
    arm: (emu, { op }) => emu.inject({ _tag: "Delay", millis: stallMillis, op }),
    transient: true
  },
  {
    name: "cut request (mid-body)",
    arm: (emu, { op, cutAt }) => emu.inject({ _tag: "CutRequest", afterBytes: cutAt ?? 64, op }),
    needsBody: true,
    transient: true
  },
  {
    name: "cut response (after 100 B)",
    arm: (emu, { op }) => emu.inject({ _tag: "CutResponse", afterBytes: 100, op }),
    transient: true
  },
  {
    name: "truncate (to 100 B)",
    arm: (emu, { op }) => emu.inject({ _tag: "Truncate", bytes: 100, op }),
    transient: true
  },
  { name: "corrupt (one byte)", arm: (emu, { op }) => emu.inject({ _tag: "Corrupt", op }), transient: true },
  { name: "lost reply (committed)", arm: (emu, { op }) => emu.inject({ _tag: "LostReply", op }), transient: true },
  {
    name: "expired access tokens",
    arm: (emu, { op }) => emu.inject({ _tag: "ExpireTokens", op }),
    transient: true
  },
  {
    name: "revoked refresh family",
    // the family dies and every access token expires: the next request must refresh, and cannot
    arm: (emu, _op, tokens) =>
      Effect.gen(function* () {
        const token = yield* tokens.get
        const refresh = Option.flatMapNullable(token, (t) => t.refreshToken)
        if (Option.isNone(refresh)) return yield* Effect.fail("no refresh token to revoke")
        yield* emu.revokeRefreshToken(Redacted.value(refresh.value))
        yield* emu.expireAllAccessTokens
      }),
    transient: false
  }
]
