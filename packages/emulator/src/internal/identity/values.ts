/**
 * Random values and small codecs for the identity emulator (tokens, codes, client ids).
 * The emulator shares no code with the SDK: everything here is its own.
 */
import { createHash, randomBytes, randomUUID } from "node:crypto"

/** base64url without padding. */
export const base64url = (bytes: Uint8Array | string): string =>
  Buffer.from(typeof bytes === "string" ? Buffer.from(bytes, "utf8") : bytes).toString("base64url")

const randomPart = (n: number): string => randomBytes(n).toString("base64url")

/**
 * An opaque token in JWT-like shape (`header.payload.signature`, each base64url). The payload
 * carries no claims a client could rely on: only a random id and the token kind.
 */
export const jwtLike = (kind: "Bearer" | "Refresh" | "ID" | "Offline"): string => {
  const header = base64url(
    JSON.stringify({
      alg: kind === "Refresh" || kind === "Offline" ? "HS256" : "RS256",
      typ: "JWT",
      kid: "fjord-emulator"
    })
  )
  const payload = base64url(JSON.stringify({ jti: randomUUID(), typ: kind, iss: "fjord-emulator" }))
  return `${header}.${payload}.${randomPart(32)}`
}

export const uuid = (): string => randomUUID()

/** Single-use secret inside a personal login token. */
export const authToken = (): string => randomPart(24)

/** Authorization code (Keycloak codes look like `<uuid>.<uuid>.<uuid>`). */
export const authorizationCode = (): string => `${randomUUID()}.${randomUUID()}.${randomUUID()}`

const alnum = "abcdefghijklmnopqrstuvwxyz0123456789"
/** Legacy registered client id: 26 lower-case alphanumerics like rclone's built-in one. */
export const legacyClientId = (): string => {
  const bytes = randomBytes(26)
  let out = ""
  for (const b of bytes) out += alnum[b % alnum.length]
  return out
}

export const legacyClientSecret = (): string => randomPart(24)

/** PKCE S256 transform: base64url(sha256(ascii(verifier))). */
export const s256 = (verifier: string): string => createHash("sha256").update(verifier, "ascii").digest("base64url")

/** RFC 7636 §4.1: 43..128 characters of [A-Z a-z 0-9 - . _ ~]. */
export const isPkceString = (s: string): boolean => /^[A-Za-z0-9\-._~]{43,128}$/.test(s)

/**
 * Decodes `Authorization: Basic base64(id:secret)`. golang.org/x/oauth2 URL-encodes both parts
 * (url.QueryEscape) before joining them, so they are URL-decoded here as well.
 */
export const parseBasic = (
  header: string | undefined
): { readonly id: string; readonly secret: string } | undefined => {
  if (header === undefined) return undefined
  const m = /^basic\s+(\S+)\s*$/i.exec(header)
  if (m === null || m[1] === undefined) return undefined
  const decoded = Buffer.from(m[1], "base64").toString("utf8")
  const colon = decoded.indexOf(":")
  if (colon < 0) return undefined
  const unescape = (s: string): string => {
    try {
      return decodeURIComponent(s.replace(/\+/g, " "))
    } catch {
      return s
    }
  }
  return { id: unescape(decoded.slice(0, colon)), secret: unescape(decoded.slice(colon + 1)) }
}

/** Decodes `Authorization: Bearer <token>`. */
export const parseBearer = (header: string | undefined): string | undefined => {
  if (header === undefined) return undefined
  const m = /^bearer\s+(\S+)\s*$/i.exec(header)
  return m?.[1]
}
