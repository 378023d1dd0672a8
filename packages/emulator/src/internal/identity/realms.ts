/**
 * The Keycloak realms the emulator hosts (protocol §2.6) and their discovery documents.
 */

export interface RealmInfo {
  readonly realm: string
  /** Client ids of the browser (authorization-code) clients. */
  readonly browserClients: ReadonlyArray<string>
  /** Scopes the realm knows; anything else is `invalid_scope`. */
  readonly scopes: ReadonlyArray<string>
}

/** The CLI client used by the personal-login-token password grant. */
export const CLI_CLIENT = "jottacli"

const standardScopes = ["openid", "offline_access", "email", "profile", "jotta-default"] as const
/** Phonero and Let's Go reject `jotta-default` (protocol §2.6 notes). */
const reducedScopes = ["openid", "offline_access", "email", "profile"] as const

const mk = (realm: string, browserClients: ReadonlyArray<string>, scopes: ReadonlyArray<string>): RealmInfo => ({
  realm,
  browserClients,
  scopes
})

export const realms: ReadonlyMap<string, RealmInfo> = new Map(
  [
    mk("jottacloud", ["desktop"], standardScopes),
    mk("elgiganten", ["desktop"], standardScopes),
    mk("elkjop", ["desktop"], standardScopes),
    mk("elko", ["desktop"], standardScopes),
    mk("gigantti", ["desktop"], standardScopes),
    mk("letsgo", ["desktop-win", "desktop-mac"], reducedScopes),
    mk("mediamarkt", ["desktop"], standardScopes),
    mk("onlime_wl", ["desktop"], standardScopes),
    mk("phonero", ["desktop-win", "desktop-mac"], reducedScopes),
    mk("comhem", ["desktop"], standardScopes),
    mk("get", ["desktop"], standardScopes),
    mk("telia_se", ["desktop"], standardScopes)
  ].map((r) => [r.realm, r] as const)
)

/** Every client id a realm knows (browser clients plus `jottacli`). */
export const isKnownClient = (info: RealmInfo, clientId: string): boolean =>
  clientId === CLI_CLIENT || info.browserClients.includes(clientId)

export const realmBase = (baseUrl: string, realm: string): string => `${baseUrl}/id/auth/realms/${realm}`

export const wellKnownUrl = (baseUrl: string, realm: string): string =>
  `${realmBase(baseUrl, realm)}/.well-known/openid-configuration`

/** A Keycloak-shaped OpenID discovery document whose endpoints all point back under B/id. */
export const discoveryDocument = (baseUrl: string, info: RealmInfo): Record<string, unknown> => {
  const issuer = realmBase(baseUrl, info.realm)
  const oidc = `${issuer}/protocol/openid-connect`
  const algs = [
    "PS384",
    "ES384",
    "RS384",
    "HS256",
    "HS512",
    "ES256",
    "RS256",
    "HS384",
    "ES512",
    "PS256",
    "PS512",
    "RS512"
  ]
  return {
    issuer,
    authorization_endpoint: `${oidc}/auth`,
    token_endpoint: `${oidc}/token`,
    token_introspection_endpoint: `${oidc}/token/introspect`,
    introspection_endpoint: `${oidc}/token/introspect`,
    userinfo_endpoint: `${oidc}/userinfo`,
    end_session_endpoint: `${oidc}/logout`,
    jwks_uri: `${oidc}/certs`,
    check_session_iframe: `${oidc}/login-status-iframe.html`,
    grant_types_supported: ["authorization_code", "implicit", "refresh_token", "password", "client_credentials"],
    response_types_supported: [
      "code",
      "none",
      "id_token",
      "token",
      "id_token token",
      "code id_token",
      "code token",
      "code id_token token"
    ],
    subject_types_supported: ["public", "pairwise"],
    id_token_signing_alg_values_supported: algs,
    userinfo_signing_alg_values_supported: [...algs, "none"],
    request_object_signing_alg_values_supported: [...algs, "none"],
    response_modes_supported: ["query", "fragment", "form_post"],
    registration_endpoint: `${issuer}/clients-registrations/openid-connect`,
    token_endpoint_auth_methods_supported: [
      "private_key_jwt",
      "client_secret_basic",
      "client_secret_post",
      "tls_client_auth",
      "client_secret_jwt"
    ],
    token_endpoint_auth_signing_alg_values_supported: algs,
    claims_supported: [
      "aud",
      "sub",
      "iss",
      "auth_time",
      "name",
      "given_name",
      "family_name",
      "preferred_username",
      "email",
      "acr"
    ],
    claim_types_supported: ["normal"],
    claims_parameter_supported: false,
    scopes_supported: [...info.scopes, "phone", "address", "web-origins", "roles", "microprofile-jwt"],
    request_parameter_supported: true,
    request_uri_parameter_supported: true,
    code_challenge_methods_supported: ["plain", "S256"],
    tls_client_certificate_bound_access_tokens: true
  }
}
