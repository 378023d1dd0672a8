import { createCipheriv, createHash, randomBytes } from "node:crypto"
import * as Util from "node:util"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { assert, describe, it } from "@effect/vitest"
import * as LoginToken from "@fjord/auth/LoginToken"
import * as OAuthClient from "@fjord/auth/OAuthClient"
import * as SavedToken from "@fjord/auth/SavedToken"
import * as TokenSet from "@fjord/auth/TokenSet"
import * as WhiteLabel from "@fjord/auth/WhiteLabel"
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"

// protocol §2.2 example
const example =
  "eyJ1c2VybmFtZSI6Ims5ZGVtb3VzZXI0eDdxMiIsInJlYWxtIjoiam90dGFjbG91ZCIsIndlbGxfa25vd25fbGluayI6Imh0dHBzOi8vaWQuam90dGFjbG91ZC5jb20vYXV0aC9yZWFsbXMvam90dGFjbG91ZC8ud2VsbC1rbm93bi9vcGVuaWQtY29uZmlndXJhdGlvbiIsImF1dGhfdG9rZW4iOiJabTl2WW1GeUxXVjRZVzF3YkdVdGIyNXNlUSJ9"

describe("LoginToken.decode", () => {
  it.effect("decodes the protocol example (base64url, no padding)", () =>
    Effect.gen(function* () {
      const t = yield* LoginToken.decode(Redacted.make(example))
      assert.strictEqual(t.username, "k9demouser4x7q2")
      assert.strictEqual(t.realm, "jottacloud")
      assert.strictEqual(
        t.wellKnownLink,
        "https://id.jottacloud.com/auth/realms/jottacloud/.well-known/openid-configuration"
      )
      assert.strictEqual(Redacted.value(t.authToken), "Zm9vYmFyLWV4YW1wbGUtb25seQ")
      assert.notInclude(String(t.authToken), "Zm9v")
    })
  )

  it.effect("accepts padding, the standard alphabet and surrounding whitespace", () =>
    Effect.gen(function* () {
      const json = JSON.stringify({
        username: "u?>",
        realm: "r",
        well_known_link: "http://x/?a=>>>",
        auth_token: "s~~~"
      })
      const std = Buffer.from(json, "utf8").toString("base64")
      assert.match(std, /[+/=]/)
      const t = yield* LoginToken.decode(` ${std}\n`)
      assert.strictEqual(t.username, "u?>")
      assert.strictEqual(Redacted.value(t.authToken), "s~~~")
      const round = yield* LoginToken.decode(LoginToken.encode(t))
      assert.strictEqual(round.wellKnownLink, "http://x/?a=>>>")
    })
  )

  it.effect("rejects garbage with InvalidToken and never echoes the token", () =>
    Effect.gen(function* () {
      for (const bad of [
        "",
        "!!!not base64!!!",
        Buffer.from('{"username":"x"}').toString("base64url"),
        "eyJzZWNyZXQ"
      ]) {
        const e = yield* Effect.flip(LoginToken.decode(Redacted.make(bad)))
        assert.strictEqual(e.reason, "InvalidToken")
        if (bad.length > 3) assert.notInclude(e.message, bad)
        assert.notInclude(JSON.stringify(e), bad.length > 3 ? bad : "\u0000")
      }
    })
  )
})

describe("TokenSet", () => {
  it.effect("expiresAt = reception time (Clock) + expires_in; refresh_expires_in 0 means no expiry", () =>
    Effect.gen(function* () {
      yield* TestClock.adjust(Duration.seconds(1000))
      const reply = Option.getOrThrow(
        TokenSet.decodeTokenReply(
          JSON.stringify({
            access_token: "ACCESS-VALUE-1",
            expires_in: 3600,
            refresh_expires_in: 0,
            refresh_token: "REFRESH-VALUE-1",
            token_type: "Bearer",
            id_token: "id",
            "not-before-policy": 0,
            session_state: "s",
            scope: "openid email offline_access",
            unknown_field: 1
          })
        )
      )
      const set = yield* TokenSet.fromReply(reply)
      assert.strictEqual(set.expiresAt, 1_000_000 + 3_600_000)
      assert.isUndefined(set.refreshExpiresAt)
      assert.strictEqual(Redacted.value(set.accessToken), "ACCESS-VALUE-1")
      assert.notInclude(JSON.stringify(set), "VALUE-1")
      assert.notInclude(String(set), "VALUE-1")
    })
  )

  it("keeps the previous refresh token when a refresh reply has none", () => {
    const set = TokenSet.fromReplyAt(Option.getOrThrow(TokenSet.decodeTokenReply('{"access_token":"a"}')), 0)
    assert.strictEqual(set.expiresAt, TokenSet.defaultExpiresInSeconds * 1000)
    const stored = TokenSet.toStoredToken(set, { kind: "oidc", tokenUrl: "u", clientId: "c" }, Redacted.make("old"))
    assert.strictEqual(Redacted.value(stored.refreshToken!), "old")
  })

  it("maps OAuth errors to AuthError reasons", () => {
    const map = (error: string, description?: string, refresh = false) =>
      OAuthClient.fromOAuthError(
        "op",
        400,
        new TokenSet.OAuthErrorBody({
          error,
          ...(description === undefined ? {} : { error_description: description })
        }),
        { refresh }
      ).reason
    assert.strictEqual(map("invalid_grant", "Stale token"), "StaleToken")
    assert.strictEqual(map("invalid_grant", "Session doesn't have required client"), "StaleToken")
    assert.strictEqual(map("invalid_grant", "Invalid user credentials"), "InvalidCredentials")
    assert.strictEqual(map("invalid_grant", "Token is not active", true), "StaleToken")
    assert.strictEqual(map("invalid_client"), "InvalidClient")
    assert.strictEqual(map("unauthorized_client"), "InvalidClient")
    assert.strictEqual(map("unsupported_grant_type"), "InvalidCredentials")
  })
})

describe("OAuthClient transport failures", () => {
  it.effect("an unreachable token endpoint is a transient Transport error without the request in it", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        OAuthClient.refreshGrantOnce({
          tokenUrl: "http://127.0.0.1:1/token",
          clientId: "jottacli",
          refreshToken: Redacted.make("REFRESH-SECRET-VALUE")
        })
      )
      assert.strictEqual(error.reason, "Transport")
      assert.isTrue(OAuthClient.isTransient(error))
      assert.notInclude(JSON.stringify(error), "REFRESH-SECRET-VALUE")
      const legacy = yield* Effect.flip(
        OAuthClient.legacyPasswordGrant({
          tokenUrl: "http://127.0.0.1:1/auth/v1/token",
          clientId: "c",
          username: "u",
          password: Redacted.make("PASSWORD-SECRET-VALUE")
        })
      )
      assert.strictEqual(legacy.reason, "Transport")
      assert.isUndefined(legacy.cause)
    }).pipe(Effect.provide(FetchHttpClient.layer))
  )
})

/** rclone's obscure (AES-256-CTR, published key), in node:crypto for the test. */
const obscure = (plain: string): string => {
  const key = Buffer.from("9c935b48730a554d6bfd7c63c886a92bd390198eb8128afbf4de162b8b95f638", "hex")
  const iv = randomBytes(16)
  const cipher = createCipheriv("aes-256-ctr", key, iv)
  return Buffer.concat([iv, cipher.update(plain, "utf8"), cipher.final()]).toString("base64url")
}

describe("SavedToken (rclone import)", () => {
  const config = `
# a comment
[other]
type = drive

[myjotta]
type = jottacloud
configVersion = 1
client_id = jottacli
client_secret =
tokenURL = https://id.jottacloud.com/auth/realms/jottacloud/protocol/openid-connect/token
token = {"access_token":"eyJhbGciOi.ZXhhbXBsZQ.c2ln","token_type":"Bearer","refresh_token":"eyJhbGciOi.cmVmcmVzaA.c2ln","expiry":"2025-10-09T14:03:27.512345678+02:00"}
device =
mountpoint =
`

  it.effect("configVersion 1: OIDC with tokenURL, client id and Go expiry", () =>
    Effect.gen(function* () {
      const t = yield* SavedToken.fromRcloneConfig(config, "myjotta")
      assert.strictEqual(t.kind, "oidc")
      assert.strictEqual(t.tokenUrl, "https://id.jottacloud.com/auth/realms/jottacloud/protocol/openid-connect/token")
      assert.strictEqual(t.clientId, "jottacli")
      assert.strictEqual(t.expiresAt, Date.parse("2025-10-09T12:03:27.512Z"))
      assert.strictEqual(Redacted.value(t.refreshToken!), "eyJhbGciOi.cmVmcmVzaA.c2ln")
      assert.isUndefined(t.clientSecret)
    })
  )

  it.effect("configVersion 0: legacy endpoint under apiUrl, obscured client secret revealed", () =>
    Effect.gen(function* () {
      const t = yield* SavedToken.fromRclone(
        {
          type: "jottacloud",
          configVersion: "0",
          client_id: "d3m0c1i3nt1d",
          client_secret: obscure("the-secret"),
          token: '{"access_token":"a","refresh_token":"r","expiry":"0001-01-01T00:00:00Z"}'
        },
        { apiUrl: "http://127.0.0.1:1/api" }
      )
      assert.strictEqual(t.kind, "legacy")
      assert.strictEqual(t.tokenUrl, "http://127.0.0.1:1/api/auth/v1/token")
      assert.strictEqual(t.clientId, "d3m0c1i3nt1d")
      assert.strictEqual(Redacted.value(t.clientSecret!), "the-secret")
      assert.strictEqual(t.expiresAt, Number.MAX_SAFE_INTEGER)
      const builtIn = yield* SavedToken.fromRclone({ configVersion: "0", token: '{"access_token":"a"}' })
      assert.strictEqual(builtIn.clientId, OAuthClient.legacyDefaultClientId)
      assert.isTrue(Redacted.value(builtIn.clientSecret!).length > 0)
    })
  )

  it.effect("rejects a missing configVersion, a missing remote and a broken token", () =>
    Effect.gen(function* () {
      const reasons = yield* Effect.all([
        Effect.flip(SavedToken.fromRclone({ type: "jottacloud", token: '{"access_token":"a"}' })),
        Effect.flip(SavedToken.fromRcloneConfig(config, "nope")),
        Effect.flip(SavedToken.fromRclone({ configVersion: "1", token: "{nope" }))
      ])
      assert.deepStrictEqual(
        reasons.map((e) => e.reason),
        ["InvalidToken", "InvalidToken", "InvalidToken"]
      )
    })
  )

  it.effect("toRcloneToken writes Go's oauth2.Token JSON that imports back", () =>
    Effect.gen(function* () {
      const t = yield* SavedToken.fromRcloneConfig(config, "myjotta")
      const json = Redacted.value(SavedToken.toRcloneToken(t))
      const again = yield* SavedToken.fromRclone({ configVersion: "1", token: json })
      assert.strictEqual(again.expiresAt, t.expiresAt)
      assert.strictEqual(Redacted.value(again.accessToken), Redacted.value(t.accessToken))
    })
  )
})

describe("WhiteLabel", () => {
  it("has the 13 services of the protocol table", () => {
    const keys = Object.keys(WhiteLabel.services).sort()
    assert.strictEqual(keys.length, 13)
    assert.strictEqual(WhiteLabel.services.phonero.clientId, "desktop-win")
    assert.deepStrictEqual(WhiteLabel.services.letsgo.scopes, ["openid", "offline_access"])
    assert.strictEqual(WhiteLabel.services.telia_no.realm, "get")
    assert.strictEqual(
      WhiteLabel.discoveryUrl("tele2"),
      "https://mittcloud-auth.tele2.se/auth/realms/comhem/.well-known/openid-configuration"
    )
    assert.strictEqual(
      WhiteLabel.discoveryUrl("onlime", "http://127.0.0.1:9/id/"),
      "http://127.0.0.1:9/id/auth/realms/onlime_wl/.well-known/openid-configuration"
    )
  })

  it.effect("PKCE S256 challenge matches SHA-256 of the verifier; authorizationUrl carries it", () =>
    Effect.gen(function* () {
      const pkce = yield* WhiteLabel.makePkce
      const verifier = Redacted.value(pkce.verifier)
      assert.match(verifier, /^[A-Za-z0-9\-._~]{43,128}$/)
      assert.strictEqual(pkce.challenge, createHash("sha256").update(verifier, "ascii").digest("base64url"))
      const url = new URL(
        WhiteLabel.authorizationUrl({ service: "telia_se", state: "st", pkce, redirectUri: "http://localhost:1/" })
      )
      assert.strictEqual(
        url.origin + url.pathname,
        "https://cloud-auth.telia.se/auth/realms/telia_se/protocol/openid-connect/auth"
      )
      assert.strictEqual(url.searchParams.get("code_challenge"), pkce.challenge)
      assert.strictEqual(url.searchParams.get("code_challenge_method"), "S256")
      assert.strictEqual(url.searchParams.get("scope"), "openid jotta-default offline_access")
      assert.strictEqual(url.searchParams.get("client_id"), "desktop")
      assert.strictEqual(url.searchParams.get("state"), "st")
      assert.notInclude(url.toString(), verifier)
    })
  )
})

describe("token replies that fail their schema", () => {
  const answering = (body: string) =>
    Layer.succeed(
      HttpClient.HttpClient,
      HttpClient.make((request) =>
        Effect.succeed(
          HttpClientResponse.fromWeb(
            request,
            new Response(body, { status: 200, headers: { "content-type": "application/json" } })
          )
        )
      )
    )

  it.effect("keep Schema's issue (where and how) in the AuthError, and no value of the reply", () =>
    Effect.gen(function* () {
      const secret = "eyJsaXZlIjoidG9rZW4ifQ.secret-refresh-value"
      const reply = JSON.stringify({ access_token: secret, expires_in: "soon", refresh_token: secret })
      const e = yield* Effect.flip(
        OAuthClient.refreshGrantOnce({
          tokenUrl: "http://127.0.0.1:9/token",
          clientId: "jottacli",
          refreshToken: Redacted.make("old")
        }).pipe(Effect.provide(answering(reply)))
      )
      assert.strictEqual(e.reason, "Transport")
      assert.match(e.message, /expires_in: Type/)
      assert.isDefined(e.cause)
      const printed = `${e.message} ${JSON.stringify(e)} ${Util.inspect(e, { depth: 20 })} ${Cause.pretty(Cause.fail(e))}`
      assert.notInclude(printed, secret)
      assert.notInclude(printed, "soon")
      const notJson = yield* Effect.flip(
        OAuthClient.refreshGrantOnce({
          tokenUrl: "http://127.0.0.1:9/token",
          clientId: "jottacli",
          refreshToken: Redacted.make("old")
        }).pipe(Effect.provide(answering(`{"access_token": "${secret}"`)))
      )
      assert.match(notJson.message, /not JSON/)
      assert.notInclude(Util.inspect(notJson, { depth: 20 }), secret)
    })
  )
})
