/**
 * Resume from a token saved elsewhere: an explicit saved token (access token, refresh token,
 * expiry, token URL, client id), or an imported rclone remote (protocol §2.10).
 *
 * The token in the `TokenStore` wins over the saved one once it exists (it is newer: it has
 * been rotated). Warning for rclone imports: after the first refresh here, rclone's copy of
 * the refresh token is stale; if rclone then refreshes, reuse detection kills both. Stop
 * using the rclone remote, or write every rotated token back (`toRcloneToken`).
 *
 * ```ts
 * const Auth = SavedToken.layerRclone(configText, "myjotta").pipe(
 *   Layer.provide(TokenStore.layerMemory()),
 *   Layer.provide(FetchHttpClient.layer)
 * )
 * ```
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import type { Service as AuthService } from "@fjord/core/Auth"
import { AuthError, JottaAuth } from "@fjord/core/Auth"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as AuthPolicy from "./AuthPolicy.js"
import * as Decode from "./internal/decode.js"
import * as OAuthClient from "./OAuthClient.js"
import * as RefreshingAuth from "./RefreshingAuth.js"
import { StoredToken, type TokenStore } from "./TokenStore.js"

/**
 * A token saved by some other means.
 *
 * @since 0.1.0
 * @category models
 */
export interface Saved {
  readonly accessToken: Redacted.Redacted<string>
  readonly refreshToken?: Redacted.Redacted<string> | undefined
  /** Access-token expiry (epoch ms or Date); omitted: treated as unknown, refreshed after a 401. */
  readonly expiresAt?: number | Date | undefined
  /** Default: the main service's OIDC token endpoint (legacy: `<apiUrl>/auth/v1/token`). */
  readonly tokenUrl?: string | undefined
  /** Default `jottacli` (legacy: rclone's built-in id). */
  readonly clientId?: string | undefined
  readonly clientSecret?: Redacted.Redacted<string> | undefined
  readonly kind?: "oidc" | "legacy" | undefined
  readonly apiUrl?: string | undefined
}

/** Go's zero time and absent expiries mean "does not expire" (golang.org/x/oauth2). */
const noExpiry = Number.MAX_SAFE_INTEGER

/**
 * @since 0.1.0
 * @category constructors
 */
export const fromSaved = (saved: Saved): StoredToken => {
  const kind = saved.kind ?? "oidc"
  return new StoredToken({
    kind,
    accessToken: saved.accessToken,
    ...(saved.refreshToken === undefined ? {} : { refreshToken: saved.refreshToken }),
    expiresAt:
      saved.expiresAt === undefined
        ? noExpiry
        : typeof saved.expiresAt === "number"
          ? saved.expiresAt
          : saved.expiresAt.getTime(),
    tokenUrl:
      saved.tokenUrl ?? (kind === "legacy" ? OAuthClient.legacyTokenUrl(saved.apiUrl) : OAuthClient.defaultTokenUrl),
    clientId: saved.clientId ?? (kind === "legacy" ? OAuthClient.legacyDefaultClientId : OAuthClient.cliClientId),
    ...(saved.clientSecret === undefined ? {} : { clientSecret: saved.clientSecret })
  })
}

// -----------------------------------------------------------------------------
// rclone
// -----------------------------------------------------------------------------

/**
 * Parses an rclone configuration file (INI) into sections of key/value pairs.
 * Encrypted configurations (`RCLONE_ENCRYPT_V0:`) are not supported.
 *
 * @since 0.1.0
 * @category rclone
 */
export const parseRcloneConfig = (text: string): Record<string, Record<string, string>> => {
  const sections: Record<string, Record<string, string>> = {}
  let current: Record<string, string> | undefined
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim()
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue
    const header = /^\[(.+)\]$/.exec(line)
    if (header !== null && header[1] !== undefined) {
      current = {}
      sections[header[1]] = current
      continue
    }
    const eq = line.indexOf("=")
    if (current === undefined || eq < 0) continue
    current[line.slice(0, eq).trim()] = line.slice(eq + 1).trim()
  }
  return sections
}

/**
 * JSON of Go's `oauth2.Token` as rclone stores it in `token`.
 *
 * @since 0.1.0
 * @category rclone
 */
export class RcloneToken extends Schema.Class<RcloneToken>("@fjord/auth/RcloneToken")({
  access_token: Schema.Redacted(Schema.String),
  token_type: Schema.optional(Schema.String),
  refresh_token: Schema.optional(Schema.Redacted(Schema.String)),
  expiry: Schema.optional(Schema.String),
  expires_in: Schema.optional(Schema.Number)
}) {}

const decodeRcloneToken = Decode.json(RcloneToken)

/**
 * Parses Go's RFC 3339 time (nanoseconds, local offset). Go's zero time means "no expiry".
 *
 * @since 0.1.0
 * @category rclone
 */
export const parseGoTime = (value: string): Option.Option<number> => {
  if (value.startsWith("0001-01-01")) return Option.some(noExpiry)
  const ms = Date.parse(value.replace(/(\.\d{3})\d+/, "$1"))
  return Number.isNaN(ms) ? Option.none() : Option.some(ms)
}

const invalid = (description: string): AuthError =>
  new AuthError({ reason: "InvalidToken", operation: "SavedToken.fromRclone", description })

const nonEmpty = (value: string | undefined): string | undefined =>
  value === undefined || value === "" ? undefined : value

/**
 * Converts one rclone remote (a section of the config) into a stored token:
 * `configVersion` 1 is the OIDC flow (`tokenURL`, `token_url` overriding it, else the main
 * service; `client_id`, else `jottacli`), `configVersion` 0 the legacy flow (legacy token URL
 * under `apiUrl`, the stored or built-in client id and obscured secret).
 *
 * @since 0.1.0
 * @category rclone
 */
export const fromRclone = (
  section: Readonly<Record<string, string>>,
  options: { readonly apiUrl?: string | undefined } = {}
): Effect.Effect<StoredToken, AuthError> =>
  Effect.gen(function* () {
    if (section.type !== undefined && section.type !== "jottacloud") {
      return yield* Effect.fail(invalid(`not a jottacloud remote (type ${section.type})`))
    }
    const version = section.configVersion
    if (version !== "0" && version !== "1") {
      return yield* Effect.fail(invalid("outdated or missing configVersion (expected 0 or 1)"))
    }
    const raw = nonEmpty(section.token)
    if (raw === undefined) return yield* Effect.fail(invalid("the remote has no token"))
    const decoded = decodeRcloneToken(raw)
    if (Either.isLeft(decoded)) {
      return yield* Effect.fail(invalid(`the remote's token is not valid (${decoded.left.issue})`))
    }
    const token = decoded.right
    const expiresAt = token.expiry === undefined ? Option.some(noExpiry) : parseGoTime(token.expiry)
    if (Option.isNone(expiresAt)) return yield* Effect.fail(invalid("the remote's token expiry is not RFC 3339"))
    const obscuredSecret = nonEmpty(section.client_secret)
    if (version === "1") {
      return fromSaved({
        kind: "oidc",
        accessToken: token.access_token,
        refreshToken: token.refresh_token,
        expiresAt: expiresAt.value,
        tokenUrl: nonEmpty(section.token_url) ?? nonEmpty(section.tokenURL) ?? OAuthClient.defaultTokenUrl,
        clientId: nonEmpty(section.client_id) ?? OAuthClient.cliClientId,
        clientSecret: obscuredSecret === undefined ? undefined : yield* OAuthClient.revealObscured(obscuredSecret)
      })
    }
    const clientId = nonEmpty(section.client_id)
    return fromSaved({
      kind: "legacy",
      accessToken: token.access_token,
      refreshToken: token.refresh_token,
      expiresAt: expiresAt.value,
      tokenUrl: OAuthClient.legacyTokenUrl(options.apiUrl ?? AuthPolicy.defaultApiUrl),
      clientId: clientId ?? OAuthClient.legacyDefaultClientId,
      clientSecret:
        obscuredSecret !== undefined
          ? yield* OAuthClient.revealObscured(obscuredSecret)
          : clientId === undefined
            ? yield* OAuthClient.legacyDefaultClientSecret
            : undefined
    })
  })

/**
 * Picks the remote `remote` of an rclone configuration text and converts it.
 *
 * @since 0.1.0
 * @category rclone
 */
export const fromRcloneConfig = (
  text: string,
  remote: string,
  options: { readonly apiUrl?: string | undefined } = {}
): Effect.Effect<StoredToken, AuthError> =>
  Effect.suspend(() => {
    const section = parseRcloneConfig(text)[remote]
    return section === undefined
      ? Effect.fail(invalid("no such remote in the rclone configuration"))
      : fromRclone(section, options)
  })

const goTime = (ms: number): string => new Date(ms).toISOString().replace(/\.000Z$/, "Z")

/**
 * The `token` value to write back into an rclone remote after a rotation (Go `oauth2.Token`
 * JSON). Contains secrets: write it only to the user's rclone configuration.
 *
 * @since 0.1.0
 * @category rclone
 */
export const toRcloneToken = (token: StoredToken): Redacted.Redacted<string> =>
  Redacted.make(
    JSON.stringify({
      access_token: Redacted.value(token.accessToken),
      token_type: "Bearer",
      ...(token.refreshToken === undefined ? {} : { refresh_token: Redacted.value(token.refreshToken) }),
      expiry: token.expiresAt >= noExpiry ? "0001-01-01T00:00:00Z" : goTime(token.expiresAt)
    })
  )

// -----------------------------------------------------------------------------
// layers
// -----------------------------------------------------------------------------

/**
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  token: StoredToken | Saved,
  options: RefreshingAuth.Options = {}
): Effect.Effect<AuthService, AuthError, TokenStore | HttpClient.HttpClient> =>
  RefreshingAuth.make({ ...options, initial: token instanceof StoredToken ? token : fromSaved(token) })

/**
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  token: StoredToken | Saved,
  options: RefreshingAuth.Options = {}
): Layer.Layer<JottaAuth, AuthError, TokenStore | HttpClient.HttpClient> =>
  Layer.effect(JottaAuth, make(token, options))

/**
 * From the remote `remote` of an rclone configuration text.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerRclone = (
  configText: string,
  remote: string,
  options: RefreshingAuth.Options & { readonly apiUrl?: string | undefined } = {}
): Layer.Layer<JottaAuth, AuthError, TokenStore | HttpClient.HttpClient> =>
  Layer.effect(
    JottaAuth,
    Effect.flatMap(fromRcloneConfig(configText, remote, options), (token) => make(token, options))
  )
