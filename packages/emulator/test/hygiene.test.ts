import { assert, layer } from "@effect/vitest"
import * as Emulator from "@fjord/emulator/Emulator"
import * as Effect from "effect/Effect"
import { LEGACY_BUILTIN_CLIENT_ID } from "../src/internal/identity/routes.js"
import { allocate, arch, dest, md5, put, req, unique } from "./helpers.js"

/** Names XML cannot carry (§8.3): NUL, other C0 controls, non-characters, lone surrogates. */
const refused = ["nul\u0000here", "bell\u0007", "vt\u000b", "esc\u001b[31m", "us\u001f", "nonchar\uffff", "lone\ud800"]

const form = (emu: Emulator.Handle, path: string, body: Record<string, string>, query = "") =>
  req(emu, "POST", `${path}${query}`, {
    auth: false,
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(body).toString()
  })

layer(Emulator.layer())("emulator hygiene", (it) => {
  it.effect("names with characters the service refuses get 400 on allocate, mkDir, cp and mv", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const dir = unique("names")
      yield* put(emu, `${dir}/ok.txt`, "fine")
      for (const name of refused) {
        const a = yield* allocate(emu, { bytes: 1, md5: md5("x"), path: `/jfs/Jotta/Archive/${dir}/${name}` })
        assert.strictEqual(a.res.status, 400, `allocate ${JSON.stringify(name)}`)
        assert.include(a.res.text, "Invalid character")
        // the error body is well-formed: the refused character is not echoed raw
        assert.notInclude(a.res.text, name)
        // JFS paths are percent-escaped; a lone surrogate cannot be (no UTF-8 form)
        if (/[\ud800-\udfff]/.test(name)) continue
        const mk = yield* req(emu, "POST", `${arch(emu, `${dir}/${name}`)}?mkDir=true`)
        assert.strictEqual(mk.status, 400, `mkDir ${JSON.stringify(name)}`)
        assert.notInclude(mk.text, name)
        for (const op of ["cp", "mv"]) {
          const r = yield* req(emu, "POST", `${arch(emu, `${dir}/ok.txt`)}?${op}=${dest(emu, `${dir}/${name}`)}`)
          assert.strictEqual(r.status, 400, `${op} ${JSON.stringify(name)}`)
        }
      }
      // nothing was created, and the source of the refused moves is intact
      const listing = yield* req(emu, "GET", arch(emu, dir))
      assert.strictEqual((listing.text.match(/<file name=/g) ?? []).length, 1)
      assert.strictEqual((listing.text.match(/<folder name=/g) ?? []).length, 1, listing.text)
      // the look-alikes rclone's encoding sends instead (§8.3) are ordinary names
      const mapped = yield* allocate(emu, { bytes: 1, md5: md5("x"), path: `/jfs/Jotta/Archive/${dir}/nul\u2400here` })
      assert.strictEqual(mapped.res.status, 200)
    })
  )

  it.effect("secrets in query strings, form bodies and headers never reach the request log", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      yield* emu.clearRequests
      // the legacy password grant with its parameters in the query string (§2.8)
      const legacyQuery = new URLSearchParams({
        grant_type: "PASSWORD",
        username: emu.username,
        password: emu.password,
        client_id: LEGACY_BUILTIN_CLIENT_ID
      }).toString()
      const legacy = yield* req(emu, "POST", `/api/auth/v1/token?${legacyQuery}`, { auth: false })
      assert.strictEqual(legacy.status, 200, legacy.text)
      const legacyTokens = legacy.json() as { access_token: string; refresh_token: string }
      // the legacy refresh in a form body, and again in the query string
      const refreshed = yield* form(emu, "/api/auth/v1/token", {
        grant_type: "REFRESH_TOKEN",
        refresh_token: legacyTokens.refresh_token,
        client_id: LEGACY_BUILTIN_CLIENT_ID
      })
      assert.strictEqual(refreshed.status, 200, refreshed.text)
      const rotated = (refreshed.json() as { refresh_token: string }).refresh_token
      yield* req(
        emu,
        "POST",
        `/api/auth/v1/token?grant_type=REFRESH_TOKEN&refresh_token=${encodeURIComponent(rotated)}&client_id=${LEGACY_BUILTIN_CLIENT_ID}`,
        { auth: false }
      )
      // a personal login token's secret in the OIDC password grant (form body)
      const lt = JSON.parse(Buffer.from(emu.loginToken, "base64url").toString("utf8")) as Record<string, string>
      const oidc = yield* form(emu, "/id/auth/realms/jottacloud/protocol/openid-connect/token", {
        client_id: "jottacli",
        grant_type: "password",
        password: lt.auth_token!,
        scope: "openid offline_access",
        username: lt.username!
      })
      assert.strictEqual(oidc.status, 200, oidc.text)
      const oidcTokens = oidc.json() as { access_token: string; refresh_token: string }
      // tokens in the query string of ordinary requests, and a bearer header
      yield* req(emu, "GET", `/api/account/v1/customer?access_token=${oidcTokens.access_token}&token=${emu.loginToken}`)
      yield* req(emu, "GET", `/jfs/${emu.username}?mode=list&id_token=x${oidcTokens.refresh_token}`, {
        auth: oidcTokens.access_token
      })

      const log = yield* emu.requests
      assert.isAtLeast(log.length, 6)
      const printed = JSON.stringify(log)
      const secrets = {
        password: emu.password,
        legacyAccess: legacyTokens.access_token,
        legacyRefresh: legacyTokens.refresh_token,
        rotated,
        loginToken: emu.loginToken,
        loginSecret: lt.auth_token!,
        access: oidcTokens.access_token,
        refresh: oidcTokens.refresh_token,
        handleToken: emu.accessToken
      }
      for (const [what, secret] of Object.entries(secrets)) {
        assert.notInclude(printed, secret, what)
        assert.notInclude(printed, encodeURIComponent(secret), what)
      }
      // what is not a secret stays readable
      const first = log.find((e) => e.path === "/api/auth/v1/token")!
      assert.include(first.query, "grant_type=PASSWORD")
      assert.include(first.query, `username=${emu.username}`)
      assert.include(first.query, "password=<redacted>")
    })
  )
})
