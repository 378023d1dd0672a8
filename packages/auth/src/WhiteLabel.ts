/**
 * The traditional flow (protocol §2.5–§2.6): OAuth authorization code with PKCE (S256) for
 * Jottacloud and every white-label service. Discovery, the authorization URL, the code
 * exchange and refreshes are here; the browser redirect is received by a `RedirectCatcher`
 * (implemented in `@fjord/node`), so this module stays platform-free.
 *
 * ```ts
 * const Auth = WhiteLabel.layer({ service: "telia_se" }).pipe(
 *   Layer.provide(NodeRedirectCatcher.layer()), // from @fjord/node
 *   Layer.provide(TokenStore.layerMemory()),
 *   Layer.provide(FetchHttpClient.layer)
 * )
 * ```
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as UrlParams from "@effect/platform/UrlParams"
import type { Service as AuthService } from "@fjord/core/Auth"
import { type AuthError, JottaAuth } from "@fjord/core/Auth"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { resumeOrLogin } from "./internal/resumeOrLogin.js"
import * as WebCrypto from "./internal/webCrypto.js"
import * as OAuthClient from "./OAuthClient.js"
import { RedirectCatcher } from "./RedirectCatcher.js"
import type * as RefreshingAuth from "./RefreshingAuth.js"
import * as TokenSet from "./TokenSet.js"
import type { StoredToken, TokenStore } from "./TokenStore.js"

/**
 * @since 0.1.0
 * @category models
 */
export type ServiceKey =
  | "jottacloud"
  | "elgiganten_dk"
  | "elgiganten_se"
  | "elkjop"
  | "elko"
  | "gigantti"
  | "letsgo"
  | "mediamarkt"
  | "onlime"
  | "phonero"
  | "tele2"
  | "telia_no"
  | "telia_se"

/**
 * One row of the service table.
 *
 * @since 0.1.0
 * @category models
 */
export interface ServiceInfo {
  readonly key: ServiceKey
  readonly name: string
  /** Identity host. */
  readonly domain: string
  readonly realm: string
  readonly clientId: string
  readonly scopes: ReadonlyArray<string>
}

const standardScopes = ["openid", "jotta-default", "offline_access"] as const
const reducedScopes = ["openid", "offline_access"] as const

/**
 * The services rclone knows (protocol §2.6).
 *
 * @since 0.1.0
 * @category constants
 */
export const services: { readonly [K in ServiceKey]: ServiceInfo & { readonly key: K } } = {
  jottacloud: {
    key: "jottacloud",
    name: "Jottacloud",
    domain: "id.jottacloud.com",
    realm: "jottacloud",
    clientId: "desktop",
    scopes: standardScopes
  },
  elgiganten_dk: {
    key: "elgiganten_dk",
    name: "Elgiganten Cloud (Denmark)",
    domain: "cloud.elgiganten.dk",
    realm: "elgiganten",
    clientId: "desktop",
    scopes: standardScopes
  },
  elgiganten_se: {
    key: "elgiganten_se",
    name: "Elgiganten Cloud (Sweden)",
    domain: "cloud.elgiganten.se",
    realm: "elgiganten",
    clientId: "desktop",
    scopes: standardScopes
  },
  elkjop: {
    key: "elkjop",
    name: "Elkjøp Cloud (Norway)",
    domain: "cloud.elkjop.no",
    realm: "elkjop",
    clientId: "desktop",
    scopes: standardScopes
  },
  elko: {
    key: "elko",
    name: "ELKO Cloud (Iceland)",
    domain: "cloud.elko.is",
    realm: "elko",
    clientId: "desktop",
    scopes: standardScopes
  },
  gigantti: {
    key: "gigantti",
    name: "Gigantti Cloud (Finland)",
    domain: "cloud.gigantti.fi",
    realm: "gigantti",
    clientId: "desktop",
    scopes: standardScopes
  },
  letsgo: {
    key: "letsgo",
    name: "Let's Go Cloud (Germany)",
    domain: "letsgo.jotta.cloud",
    realm: "letsgo",
    clientId: "desktop-win",
    scopes: reducedScopes
  },
  mediamarkt: {
    key: "mediamarkt",
    name: "MediaMarkt Cloud (Multiregional)",
    domain: "mediamarkt.jottacloud.com",
    realm: "mediamarkt",
    clientId: "desktop",
    scopes: standardScopes
  },
  onlime: {
    key: "onlime",
    name: "Onlime (Denmark)",
    domain: "cloud-auth.onlime.dk",
    realm: "onlime_wl",
    clientId: "desktop",
    scopes: standardScopes
  },
  phonero: {
    key: "phonero",
    name: "Phonero Sky",
    domain: "sky.phonero.no",
    realm: "phonero",
    clientId: "desktop-win",
    scopes: reducedScopes
  },
  tele2: {
    key: "tele2",
    name: "Tele2 Cloud (Sweden)",
    domain: "mittcloud-auth.tele2.se",
    realm: "comhem",
    clientId: "desktop",
    scopes: standardScopes
  },
  telia_no: {
    key: "telia_no",
    name: "Telia Sky (Norway)",
    domain: "sky-auth.telia.no",
    realm: "get",
    clientId: "desktop",
    scopes: standardScopes
  },
  telia_se: {
    key: "telia_se",
    name: "Telia Cloud (Sweden)",
    domain: "cloud-auth.telia.se",
    realm: "telia_se",
    clientId: "desktop",
    scopes: standardScopes
  }
}

/**
 * The default redirect URI (rclone's).
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultRedirectUri = "http://localhost:53682/"

const resolve = (service: ServiceKey | ServiceInfo): ServiceInfo =>
  typeof service === "string" ? services[service] : service

/**
 * The realm root: `https://<domain>/auth/realms/<realm>`, or `<identityBase>/auth/realms/<realm>`
 * when an identity base is given (the emulator serves every realm under `${B}/id`).
 *
 * @since 0.1.0
 * @category urls
 */
export const realmUrl = (service: ServiceKey | ServiceInfo, identityBase?: string): string => {
  const info = resolve(service)
  const base = identityBase === undefined ? `https://${info.domain}` : identityBase.replace(/\/+$/, "")
  return `${base}/auth/realms/${info.realm}`
}

/**
 * @since 0.1.0
 * @category urls
 */
export const discoveryUrl = (service: ServiceKey | ServiceInfo, identityBase?: string): string =>
  `${realmUrl(service, identityBase)}/.well-known/openid-configuration`

/**
 * A PKCE pair: the secret verifier and its S256 challenge.
 *
 * @since 0.1.0
 * @category models
 */
export interface Pkce {
  readonly verifier: Redacted.Redacted<string>
  readonly challenge: string
  readonly method: "S256"
}

/**
 * A fresh PKCE pair (64-character random verifier, WebCrypto SHA-256).
 *
 * @since 0.1.0
 * @category constructors
 */
export const makePkce: Effect.Effect<Pkce> = Effect.gen(function* () {
  const verifier = yield* WebCrypto.codeVerifier
  return { verifier: Redacted.make(verifier), challenge: yield* WebCrypto.s256(verifier), method: "S256" as const }
})

/**
 * The S256 challenge of a verifier.
 *
 * @since 0.1.0
 * @category constructors
 */
export const pkceChallenge = (verifier: Redacted.Redacted<string> | string): Effect.Effect<string> =>
  WebCrypto.s256(Redacted.isRedacted(verifier) ? Redacted.value(verifier) : verifier)

/**
 * A random `state` value.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeState: Effect.Effect<string> = WebCrypto.randomAlphanumeric(32)

/**
 * Builds the browser URL of the authorization request (with `access_type=offline` as rclone
 * sends it, and the PKCE challenge). `authorizationEndpoint` defaults to the Keycloak layout
 * under `realmUrl(service, identityBase)`; pass the discovered one when you have it.
 *
 * @since 0.1.0
 * @category urls
 */
export const authorizationUrl = (options: {
  readonly service: ServiceKey | ServiceInfo
  readonly redirectUri?: string | undefined
  readonly state: string
  readonly pkce: Pkce
  readonly authorizationEndpoint?: string | undefined
  readonly identityBase?: string | undefined
}): string => {
  const info = resolve(options.service)
  const endpoint =
    options.authorizationEndpoint ?? `${realmUrl(info, options.identityBase)}/protocol/openid-connect/auth`
  const query = UrlParams.toString(
    UrlParams.fromInput([
      ["access_type", "offline"],
      ["client_id", info.clientId],
      ["code_challenge", options.pkce.challenge],
      ["code_challenge_method", options.pkce.method],
      ["redirect_uri", options.redirectUri ?? defaultRedirectUri],
      ["response_type", "code"],
      ["scope", info.scopes.join(" ")],
      ["state", options.state]
    ])
  )
  return `${endpoint}${endpoint.includes("?") ? "&" : "?"}${query}`
}

/**
 * Exchanges an authorization code (with the PKCE verifier) for the first token.
 * `tokenUrl` defaults to the Keycloak layout under `realmUrl(service, identityBase)`.
 *
 * @since 0.1.0
 * @category requests
 */
export const exchangeCode: (options: {
  readonly service: ServiceKey | ServiceInfo
  readonly code: Redacted.Redacted<string>
  readonly redirectUri?: string | undefined
  readonly pkce?: Pkce | undefined
  readonly tokenUrl?: string | undefined
  readonly identityBase?: string | undefined
}) => Effect.Effect<StoredToken, AuthError, HttpClient.HttpClient> = Effect.fn("WhiteLabel.exchangeCode")(
  function* (options) {
    const info = resolve(options.service)
    const tokenUrl = options.tokenUrl ?? `${realmUrl(info, options.identityBase)}/protocol/openid-connect/token`
    const set = yield* OAuthClient.authorizationCodeGrant({
      tokenUrl,
      clientId: info.clientId,
      code: options.code,
      redirectUri: options.redirectUri ?? defaultRedirectUri,
      codeVerifier: options.pkce?.verifier
    })
    return TokenSet.toStoredToken(set, { kind: "oidc", tokenUrl, clientId: info.clientId })
  }
)

/**
 * @since 0.1.0
 * @category models
 */
export interface Options extends RefreshingAuth.Options {
  readonly service: ServiceKey | ServiceInfo
  /** Serve discovery from `<identityBase>/auth/realms/<realm>/…` instead of the service's host. */
  readonly identityBase?: string | undefined
  /** Resume from a token already in the store instead of logging in (default `true`). */
  readonly resume?: boolean | undefined
}

/**
 * The whole browser login: discovery, PKCE and state, the `RedirectCatcher` (which sends the
 * user to the authorization URL and receives the code), then the code exchange.
 *
 * @since 0.1.0
 * @category requests
 */
export const login: (options: {
  readonly service: ServiceKey | ServiceInfo
  readonly identityBase?: string | undefined
}) => Effect.Effect<StoredToken, AuthError, RedirectCatcher | HttpClient.HttpClient> = Effect.fn("WhiteLabel.login")(
  function* (options) {
    const info = resolve(options.service)
    yield* Effect.annotateCurrentSpan("service", info.key)
    const catcher = yield* RedirectCatcher
    const discovery = yield* OAuthClient.discover(discoveryUrl(info, options.identityBase))
    const pkce = yield* makePkce
    const state = yield* makeState
    const url = authorizationUrl({
      service: info,
      redirectUri: catcher.redirectUri,
      state,
      pkce,
      authorizationEndpoint: discovery.authorization_endpoint
    })
    const { code } = yield* catcher.waitForCode({ authorizationUrl: url, state })
    return yield* exchangeCode({
      service: info,
      code,
      redirectUri: catcher.redirectUri,
      pkce,
      tokenUrl: discovery.token_endpoint
    })
  }
)

/**
 * Resumes from the store (unless `resume: false`) or logs in and stores the token, then
 * refreshes through `RefreshingAuth`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  options: Options
): Effect.Effect<AuthService, AuthError, TokenStore | RedirectCatcher | HttpClient.HttpClient> =>
  resumeOrLogin("WhiteLabel.login", "oidc", options, login(options))

/**
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: Options
): Layer.Layer<JottaAuth, AuthError, TokenStore | RedirectCatcher | HttpClient.HttpClient> =>
  Layer.effect(JottaAuth, make(options))
