/**
 * The OAuth token reply (protocol §2.3) and the OAuth error body (§2.9).
 *
 * The wire JSON is decoded with `TokenReply`; `fromReply` turns it into a `TokenSet` whose
 * `expiresAt` is computed from the `Clock` at the time the reply was received. All secrets
 * (`access_token`, `refresh_token`, `id_token`) are `Redacted` as soon as they are decoded.
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { StoredToken } from "./TokenStore.js"

/**
 * Access-token lifetime assumed when a reply has no `expires_in` (the service's default).
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultExpiresInSeconds = 3600

/**
 * The token endpoint's JSON reply, field names as on the wire. Unknown fields are ignored.
 *
 * @since 0.1.0
 * @category schemas
 */
export class TokenReply extends Schema.Class<TokenReply>("@fjord/auth/TokenReply")({
  access_token: Schema.Redacted(Schema.String),
  expires_in: Schema.optional(Schema.Number),
  refresh_expires_in: Schema.optional(Schema.Number),
  refresh_token: Schema.optional(Schema.Redacted(Schema.String)),
  token_type: Schema.optional(Schema.String),
  id_token: Schema.optional(Schema.Redacted(Schema.String)),
  "not-before-policy": Schema.optional(Schema.Number),
  session_state: Schema.optional(Schema.String),
  scope: Schema.optional(Schema.String)
}) {}

/**
 * The token reply as the SDK keeps it: camel-case fields, `expiresAt` in epoch milliseconds.
 *
 * @since 0.1.0
 * @category models
 */
export class TokenSet extends Schema.Class<TokenSet>("@fjord/auth/TokenSet")({
  accessToken: Schema.Redacted(Schema.String),
  refreshToken: Schema.optional(Schema.Redacted(Schema.String)),
  idToken: Schema.optional(Schema.Redacted(Schema.String)),
  tokenType: Schema.String,
  /** Expiry of the access token, epoch milliseconds (reply time + `expires_in`). */
  expiresAt: Schema.Number,
  /** Refresh-token expiry, epoch milliseconds; absent for offline tokens (`refresh_expires_in: 0`). */
  refreshExpiresAt: Schema.optional(Schema.Number),
  scope: Schema.optional(Schema.String),
  sessionState: Schema.optional(Schema.String)
}) {}

/**
 * Converts a decoded reply, received "now" per the `Clock`, into a `TokenSet`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromReply = (reply: TokenReply): Effect.Effect<TokenSet> =>
  Effect.map(Clock.currentTimeMillis, (now) => fromReplyAt(reply, now))

/**
 * Pure variant of `fromReply` with an explicit reception time (epoch milliseconds).
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromReplyAt = (reply: TokenReply, now: number): TokenSet =>
  new TokenSet({
    accessToken: reply.access_token,
    ...(reply.refresh_token === undefined ? {} : { refreshToken: reply.refresh_token }),
    ...(reply.id_token === undefined ? {} : { idToken: reply.id_token }),
    tokenType: reply.token_type ?? "Bearer",
    expiresAt: now + (reply.expires_in ?? defaultExpiresInSeconds) * 1000,
    ...(reply.refresh_expires_in === undefined || reply.refresh_expires_in <= 0
      ? {}
      : { refreshExpiresAt: now + reply.refresh_expires_in * 1000 }),
    ...(reply.scope === undefined ? {} : { scope: reply.scope }),
    ...(reply.session_state === undefined ? {} : { sessionState: reply.session_state })
  })

/**
 * Where a token set came from and how to refresh it: everything a `StoredToken` holds
 * besides the token values.
 *
 * @since 0.1.0
 * @category models
 */
export interface Origin {
  readonly kind: "oidc" | "legacy"
  readonly tokenUrl: string
  readonly clientId: string
  readonly clientSecret?: Redacted.Redacted<string> | undefined
  /** Fingerprint of the credential the token family was created from (see `StoredToken.origin`). */
  readonly origin?: string | undefined
}

/**
 * Builds the persisted form. When the reply carries no refresh token (allowed by OAuth on
 * refresh), `previousRefreshToken` is kept, as protocol §2.4 requires.
 *
 * @since 0.1.0
 * @category conversions
 */
export const toStoredToken = (
  set: TokenSet,
  origin: Origin,
  previousRefreshToken?: Redacted.Redacted<string>
): StoredToken => {
  const refreshToken = Option.firstSomeOf([
    Option.fromNullable(set.refreshToken),
    Option.fromNullable(previousRefreshToken)
  ])
  return new StoredToken({
    kind: origin.kind,
    accessToken: set.accessToken,
    ...(Option.isSome(refreshToken) ? { refreshToken: refreshToken.value } : {}),
    expiresAt: set.expiresAt,
    tokenUrl: origin.tokenUrl,
    clientId: origin.clientId,
    ...(origin.clientSecret === undefined ? {} : { clientSecret: origin.clientSecret }),
    ...(origin.origin === undefined ? {} : { origin: origin.origin })
  })
}

/**
 * An OAuth error body: `{"error":"invalid_grant","error_description":"Stale token"}`.
 *
 * @since 0.1.0
 * @category schemas
 */
export class OAuthErrorBody extends Schema.Class<OAuthErrorBody>("@fjord/auth/OAuthErrorBody")({
  error: Schema.String,
  error_description: Schema.optional(Schema.String),
  error_uri: Schema.optional(Schema.String)
}) {}

/**
 * Decodes a JSON string into an `OAuthErrorBody`, if it is one.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeOAuthError: (text: string) => Option.Option<OAuthErrorBody> = Schema.decodeUnknownOption(
  Schema.parseJson(OAuthErrorBody)
)

/**
 * Decodes a JSON string into a `TokenReply`.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeTokenReply: (text: string) => Option.Option<TokenReply> = Schema.decodeUnknownOption(
  Schema.parseJson(TokenReply)
)
