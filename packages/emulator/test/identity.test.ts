import { createHash } from "node:crypto"
import * as Fs from "node:fs"
import { createServer } from "node:http"
import * as Os from "node:os"
import * as Path from "node:path"
import * as HttpServer from "@effect/platform/HttpServer"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { assert, describe, it } from "@effect/vitest"
import * as Emulator from "@fjord/emulator/Emulator"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { type IdentityAccount, type IdentityOptions, makeIdentity } from "../src/internal/identity.js"

// -------------------------------------------------------------------------------------------
// Harness: the identity router served on its own over real loopback HTTP.

const alice: IdentityAccount = { username: "k9demouser4x7q2", email: "alice@example.com", password: "hunter2!" }
const bob: IdentityAccount = { username: "bobuser", email: "bob@example.com", password: "pw-bob", otp: "123456" }

const realmList = [
  "jottacloud",
  "elgiganten",
  "elkjop",
  "elko",
  "gigantti",
  "letsgo",
  "mediamarkt",
  "onlime_wl",
  "phonero",
  "comhem",
  "get",
  "telia_se"
] as const

const serverLayer = NodeHttpServer.layer(() => createServer(), { port: 0, host: "127.0.0.1" })

interface Harness {
  readonly base: string
  readonly clock: { now: number }
  readonly identity: Effect.Effect.Success<ReturnType<typeof makeIdentity>>
  readonly options: IdentityOptions
}

const start = (over: Partial<IdentityOptions> = {}, restore?: unknown) =>
  Effect.gen(function* () {
    const ctx = yield* Layer.build(serverLayer)
    const server = yield* Effect.provide(HttpServer.HttpServer, ctx)
    const address = server.address
    if (address._tag !== "TcpAddress") return yield* Effect.dieMessage("no tcp address")
    const base = `http://127.0.0.1:${address.port}`
    const clock = { now: Date.UTC(2026, 0, 1) }
    const options: IdentityOptions = {
      baseUrl: base,
      accessTokenTtlSeconds: 3600,
      now: Effect.sync(() => clock.now),
      accounts: [alice, bob],
      ...over
    }
    const identity = yield* makeIdentity(options, restore)
    yield* HttpServer.serveEffect(identity.router).pipe(Effect.provide(ctx))
    return { base, clock, identity, options } satisfies Harness
  })

interface Reply {
  readonly status: number
  readonly headers: Headers
  readonly json: Record<string, unknown>
  readonly text: string
}

const request = (url: string, init: RequestInit = {}) =>
  Effect.promise(async (): Promise<Reply> => {
    const res = await fetch(url, { redirect: "manual", ...init })
    const text = await res.text()
    let json: Record<string, unknown> = {}
    try {
      json = JSON.parse(text) as Record<string, unknown>
    } catch {
      json = {}
    }
    return { status: res.status, headers: res.headers, json, text }
  })

const form = (url: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
  request(url, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams(fields).toString()
  })

const basic = (id: string, secret = "") => `Basic ${Buffer.from(`${id}:${secret}`).toString("base64")}`

const tokenUrl = (h: Harness, realm = "jottacloud") => `${h.base}/id/auth/realms/${realm}/protocol/openid-connect/token`
const authUrl = (h: Harness, realm = "jottacloud") => `${h.base}/id/auth/realms/${realm}/protocol/openid-connect/auth`

const decodeLoginToken = (token: string) => {
  assert.match(token, /^[A-Za-z0-9_-]+$/, "base64url without padding")
  return JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as Record<string, string>
}

/** The password grant rclone sends with a decoded personal login token; asserts 200. */
const loginTokenGrant = (tokenEndpoint: string, lt: Record<string, string>) =>
  Effect.gen(function* () {
    const r = yield* form(tokenEndpoint, {
      client_id: "jottacli",
      grant_type: "password",
      password: lt.auth_token ?? "",
      scope: "openid offline_access",
      username: lt.username ?? ""
    })
    assert.strictEqual(r.status, 200, r.text)
    return r
  })

/** Personal login token → password grant, as rclone does it. */
const passwordLogin = (h: Harness, username = alice.username) =>
  Effect.gen(function* () {
    const lt = decodeLoginToken(yield* h.identity.issueLoginToken(username))
    const r = yield* loginTokenGrant(tokenUrl(h), lt)
    return r.json as { access_token: string; refresh_token: string; expires_in: number }
  })

/** The refresh grant with Basic client credentials. */
const refreshAt = (tokenEndpoint: string, token: string, clientId = "jottacli") =>
  form(tokenEndpoint, { grant_type: "refresh_token", refresh_token: token }, { authorization: basic(clientId) })

const refresh = (h: Harness, token: string, clientId = "jottacli", realm = "jottacloud") =>
  refreshAt(tokenUrl(h, realm), token, clientId)

const assertTokenShape = (json: Record<string, unknown>, ttl = 3600) => {
  assert.deepStrictEqual(Object.keys(json), [
    "access_token",
    "expires_in",
    "refresh_expires_in",
    "refresh_token",
    "token_type",
    "id_token",
    "not-before-policy",
    "session_state",
    "scope"
  ])
  for (const k of ["access_token", "refresh_token", "id_token"] as const) {
    assert.match(String(json[k]), /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, k)
  }
  assert.strictEqual(json.expires_in, ttl)
  assert.strictEqual(json.refresh_expires_in, 0)
  assert.strictEqual(json.token_type, "Bearer")
  assert.strictEqual(json["not-before-policy"], 0)
  assert.match(String(json.session_state), /^[0-9a-f-]{36}$/)
}

// -------------------------------------------------------------------------------------------

describe("identity: discovery", () => {
  it.scoped("serves a discovery document for every realm, pointing back under B/id", () =>
    Effect.gen(function* () {
      const h = yield* start()
      for (const realm of realmList) {
        const r = yield* request(`${h.base}/id/auth/realms/${realm}/.well-known/openid-configuration`)
        assert.strictEqual(r.status, 200, realm)
        assert.match(r.headers.get("content-type") ?? "", /application\/json/)
        const issuer = `${h.base}/id/auth/realms/${realm}`
        assert.strictEqual(r.json.issuer, issuer)
        assert.strictEqual(r.json.token_endpoint, `${issuer}/protocol/openid-connect/token`)
        assert.strictEqual(r.json.authorization_endpoint, `${issuer}/protocol/openid-connect/auth`)
        assert.deepStrictEqual(r.json.code_challenge_methods_supported, ["plain", "S256"])
        assert.include(r.json.grant_types_supported as Array<string>, "refresh_token")
      }
    })
  )

  it.scoped("answers 404 for an unknown realm", () =>
    Effect.gen(function* () {
      const h = yield* start()
      const r = yield* request(`${h.base}/id/auth/realms/nope/.well-known/openid-configuration`)
      assert.strictEqual(r.status, 404)
      assert.strictEqual(r.json.error, "Realm does not exist")
      const t = yield* form(tokenUrl(h, "nope"), { grant_type: "password" })
      assert.strictEqual(t.status, 404)
    })
  )
})

describe("identity: personal login token + password grant", () => {
  it.scoped("login token is base64url JSON with a well_known_link under B", () =>
    Effect.gen(function* () {
      const h = yield* start()
      const lt = decodeLoginToken(yield* h.identity.issueLoginToken(alice.username, "telia_se"))
      assert.deepStrictEqual(Object.keys(lt), ["username", "realm", "well_known_link", "auth_token"])
      assert.strictEqual(lt.username, alice.username)
      assert.strictEqual(lt.realm, "telia_se")
      assert.strictEqual(lt.well_known_link, `${h.base}/id/auth/realms/telia_se/.well-known/openid-configuration`)
      const wk = yield* request(lt.well_known_link ?? "")
      assert.strictEqual(wk.status, 200)
    })
  )

  it.scoped("exchanges a login token once; reuse is 401 invalid_grant", () =>
    Effect.gen(function* () {
      const h = yield* start()
      const lt = decodeLoginToken(yield* h.identity.issueLoginToken(alice.username))
      const fields = {
        client_id: "jottacli",
        grant_type: "password",
        password: lt.auth_token ?? "",
        scope: "openid offline_access",
        username: lt.username ?? ""
      }
      const r = yield* form(tokenUrl(h), fields)
      assert.strictEqual(r.status, 200, r.text)
      assertTokenShape(r.json)
      assert.strictEqual(r.json.scope, "openid email offline_access")
      assert.strictEqual(r.headers.get("cache-control"), "no-store")
      const who = yield* h.identity.authenticate(String(r.json.access_token))
      assert.deepStrictEqual(who, Option.some(alice.username))
      const again = yield* form(tokenUrl(h), fields)
      assert.strictEqual(again.status, 401)
      assert.deepStrictEqual(again.json, { error: "invalid_grant", error_description: "Invalid user credentials" })
    })
  )

  it.scoped("rejects a wrong client id with 400 invalid_client and a wrong username with 401", () =>
    Effect.gen(function* () {
      const h = yield* start()
      const lt = decodeLoginToken(yield* h.identity.issueLoginToken(alice.username))
      const base = { grant_type: "password", password: lt.auth_token ?? "", scope: "openid offline_access" }
      const wrong = yield* form(tokenUrl(h), { ...base, client_id: "rclone", username: alice.username })
      assert.strictEqual(wrong.status, 400)
      assert.strictEqual(wrong.json.error, "invalid_client")
      const missing = yield* form(tokenUrl(h), { ...base, username: alice.username })
      assert.strictEqual(missing.status, 400)
      assert.strictEqual(missing.json.error, "invalid_client")
      const otherUser = yield* form(tokenUrl(h), { ...base, client_id: "jottacli", username: "someone" })
      assert.strictEqual(otherUser.status, 401)
      assert.strictEqual(otherUser.json.error, "invalid_grant")
      // None of that burnt the token, and a token from one realm does not work in another.
      const otherRealm = yield* form(tokenUrl(h, "elkjop"), {
        ...base,
        client_id: "jottacli",
        username: alice.username
      })
      assert.strictEqual(otherRealm.status, 401)
      const ok = yield* form(tokenUrl(h), { ...base, client_id: "jottacli", username: alice.username })
      assert.strictEqual(ok.status, 200)
    })
  )

  it.scoped("rejects upper-case grant types and a missing grant type", () =>
    Effect.gen(function* () {
      const h = yield* start()
      const r = yield* form(
        tokenUrl(h),
        { grant_type: "REFRESH_TOKEN", refresh_token: "x" },
        { authorization: basic("jottacli") }
      )
      assert.strictEqual(r.status, 400)
      assert.strictEqual(r.json.error, "unsupported_grant_type")
      const none = yield* form(tokenUrl(h), {})
      assert.strictEqual(none.status, 400)
      assert.strictEqual(none.json.error, "invalid_request")
    })
  )
})

describe("identity: refresh rotation and families", () => {
  it.scoped("each refresh rotates; the old token is stale and its reuse kills the family", () =>
    Effect.gen(function* () {
      const h = yield* start()
      const t0 = yield* passwordLogin(h)
      const r1 = yield* refresh(h, t0.refresh_token)
      assert.strictEqual(r1.status, 200, r1.text)
      assertTokenShape(r1.json)
      assert.notStrictEqual(r1.json.refresh_token, t0.refresh_token)
      assert.notStrictEqual(r1.json.access_token, t0.access_token)
      const r2 = yield* refresh(h, String(r1.json.refresh_token))
      assert.strictEqual(r2.status, 200)
      // Reuse of a rotated token → Stale token, and the family's newest token dies with it.
      const stale = yield* refresh(h, t0.refresh_token)
      assert.strictEqual(stale.status, 400)
      assert.match(stale.headers.get("content-type") ?? "", /application\/json/)
      assert.deepStrictEqual(stale.json, { error: "invalid_grant", error_description: "Stale token" })
      const newest = yield* refresh(h, String(r2.json.refresh_token))
      assert.strictEqual(newest.status, 400)
      assert.deepStrictEqual(newest.json, { error: "invalid_grant", error_description: "Stale token" })
      // Access tokens already issued keep working until they expire.
      const who = yield* h.identity.authenticate(String(r2.json.access_token))
      assert.deepStrictEqual(who, Option.some(alice.username))
      // Another login (another family) is unaffected.
      const other = yield* passwordLogin(h)
      assert.strictEqual((yield* refresh(h, other.refresh_token)).status, 200)
    })
  )

  it.scoped("two processes refreshing the same token at once: one wins, then the family is dead", () =>
    Effect.gen(function* () {
      const h = yield* start()
      const t0 = yield* passwordLogin(h)
      const replies = yield* Effect.all(
        Array.from({ length: 8 }, () => refresh(h, t0.refresh_token)),
        { concurrency: "unbounded" }
      )
      const winners = replies.filter((r) => r.status === 200)
      assert.strictEqual(winners.length, 1)
      for (const r of replies.filter((r) => r.status !== 200))
        assert.strictEqual(r.json.error_description, "Stale token")
      assert.strictEqual((yield* refresh(h, String(winners[0]?.json.refresh_token))).status, 400)
    })
  )

  it.scoped("accepts the client id as Basic credentials or as a form field; another client is invalid_grant", () =>
    Effect.gen(function* () {
      const h = yield* start()
      const t0 = yield* passwordLogin(h)
      const viaForm = yield* form(tokenUrl(h), {
        client_id: "jottacli",
        grant_type: "refresh_token",
        refresh_token: t0.refresh_token
      })
      assert.strictEqual(viaForm.status, 200, viaForm.text)
      // golang.org/x/oauth2 URL-escapes the id inside Basic; empty password.
      const viaBasic = yield* refresh(h, String(viaForm.json.refresh_token))
      assert.strictEqual(viaBasic.status, 200, viaBasic.text)
      const wrong = yield* refresh(h, String(viaBasic.json.refresh_token), "desktop")
      assert.strictEqual(wrong.status, 400)
      assert.strictEqual(wrong.json.error, "invalid_grant")
      // A wrong client does not consume the token.
      assert.strictEqual((yield* refresh(h, String(viaBasic.json.refresh_token))).status, 200)
      const noClient = yield* form(tokenUrl(h), { grant_type: "refresh_token", refresh_token: "x" })
      assert.strictEqual(noClient.status, 400)
      assert.strictEqual(noClient.json.error, "invalid_client")
      const unknown = yield* refresh(h, "not-a-token")
      assert.strictEqual(unknown.status, 400)
      assert.strictEqual(unknown.json.error, "invalid_grant")
    })
  )

  it.scoped("revokeRefreshToken kills the family; the stale description is configurable", () =>
    Effect.gen(function* () {
      const h = yield* start({ staleTokenDescription: "Session doesn't have required client" })
      const t0 = yield* passwordLogin(h)
      const r1 = yield* refresh(h, t0.refresh_token)
      yield* h.identity.revokeRefreshToken(t0.refresh_token)
      const dead = yield* refresh(h, String(r1.json.refresh_token))
      assert.strictEqual(dead.status, 400)
      assert.deepStrictEqual(dead.json, {
        error: "invalid_grant",
        error_description: "Session doesn't have required client"
      })
      assert.isTrue(Option.isSome(yield* h.identity.authenticate(String(r1.json.access_token))))
    })
  )
})

describe("identity: access tokens and the clock", () => {
  it.scoped("tokens expire by the emulator clock; TTL and expire-all are controllable", () =>
    Effect.gen(function* () {
      const h = yield* start({ accessTokenTtlSeconds: 60 })
      const t0 = yield* passwordLogin(h)
      assert.strictEqual(t0.expires_in, 60)
      assert.isTrue(Option.isSome(yield* h.identity.authenticate(t0.access_token)))
      h.clock.now += 59_999
      assert.isTrue(Option.isSome(yield* h.identity.authenticate(t0.access_token)))
      h.clock.now += 1
      assert.isTrue(Option.isNone(yield* h.identity.authenticate(t0.access_token)))
      // The refresh token outlives the access token.
      yield* h.identity.setAccessTokenTtl(5)
      const r1 = yield* refresh(h, t0.refresh_token)
      assert.strictEqual(r1.json.expires_in, 5)
      const direct = yield* h.identity.issueAccessToken(bob.username)
      assert.deepStrictEqual(yield* h.identity.authenticate(direct), Option.some(bob.username))
      yield* h.identity.expireAllAccessTokens
      assert.isTrue(Option.isNone(yield* h.identity.authenticate(direct)))
      assert.isTrue(Option.isNone(yield* h.identity.authenticate(String(r1.json.access_token))))
      // Tokens issued afterwards are fine.
      assert.isTrue(Option.isSome(yield* h.identity.authenticate(yield* h.identity.issueAccessToken(bob.username))))
      assert.isTrue(Option.isNone(yield* h.identity.authenticate("garbage")))
    })
  )

  it.scoped("snapshot/restore keeps tokens, families and used login tokens across a restart", () =>
    Effect.gen(function* () {
      const h = yield* start()
      const t0 = yield* passwordLogin(h)
      const r1 = yield* refresh(h, t0.refresh_token)
      const spare = yield* h.identity.issueLoginToken(alice.username)
      const snap: unknown = JSON.parse(JSON.stringify(yield* h.identity.snapshot))
      const h2 = yield* start({}, snap)
      assert.deepStrictEqual(yield* h2.identity.authenticate(String(r1.json.access_token)), Option.some(alice.username))
      assert.strictEqual((yield* refresh(h2, t0.refresh_token)).json.error_description, "Stale token")
      assert.strictEqual((yield* refresh(h2, String(r1.json.refresh_token))).status, 400)
      const lt = decodeLoginToken(spare)
      const ok = yield* form(tokenUrl(h2), {
        client_id: "jottacli",
        grant_type: "password",
        password: lt.auth_token ?? "",
        scope: "openid offline_access",
        username: alice.username
      })
      assert.strictEqual(ok.status, 200)
      // A value that is not a snapshot is ignored.
      const h3 = yield* start({}, { nonsense: true })
      assert.isTrue(Option.isNone(yield* h3.identity.authenticate(String(r1.json.access_token))))
    })
  )
})

const verifier = "dBjftJeZ4CVP-mJ92K9kiVpbvYq4kXJ3Z6Qp3t6T0s-0123456789"
const challengeS256 = createHash("sha256").update(verifier).digest("base64url")
const redirectUri = "http://localhost:53682/"

const authorize = (h: Harness, params: Record<string, string>, realm = "jottacloud") =>
  request(`${authUrl(h, realm)}?${new URLSearchParams(params).toString()}`)

const codeFrom = (r: Reply) => {
  assert.strictEqual(r.status, 302, r.text)
  const loc = new URL(r.headers.get("location") ?? "")
  return { loc, code: loc.searchParams.get("code") ?? "" }
}

describe("identity: authorization code + PKCE", () => {
  it.scoped("auto-approves, echoes state, verifies an S256 verifier and issues tokens", () =>
    Effect.gen(function* () {
      const h = yield* start()
      const r = yield* authorize(h, {
        response_type: "code",
        client_id: "desktop",
        redirect_uri: redirectUri,
        scope: "openid jotta-default offline_access",
        state: "st-42 x",
        access_type: "offline",
        code_challenge: challengeS256,
        code_challenge_method: "S256"
      })
      const { loc, code } = codeFrom(r)
      assert.strictEqual(`${loc.origin}${loc.pathname}`, "http://localhost:53682/")
      assert.strictEqual(loc.searchParams.get("state"), "st-42 x")
      assert.isTrue(code.length > 20)
      const t = yield* form(
        tokenUrl(h),
        { grant_type: "authorization_code", code, redirect_uri: redirectUri, code_verifier: verifier },
        { authorization: basic("desktop") }
      )
      assert.strictEqual(t.status, 200, t.text)
      assertTokenShape(t.json)
      assert.strictEqual(t.json.scope, "openid email jotta-default offline_access")
      assert.deepStrictEqual(yield* h.identity.authenticate(String(t.json.access_token)), Option.some(alice.username))
      // Refresh with the family's client (desktop), not jottacli.
      assert.strictEqual((yield* refresh(h, String(t.json.refresh_token), "desktop")).status, 200)
      // Codes are single-use; a replay revokes what the code produced.
      const replay = yield* form(
        tokenUrl(h),
        { grant_type: "authorization_code", code, redirect_uri: redirectUri, code_verifier: verifier },
        { authorization: basic("desktop") }
      )
      assert.strictEqual(replay.status, 400)
      assert.strictEqual(replay.json.error, "invalid_grant")
    })
  )

  it.scoped("rejects a wrong verifier, a missing verifier and a wrong redirect_uri; plain works", () =>
    Effect.gen(function* () {
      const h = yield* start()
      const fresh = (method: "S256" | "plain") =>
        Effect.map(
          authorize(h, {
            response_type: "code",
            client_id: "desktop",
            redirect_uri: redirectUri,
            scope: "openid offline_access",
            code_challenge: method === "S256" ? challengeS256 : verifier,
            code_challenge_method: method
          }),
          (r) => codeFrom(r).code
        )
      const exchange = (code: string, extra: Record<string, string>) =>
        form(tokenUrl(h), {
          grant_type: "authorization_code",
          client_id: "desktop",
          code,
          redirect_uri: redirectUri,
          ...extra
        })
      const wrong = yield* exchange(yield* fresh("S256"), { code_verifier: `${verifier}x` })
      assert.strictEqual(wrong.status, 400)
      assert.deepStrictEqual(wrong.json, {
        error: "invalid_grant",
        error_description: "PKCE verification failed: Code mismatch"
      })
      const missing = yield* exchange(yield* fresh("S256"), {})
      assert.strictEqual(missing.status, 400)
      assert.strictEqual(missing.json.error, "invalid_grant")
      const badRedirect = yield* exchange(yield* fresh("S256"), {
        code_verifier: verifier,
        redirect_uri: "http://localhost:9999/"
      })
      assert.strictEqual(badRedirect.status, 400)
      assert.strictEqual(badRedirect.json.error_description, "Incorrect redirect_uri")
      const plain = yield* exchange(yield* fresh("plain"), { code_verifier: verifier })
      assert.strictEqual(plain.status, 200, plain.text)
      // Without a challenge no verifier is needed (rclone sends none).
      const noPkce = yield* authorize(h, { response_type: "code", client_id: "desktop", redirect_uri: redirectUri })
      assert.strictEqual((yield* exchange(codeFrom(noPkce).code, {})).status, 200)
    })
  )

  it.scoped("validates client, redirect_uri, response_type and scopes per realm", () =>
    Effect.gen(function* () {
      const h = yield* start()
      const unknownClient = yield* authorize(h, { response_type: "code", client_id: "nope", redirect_uri: redirectUri })
      assert.strictEqual(unknownClient.status, 400)
      // Phonero and Let's Go use desktop-win and reject desktop and jotta-default.
      const phoneroDesktop = yield* authorize(
        h,
        { response_type: "code", client_id: "desktop", redirect_uri: redirectUri },
        "phonero"
      )
      assert.strictEqual(phoneroDesktop.status, 400)
      const phoneroScope = yield* authorize(
        h,
        {
          response_type: "code",
          client_id: "desktop-win",
          redirect_uri: redirectUri,
          scope: "openid jotta-default offline_access",
          state: "s"
        },
        "phonero"
      )
      const loc = codeFrom(phoneroScope).loc
      assert.strictEqual(loc.searchParams.get("error"), "invalid_scope")
      assert.strictEqual(loc.searchParams.get("state"), "s")
      const letsgo = yield* authorize(
        h,
        { response_type: "code", client_id: "desktop-win", redirect_uri: redirectUri, scope: "openid offline_access" },
        "letsgo"
      )
      const t = yield* form(
        tokenUrl(h, "letsgo"),
        { grant_type: "authorization_code", code: codeFrom(letsgo).code, redirect_uri: redirectUri },
        { authorization: basic("desktop-win") }
      )
      assert.strictEqual(t.status, 200, t.text)
      const foreign = yield* authorize(h, {
        response_type: "code",
        client_id: "desktop",
        redirect_uri: "https://evil.example/cb"
      })
      assert.strictEqual(foreign.status, 400)
      assert.isNull(foreign.headers.get("location"))
      const token = yield* authorize(h, { response_type: "token", client_id: "desktop", redirect_uri: redirectUri })
      assert.strictEqual(codeFrom(token).loc.searchParams.get("error"), "unsupported_response_type")
      // jottacli is accepted by the authorize endpoint too, and login_hint picks the account.
      const cli = yield* authorize(h, {
        response_type: "code",
        client_id: "jottacli",
        redirect_uri: "http://127.0.0.1:40001/cb",
        login_hint: bob.email
      })
      const tc = yield* form(tokenUrl(h), {
        grant_type: "authorization_code",
        client_id: "jottacli",
        code: codeFrom(cli).code,
        redirect_uri: "http://127.0.0.1:40001/cb"
      })
      assert.deepStrictEqual(yield* h.identity.authenticate(String(tc.json.access_token)), Option.some(bob.username))
    })
  )

  const codeLogin = (h: Harness) =>
    Effect.gen(function* () {
      const r = yield* authorize(h, { response_type: "code", client_id: "desktop", redirect_uri: redirectUri })
      const t = yield* form(
        tokenUrl(h),
        { grant_type: "authorization_code", code: codeFrom(r).code, redirect_uri: redirectUri },
        { authorization: basic("desktop") }
      )
      return String(t.json.refresh_token)
    })

  it.scoped("without exclusivity, two traditional logins coexist", () =>
    Effect.gen(function* () {
      const h = yield* start({ exclusiveCodeLogins: false })
      const first = yield* codeLogin(h)
      yield* codeLogin(h)
      assert.strictEqual((yield* refresh(h, first, "desktop")).status, 200)
    })
  )

  it.scoped("a new traditional login of the same account and client ends the previous one", () =>
    Effect.gen(function* () {
      const h = yield* start()
      const first = yield* codeLogin(h)
      const second = yield* codeLogin(h)
      assert.strictEqual((yield* refresh(h, first, "desktop")).json.error_description, "Stale token")
      assert.strictEqual((yield* refresh(h, second, "desktop")).status, 200)
      // A password-grant (jottacli) family of the same account is not affected.
      const cli = yield* passwordLogin(h)
      yield* codeLogin(h)
      assert.strictEqual((yield* refresh(h, cli.refresh_token)).status, 200)
    })
  )
})

const legacyUrl = (h: Harness) => `${h.base}/api/auth/v1/token`
const BUILTIN = "nibfk8biu12ju7hpqomr8b1e40"
const REGISTER_BEARER = "c2xrZmpoYWRsZmFramhkc2xma2phaHNkbGZramhhc2xkZmtqaGFzZGxrZmpobGtq"

describe("identity: legacy auth/v1", () => {
  it.scoped("registers a device with the fixed public bearer", () =>
    Effect.gen(function* () {
      const h = yield* start()
      const r = yield* request(`${h.base}/api/auth/v1/register?device_id=rclone-abcdefghijklmnopqrstu`, {
        method: "POST",
        headers: { authorization: `Bearer ${REGISTER_BEARER}`, "content-type": "application/x-www-form-urlencoded" }
      })
      assert.strictEqual(r.status, 200, r.text)
      assert.deepStrictEqual(Object.keys(r.json), ["client_id", "client_secret"])
      const viaForm = yield* form(
        `${h.base}/api/auth/v1/register`,
        { device_id: "dev-2" },
        { authorization: `Bearer ${REGISTER_BEARER}` }
      )
      assert.strictEqual(viaForm.status, 200)
      const noAuth = yield* form(`${h.base}/api/auth/v1/register`, { device_id: "dev-3" })
      assert.strictEqual(noAuth.status, 401)
      // The registered pair works for the PASSWORD grant; a wrong secret does not.
      const id = String(r.json.client_id)
      const secret = String(r.json.client_secret)
      const q = (s: string) =>
        new URLSearchParams({
          client_id: id,
          client_secret: s,
          grant_type: "PASSWORD",
          password: alice.password,
          username: alice.username
        })
      const ok = yield* request(`${legacyUrl(h)}?${q(secret)}`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" }
      })
      assert.strictEqual(ok.status, 200, ok.text)
      const bad = yield* request(`${legacyUrl(h)}?${q("nope")}`, { method: "POST" })
      assert.strictEqual(bad.status, 401)
      assert.strictEqual(bad.json.error, "invalid_client")
    })
  )

  it.scoped("PASSWORD grant via query string (rclone) and via form body, by username or e-mail", () =>
    Effect.gen(function* () {
      const h = yield* start()
      const viaQuery = yield* request(
        `${legacyUrl(h)}?${new URLSearchParams({ client_id: BUILTIN, client_secret: "whatever", grant_type: "PASSWORD", password: alice.password, username: alice.username })}`,
        { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" } }
      )
      assert.strictEqual(viaQuery.status, 200, viaQuery.text)
      assert.deepStrictEqual(Object.keys(viaQuery.json), ["access_token", "token_type", "refresh_token", "expires_in"])
      assert.strictEqual(viaQuery.json.expires_in, 3600)
      assert.deepStrictEqual(
        yield* h.identity.authenticate(String(viaQuery.json.access_token)),
        Option.some(alice.username)
      )
      const viaForm = yield* form(
        legacyUrl(h),
        { grant_type: "PASSWORD", password: alice.password, username: "ALICE@example.com" },
        { authorization: basic(BUILTIN, "s") }
      )
      assert.strictEqual(viaForm.status, 200, viaForm.text)
      const wrongPw = yield* form(legacyUrl(h), {
        client_id: BUILTIN,
        grant_type: "PASSWORD",
        password: "x",
        username: alice.username
      })
      assert.strictEqual(wrongPw.status, 400)
      assert.strictEqual(wrongPw.json.error, "invalid_grant")
      const lower = yield* form(legacyUrl(h), {
        client_id: BUILTIN,
        grant_type: "password",
        password: alice.password,
        username: alice.username
      })
      assert.strictEqual(lower.status, 400)
      assert.strictEqual(lower.json.error, "unsupported_grant_type")
    })
  )

  it.scoped("2FA: 401 with X-JottaCloud-OTP until the SMS code is sent, with or without dash", () =>
    Effect.gen(function* () {
      const h = yield* start()
      const fields = { client_id: BUILTIN, grant_type: "PASSWORD", password: bob.password, username: bob.username }
      const first = yield* form(legacyUrl(h), fields)
      assert.strictEqual(first.status, 401)
      assert.strictEqual(first.headers.get("x-jottacloud-otp"), "required; SMS")
      const wrong = yield* form(legacyUrl(h), fields, { "X-Jottacloud-Otp": "654321" })
      assert.strictEqual(wrong.status, 401)
      assert.strictEqual(wrong.json.error, "invalid_grant")
      assert.isNull(wrong.headers.get("x-jottacloud-otp"))
      const plain = yield* form(legacyUrl(h), fields, { "X-Jottacloud-Otp": "123456" })
      assert.strictEqual(plain.status, 200, plain.text)
      const dashed = yield* form(legacyUrl(h), fields, { "x-jottacloud-otp": "123-456" })
      assert.strictEqual(dashed.status, 200, dashed.text)
    })
  )

  it.scoped("REFRESH_TOKEN grant rotates; lower case is 400; reuse is stale", () =>
    Effect.gen(function* () {
      const h = yield* start()
      const login = yield* form(legacyUrl(h), {
        client_id: BUILTIN,
        client_secret: "s",
        grant_type: "PASSWORD",
        password: alice.password,
        username: alice.username
      })
      const rt = String(login.json.refresh_token)
      const lower = yield* form(
        legacyUrl(h),
        { grant_type: "refresh_token", refresh_token: rt },
        { authorization: basic(BUILTIN, "s") }
      )
      assert.strictEqual(lower.status, 400)
      const r1 = yield* form(
        legacyUrl(h),
        { grant_type: "REFRESH_TOKEN", refresh_token: rt },
        { authorization: basic(BUILTIN, "s") }
      )
      assert.strictEqual(r1.status, 200, r1.text)
      assert.notStrictEqual(r1.json.refresh_token, rt)
      const r2 = yield* form(legacyUrl(h), {
        client_id: BUILTIN,
        client_secret: "s",
        grant_type: "REFRESH_TOKEN",
        refresh_token: String(r1.json.refresh_token)
      })
      assert.strictEqual(r2.status, 200, r2.text)
      const stale = yield* form(legacyUrl(h), { client_id: BUILTIN, grant_type: "REFRESH_TOKEN", refresh_token: rt })
      assert.deepStrictEqual(stale.json, { error: "invalid_grant", error_description: "Stale token" })
      // Legacy refresh tokens are not accepted by the OIDC endpoint.
      assert.strictEqual((yield* refresh(h, String(r2.json.refresh_token))).status, 400)
    })
  )
})

describe("identity: odds and ends", () => {
  it.scoped("accepts rclone's old literal scope offline_access+openid; desktop may not use the password grant", () =>
    Effect.gen(function* () {
      const h = yield* start()
      const lt = decodeLoginToken(yield* h.identity.issueLoginToken(alice.username))
      const fields = { grant_type: "password", password: lt.auth_token ?? "", username: alice.username }
      const desktop = yield* form(tokenUrl(h), { ...fields, client_id: "desktop", scope: "openid offline_access" })
      assert.strictEqual(desktop.status, 400)
      assert.strictEqual(desktop.json.error, "invalid_client")
      const old = yield* form(tokenUrl(h), { ...fields, client_id: "jottacli", scope: "offline_access+openid" })
      assert.strictEqual(old.status, 200, old.text)
      assert.strictEqual(old.json.scope, "openid email offline_access")
    })
  )

  it.scoped("authorization codes expire after 60 s of emulator time", () =>
    Effect.gen(function* () {
      const h = yield* start()
      const r = yield* authorize(h, { response_type: "code", client_id: "desktop", redirect_uri: redirectUri })
      h.clock.now += 60_000
      const t = yield* form(tokenUrl(h), {
        grant_type: "authorization_code",
        client_id: "desktop",
        code: codeFrom(r).code,
        redirect_uri: redirectUri
      })
      assert.strictEqual(t.status, 400)
      assert.deepStrictEqual(t.json, { error: "invalid_grant", error_description: "Code is expired" })
    })
  )

  it.scoped("GET on the token endpoint is 405; userinfo answers for a valid bearer only", () =>
    Effect.gen(function* () {
      const h = yield* start()
      const get = yield* request(tokenUrl(h))
      assert.strictEqual(get.status, 405)
      assert.strictEqual(get.headers.get("allow"), "POST, OPTIONS")
      const userinfo = `${h.base}/id/auth/realms/jottacloud/protocol/openid-connect/userinfo`
      const token = yield* h.identity.issueAccessToken(alice.username)
      const ok = yield* request(userinfo, { headers: { authorization: `Bearer ${token}` } })
      assert.strictEqual(ok.status, 200)
      assert.strictEqual(ok.json.preferred_username, alice.username)
      assert.strictEqual(ok.json.email, alice.email)
      yield* h.identity.expireAllAccessTokens
      const expired = yield* request(userinfo, { headers: { authorization: `Bearer ${token}` } })
      assert.strictEqual(expired.status, 401)
      assert.match(expired.headers.get("www-authenticate") ?? "", /invalid_token/)
    })
  )
})

describe("identity through Emulator.make", () => {
  const jfsStatus = (emu: Emulator.Handle, token: string) =>
    Effect.map(
      request(`${emu.url}/jfs/${emu.username}`, { headers: { authorization: `Bearer ${token}` } }),
      (r) => r.status
    )

  const standardLogin = (emu: Emulator.Handle, loginToken: string) =>
    Effect.gen(function* () {
      const lt = decodeLoginToken(loginToken)
      const wk = yield* request(lt.well_known_link ?? "")
      assert.strictEqual(wk.status, 200)
      const tokenEndpoint = String(wk.json.token_endpoint)
      assert.isTrue(tokenEndpoint.startsWith(`${emu.url}/id/`))
      const t = yield* loginTokenGrant(tokenEndpoint, lt)
      return { tokenEndpoint, access: String(t.json.access_token), refresh: String(t.json.refresh_token) }
    })

  it.scoped("login token → tokens that open JFS; expiry by advanceClock; refresh gives a working token", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make({ accessTokenTtlSeconds: 120 })
      const t = yield* standardLogin(emu, emu.loginToken)
      assert.strictEqual(yield* jfsStatus(emu, t.access), 200)
      yield* emu.advanceClock(120_000)
      assert.strictEqual(yield* jfsStatus(emu, t.access), 401)
      const r = yield* refreshAt(t.tokenEndpoint, t.refresh)
      assert.strictEqual(r.status, 200, r.text)
      assert.strictEqual(r.json.expires_in, 120)
      assert.strictEqual(yield* jfsStatus(emu, String(r.json.access_token)), 200)
      const log = yield* emu.requests
      assert.strictEqual(log.filter((e) => e.path.endsWith("/openid-connect/token")).length, 2)
    })
  )

  it.scoped("legacy 2FA for an extra account, then its token opens that account's JFS root", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make({
        accounts: [{ username: "twofa", email: "twofa@example.org", password: "pw", otp: "314159" }]
      })
      const q = new URLSearchParams({
        client_id: BUILTIN,
        client_secret: "x",
        grant_type: "PASSWORD",
        password: "pw",
        username: "twofa@example.org"
      })
      const url = `${emu.url}/api/auth/v1/token?${q}`
      const first = yield* request(url, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" }
      })
      assert.strictEqual(first.status, 401)
      assert.strictEqual(first.headers.get("x-jottacloud-otp"), "required; SMS")
      const ok = yield* request(url, { method: "POST", headers: { "X-Jottacloud-Otp": "314-159" } })
      assert.strictEqual(ok.status, 200, ok.text)
      const root = yield* request(`${emu.url}/jfs/twofa`, {
        headers: { authorization: `Bearer ${ok.json.access_token}` }
      })
      assert.strictEqual(root.status, 200)
    })
  )

  it.scoped("with --data, a rotated refresh token survives a restart and the old one stays stale", () =>
    Effect.gen(function* () {
      const dir = yield* Effect.acquireRelease(
        Effect.sync(() => Fs.mkdtempSync(Path.join(Os.tmpdir(), "fjord-identity-"))),
        (d) => Effect.sync(() => Fs.rmSync(d, { recursive: true, force: true }))
      )
      const before = yield* Effect.scoped(
        Effect.gen(function* () {
          const emu = yield* Emulator.make({ dataDir: dir })
          const t = yield* standardLogin(emu, emu.loginToken)
          const r = yield* refreshAt(t.tokenEndpoint, t.refresh)
          return { old: t.refresh, current: String(r.json.refresh_token), path: t.tokenEndpoint.slice(emu.url.length) }
        })
      )
      const emu = yield* Emulator.make({ dataDir: dir })
      const endpoint = `${emu.url}${before.path}`
      const r = yield* refreshAt(endpoint, before.current)
      assert.strictEqual(r.status, 200, r.text)
      const stale = yield* refreshAt(endpoint, before.old)
      assert.deepStrictEqual(stale.json, { error: "invalid_grant", error_description: "Stale token" })
    })
  )
})
