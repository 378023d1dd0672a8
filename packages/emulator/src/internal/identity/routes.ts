/**
 * HTTP side of the identity emulator: Keycloak-style realms under `/id/auth/realms/<realm>/…`
 * and the legacy `/api/auth/v1/{token,register}` endpoints.
 */
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import type { IdentityAccount } from "../identity.js"
import * as R from "./realms.js"
import * as S from "./store.js"
import * as V from "./values.js"

export interface RouteEnv {
  readonly state: () => S.State
  readonly baseUrl: string
  readonly now: Effect.Effect<number>
  readonly accounts: ReadonlyArray<IdentityAccount>
  readonly staleTokenDescription: string
  readonly exclusiveCodeLogins: boolean
}

/** Fixed public bearer rclone sends to the legacy device registration (protocol §2.8). */
export const LEGACY_REGISTER_BEARER = "c2xrZmpoYWRsZmFramhkc2xma2phaHNkbGZramhhc2xkZmtqaGFzZGxrZmpobGtq"
/** rclone's built-in legacy client id (its secret is not validated). */
export const LEGACY_BUILTIN_CLIENT_ID = "nibfk8biu12ju7hpqomr8b1e40"

const noStore = { "cache-control": "no-store", pragma: "no-cache" } as const

const oauthError = (
  status: number,
  error: string,
  description: string,
  headers: Record<string, string> = {}
): HttpServerResponse.HttpServerResponse =>
  HttpServerResponse.unsafeJson(
    { error, error_description: description },
    { status, headers: { ...noStore, ...headers } }
  )

const realmNotFound = HttpServerResponse.unsafeJson({ error: "Realm does not exist" }, { status: 404 })

const htmlError = (status: number, message: string): HttpServerResponse.HttpServerResponse =>
  HttpServerResponse.text(
    `<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body><div id="kc-error-message"><p class="instruction">${message}</p></div></body></html>\n`,
    { status, contentType: "text/html; charset=utf-8" }
  )

interface RequestParts {
  readonly query: URLSearchParams
  readonly form: URLSearchParams
  readonly headers: Readonly<Record<string, string | undefined>>
}

const requestParts: Effect.Effect<RequestParts, never, HttpServerRequest.HttpServerRequest> = Effect.gen(function* () {
  const req = yield* HttpServerRequest.HttpServerRequest
  const url = new URL(req.url, "http://emulator.invalid")
  const contentType = (req.headers["content-type"] ?? "").toLowerCase()
  const body = contentType.startsWith("application/x-www-form-urlencoded")
    ? yield* Effect.orElseSucceed(req.text, () => "")
    : ""
  return { query: url.searchParams, form: new URLSearchParams(body), headers: req.headers }
})

const realmParam = Effect.map(HttpRouter.params, (p) => {
  const realm = p.realm ?? ""
  return R.realms.get(realm)
})

const splitScope = (scope: string | null): ReadonlyArray<string> =>
  scope === null ? [] : [...new Set(scope.split(/[\s+]+/).filter((s) => s !== ""))]

/** Granted scope string, or the unknown scopes. Keycloak adds its default `email` scope. */
const grantScope = (
  info: R.RealmInfo,
  requested: string | null
): { readonly ok: string } | { readonly bad: string } => {
  const asked = splitScope(requested)
  const bad = asked.filter((s) => !info.scopes.includes(s))
  if (bad.length > 0) return { bad: bad.join(" ") }
  const rest = asked.filter((s) => s !== "openid" && s !== "email")
  return { ok: [...(asked.includes("openid") ? ["openid"] : []), "email", ...rest].join(" ") }
}

const tokenReply = (issued: S.Issued, ttlSeconds: number): HttpServerResponse.HttpServerResponse => {
  const withId = splitScope(issued.family.scope).includes("openid")
  return HttpServerResponse.unsafeJson(
    {
      access_token: issued.accessToken,
      expires_in: ttlSeconds,
      refresh_expires_in: 0,
      refresh_token: issued.refreshToken,
      token_type: "Bearer",
      ...(withId ? { id_token: V.jwtLike("ID") } : {}),
      "not-before-policy": 0,
      session_state: issued.family.sessionState,
      scope: issued.family.scope
    },
    { status: 200, headers: noStore }
  )
}

const isLoopbackRedirect = (uri: string): boolean => {
  try {
    const u = new URL(uri)
    return (
      u.protocol === "http:" &&
      (u.hostname === "localhost" || u.hostname === "127.0.0.1" || u.hostname === "[::1]") &&
      u.hash === ""
    )
  } catch {
    return false
  }
}

const findAccount = (env: RouteEnv, name: string): IdentityAccount | undefined => {
  const n = name.toLowerCase()
  return env.accounts.find((a) => a.username.toLowerCase() === n || a.email.toLowerCase() === n)
}

// ---------------------------------------------------------------------------------------------
// OIDC

const discovery = (env: RouteEnv) =>
  Effect.gen(function* () {
    const info = yield* realmParam
    if (info === undefined) return realmNotFound
    return HttpServerResponse.unsafeJson(R.discoveryDocument(env.baseUrl, info))
  })

/** A form field, or `undefined` when it is absent or empty. */
const formValue = (parts: RequestParts, name: string): string | undefined => {
  const v = parts.form.get(name)
  return v === null || v === "" ? undefined : v
}

/** Client id from Basic credentials (preferred) or the `client_id` form field. */
const oidcClient = (parts: RequestParts): string | undefined => {
  const basic = V.parseBasic(parts.headers.authorization)
  if (basic !== undefined && basic.id !== "") return basic.id
  return formValue(parts, "client_id")
}

/** What every token grant sees: the realm, the request, the client it named, the clock and the store. */
interface GrantInput {
  readonly env: RouteEnv
  readonly info: R.RealmInfo
  readonly parts: RequestParts
  readonly clientId: string
  readonly now: number
  readonly s: S.State
}

const missingParameter = (name: string) => oauthError(400, "invalid_request", `Missing parameter: ${name}`)

/** Starts a token family for the grant's client and realm and answers with its tokens. */
const issueForGrant = (
  g: GrantInput,
  login: Pick<S.FamilyRecord, "username" | "origin" | "scope"> & { readonly sessionState?: string | undefined }
) => {
  const issued = S.startFamily(g.s, g.now, { ...login, clientId: g.clientId, realm: g.info.realm })
  return { familyId: issued.familyId, reply: tokenReply(issued, g.s.ttlSeconds) }
}

const passwordGrant = (g: GrantInput) => {
  const { env, info, parts, clientId, s } = g
  // Protocol §2.2 emulator rule: every client other than jottacli gets `400 invalid_client` here (the
  // browser clients `desktop`/`desktop-win` are not allowed direct access grants).
  if (clientId !== R.CLI_CLIENT) {
    return oauthError(400, "invalid_client", "Client not allowed for direct access grants")
  }
  const username = formValue(parts, "username")
  const password = formValue(parts, "password")
  if (username === undefined) return missingParameter("username")
  if (password === undefined) return oauthError(401, "invalid_grant", "Invalid user credentials")
  const scope = grantScope(info, parts.form.get("scope"))
  if ("bad" in scope) return oauthError(400, "invalid_scope", `Invalid scopes: ${scope.bad}`)
  const rec = s.loginTokens.get(password)
  const named = rec === undefined ? undefined : findAccount(env, rec.username)
  const u = username.toLowerCase()
  const userMatches =
    rec !== undefined && (rec.username.toLowerCase() === u || (named !== undefined && named.email.toLowerCase() === u))
  if (rec === undefined || rec.used || rec.realm !== info.realm || !userMatches) {
    return oauthError(401, "invalid_grant", "Invalid user credentials")
  }
  rec.used = true
  return issueForGrant(g, { username: rec.username, origin: "password", scope: scope.ok }).reply
}

const codeGrant = (g: GrantInput) => {
  const { env, info, parts, clientId, now, s } = g
  const code = formValue(parts, "code")
  if (code === undefined) return missingParameter("code")
  const rec = s.codes.get(code)
  if (rec === undefined || rec.realm !== info.realm) return oauthError(400, "invalid_grant", "Code not valid")
  if (rec.used) {
    // A replayed code revokes what it produced (RFC 6749 §4.1.2; Keycloak does the same).
    if (rec.family !== null) S.killFamily(s, rec.family)
    return oauthError(400, "invalid_grant", "Code not valid")
  }
  // From here on the code is spent, whatever the outcome (no retries with a second verifier).
  rec.used = true
  if (now >= rec.expiresAt) return oauthError(400, "invalid_grant", "Code is expired")
  if (rec.clientId !== clientId)
    return oauthError(400, "invalid_grant", "Auth error: code was issued to another client")
  if (parts.form.get("redirect_uri") !== rec.redirectUri)
    return oauthError(400, "invalid_grant", "Incorrect redirect_uri")
  if (rec.challenge !== null) {
    const verifier = formValue(parts, "code_verifier")
    if (verifier === undefined) return oauthError(400, "invalid_grant", "PKCE code verifier not specified")
    if (!V.isPkceString(verifier))
      return oauthError(400, "invalid_grant", "PKCE verification failed: Invalid code verifier")
    const derived = rec.method === "S256" ? V.s256(verifier) : verifier
    if (derived !== rec.challenge) return oauthError(400, "invalid_grant", "PKCE verification failed: Code mismatch")
  }
  // Traditional logins are exclusive (protocol §9.3 item 15): a new authorization-code login of
  // the same account and client ends the previous one.
  for (const f of env.exclusiveCodeLogins ? s.families.values() : []) {
    if (f.origin === "code" && f.username === rec.username && f.clientId === clientId && f.realm === info.realm) {
      f.dead = true
    }
  }
  const { familyId, reply } = issueForGrant(g, {
    username: rec.username,
    origin: "code",
    scope: rec.scope,
    sessionState: rec.sessionState
  })
  rec.family = familyId
  return reply
}

const refreshGrant = ({ env, info, parts, clientId, now, s }: GrantInput) => {
  const token = formValue(parts, "refresh_token")
  if (token === undefined) return missingParameter("refresh_token")
  const out = S.rotate(s, token, clientId, info.realm, now)
  switch (out._tag) {
    case "Ok":
      return tokenReply(out.issued, s.ttlSeconds)
    case "Unknown":
      return oauthError(400, "invalid_grant", "Invalid refresh token")
    case "WrongRealm":
      return oauthError(400, "invalid_grant", "Invalid token issuer")
    case "WrongClient":
      return oauthError(400, "invalid_grant", "Invalid refresh token. Token client and authorized client don't match")
    case "Stale":
      return oauthError(400, "invalid_grant", env.staleTokenDescription)
  }
}

const tokenEndpoint = (env: RouteEnv) =>
  Effect.gen(function* () {
    const info = yield* realmParam
    if (info === undefined) return realmNotFound
    const parts = yield* requestParts
    const grant = formValue(parts, "grant_type")
    if (grant === undefined) return oauthError(400, "invalid_request", "Missing form parameter: grant_type")
    if (grant !== "password" && grant !== "authorization_code" && grant !== "refresh_token") {
      return oauthError(400, "unsupported_grant_type", "Unsupported grant_type")
    }
    const clientId = oidcClient(parts)
    if (clientId === undefined) return oauthError(400, "invalid_client", "Missing parameter: client_id")
    if (!R.isKnownClient(info, clientId))
      return oauthError(400, "invalid_client", "Invalid client or Invalid client credentials")
    const input: GrantInput = { env, info, parts, clientId, now: yield* env.now, s: env.state() }
    switch (grant) {
      case "password":
        return passwordGrant(input)
      case "authorization_code":
        return codeGrant(input)
      case "refresh_token":
        return refreshGrant(input)
    }
  })

const authorizeEndpoint = (env: RouteEnv) =>
  Effect.gen(function* () {
    const info = yield* realmParam
    if (info === undefined) return realmNotFound
    const { query } = yield* requestParts
    const clientId = query.get("client_id")
    if (clientId === null || clientId === "" || !R.isKnownClient(info, clientId))
      return htmlError(400, "Client not found.")
    const redirectUri = query.get("redirect_uri")
    if (redirectUri === null || !isLoopbackRedirect(redirectUri))
      return htmlError(400, "Invalid parameter: redirect_uri")
    const state = query.get("state")
    const back = (params: ReadonlyArray<readonly [string, string]>) => {
      const u = new URL(redirectUri)
      if (state !== null) u.searchParams.append("state", state)
      for (const [k, v] of params) u.searchParams.append(k, v)
      return HttpServerResponse.empty({ status: 302, headers: { location: u.toString(), ...noStore } })
    }
    const fail = (error: string, description: string) =>
      back([
        ["error", error],
        ["error_description", description]
      ])
    if (query.get("response_type") !== "code")
      return fail(
        "unsupported_response_type",
        "Client is not allowed to initiate browser login with given response_type. Only code is supported."
      )
    const challenge = query.get("code_challenge")
    const methodParam = query.get("code_challenge_method")
    let method: "S256" | "plain" | null = null
    if (challenge !== null && challenge !== "") {
      if (methodParam !== null && methodParam !== "S256" && methodParam !== "plain") {
        return fail("invalid_request", "Invalid parameter: code challenge method is not configured one")
      }
      if (!V.isPkceString(challenge)) return fail("invalid_request", "Invalid parameter: code_challenge")
      method = methodParam === "S256" ? "S256" : "plain"
    } else if (methodParam !== null && methodParam !== "") {
      return fail("invalid_request", "Missing parameter: code_challenge")
    }
    const scope = grantScope(info, query.get("scope"))
    if ("bad" in scope) return fail("invalid_scope", `Invalid scopes: ${scope.bad}`)
    const hint = query.get("login_hint")
    const account = (hint !== null && hint !== "" ? findAccount(env, hint) : undefined) ?? env.accounts[0]
    if (account === undefined) return htmlError(400, "Invalid username or password.")
    const now = yield* env.now
    const sessionState = V.uuid()
    const code = S.addCode(env.state(), now, {
      username: account.username,
      realm: info.realm,
      clientId,
      redirectUri,
      scope: scope.ok,
      sessionState,
      challenge: challenge === null || challenge === "" ? null : challenge,
      method
    })
    return back([
      ["session_state", sessionState],
      ["code", code]
    ])
  })

const methodNotAllowed = HttpServerResponse.unsafeJson(
  { error: "RESTEASY003650: No resource method found for GET, return 405 with Allow header" },
  { status: 405, headers: { allow: "POST, OPTIONS" } }
)

/** Minimal userinfo: the bearer's account. */
const userinfoEndpoint = (env: RouteEnv) =>
  Effect.gen(function* () {
    const info = yield* realmParam
    if (info === undefined) return realmNotFound
    const parts = yield* requestParts
    const token = V.parseBearer(parts.headers.authorization)
    const now = yield* env.now
    const username = token === undefined ? undefined : S.authenticate(env.state(), token, now)
    if (username === undefined) {
      return HttpServerResponse.unsafeJson(
        { error: "invalid_token", error_description: "Token verification failed" },
        {
          status: 401,
          headers: {
            "www-authenticate": `Bearer realm="${info.realm}", error="invalid_token", error_description="Token verification failed"`
          }
        }
      )
    }
    const account = findAccount(env, username)
    return HttpServerResponse.unsafeJson({
      sub: username,
      email_verified: true,
      preferred_username: username,
      ...(account === undefined ? {} : { email: account.email })
    })
  })

/** The emulator signs nothing (tokens are opaque), so its key set is empty. */
const certsEndpoint = Effect.map(realmParam, (info) =>
  info === undefined ? realmNotFound : HttpServerResponse.unsafeJson({ keys: [] })
)

// ---------------------------------------------------------------------------------------------
// Legacy api/auth/v1

const legacyParams = (parts: RequestParts): URLSearchParams => {
  const p = new URLSearchParams(parts.query)
  for (const [k, v] of parts.form) p.set(k, v)
  return p
}

const legacyTokenReply = (issued: S.Issued, ttlSeconds: number): HttpServerResponse.HttpServerResponse =>
  HttpServerResponse.unsafeJson(
    {
      access_token: issued.accessToken,
      token_type: "bearer",
      refresh_token: issued.refreshToken,
      expires_in: ttlSeconds
    },
    { status: 200, headers: noStore }
  )

const legacyToken = (env: RouteEnv) =>
  Effect.gen(function* () {
    const parts = yield* requestParts
    const p = legacyParams(parts)
    const grant = p.get("grant_type")
    if (grant !== "PASSWORD" && grant !== "REFRESH_TOKEN") {
      return oauthError(400, "unsupported_grant_type", `Unsupported grant type: ${grant ?? ""}`)
    }
    const basic = V.parseBasic(parts.headers.authorization)
    const clientId = basic !== undefined && basic.id !== "" ? basic.id : (p.get("client_id") ?? "")
    const clientSecret = basic !== undefined && basic.id !== "" ? basic.secret : (p.get("client_secret") ?? "")
    const s = env.state()
    const registered = s.legacyClients.get(clientId)
    const clientOk =
      clientId === LEGACY_BUILTIN_CLIENT_ID || (registered !== undefined && registered.clientSecret === clientSecret)
    if (!clientOk) return oauthError(401, "invalid_client", "Bad client credentials")
    const now = yield* env.now
    if (grant === "REFRESH_TOKEN") {
      const token = p.get("refresh_token")
      if (token === null || token === "") return oauthError(400, "invalid_request", "Missing refresh_token")
      const out = S.rotate(s, token, clientId, null, now)
      switch (out._tag) {
        case "Ok":
          return legacyTokenReply(out.issued, s.ttlSeconds)
        case "Unknown":
        case "WrongRealm":
          return oauthError(400, "invalid_grant", "Invalid refresh token")
        case "WrongClient":
          return oauthError(400, "invalid_grant", "Wrong client for this refresh token")
        case "Stale":
          return oauthError(400, "invalid_grant", env.staleTokenDescription)
      }
    }
    const username = p.get("username") ?? ""
    const password = p.get("password") ?? ""
    const account = findAccount(env, username)
    if (account === undefined || account.password !== password) {
      return oauthError(400, "invalid_grant", "Bad credentials")
    }
    if (account.otp !== undefined && account.otp !== "") {
      const sent = parts.headers["x-jottacloud-otp"]
      if (sent === undefined || sent.trim() === "") {
        return oauthError(401, "invalid_grant", "Two-factor authentication required", {
          "X-JottaCloud-OTP": "required; SMS"
        })
      }
      const norm = (c: string) => c.replace(/[-\s]/g, "")
      if (norm(sent) !== norm(account.otp)) return oauthError(401, "invalid_grant", "Invalid one-time code")
    }
    const issued = S.startFamily(s, now, {
      username: account.username,
      clientId,
      realm: null,
      origin: "legacy",
      scope: ""
    })
    return legacyTokenReply(issued, s.ttlSeconds)
  })

const apiError = (status: number, message: string, errorId: string): HttpServerResponse.HttpServerResponse =>
  HttpServerResponse.unsafeJson(
    { code: status, message, cause: "", error_id: errorId, "x-id": String(Math.floor(Math.random() * 1e12)) },
    { status }
  )

const legacyRegister = (env: RouteEnv) =>
  Effect.gen(function* () {
    const parts = yield* requestParts
    if (V.parseBearer(parts.headers.authorization) !== LEGACY_REGISTER_BEARER) {
      return apiError(401, "Full authentication is required to access this resource", "BadCredentialsException")
    }
    const deviceId = legacyParams(parts).get("device_id")
    if (deviceId === null || deviceId === "")
      return apiError(400, "Missing parameter device_id", "InvalidArgumentException")
    const clientId = V.legacyClientId()
    const clientSecret = V.legacyClientSecret()
    env.state().legacyClients.set(clientId, { clientSecret, deviceId })
    return HttpServerResponse.unsafeJson({ client_id: clientId, client_secret: clientSecret })
  })

export const makeRouter = (env: RouteEnv): HttpRouter.HttpRouter<never, never> =>
  HttpRouter.empty.pipe(
    HttpRouter.get("/id/auth/realms/:realm/.well-known/openid-configuration", discovery(env)),
    HttpRouter.post("/id/auth/realms/:realm/protocol/openid-connect/token", tokenEndpoint(env)),
    HttpRouter.get("/id/auth/realms/:realm/protocol/openid-connect/token", methodNotAllowed),
    HttpRouter.get("/id/auth/realms/:realm/protocol/openid-connect/auth", authorizeEndpoint(env)),
    HttpRouter.get("/id/auth/realms/:realm/protocol/openid-connect/userinfo", userinfoEndpoint(env)),
    HttpRouter.post("/id/auth/realms/:realm/protocol/openid-connect/userinfo", userinfoEndpoint(env)),
    HttpRouter.get("/id/auth/realms/:realm/protocol/openid-connect/certs", certsEndpoint),
    HttpRouter.post("/api/auth/v1/token", legacyToken(env)),
    HttpRouter.post("/api/auth/v1/register", legacyRegister(env))
  )
