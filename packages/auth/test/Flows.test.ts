/**
 * Every auth layer's full flow against the emulator over real loopback HTTP.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { assert, describe, it } from "@effect/vitest"
import * as AuthPolicy from "@fjord/auth/AuthPolicy"
import * as Legacy from "@fjord/auth/Legacy"
import * as LoginToken from "@fjord/auth/LoginToken"
import * as OAuthClient from "@fjord/auth/OAuthClient"
import * as RedirectCatcher from "@fjord/auth/RedirectCatcher"
import * as SavedToken from "@fjord/auth/SavedToken"
import * as StaticAuth from "@fjord/auth/StaticAuth"
import * as TokenStore from "@fjord/auth/TokenStore"
import * as TwoFactorPrompt from "@fjord/auth/TwoFactorPrompt"
import * as WhiteLabel from "@fjord/auth/WhiteLabel"
import { AuthError, type Service as AuthService, JottaAuth } from "@fjord/core/Auth"
import * as Emulator from "@fjord/emulator/Emulator"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as TestClock from "effect/TestClock"

const otpAccount: Emulator.Account = {
  username: "otpuser8z",
  email: "otp@example.org",
  password: "otp-account-password",
  otp: "123456"
}

/** A live emulator plus a memory token store, with the fetch HttpClient. */
const setup = (options: Emulator.Options = {}) =>
  Effect.gen(function* () {
    const emu = yield* Emulator.make({ accounts: [otpAccount], ...options })
    const store = yield* TokenStore.makeMemory()
    return { emu, store }
  })

const provide = <A, E, R>(effect: Effect.Effect<A, E, R>, store: TokenStore.Service) =>
  effect.pipe(Effect.provideService(TokenStore.TokenStore, store), Effect.provide(FetchHttpClient.layer))

/** GET the user document with a token; the status tells whether the emulator accepts it. */
const jfsStatus = (emu: Emulator.Handle, token: Redacted.Redacted<string>) =>
  HttpClient.execute(
    HttpClientRequest.get(`${emu.url}/jfs/${emu.username}`).pipe(HttpClientRequest.bearerToken(token))
  ).pipe(
    Effect.map((r) => r.status),
    Effect.provide(FetchHttpClient.layer),
    Effect.orDie
  )

/** A fresh access token per call is expected when the previous one is dropped. */
const tokenRequests = (emu: Emulator.Handle) =>
  Effect.map(emu.requests, (log) => log.filter((r) => r.op === "token" && r.method === "POST"))

const storedToken = (store: TokenStore.Service) => Effect.map(store.get, Option.getOrThrow)

const loginTokenAuth = (emu: Emulator.Handle, store: TokenStore.Service, token: string = emu.loginToken) =>
  provide(LoginToken.make(Redacted.make(token)), store)

/** `setup()`, then logged in with the emulator's login token. */
const loggedIn = Effect.gen(function* () {
  const { emu, store } = yield* setup()
  const auth = yield* loginTokenAuth(emu, store)
  return { emu, store, auth }
})

/** `setup()`, and a token obtained with the login token through another store (a token saved elsewhere). */
const savedElsewhere = Effect.gen(function* () {
  const { emu, store } = yield* setup()
  const origin = yield* TokenStore.makeMemory()
  yield* loginTokenAuth(emu, origin)
  return { emu, store, saved: yield* storedToken(origin) }
})

/** An access token from a `JottaAuth` layer configured from `env`. */
const accessTokenFromConfig = <E>(
  authLayer: Layer.Layer<JottaAuth, E, TokenStore.TokenStore | HttpClient.HttpClient>,
  env: ReadonlyArray<readonly [string, string]>,
  store: TokenStore.Service
) =>
  provide(
    Effect.flatMap(JottaAuth, (auth) => auth.accessToken).pipe(
      Effect.provide(authLayer),
      Effect.withConfigProvider(ConfigProvider.fromMap(new Map(env)))
    ),
    store
  )

/** The test double of the redirect catcher: "the browser" follows the authorization URL. */
const followingCatcher = RedirectCatcher.RedirectCatcher.of({
  redirectUri: "http://localhost:53682/",
  waitForCode: ({ authorizationUrl, state }) =>
    Effect.gen(function* () {
      const response = yield* Effect.promise(() => fetch(authorizationUrl, { redirect: "manual" }))
      const location = response.headers.get("location")
      if (location === null) {
        return yield* Effect.fail(
          new AuthError({ reason: "InvalidCredentials", operation: "test", status: response.status })
        )
      }
      const params = new URL(location).searchParams
      const code = params.get("code")
      if (params.get("state") !== state || code === null) {
        return yield* Effect.fail(
          new AuthError({
            reason: "InvalidCredentials",
            operation: "test",
            description: params.get("error") ?? "state"
          })
        )
      }
      return { code: Redacted.make(code) }
    })
})

const authorize = (emu: Emulator.Handle, service: WhiteLabel.ServiceKey, pkce: WhiteLabel.Pkce) =>
  followingCatcher.waitForCode({
    authorizationUrl: WhiteLabel.authorizationUrl({
      service,
      redirectUri: followingCatcher.redirectUri,
      state: "s1",
      pkce,
      identityBase: `${emu.url}/id`
    }),
    state: "s1"
  })

describe("LoginToken against the emulator", () => {
  it.scoped("full flow: discovery, password grant as jottacli, token accepted by JFS, refresh rotates", () =>
    Effect.gen(function* () {
      const { emu, store, auth } = yield* loggedIn
      const first = yield* auth.accessToken
      assert.strictEqual(yield* jfsStatus(emu, first), 200)
      const log = yield* emu.requests
      const discovery = log.findIndex((r) => r.op === "discovery" && r.method === "GET")
      const token = log.findIndex((r) => r.op === "token" && r.method === "POST")
      assert.isTrue(discovery >= 0 && token > discovery)
      assert.strictEqual(log[token]!.path, "/id/auth/realms/jottacloud/protocol/openid-connect/token")

      const before = yield* storedToken(store)
      assert.strictEqual(before.clientId, "jottacli")
      assert.strictEqual(before.kind, "oidc")
      assert.strictEqual(before.tokenUrl, `${emu.url}/id/auth/realms/jottacloud/protocol/openid-connect/token`)

      yield* TestClock.adjust(Duration.hours(1))
      const second = yield* auth.accessToken
      assert.notStrictEqual(Redacted.value(second), Redacted.value(first))
      assert.strictEqual(yield* jfsStatus(emu, second), 200)
      const after = yield* storedToken(store)
      assert.strictEqual(Redacted.value(after.accessToken), Redacted.value(second))
      assert.notStrictEqual(Redacted.value(after.refreshToken!), Redacted.value(before.refreshToken!))
    })
  )

  it.scoped("the login token is single-use; with a stored token the layer resumes without exchanging it", () =>
    Effect.gen(function* () {
      const { emu, store } = yield* setup()
      yield* loginTokenAuth(emu, store)
      // same store: resume, no second exchange
      const resumed = yield* loginTokenAuth(emu, store)
      yield* resumed.accessToken
      assert.strictEqual((yield* tokenRequests(emu)).length, 1)
      // a new store: the exchange is attempted again and refused
      const other = yield* TokenStore.makeMemory()
      const error = yield* Effect.flip(loginTokenAuth(emu, other))
      assert.strictEqual(error.reason, "InvalidCredentials")
      assert.strictEqual((yield* tokenRequests(emu)).length, 2)
    })
  )

  it.scoped("50 concurrent operations on an expired token cause exactly one refresh request", () =>
    Effect.gen(function* () {
      const { emu, auth } = yield* loggedIn
      yield* auth.accessToken
      yield* emu.expireAllAccessTokens
      yield* TestClock.adjust(Duration.hours(2))
      yield* emu.clearRequests
      const statuses = yield* Effect.all(
        Array.from({ length: 50 }, () => Effect.flatMap(auth.accessToken, (t) => jfsStatus(emu, t))),
        { concurrency: "unbounded" }
      )
      assert.deepStrictEqual([...new Set(statuses)], [200])
      assert.strictEqual((yield* tokenRequests(emu)).length, 1)
    })
  )

  it.scoped("refreshes ahead of expiry per Clock (default skew 10 s), not before", () =>
    Effect.gen(function* () {
      const { emu, auth } = yield* loggedIn
      const first = yield* auth.accessToken
      yield* emu.clearRequests
      yield* TestClock.adjust(Duration.seconds(3589))
      assert.strictEqual(Redacted.value(yield* auth.accessToken), Redacted.value(first))
      assert.strictEqual((yield* tokenRequests(emu)).length, 0)
      yield* TestClock.adjust(Duration.seconds(1))
      assert.notStrictEqual(Redacted.value(yield* auth.accessToken), Redacted.value(first))
      assert.strictEqual((yield* tokenRequests(emu)).length, 1)
    })
  )

  it.scoped("invalidate after a 401 refreshes once; invalidating an old token again does not", () =>
    Effect.gen(function* () {
      const { emu, auth } = yield* loggedIn
      const old = yield* auth.accessToken
      yield* emu.expireAllAccessTokens
      assert.strictEqual(yield* jfsStatus(emu, old), 401)
      yield* emu.clearRequests
      yield* Effect.all([auth.invalidate(old), auth.invalidate(old)], { concurrency: "unbounded" })
      const fresh = yield* auth.accessToken
      assert.strictEqual(yield* jfsStatus(emu, fresh), 200)
      yield* auth.invalidate(old)
      assert.strictEqual(Redacted.value(yield* auth.accessToken), Redacted.value(fresh))
      assert.strictEqual((yield* tokenRequests(emu)).length, 1)
    })
  )

  it.scoped("a revoked refresh token fails with StaleToken telling the user to generate a new login token", () =>
    Effect.gen(function* () {
      const { emu, store, auth } = yield* loggedIn
      const token = yield* auth.accessToken
      yield* emu.revokeRefreshToken(Redacted.value((yield* storedToken(store)).refreshToken!))
      yield* auth.invalidate(token)
      const error = yield* Effect.flip(auth.accessToken)
      assert.strictEqual(error.reason, "StaleToken")
      assert.include(error.message, "generate a new personal login token and reconnect")
      assert.strictEqual(error.status, 400)
    })
  )

  it.scoped("reuse of a rotated refresh token kills the family: the next refresh is StaleToken", () =>
    Effect.gen(function* () {
      const { store, auth } = yield* loggedIn
      const original = yield* storedToken(store)
      yield* TestClock.adjust(Duration.hours(1))
      yield* auth.accessToken // rotates
      // someone replays the old refresh token (a copied configuration)
      const replay = yield* Effect.flip(
        Effect.provide(
          OAuthClient.refreshGrantOnce({
            tokenUrl: original.tokenUrl,
            clientId: original.clientId,
            refreshToken: original.refreshToken!
          }),
          FetchHttpClient.layer
        )
      )
      assert.strictEqual(replay.reason, "StaleToken")
      yield* TestClock.adjust(Duration.hours(1))
      const error = yield* Effect.flip(auth.accessToken)
      assert.strictEqual(error.reason, "StaleToken")
    })
  )

  it.scoped("a new login token replaces a stale stored token", () =>
    Effect.gen(function* () {
      const { emu, store, auth } = yield* loggedIn
      yield* emu.revokeRefreshToken(Redacted.value((yield* storedToken(store)).refreshToken!))
      yield* auth.invalidate(yield* auth.accessToken)
      assert.strictEqual((yield* Effect.flip(auth.accessToken)).reason, "StaleToken")
      const renewed = yield* loginTokenAuth(emu, store, yield* emu.newLoginToken())
      yield* TestClock.adjust(Duration.hours(1))
      assert.strictEqual(yield* jfsStatus(emu, yield* renewed.accessToken), 200)
    })
  )
})

describe("Legacy against the emulator", () => {
  const legacy = (emu: Emulator.Handle, store: TokenStore.Service, options: Partial<Legacy.Options> = {}) =>
    provide(
      Legacy.make({
        username: otpAccount.email,
        password: Redacted.make(otpAccount.password),
        apiUrl: `${emu.url}/api`,
        ...options
      }),
      store
    )

  it.scoped("2FA through TwoFactorPrompt (dashes stripped), then REFRESH_TOKEN refresh", () =>
    Effect.gen(function* () {
      const { emu, store } = yield* setup()
      const auth = yield* legacy(emu, store).pipe(Effect.provide(TwoFactorPrompt.layerStatic("123-456")))
      const logins = yield* tokenRequests(emu)
      assert.deepStrictEqual(
        logins.map((r) => r.status),
        [401, 200]
      )
      assert.strictEqual(logins[1]!.headers["x-jottacloud-otp"], "123456")
      assert.include(logins[1]!.query, "grant_type=PASSWORD")
      const first = yield* auth.accessToken
      const stored = yield* storedToken(store)
      assert.strictEqual(stored.kind, "legacy")
      assert.strictEqual(stored.tokenUrl, `${emu.url}/api/auth/v1/token`)
      yield* TestClock.adjust(Duration.hours(1))
      const second = yield* auth.accessToken
      assert.notStrictEqual(Redacted.value(second), Redacted.value(first))
      const refresh = (yield* tokenRequests(emu))[2]!
      assert.strictEqual(refresh.status, 200)
      assert.strictEqual(refresh.query, "")
    })
  )

  it.scoped("without a prompt: TwoFactorRequired; a wrong code or password: InvalidCredentials", () =>
    Effect.gen(function* () {
      const { emu, store } = yield* setup()
      assert.strictEqual((yield* Effect.flip(legacy(emu, store))).reason, "TwoFactorRequired")
      const wrongCode = yield* Effect.flip(
        legacy(emu, store).pipe(Effect.provide(TwoFactorPrompt.layerStatic("999-999")))
      )
      assert.strictEqual(wrongCode.reason, "InvalidCredentials")
      const wrongPassword = yield* Effect.flip(legacy(emu, store, { password: Redacted.make("nope") }))
      assert.strictEqual(wrongPassword.reason, "InvalidCredentials")
      assert.isTrue(Option.isNone(yield* store.get))
    })
  )

  it.scoped("device registration gives a machine-specific client used for login and refresh", () =>
    Effect.gen(function* () {
      const { emu, store } = yield* setup()
      const auth = yield* legacy(emu, store, {
        username: emu.username,
        password: Redacted.make(emu.password),
        registerDevice: { deviceId: "fjord-testdevice" }
      })
      const register = (yield* emu.requests).find((r) => r.op === "register")!
      assert.strictEqual(register.status, 200)
      assert.strictEqual(register.query, "device_id=fjord-testdevice")
      const stored = yield* storedToken(store)
      assert.notStrictEqual(stored.clientId, OAuthClient.legacyDefaultClientId)
      assert.isDefined(stored.clientSecret)
      yield* TestClock.adjust(Duration.hours(1))
      assert.strictEqual(yield* jfsStatus(emu, yield* auth.accessToken), 200)
    })
  )
})

describe("WhiteLabel against the emulator", () => {
  it.scoped("discovery resolves for every service of the table", () =>
    Effect.gen(function* () {
      const { emu } = yield* setup()
      const endpoints = yield* Effect.forEach(Object.values(WhiteLabel.services), (service) =>
        Effect.map(
          Effect.provide(
            OAuthClient.discover(WhiteLabel.discoveryUrl(service, `${emu.url}/id`)),
            FetchHttpClient.layer
          ),
          (d) => d.token_endpoint
        )
      )
      assert.strictEqual(endpoints.length, 13)
      assert.include(endpoints, `${emu.url}/id/auth/realms/get/protocol/openid-connect/token`)
    })
  )

  for (const service of ["telia_se", "phonero"] as const) {
    it.scoped(`full authorization-code flow with PKCE for ${service}, then a refresh`, () =>
      Effect.gen(function* () {
        const { emu, store } = yield* setup()
        const auth = yield* provide(WhiteLabel.make({ service, identityBase: `${emu.url}/id` }), store).pipe(
          Effect.provideService(RedirectCatcher.RedirectCatcher, followingCatcher)
        )
        const authorizeRequest = (yield* emu.requests).find((r) => r.op === "authorize")!
        assert.include(authorizeRequest.query, "code_challenge_method=S256")
        const stored = yield* storedToken(store)
        assert.strictEqual(stored.clientId, WhiteLabel.services[service].clientId)
        assert.strictEqual(yield* jfsStatus(emu, yield* auth.accessToken), 200)
        yield* TestClock.adjust(Duration.hours(1))
        assert.strictEqual(yield* jfsStatus(emu, yield* auth.accessToken), 200)
        assert.strictEqual((yield* tokenRequests(emu)).length, 2)
      })
    )
  }

  it.scoped("PKCE: a wrong or missing verifier is rejected, the right one accepted", () =>
    Effect.gen(function* () {
      const { emu } = yield* setup()
      const exchange = (code: Redacted.Redacted<string>, pkce: WhiteLabel.Pkce | undefined) =>
        Effect.provide(
          WhiteLabel.exchangeCode({
            service: "jottacloud",
            code,
            redirectUri: followingCatcher.redirectUri,
            pkce,
            identityBase: `${emu.url}/id`
          }),
          FetchHttpClient.layer
        )
      const pkce = yield* WhiteLabel.makePkce
      const other = yield* WhiteLabel.makePkce
      const wrong = yield* Effect.flip(exchange((yield* authorize(emu, "jottacloud", pkce)).code, other))
      assert.strictEqual(wrong.reason, "InvalidCredentials")
      assert.include(wrong.message, "PKCE")
      const missing = yield* Effect.flip(exchange((yield* authorize(emu, "jottacloud", pkce)).code, undefined))
      assert.strictEqual(missing.reason, "InvalidCredentials")
      const ok = yield* exchange((yield* authorize(emu, "jottacloud", pkce)).code, pkce)
      assert.strictEqual(ok.clientId, "desktop")
      assert.strictEqual(yield* jfsStatus(emu, ok.accessToken), 200)
    })
  )
})

describe("layerConfig", () => {
  it.scoped("Legacy.layerConfig reads FJORD_USERNAME and FJORD_PASSWORD", () =>
    Effect.gen(function* () {
      const { emu, store } = yield* setup()
      const token = yield* accessTokenFromConfig(
        Legacy.layerConfig(undefined, { apiUrl: `${emu.url}/api` }),
        [
          ["FJORD_USERNAME", emu.email],
          ["FJORD_PASSWORD", emu.password]
        ],
        store
      )
      assert.strictEqual(yield* jfsStatus(emu, token), 200)
      assert.strictEqual((yield* storedToken(store)).kind, "legacy")
    })
  )

  it.scoped("LoginToken.layerConfig reads FJORD_LOGIN_TOKEN", () =>
    Effect.gen(function* () {
      const { emu, store } = yield* setup()
      const token = yield* accessTokenFromConfig(
        LoginToken.layerConfig(),
        [["FJORD_LOGIN_TOKEN", emu.loginToken]],
        store
      )
      assert.strictEqual(yield* jfsStatus(emu, token), 200)
    })
  )
})

describe("SavedToken and StaticAuth against the emulator", () => {
  it.scoped("resumes from a saved token and refreshes it at its token URL", () =>
    Effect.gen(function* () {
      const { emu, store, saved } = yield* savedElsewhere
      const auth = yield* provide(
        SavedToken.make({
          accessToken: saved.accessToken,
          refreshToken: saved.refreshToken,
          expiresAt: 0,
          tokenUrl: saved.tokenUrl,
          clientId: "jottacli"
        }),
        store
      )
      const fresh = yield* auth.accessToken
      assert.notStrictEqual(Redacted.value(fresh), Redacted.value(saved.accessToken))
      assert.strictEqual(yield* jfsStatus(emu, fresh), 200)
    })
  )

  it.scoped("imports an rclone remote (configVersion 1) and refreshes it", () =>
    Effect.gen(function* () {
      const { emu, store, saved } = yield* savedElsewhere
      const conf = [
        "[jotta]",
        "type = jottacloud",
        "configVersion = 1",
        "client_id = jottacli",
        `tokenURL = ${saved.tokenUrl}`,
        `token = ${Redacted.value(SavedToken.toRcloneToken(saved)).replace(/"expiry":"[^"]*"/, '"expiry":"1970-01-01T00:00:01.123456789+00:00"')}`
      ].join("\n")
      const token = yield* SavedToken.fromRcloneConfig(conf, "jotta")
      const auth = yield* provide(SavedToken.make(token), store)
      assert.strictEqual(yield* jfsStatus(emu, yield* auth.accessToken), 200)
      assert.strictEqual((yield* tokenRequests(emu)).length, 2)
    })
  )

  it.scoped("StaticAuth: a fixed token; invalidate is a no-op", () =>
    Effect.gen(function* () {
      const { emu } = yield* setup()
      const auth: AuthService = StaticAuth.make(emu.accessToken)
      const token = yield* auth.accessToken
      assert.strictEqual(yield* jfsStatus(emu, token), 200)
      yield* emu.expireAllAccessTokens
      yield* auth.invalidate(token)
      assert.strictEqual(Redacted.value(yield* auth.accessToken), emu.accessToken)
      assert.strictEqual(yield* jfsStatus(emu, token), 401)
    })
  )
})

describe("refresh retry policy against the emulator", () => {
  const fast = Schedule.intersect(Schedule.spaced(Duration.millis(10)), Schedule.recurs(4))

  it.scopedLive("transient 503s are retried (AuthPolicy.RefreshRetry); a 400 is final", () =>
    Effect.gen(function* () {
      const { emu, auth } = yield* loggedIn
      yield* auth.invalidate(yield* auth.accessToken)
      yield* emu.clearRequests
      yield* emu.inject({ _tag: "Status", status: 503, op: "token", times: 2 })
      const fresh = yield* Effect.provideService(auth.accessToken, AuthPolicy.RefreshRetry, fast)
      assert.strictEqual(yield* jfsStatus(emu, fresh), 200)
      assert.deepStrictEqual(
        (yield* tokenRequests(emu)).map((r) => r.status),
        [503, 503, 200]
      )

      yield* emu.clearRequests
      yield* emu.inject({ _tag: "Status", status: 400, op: "token", times: 1 })
      yield* auth.invalidate(fresh)
      const error = yield* Effect.flip(Effect.provideService(auth.accessToken, AuthPolicy.RefreshRetry, fast))
      assert.strictEqual(error.status, 400)
      assert.strictEqual((yield* tokenRequests(emu)).length, 1)

      yield* emu.clearRequests
      yield* emu.inject({ _tag: "Status", status: 503, op: "token", times: Number.POSITIVE_INFINITY })
      const exhausted = yield* Effect.flip(Effect.provideService(auth.accessToken, AuthPolicy.RefreshRetry, fast))
      assert.strictEqual(exhausted.reason, "Transport")
      assert.strictEqual((yield* tokenRequests(emu)).length, 5)
    })
  )

  it.scopedLive("a token request without reply times out (AuthPolicy.TokenRequestTimeout) and is retried", () =>
    Effect.gen(function* () {
      const { emu, auth } = yield* loggedIn
      yield* auth.invalidate(yield* auth.accessToken)
      yield* emu.inject({ _tag: "Delay", millis: 2_000, op: "token", times: 1 })
      const fresh = yield* auth.accessToken.pipe(
        Effect.provideService(AuthPolicy.RefreshRetry, fast),
        Effect.provideService(AuthPolicy.TokenRequestTimeout, Duration.millis(200))
      )
      assert.strictEqual(yield* jfsStatus(emu, fresh), 200)
    })
  )
})
