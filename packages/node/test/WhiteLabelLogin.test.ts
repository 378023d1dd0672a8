// The authorization-code flow end to end: auth's WhiteLabel.login with this package's
// redirect catcher, against the emulator's auto-approving authorization endpoint. The
// "browser" is a fetch that follows the emulator's redirect to the catcher.
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { assert, describe, it } from "@effect/vitest"
import * as WhiteLabel from "@fjord/auth/WhiteLabel"
import * as Emulator from "@fjord/emulator/Emulator"
import * as NodeRedirectCatcher from "@fjord/node/NodeRedirectCatcher"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"

describe("WhiteLabel login through NodeRedirectCatcher", () => {
  it.live("a Telia Sweden login (PKCE) completes via the localhost redirect", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const emu = yield* Emulator.make()
        const pages: Array<{ status: number; body: string }> = []
        const browser = (url: string) =>
          Effect.promise(async () => {
            const res = await fetch(url, { redirect: "follow" })
            pages.push({ status: res.status, body: await res.text() })
          })
        const token = yield* WhiteLabel.login({ service: "telia_se", identityBase: `${emu.url}/id` }).pipe(
          Effect.provide(
            Layer.merge(NodeRedirectCatcher.layer({ port: 0, onAuthorizationUrl: browser }), NodeHttpClient.layerUndici)
          )
        )
        assert.strictEqual(token.kind, "oidc")
        assert.isTrue(Redacted.value(token.accessToken).length > 0)
        assert.match(token.tokenUrl, /\/id\/auth\/realms\/telia_se\/protocol\/openid-connect\/token$/)
        assert.strictEqual(pages.length, 1)
        assert.strictEqual(pages[0]?.status, 200)
        assert.match(pages[0]?.body ?? "", /login complete/)
      })
    )
  )
})
