/**
 * `fjord login` and `fjord logout` (`commands/login.ts` declares them).
 */
import * as FileSystem from "@effect/platform/FileSystem"
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as Terminal from "@effect/platform/Terminal"
import * as Legacy from "@fjord/auth/Legacy"
import * as LoginToken from "@fjord/auth/LoginToken"
import * as SavedToken from "@fjord/auth/SavedToken"
import * as TokenStore from "@fjord/auth/TokenStore"
import * as TwoFactorPrompt from "@fjord/auth/TwoFactorPrompt"
import * as WhiteLabel from "@fjord/auth/WhiteLabel"
import * as Account from "@fjord/core/Account"
import type { AuthError } from "@fjord/core/Auth"
import * as NodeJotta from "@fjord/node/NodeJotta"
import * as NodeRedirectCatcher from "@fjord/node/NodeRedirectCatcher"
import * as NodeTokenStore from "@fjord/node/NodeTokenStore"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type { LoginArgs } from "../commands/login.js"
import { Output } from "../Output.js"
import { json, out } from "./common.js"
import { type LoginTokenRefused, refusedToken } from "./errors.js"
import { GlobalFlags } from "./globalArgs.js"
import { twoFactorLayer } from "./prompts.js"
import * as Sdk from "./sdk.js"
import * as Settings from "./settings.js"

const isService = (name: string): name is WhiteLabel.ServiceKey => Object.hasOwn(WhiteLabel.services, name)

export const login = (args: LoginArgs) =>
  Effect.gen(function* () {
    const g = yield* GlobalFlags
    const a = { ...args, ...g }
    if (Option.isSome(a.service) && !isService(a.service.value)) {
      return yield* new Sdk.UsageError({
        description: `unknown service ${a.service.value} (known: ${Object.keys(WhiteLabel.services).join(", ")})`
      })
    }
    const dir = Settings.configDir(a.configDir)
    let endpoint = Option.getOrUndefined(a.endpoint)
    let token: Redacted.Redacted<string> | undefined
    if (a.emulator) {
      const info = yield* Settings.readEmulatorInfo(dir)
      if (Option.isNone(info)) {
        return yield* new Sdk.UsageError({
          description: `no emulator found in ${dir}: start one with \`fjord emulator --config-dir ${dir}\``
        })
      }
      endpoint = endpoint ?? info.value.url
      token = Redacted.make(info.value.loginToken)
    }
    if (Option.isSome(a.loginToken)) token = a.loginToken.value
    /** `<endpoint>/<part>` when an endpoint is given. */
    const atEndpoint = (part: string) =>
      endpoint === undefined ? undefined : `${endpoint.replace(/\/+$/, "")}/${part}`
    const apiUrl = () => {
      const url = atEndpoint("api/")
      return url === undefined ? {} : { apiUrl: url }
    }
    let imported: TokenStore.StoredToken | undefined
    let rcloneSection: Readonly<Record<string, string>> = {}
    if (Option.isSome(a.rcloneConfig)) {
      if (Option.isNone(a.rcloneRemote)) {
        return yield* new Sdk.UsageError({ description: "--rclone-config needs --rclone-remote <name>" })
      }
      const text = yield* (yield* FileSystem.FileSystem).readFileString(a.rcloneConfig.value)
      rcloneSection = SavedToken.parseRcloneConfig(text)[a.rcloneRemote.value] ?? {}
      imported = yield* SavedToken.fromRcloneConfig(text, a.rcloneRemote.value, apiUrl())
    }
    if (token === undefined && imported === undefined && Option.isNone(a.service) && Option.isNone(a.username)) {
      return yield* new Sdk.UsageError({
        description:
          "give --login-token <token> (or set FJORD_LOGIN_TOKEN), --service <name>, --username <name>, --rclone-config <file> or --emulator"
      })
    }
    const saved = yield* Settings.readSettings(dir)
    const fromRclone = (key: "device" | "mountpoint") => {
      const v = rcloneSection[key]
      return v === undefined || v === "" ? undefined : v
    }
    const device = Option.getOrUndefined(a.device) ?? fromRclone("device") ?? saved.device
    const mountpoint = Option.getOrUndefined(a.mountpoint) ?? fromRclone("mountpoint") ?? saved.mountpoint
    const settings = new Settings.Settings({
      ...((endpoint ?? saved.endpoint) === undefined ? {} : { endpoint: endpoint ?? saved.endpoint }),
      ...(device === undefined ? {} : { device }),
      ...(mountpoint === undefined ? {} : { mountpoint })
    })
    const tokenFile = Settings.tokenFile(dir)
    const output = yield* Output
    const service = Option.filter(a.service, isService).pipe(Option.getOrUndefined)
    const username = Option.getOrUndefined(a.username)
    const legacy = (name: string) =>
      Effect.gen(function* () {
        if (Option.isNone(a.password)) {
          return yield* new Sdk.UsageError({ description: "--username needs --password (or $FJORD_PASSWORD)" })
        }
        const stored = yield* Legacy.login({
          username: name,
          password: a.password.value,
          ...apiUrl(),
          ...(a.registerDevice ? { registerDevice: true } : {})
        })
        yield* (yield* TokenStore.TokenStore).set(stored)
      }).pipe(
        Effect.provide(Option.isSome(a.otp) ? TwoFactorPrompt.layerStatic(a.otp.value) : twoFactorLayer("--otp <code>"))
      )
    const login: Effect.Effect<
      void,
      | AuthError
      | LoginTokenRefused
      | TokenStore.TokenStoreError
      | Sdk.UsageError
      | NodeRedirectCatcher.RedirectCatcherError,
      TokenStore.TokenStore | HttpClient.HttpClient | Terminal.Terminal
    > =
      imported !== undefined
        ? Effect.flatMap(TokenStore.TokenStore, (store) => store.set(imported))
        : username !== undefined
          ? legacy(username)
          : service !== undefined
            ? Effect.gen(function* () {
                const stored = yield* WhiteLabel.login({
                  service,
                  identityBase: atEndpoint("id")
                })
                yield* (yield* TokenStore.TokenStore).set(stored)
              }).pipe(
                Effect.provide(
                  NodeRedirectCatcher.layer({
                    port: a.redirectPort,
                    onAuthorizationUrl: (url) => output.error(`Open this URL in your browser to log in:\n  ${url}`)
                  })
                )
              )
            : LoginToken.login(token ?? Redacted.make("")).pipe(Effect.asVoid, Effect.mapError(refusedToken))
    yield* login.pipe(Effect.provide(Layer.merge(NodeTokenStore.layer(tokenFile), NodeJotta.layer)))
    yield* Settings.writeSettings(dir, settings)
    const customer = yield* Effect.flatMap(Account.Account, (account) => account.userInfo()).pipe(
      Effect.provide(Sdk.layer({ ...g, configDir: Option.some(dir), endpoint: Option.fromNullable(endpoint) }))
    )
    if (imported !== undefined && !a.json) {
      yield* out(
        "Imported the rclone remote's token. fjord now rotates it: stop using that rclone remote (or reconnect it with a new login token), or the two will stale each other."
      )
    }
    if (a.json) yield* json({ username: customer.username, email: customer.email ?? null, tokenFile })
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
