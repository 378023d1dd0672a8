/**
 * HTTP Basic authentication (RFC 7617) for the servers: one user and password, or an
 * htpasswd file of bcrypt entries (`htpasswd -B`), checked with `bcryptjs` (pure JS, no
 * native build). bcrypt is slow on purpose, so a verified pair is remembered, as the
 * SHA-256 of user and password (never the password itself), and not checked again.
 */
import * as Crypto from "node:crypto"
import type * as HttpApp from "@effect/platform/HttpApp"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import bcrypt from "bcryptjs"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"

export type Check = (user: string, password: string) => Effect.Effect<boolean>

const sha256 = (text: string) => Crypto.createHash("sha256").update(text).digest()

const equal = (a: string, b: string) => Crypto.timingSafeEqual(sha256(a), sha256(b))

/** One user and password. */
export const single =
  (user: string, password: Redacted.Redacted<string>): Check =>
  (u, p) =>
    Effect.sync(() => equal(u, user) && equal(p, Redacted.value(password)))

/** Parses htpasswd lines (`user:$2y$…`); other hash kinds are refused. */
export const parseHtpasswd = (text: string): Map<string, string> | string => {
  const users = new Map<string, string>()
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim()
    if (line === "" || line.startsWith("#")) continue
    const colon = line.indexOf(":")
    const hash = line.slice(colon + 1)
    if (colon <= 0 || !/^\$2[abxy]?\$\d\d\$/.test(hash)) return `line ${i + 1}: not a bcrypt entry (use htpasswd -B)`
    users.set(line.slice(0, colon), hash)
  }
  return users
}

/** The users of an htpasswd file. */
export const htpasswd = (users: ReadonlyMap<string, string>): Check => {
  const verified = new Set<string>()
  return (user, password) =>
    Effect.gen(function* () {
      const hash = users.get(user)
      if (hash === undefined) return false
      const key = sha256(`${user}\u0000${password}\u0000${hash}`).toString("hex")
      if (verified.has(key)) return true
      const ok = yield* Effect.promise(() => bcrypt.compare(password, hash))
      if (ok) verified.add(key)
      return ok
    })
}

const unauthorized = HttpServerResponse.text("authentication required", {
  status: 401,
  headers: { "www-authenticate": 'Basic realm="fjord", charset="UTF-8"' }
})

/** Lets a request through only with credentials that `check` accepts (401 otherwise). */
export const middleware =
  (check: Check) =>
  <E, R>(app: HttpApp.Default<E, R>): HttpApp.Default<E, R> =>
    Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) => {
      const header = request.headers.authorization ?? ""
      const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header)
      if (m === null) return Effect.succeed(unauthorized)
      const decoded = Buffer.from(m[1] ?? "", "base64").toString("utf8")
      const colon = decoded.indexOf(":")
      if (colon < 0) return Effect.succeed(unauthorized)
      return Effect.flatMap(check(decoded.slice(0, colon), decoded.slice(colon + 1)), (ok) =>
        ok ? app : Effect.succeed(unauthorized)
      )
    })
