/**
 * Identity side of the emulator: personal login tokens, the Keycloak-style OIDC realms
 * (discovery, token, authorize with PKCE), refresh-token families with rotation and reuse
 * detection, the legacy auth/v1 endpoints (register, PASSWORD / REFRESH_TOKEN grants, SMS 2FA),
 * and bearer validation for the data routes.
 *
 * INTERFACE CONTRACT (fixed; the implementation below is owned by the identity work):
 * the server (Emulator.ts) builds one Identity per emulator and
 *  - mounts `router` at the root of the server (it serves `/id/...` and `/api/auth/v1/...`),
 *  - calls `authenticate` for every JFS / API / upload request,
 *  - exposes the control functions through the Emulator test handles.
 */
import type * as HttpRouter from "@effect/platform/HttpRouter"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Realms from "./identity/realms.js"
import * as Routes from "./identity/routes.js"
import * as Store from "./identity/store.js"

/**
 * An account the identity side knows.
 *
 * @since 0.1.0
 * @category models
 */
export interface IdentityAccount {
  /** Internal username used in JFS paths. */
  readonly username: string
  readonly email: string
  /** Password for the legacy PASSWORD grant. */
  readonly password: string
  /** When set, the legacy login demands this SMS code (digits only; users may type 123-456). */
  readonly otp?: string | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface IdentityOptions {
  /** Base URL B of the emulator, e.g. http://127.0.0.1:40123 (no trailing slash). */
  readonly baseUrl: string
  /** Access token lifetime in seconds (expires_in). */
  readonly accessTokenTtlSeconds: number
  /** Current time in epoch ms; the emulator's clock (controllable from tests). */
  readonly now: Effect.Effect<number>
  readonly accounts: ReadonlyArray<IdentityAccount>
  /** error_description used for refresh-token reuse / revocation; default "Stale token". */
  readonly staleTokenDescription?: string | undefined
  /**
   * Traditional (authorization-code) logins are exclusive, as rclone documents: a new one for
   * the same account, realm and client ends the previous one's refresh family. Default true.
   */
  readonly exclusiveCodeLogins?: boolean | undefined
}

/**
 * JSON-serialisable identity state, so `--data DIR` can persist tokens across restarts.
 *
 * @since 0.1.0
 * @category models
 */
export type IdentitySnapshot = unknown

/**
 * @since 0.1.0
 * @category models
 */
export interface Identity {
  /** Routes for /id/auth/realms/<realm>/... and /api/auth/v1/{token,register}. */
  readonly router: HttpRouter.HttpRouter<never, never>
  /** Resolves a bearer access token to the account username, if valid and not expired. */
  readonly authenticate: (accessToken: string) => Effect.Effect<Option.Option<string>>
  /** Issues a fresh single-use personal login token (base64url JSON, well_known_link under B). */
  readonly issueLoginToken: (username: string, realm?: string) => Effect.Effect<string>
  /** Issues an access token directly (handy for raw HTTP tests). */
  readonly issueAccessToken: (username: string) => Effect.Effect<string>
  /** Every access token issued so far expires now. */
  readonly expireAllAccessTokens: Effect.Effect<void>
  /** Revokes the family of the given refresh token (as "My logged in devices" does). */
  readonly revokeRefreshToken: (refreshToken: string) => Effect.Effect<void>
  readonly setAccessTokenTtl: (seconds: number) => Effect.Effect<void>
  readonly snapshot: Effect.Effect<IdentitySnapshot>
}

/**
 * Builds the identity part of one emulator. `restore` is a value produced earlier by `snapshot`
 * (after a JSON round trip); a value that does not decode is ignored with a warning.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeIdentity = (options: IdentityOptions, restore?: IdentitySnapshot): Effect.Effect<Identity> =>
  Effect.gen(function* () {
    const decoded = restore === undefined ? Option.none() : Schema.decodeUnknownOption(Store.Snapshot)(restore)
    if (restore !== undefined && Option.isNone(decoded)) {
      yield* Effect.logWarning("identity: ignoring an unreadable token snapshot")
    }
    const state = Option.isSome(decoded)
      ? Store.fromSnapshot(decoded.value, options.accessTokenTtlSeconds)
      : Store.emptyState(options.accessTokenTtlSeconds)
    const baseUrl = options.baseUrl.replace(/\/+$/, "")
    const router = Routes.makeRouter({
      state: () => state,
      baseUrl,
      now: options.now,
      accounts: options.accounts,
      staleTokenDescription: options.staleTokenDescription ?? "Stale token",
      exclusiveCodeLogins: options.exclusiveCodeLogins ?? true
    })
    const identity: Identity = {
      router,
      authenticate: (accessToken) =>
        Effect.map(options.now, (now) => Option.fromNullable(Store.authenticate(state, accessToken, now))),
      issueLoginToken: (username, realm = "jottacloud") =>
        Realms.realms.has(realm)
          ? Effect.sync(() => {
              const secret = Store.issueLoginToken(state, username, realm)
              return Buffer.from(
                JSON.stringify({
                  username,
                  realm,
                  well_known_link: Realms.wellKnownUrl(baseUrl, realm),
                  auth_token: secret
                }),
                "utf8"
              ).toString("base64url")
            })
          : Effect.dieMessage(`identity: unknown realm ${realm}`),
      issueAccessToken: (username) => Effect.map(options.now, (now) => Store.issueAccess(state, username, now)),
      expireAllAccessTokens: Effect.flatMap(options.now, (now) => Effect.sync(() => Store.expireAll(state, now))),
      revokeRefreshToken: (refreshToken) => Effect.sync(() => Store.revokeRefresh(state, refreshToken)),
      setAccessTokenTtl: (seconds) =>
        Effect.sync(() => {
          state.ttlSeconds = seconds
        }),
      snapshot: Effect.sync(() => Store.toSnapshot(state))
    }
    return identity
  })
