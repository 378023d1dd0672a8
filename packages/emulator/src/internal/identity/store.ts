/**
 * Token state of the identity emulator: login tokens, access tokens, refresh-token families,
 * authorization codes and legacy registered clients. Every operation is synchronous over one
 * mutable state object, so each one is atomic (JavaScript is single-threaded); callers read the
 * clock first and pass `now` in.
 */
import * as Schema from "effect/Schema"
import * as V from "./values.js"

export interface AccessRecord {
  readonly username: string
  expiresAt: number
}

export interface RefreshRecord {
  readonly family: string
  used: boolean
}

/** One login: the chain of refresh tokens descending from it. */
export interface FamilyRecord {
  readonly username: string
  /** Client id the family was issued to ("" for a legacy login without a client id). */
  readonly clientId: string
  /** Keycloak realm, or null for the legacy api/auth/v1 endpoint. */
  readonly realm: string | null
  /** How the family started: password grant, authorization code, or legacy PASSWORD grant. */
  readonly origin: "password" | "code" | "legacy"
  readonly sessionState: string
  readonly scope: string
  readonly createdAt: number
  dead: boolean
}

export interface LoginTokenRecord {
  readonly username: string
  readonly realm: string
  used: boolean
}

export interface CodeRecord {
  readonly username: string
  readonly realm: string
  readonly clientId: string
  readonly redirectUri: string
  readonly scope: string
  readonly sessionState: string
  readonly challenge: string | null
  readonly method: "S256" | "plain" | null
  readonly expiresAt: number
  used: boolean
  /** Family created by exchanging this code (revoked when the code is replayed). */
  family: string | null
}

export interface LegacyClientRecord {
  readonly clientSecret: string
  readonly deviceId: string
}

export interface State {
  ttlSeconds: number
  readonly access: Map<string, AccessRecord>
  readonly refresh: Map<string, RefreshRecord>
  readonly families: Map<string, FamilyRecord>
  readonly loginTokens: Map<string, LoginTokenRecord>
  readonly codes: Map<string, CodeRecord>
  readonly legacyClients: Map<string, LegacyClientRecord>
}

export const emptyState = (ttlSeconds: number): State => ({
  ttlSeconds,
  access: new Map(),
  refresh: new Map(),
  families: new Map(),
  loginTokens: new Map(),
  codes: new Map(),
  legacyClients: new Map()
})

/** Authorization codes live 60 s, like Keycloak's default. */
export const CODE_LIFETIME_MS = 60_000

const pruneAccess = (s: State, now: number): void => {
  if (s.access.size < 2048) return
  for (const [k, v] of s.access) if (v.expiresAt <= now) s.access.delete(k)
}

const pruneCodes = (s: State, now: number): void => {
  // Keep replayed-code detection for a while after expiry, then forget.
  for (const [k, v] of s.codes) if (v.expiresAt + 10 * CODE_LIFETIME_MS <= now) s.codes.delete(k)
}

export const issueAccess = (s: State, username: string, now: number): string => {
  pruneAccess(s, now)
  const token = V.jwtLike("Bearer")
  s.access.set(token, { username, expiresAt: now + s.ttlSeconds * 1000 })
  return token
}

export const authenticate = (s: State, token: string, now: number): string | undefined => {
  const rec = s.access.get(token)
  return rec !== undefined && now < rec.expiresAt ? rec.username : undefined
}

export const expireAll = (s: State, now: number): void => {
  for (const rec of s.access.values()) if (rec.expiresAt > now) rec.expiresAt = now
}

export interface Issued {
  readonly accessToken: string
  readonly refreshToken: string
  readonly family: FamilyRecord
}

const issueRefresh = (s: State, familyId: string): string => {
  const token = V.jwtLike("Offline")
  s.refresh.set(token, { family: familyId, used: false })
  return token
}

export const startFamily = (
  s: State,
  now: number,
  init: Omit<FamilyRecord, "dead" | "createdAt" | "sessionState"> & { readonly sessionState?: string | undefined }
): Issued & { readonly familyId: string } => {
  const familyId = V.uuid()
  const family: FamilyRecord = {
    username: init.username,
    clientId: init.clientId,
    realm: init.realm,
    origin: init.origin,
    scope: init.scope,
    sessionState: init.sessionState ?? V.uuid(),
    createdAt: now,
    dead: false
  }
  s.families.set(familyId, family)
  return {
    familyId,
    family,
    accessToken: issueAccess(s, family.username, now),
    refreshToken: issueRefresh(s, familyId)
  }
}

export const killFamily = (s: State, familyId: string): void => {
  const f = s.families.get(familyId)
  if (f !== undefined) f.dead = true
}

export type RefreshOutcome =
  | { readonly _tag: "Ok"; readonly issued: Issued }
  | { readonly _tag: "Unknown" }
  | { readonly _tag: "Stale" }
  | { readonly _tag: "WrongClient" }
  | { readonly _tag: "WrongRealm" }

/**
 * Rotation with reuse detection: a live, unused token yields a new pair and is marked used; a
 * used token (or one of a dead family) kills the whole family.
 */
export const rotate = (
  s: State,
  token: string,
  clientId: string,
  realm: string | null,
  now: number
): RefreshOutcome => {
  const rec = s.refresh.get(token)
  if (rec === undefined) return { _tag: "Unknown" }
  const family = s.families.get(rec.family)
  if (family === undefined) return { _tag: "Unknown" }
  if (family.realm !== realm) return { _tag: "WrongRealm" }
  if (family.clientId !== clientId) return { _tag: "WrongClient" }
  if (rec.used || family.dead) {
    family.dead = true
    return { _tag: "Stale" }
  }
  rec.used = true
  return {
    _tag: "Ok",
    issued: { family, accessToken: issueAccess(s, family.username, now), refreshToken: issueRefresh(s, rec.family) }
  }
}

export const revokeRefresh = (s: State, token: string): void => {
  const rec = s.refresh.get(token)
  if (rec !== undefined) killFamily(s, rec.family)
}

export const issueLoginToken = (s: State, username: string, realm: string): string => {
  const secret = V.authToken()
  s.loginTokens.set(secret, { username, realm, used: false })
  return secret
}

export const addCode = (s: State, now: number, rec: Omit<CodeRecord, "used" | "family" | "expiresAt">): string => {
  pruneCodes(s, now)
  const code = V.authorizationCode()
  s.codes.set(code, { ...rec, expiresAt: now + CODE_LIFETIME_MS, used: false, family: null })
  return code
}

// ---------------------------------------------------------------------------------------------
// Snapshot / restore

const Access = Schema.Struct({ token: Schema.String, username: Schema.String, expiresAt: Schema.Number })
const Refresh = Schema.Struct({ token: Schema.String, family: Schema.String, used: Schema.Boolean })
const Family = Schema.Struct({
  id: Schema.String,
  username: Schema.String,
  clientId: Schema.String,
  realm: Schema.NullOr(Schema.String),
  origin: Schema.Literal("password", "code", "legacy"),
  sessionState: Schema.String,
  scope: Schema.String,
  createdAt: Schema.Number,
  dead: Schema.Boolean
})
const LoginToken = Schema.Struct({
  secret: Schema.String,
  username: Schema.String,
  realm: Schema.String,
  used: Schema.Boolean
})
const Code = Schema.Struct({
  code: Schema.String,
  username: Schema.String,
  realm: Schema.String,
  clientId: Schema.String,
  redirectUri: Schema.String,
  scope: Schema.String,
  sessionState: Schema.String,
  challenge: Schema.NullOr(Schema.String),
  method: Schema.NullOr(Schema.Literal("S256", "plain")),
  expiresAt: Schema.Number,
  used: Schema.Boolean,
  family: Schema.NullOr(Schema.String)
})
const LegacyClient = Schema.Struct({ clientId: Schema.String, clientSecret: Schema.String, deviceId: Schema.String })

/** Version 1 of the persisted identity state. */
export const Snapshot = Schema.Struct({
  version: Schema.Literal(1),
  access: Schema.Array(Access),
  refresh: Schema.Array(Refresh),
  families: Schema.Array(Family),
  loginTokens: Schema.Array(LoginToken),
  codes: Schema.Array(Code),
  legacyClients: Schema.Array(LegacyClient)
})
export type Snapshot = typeof Snapshot.Type

export const toSnapshot = (s: State): Snapshot => ({
  version: 1,
  access: [...s.access].map(([token, r]) => ({ token, username: r.username, expiresAt: r.expiresAt })),
  refresh: [...s.refresh].map(([token, r]) => ({ token, family: r.family, used: r.used })),
  families: [...s.families].map(([id, f]) => ({ id, ...f })),
  loginTokens: [...s.loginTokens].map(([secret, r]) => ({ secret, ...r })),
  codes: [...s.codes].map(([code, r]) => ({ code, ...r })),
  legacyClients: [...s.legacyClients].map(([clientId, r]) => ({ clientId, ...r }))
})

export const fromSnapshot = (snap: Snapshot, ttlSeconds: number): State => {
  const s = emptyState(ttlSeconds)
  for (const { token, ...r } of snap.access) s.access.set(token, { ...r })
  for (const { token, ...r } of snap.refresh) s.refresh.set(token, { ...r })
  for (const { id, ...f } of snap.families) s.families.set(id, { ...f })
  for (const { secret, ...r } of snap.loginTokens) s.loginTokens.set(secret, { ...r })
  for (const { code, ...r } of snap.codes) s.codes.set(code, { ...r })
  for (const { clientId, ...r } of snap.legacyClients) s.legacyClients.set(clientId, { ...r })
  return s
}
