import { assert, layer } from "@effect/vitest"
import * as Files from "@fjord/core/Files"
import * as BasicAuth from "@fjord/serve/BasicAuth"
import * as NodeServe from "@fjord/serve/NodeServe"
import * as WebDav from "@fjord/serve/WebDav"
import bcrypt from "bcryptjs"
import * as Effect from "effect/Effect"
import { Env, request } from "./server.js"

const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}`

layer(Env, { timeout: 60_000 })("BasicAuth", (it) => {
  it.scoped("an htpasswd file of bcrypt entries: the right password passes, others get 401", () =>
    Effect.gen(function* () {
      yield* (yield* Files.Files).mkdir("auth")
      const htpasswd = `# users\nkari:${bcrypt.hashSync("kari-pw", 4)}\nola:${bcrypt.hashSync("ola-pw", 4).replace("$2b$", "$2y$")}\n`
      const check = yield* BasicAuth.fromHtpasswd(htpasswd)
      const app = yield* WebDav.make({ root: "auth", dirCacheTime: 0 })
      const { url } = yield* NodeServe.serve(BasicAuth.middleware(check)(app), { addr: "127.0.0.1:0" })
      const propfind = (authorization?: string) =>
        request(`${url}/`, { method: "PROPFIND", headers: { depth: "0", ...(authorization ? { authorization } : {}) } })
      assert.strictEqual((yield* propfind()).status, 401)
      assert.strictEqual((yield* propfind(basic("kari", "kari-pw"))).status, 207)
      // a second request is answered from the remembered verification
      assert.strictEqual((yield* propfind(basic("kari", "kari-pw"))).status, 207)
      assert.strictEqual((yield* propfind(basic("ola", "ola-pw"))).status, 207)
      assert.strictEqual((yield* propfind(basic("kari", "ola-pw"))).status, 401)
      assert.strictEqual((yield* propfind(basic("nobody", "kari-pw"))).status, 401)
      assert.strictEqual((yield* propfind("Bearer kari-pw")).status, 401)
    })
  )

  it.effect("entries that are not bcrypt are refused", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(BasicAuth.fromHtpasswd("kari:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=\n", "users"))
      assert.strictEqual(error._tag, "HtpasswdError")
      assert.match(error.message, /^users: line 1: not a bcrypt entry/)
    })
  )
})
