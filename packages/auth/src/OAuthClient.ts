/**
 * The token-endpoint calls of every flow (protocol §2.2–§2.9), over `@effect/platform`'s
 * `HttpClient` only (platform-free).
 *
 * Wire choices:
 * - Bodies are `application/x-www-form-urlencoded` with keys sorted (as rclone sends them).
 * - Client authentication: the client id (and, for legacy clients, the secret) is sent as a
 *   **form field**, never as HTTP Basic. RFC 6749 §2.3.1 allows both, Keycloak and the legacy
 *   endpoint accept both, and one request is simpler and cheaper than golang.org/x/oauth2's
 *   "try Basic, then repeat with form fields" auto-detection, which would also double the
 *   requests a stale refresh token makes.
 * - The legacy `PASSWORD` grant carries its parameters in the query string with an empty
 *   body, exactly like rclone. Because that URL holds the password, tracing is disabled for
 *   that one request (the `HttpClient` span would otherwise record `url.full`).
 * - Errors: OAuth JSON bodies become `AuthError`: `invalid_grant` with "Stale token" or
 *   "Session doesn't have required client" (and any `invalid_grant` on a refresh) is
 *   `StaleToken`; `invalid_client` / `unauthorized_client` is `InvalidClient`; other OAuth
 *   errors are `InvalidCredentials`. Non-JSON failures are `Transport` with the status.
 * - Refreshes are retried per `AuthPolicy.RefreshRetry` (default: 5 tries, 1 s apart) for
 *   transient failures only (no reply, 429, 500, 502, 503, 504, 509); 400/401 are final.
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { AuthError } from "@fjord/core/Auth"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as AuthPolicy from "./AuthPolicy.js"
import * as Decode from "./internal/decode.js"
import * as WebCrypto from "./internal/webCrypto.js"
import * as TokenSet from "./TokenSet.js"
import type { StoredToken } from "./TokenStore.js"

// -----------------------------------------------------------------------------
// constants
// -----------------------------------------------------------------------------

/**
 * Client id of the personal-login-token flow ("Jottacloud CLI" in the web UI).
 *
 * @since 0.1.0
 * @category constants
 */
export const cliClientId = "jottacli"

/**
 * Scope of the personal-login-token password grant.
 *
 * @since 0.1.0
 * @category constants
 */
export const cliScope = "openid offline_access"

/**
 * rclone's built-in legacy client id (used when no device is registered).
 *
 * @since 0.1.0
 * @category constants
 */
export const legacyDefaultClientId = "nibfk8biu12ju7hpqomr8b1e40"

/**
 * rclone's built-in legacy client secret, in rclone's obscured form (public; reveal with
 * `legacyDefaultClientSecret`).
 *
 * @since 0.1.0
 * @category constants
 */
export const legacyObscuredClientSecret = "Vp8eAv7eVElMnQwN-kgU9cbhgApNDaMqWdlDi5qFydlQoji4JBxrGMF2"

/**
 * Reveals a value in rclone's obscured form (base64url IV + AES-256-CTR under rclone's
 * published key). Fails with `InvalidToken` when the value is not in that form.
 *
 * @since 0.1.0
 * @category utils
 */
export const revealObscured = (obscured: string): Effect.Effect<Redacted.Redacted<string>, AuthError> =>
  Effect.flatMap(
    WebCrypto.revealObscured(obscured),
    Option.match({
      onNone: () =>
        Effect.fail(
          new AuthError({
            reason: "InvalidToken",
            operation: "OAuthClient.revealObscured",
            description: "not an rclone-obscured value"
          })
        ),
      onSome: (plain) => Effect.succeed(Redacted.make(plain))
    })
  )

/**
 * rclone's built-in legacy client secret, revealed.
 *
 * @since 0.1.0
 * @category constants
 */
export const legacyDefaultClientSecret: Effect.Effect<Redacted.Redacted<string>, AuthError> = revealObscured(
  legacyObscuredClientSecret
)

/**
 * The fixed public bearer of the legacy device registration (protocol §2.8; not a user secret).
 *
 * @since 0.1.0
 * @category constants
 */
export const legacyRegisterBearer = "c2xrZmpoYWRsZmFramhkc2xma2phaHNkbGZramhhc2xkZmtqaGFzZGxrZmpobGtq"

/**
 * The main service's OIDC token endpoint (rclone's default `tokenURL`).
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultTokenUrl = "https://id.jottacloud.com/auth/realms/jottacloud/protocol/openid-connect/token"

/**
 * Joins a path onto an API root (`https://api.jottacloud.com/` or the emulator's `B/api`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const apiEndpoint = (apiUrl: string, path: string): string =>
  `${apiUrl.endsWith("/") ? apiUrl : `${apiUrl}/`}${path}`

/**
 * The legacy token endpoint under an API root.
 *
 * @since 0.1.0
 * @category constructors
 */
export const legacyTokenUrl = (apiUrl: string = AuthPolicy.defaultApiUrl): string =>
  apiEndpoint(apiUrl, "auth/v1/token")

// -----------------------------------------------------------------------------
// errors
// -----------------------------------------------------------------------------

const transientStatuses: ReadonlySet<number> = new Set([429, 500, 502, 503, 504, 509])

/**
 * Whether a failed token request may be retried: no reply at all, or 429 / 5xx.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isTransient = (error: AuthError): boolean =>
  error.reason === "Transport" && (error.status === undefined || transientStatuses.has(error.status))

const staleDescription = /stale token|session doesn't have required client/i

/**
 * Maps a token endpoint's OAuth error body to an `AuthError`.
 *
 * @since 0.1.0
 * @category errors
 */
export const fromOAuthError = (
  operation: string,
  status: number,
  body: TokenSet.OAuthErrorBody,
  options?: { readonly refresh?: boolean | undefined }
): AuthError => {
  const description = body.error_description === undefined ? body.error : `${body.error}: ${body.error_description}`
  const reason =
    body.error === "invalid_grant"
      ? options?.refresh === true || staleDescription.test(body.error_description ?? "")
        ? "StaleToken"
        : "InvalidCredentials"
      : body.error === "invalid_client" || body.error === "unauthorized_client"
        ? "InvalidClient"
        : "InvalidCredentials"
  return new AuthError({ reason, operation, description, status })
}

const fromHttpClientError = (
  operation: string,
  error: HttpClientError.HttpClientError,
  keepCause: boolean
): AuthError =>
  error._tag === "RequestError"
    ? new AuthError({
        reason: "Transport",
        operation,
        description: `request failed (${error.reason})`,
        // the underlying transport error only (the request, with its URL and headers, stays
        // out of errors), and nothing at all when the URL carries a secret
        ...(error.cause === undefined || !keepCause ? {} : { cause: error.cause })
      })
    : new AuthError({
        reason: "Transport",
        operation,
        description: `response failed (${error.reason})`,
        status: error.response.status
      })

const isOtpRequired = (response: HttpClientResponse.HttpClientResponse): boolean => {
  const header = response.headers["x-jottacloud-otp"]
  return header !== undefined && /required/i.test(header)
}

const fromFailedResponse = (
  operation: string,
  response: HttpClientResponse.HttpClientResponse,
  text: string,
  options?: { readonly refresh?: boolean | undefined; readonly otp?: boolean | undefined }
): AuthError => {
  if (options?.otp === true && isOtpRequired(response)) {
    return new AuthError({
      reason: "TwoFactorRequired",
      operation,
      description: "the account requires an SMS code",
      status: response.status
    })
  }
  const body = TokenSet.decodeOAuthError(text)
  if (Option.isSome(body)) return fromOAuthError(operation, response.status, body.value, options)
  return new AuthError({
    reason: response.status === 400 || response.status === 401 ? "InvalidCredentials" : "Transport",
    operation,
    description: `unexpected HTTP ${response.status} from the token endpoint`,
    status: response.status
  })
}

// -----------------------------------------------------------------------------
// requests
// -----------------------------------------------------------------------------

type Params = ReadonlyArray<readonly [string, string]>

const sorted = (params: Params): Params => [...params].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))

const formPost = (url: string, params: Params): HttpClientRequest.HttpClientRequest =>
  HttpClientRequest.post(url).pipe(HttpClientRequest.acceptJson, HttpClientRequest.bodyUrlParams(sorted(params)))

interface SendOptions {
  readonly refresh?: boolean | undefined
  readonly otp?: boolean | undefined
  /** The request URL carries a secret: do not trace it. */
  readonly secretUrl?: boolean | undefined
}

const sendRaw = (operation: string, request: HttpClientRequest.HttpClientRequest, options: SendOptions) =>
  Effect.gen(function* () {
    const base = yield* HttpClient.HttpClient
    const client = options.secretUrl === true ? HttpClient.withTracerDisabledWhen(base, () => true) : base
    const timeout = yield* AuthPolicy.TokenRequestTimeout
    const { response, text } = yield* client.execute(request).pipe(
      Effect.flatMap((response) => Effect.map(response.text, (text) => ({ response, text }))),
      Effect.mapError((e) => fromHttpClientError(operation, e, options.secretUrl !== true)),
      Effect.timeoutFail({
        duration: timeout,
        onTimeout: () =>
          new AuthError({ reason: "Transport", operation, description: `no reply within ${Duration.format(timeout)}` })
      })
    )
    if (response.status < 200 || response.status >= 300) {
      return yield* Effect.fail(fromFailedResponse(operation, response, text, options))
    }
    return text
  })

const decodeTokenReply = Decode.json(TokenSet.TokenReply)

const sendToken = (operation: string, request: HttpClientRequest.HttpClientRequest, options: SendOptions) =>
  Effect.flatMap(sendRaw(operation, request, options), (text) =>
    Either.match(decodeTokenReply(text), {
      onLeft: (issue) =>
        Effect.fail(
          new AuthError({
            reason: "Transport",
            operation,
            description: `the token endpoint answered an unexpected body (${issue.issue})`,
            cause: issue
          })
        ),
      onRight: TokenSet.fromReply
    })
  )

// -----------------------------------------------------------------------------
// discovery
// -----------------------------------------------------------------------------

/**
 * The parts of an OpenID discovery document the SDK uses.
 *
 * @since 0.1.0
 * @category schemas
 */
export class Discovery extends Schema.Class<Discovery>("@fjord/auth/Discovery")({
  issuer: Schema.optional(Schema.String),
  authorization_endpoint: Schema.String,
  token_endpoint: Schema.String
}) {}

const decodeDiscovery = Decode.json(Discovery)

/**
 * `GET` an OpenID discovery document (no authentication).
 *
 * @since 0.1.0
 * @category requests
 */
export const discover: (wellKnownUrl: string) => Effect.Effect<Discovery, AuthError, HttpClient.HttpClient> = Effect.fn(
  "OAuthClient.discover"
)(function* (wellKnownUrl: string) {
  const text = yield* sendRaw(
    "OAuthClient.discover",
    HttpClientRequest.get(wellKnownUrl).pipe(HttpClientRequest.acceptJson),
    {}
  )
  return yield* Either.match(decodeDiscovery(text), {
    onLeft: (issue) =>
      Effect.fail(
        new AuthError({
          reason: "Transport",
          operation: "OAuthClient.discover",
          description: `the discovery document is not valid (${issue.issue})`,
          cause: issue
        })
      ),
    onRight: Effect.succeed
  })
})

// -----------------------------------------------------------------------------
// grants
// -----------------------------------------------------------------------------

/**
 * Resource-owner password grant (the personal-login-token exchange, protocol §2.2).
 *
 * @since 0.1.0
 * @category requests
 */
export const passwordGrant: (options: {
  readonly tokenUrl: string
  readonly clientId: string
  readonly username: string
  readonly password: Redacted.Redacted<string>
  readonly scope: string
}) => Effect.Effect<TokenSet.TokenSet, AuthError, HttpClient.HttpClient> = Effect.fn("OAuthClient.passwordGrant")(
  function* (options) {
    return yield* sendToken(
      "OAuthClient.passwordGrant",
      formPost(options.tokenUrl, [
        ["client_id", options.clientId],
        ["grant_type", "password"],
        ["password", Redacted.value(options.password)],
        ["scope", options.scope],
        ["username", options.username]
      ]),
      {}
    )
  }
)

/**
 * Authorization-code grant with the PKCE `code_verifier` (protocol §2.5).
 *
 * @since 0.1.0
 * @category requests
 */
export const authorizationCodeGrant: (options: {
  readonly tokenUrl: string
  readonly clientId: string
  readonly code: Redacted.Redacted<string>
  readonly redirectUri: string
  readonly codeVerifier?: Redacted.Redacted<string> | undefined
}) => Effect.Effect<TokenSet.TokenSet, AuthError, HttpClient.HttpClient> = Effect.fn(
  "OAuthClient.authorizationCodeGrant"
)(function* (options) {
  return yield* sendToken(
    "OAuthClient.authorizationCodeGrant",
    formPost(options.tokenUrl, [
      ["client_id", options.clientId],
      ["code", Redacted.value(options.code)],
      ...(options.codeVerifier === undefined ? [] : [["code_verifier", Redacted.value(options.codeVerifier)] as const]),
      ["grant_type", "authorization_code"],
      ["redirect_uri", options.redirectUri]
    ]),
    {}
  )
})

/**
 * What a refresh request needs: the token endpoint, the client and the refresh token.
 *
 * @since 0.1.0
 * @category models
 */
export interface RefreshOptions {
  readonly tokenUrl: string
  readonly clientId: string
  readonly clientSecret?: Redacted.Redacted<string> | undefined
  readonly refreshToken: Redacted.Redacted<string>
  /** The upper-case `REFRESH_TOKEN` grant of the legacy flow. */
  readonly legacy?: boolean | undefined
}

/**
 * One refresh request, without retries: `refresh_token` (OIDC) or `REFRESH_TOKEN` (legacy).
 *
 * @since 0.1.0
 * @category requests
 */
export const refreshGrantOnce = (
  options: RefreshOptions
): Effect.Effect<TokenSet.TokenSet, AuthError, HttpClient.HttpClient> =>
  sendToken(
    "OAuthClient.refresh",
    formPost(options.tokenUrl, [
      ...(options.clientId === "" ? [] : [["client_id", options.clientId] as const]),
      ...(options.clientSecret === undefined ? [] : [["client_secret", Redacted.value(options.clientSecret)] as const]),
      ["grant_type", options.legacy === true ? "REFRESH_TOKEN" : "refresh_token"],
      ["refresh_token", Redacted.value(options.refreshToken)]
    ]),
    { refresh: true }
  )

/**
 * A refresh with the retry policy `AuthPolicy.RefreshRetry` applied to transient failures.
 *
 * @since 0.1.0
 * @category requests
 */
export const refreshGrant: (
  options: RefreshOptions
) => Effect.Effect<TokenSet.TokenSet, AuthError, HttpClient.HttpClient> = Effect.fn("OAuthClient.refreshGrant")(
  function* (options) {
    const schedule = yield* AuthPolicy.RefreshRetry
    return yield* Effect.retry(refreshGrantOnce(options), { schedule, while: isTransient })
  }
)

/**
 * Refreshes a stored token with the grant its `kind` calls for and returns the next stored
 * token (same endpoint, client and origin; the old refresh token is kept if the reply has none).
 *
 * @since 0.1.0
 * @category requests
 */
export const refresh: (token: StoredToken) => Effect.Effect<StoredToken, AuthError, HttpClient.HttpClient> = Effect.fn(
  "OAuthClient.refresh"
)(function* (token: StoredToken) {
  if (token.refreshToken === undefined) {
    return yield* Effect.fail(
      new AuthError({
        reason: "InvalidToken",
        operation: "OAuthClient.refresh",
        description: "the stored token has no refresh token"
      })
    )
  }
  const set = yield* refreshGrant({
    tokenUrl: token.tokenUrl,
    clientId: token.clientId,
    clientSecret: token.clientSecret,
    refreshToken: token.refreshToken,
    legacy: token.kind === "legacy"
  })
  return TokenSet.toStoredToken(set, token, token.refreshToken)
})

// -----------------------------------------------------------------------------
// legacy
// -----------------------------------------------------------------------------

/**
 * Legacy `PASSWORD` grant at `auth/v1/token`, parameters in the query string (protocol §2.8).
 * Fails with reason `TwoFactorRequired` when the reply carries `X-JottaCloud-OTP: required`;
 * repeat with `otp` (dashes are stripped here).
 *
 * @since 0.1.0
 * @category requests
 */
export const legacyPasswordGrant: (options: {
  readonly tokenUrl: string
  readonly clientId: string
  readonly clientSecret?: Redacted.Redacted<string> | undefined
  readonly username: string
  readonly password: Redacted.Redacted<string>
  readonly otp?: Redacted.Redacted<string> | undefined
}) => Effect.Effect<TokenSet.TokenSet, AuthError, HttpClient.HttpClient> = Effect.fn("OAuthClient.legacyPasswordGrant")(
  function* (options) {
    const params = sorted([
      ["client_id", options.clientId],
      ...(options.clientSecret === undefined ? [] : [["client_secret", Redacted.value(options.clientSecret)] as const]),
      ["grant_type", "PASSWORD"],
      ["password", Redacted.value(options.password)],
      ["username", options.username]
    ])
    let request = HttpClientRequest.post(options.tokenUrl).pipe(
      HttpClientRequest.acceptJson,
      HttpClientRequest.setUrlParams(params),
      HttpClientRequest.setHeader("content-type", "application/x-www-form-urlencoded")
    )
    if (options.otp !== undefined) {
      request = HttpClientRequest.setHeader(
        request,
        "x-jottacloud-otp",
        Redacted.value(options.otp).replace(/[-\s]/g, "")
      )
    }
    return yield* sendToken("OAuthClient.legacyPasswordGrant", request, { otp: true, secretUrl: true })
  }
)

/**
 * Reply of the legacy device registration.
 *
 * @since 0.1.0
 * @category schemas
 */
export class LegacyClient extends Schema.Class<LegacyClient>("@fjord/auth/LegacyClient")({
  client_id: Schema.String,
  client_secret: Schema.Redacted(Schema.String)
}) {}

const decodeLegacyClient = Decode.json(LegacyClient)

/**
 * Registers a device for a machine-specific legacy client id and secret
 * (`POST auth/v1/register?device_id=…` with the fixed public bearer).
 *
 * @since 0.1.0
 * @category requests
 */
export const legacyRegister: (options: {
  readonly registerUrl: string
  readonly deviceId: string
}) => Effect.Effect<LegacyClient, AuthError, HttpClient.HttpClient> = Effect.fn("OAuthClient.legacyRegister")(
  function* (options) {
    const request = HttpClientRequest.post(options.registerUrl).pipe(
      HttpClientRequest.acceptJson,
      HttpClientRequest.setUrlParam("device_id", options.deviceId),
      HttpClientRequest.bearerToken(legacyRegisterBearer),
      HttpClientRequest.setHeader("content-type", "application/x-www-form-urlencoded")
    )
    const text = yield* sendRaw("OAuthClient.legacyRegister", request, {})
    return yield* Either.match(decodeLegacyClient(text), {
      onLeft: (issue) =>
        Effect.fail(
          new AuthError({
            reason: "Transport",
            operation: "OAuthClient.legacyRegister",
            description: `the registration reply is not valid (${issue.issue})`,
            cause: issue
          })
        ),
      onRight: Effect.succeed
    })
  }
)
