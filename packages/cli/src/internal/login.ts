/**
 * `fjord login` and `fjord logout` (`commands/login.ts` declares them).
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as LoginToken from "@fjord/auth/LoginToken"
import * as SavedToken from "@fjord/auth/SavedToken"
import * as TokenStore from "@fjord/auth/TokenStore"
import * as TwoFactorPrompt from "@fjord/auth/TwoFactorPrompt"
import * as WhiteLabel from "@fjord/auth/WhiteLabel"
import * as Account from "@fjord/core/Account"
import * as NodeJotta from "@fjord/node/NodeJotta"
import * as NodeTokenStore from "@fjord/node/NodeTokenStore"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type { LoginArgs } from "../commands/login.js"
import { Output } from "../Output.js"
import { json, out } from "./common.js"
import { endpointUrl, legacyToken } from "./config.js"
import { refusedToken } from "./errors.js"
import { GlobalFlags } from "./globalArgs.js"
import * as LoginMethodModule from "./loginMethod.js"
import { LoginMethod } from "./loginMethod.js"
import { browserLogin, twoFactorLayer } from "./prompts.js"
import * as Sdk from "./sdk.js"
import * as Settings from "./settings.js"

/** Runs the login `method` chose, storing the token in the token store it is given. */
const run = (
  method: LoginMethod,
  endpoint: string | undefined,
  emulatorToken: Redacted.Redacted<string> | undefined,
  redirectPort: number
) => {
  const at = (part: string) => endpointUrl(endpoint, part)
  return LoginMethod.$match(method, {
    Rclone: ({ file, remote }) =>
      Effect.gen(function* () {
        const text = yield* (yield* FileSystem.FileSystem).readFileString(file)
        const api = at("api/")
        const stored = yield* SavedToken.fromRcloneConfig(text, remote, api === undefined ? {} : { apiUrl: api })
        yield* (yield* TokenStore.TokenStore).set(stored)
      }),
    Legacy: ({ username, password, otp, registerDevice }) =>
      Effect.gen(function* () {
        const stored = yield* legacyToken({ endpoint, username, password, registerDevice })
        yield* (yield* TokenStore.TokenStore).set(stored)
      }).pipe(
        Effect.provide(Option.isSome(otp) ? TwoFactorPrompt.layerStatic(otp.value) : twoFactorLayer("--otp <code>"))
      ),
    WhiteLabel: ({ service }) =>
      Effect.gen(function* () {
        const output = yield* Output
        const stored = yield* WhiteLabel.login({
          service: service as WhiteLabel.ServiceKey,
          identityBase: at("id")
        }).pipe(Effect.provide(browserLogin({ port: redirectPort, show: (text) => output.error(text) })))
        yield* (yield* TokenStore.TokenStore).set(stored)
      }),
    Token: ({ token }) => LoginToken.login(token).pipe(Effect.asVoid, Effect.mapError(refusedToken)),
    Emulator: () =>
      LoginToken.login(emulatorToken ?? Redacted.make("")).pipe(Effect.asVoid, Effect.mapError(refusedToken))
  })
}

export const login = (args: LoginArgs) =>
  Effect.gen(function* () {
    const g = yield* GlobalFlags
    const method = yield* Either.match(LoginMethodModule.choose(args, Object.keys(WhiteLabel.services)), {
      onLeft: (description) => Effect.fail(new Sdk.UsageError({ description })),
      onRight: Effect.succeed
    })
    const dir = Settings.configDir(g.configDir)
    let endpoint = Option.getOrUndefined(g.endpoint)
    let emulatorToken: Redacted.Redacted<string> | undefined
    if (args.emulator) {
      const info = yield* Settings.readEmulatorInfo(dir)
      if (Option.isNone(info)) {
        return yield* new Sdk.UsageError({
          description: `no emulator found in ${dir}: start one with \`fjord emulator --config-dir ${dir}\``
        })
      }
      endpoint = endpoint ?? info.value.url
      emulatorToken = Redacted.make(info.value.loginToken)
    }
    /** `<endpoint>/<part>` when an endpoint is given. */
    let rcloneSection: Readonly<Record<string, string>> = {}
    if (method._tag === "Rclone") {
      const text = yield* (yield* FileSystem.FileSystem).readFileString(method.file)
      rcloneSection = SavedToken.parseRcloneConfig(text)[method.remote] ?? {}
    }
    const saved = yield* Settings.readSettings(dir)
    const fromRclone = (key: "device" | "mountpoint") => {
      const v = rcloneSection[key]
      return v === undefined || v === "" ? undefined : v
    }
    const device = Option.getOrUndefined(g.device) ?? fromRclone("device") ?? saved.device
    const mountpoint = Option.getOrUndefined(g.mountpoint) ?? fromRclone("mountpoint") ?? saved.mountpoint
    const settings = new Settings.Settings({
      ...((endpoint ?? saved.endpoint) === undefined ? {} : { endpoint: endpoint ?? saved.endpoint }),
      ...(device === undefined ? {} : { device }),
      ...(mountpoint === undefined ? {} : { mountpoint })
    })
    const tokenFile = Settings.tokenFile(dir)
    yield* run(method, endpoint, emulatorToken, args.redirectPort).pipe(
      Effect.provide(Layer.merge(NodeTokenStore.layer(tokenFile), NodeJotta.layer))
    )
    yield* Settings.writeSettings(dir, settings)
    const customer = yield* Effect.flatMap(Account.Account, (account) => account.userInfo()).pipe(
      Effect.provide(Sdk.layer({ ...g, configDir: Option.some(dir), endpoint: Option.fromNullable(endpoint) }))
    )
    if (method._tag === "Rclone" && !g.json) {
      yield* out(
        "Imported the rclone remote's token. fjord now rotates it: stop using that rclone remote (or reconnect it with a new login token), or the two will stale each other."
      )
    }
    if (g.json) yield* json({ username: customer.username, email: customer.email ?? null, tokenFile })
    else yield* out(`Logged in as ${customer.email ?? customer.username}; token saved to ${tokenFile}`)
  })

export const logout = () =>
  Effect.gen(function* () {
    const g = yield* GlobalFlags
    const fs = yield* FileSystem.FileSystem
    const dir = Settings.configDir(g.configDir)
    const file = Settings.tokenFile(dir)
    if (!(yield* fs.exists(file))) return yield* out(`Not logged in (no token in ${dir})`)
    yield* fs.remove(file)
    yield* out(`Logged out: removed ${file}`)
  })
