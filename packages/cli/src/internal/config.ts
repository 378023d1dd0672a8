/**
 * The implementation of `fjord config …` (the commands are declared in `commands/config.ts`
 * and load this module when one runs): rclone's non-interactive config commands over the
 * config file of named remotes (`rcloneConfig.ts`) — `create NAME jottacloud key=value…`,
 * `show [NAME]`, `delete NAME`, `file`, `import-rclone NAME`, `reconnect NAME:` — and the
 * logins the dialog (`dialog.ts`) shares with them.
 *
 * `create` takes the keys rclone's jottacloud backend answers its config questions with
 * (`config_type`; standard: `config_login_token`; legacy: `config_machine_specific`,
 * `config_username`, `config_password`, `config_auth_code`; `config_non_standard`,
 * `config_device`, `config_mountpoint`), the backend options, and `endpoint` (an emulator's
 * base URL). A white-label service logs in through a browser, which only the dialog does.
 */
import * as Os from "node:os"
import * as Legacy from "@fjord/auth/Legacy"
import * as LoginToken from "@fjord/auth/LoginToken"
import * as SavedToken from "@fjord/auth/SavedToken"
import * as TokenStore from "@fjord/auth/TokenStore"
import * as TwoFactorPrompt from "@fjord/auth/TwoFactorPrompt"
import * as WhiteLabel from "@fjord/auth/WhiteLabel"
import * as Account from "@fjord/core/Account"
import * as NodeJotta from "@fjord/node/NodeJotta"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { out } from "./common.js"
import { refusedToken, UsageError } from "./errors.js"
import { GlobalFlags } from "./globalArgs.js"
import { twoFactorLayer } from "./prompts.js"
import * as RcloneConfig from "./rcloneConfig.js"
import * as Remotes from "./remotes.js"

type Flags = Remotes.Flags

/** The authentication menu (`config_type`), rclone's entries first (its order and words). */
export const authTypes: ReadonlyArray<{ readonly value: string; readonly help: string }> = [
  { value: "standard", help: "Standard authentication.\nUse this if you're a normal Jottacloud user." },
  {
    value: "legacy",
    help: "Legacy authentication.\nThis is only required for certain whitelabel versions of Jottacloud and not recommended for normal users."
  },
  { value: "telia_se", help: "Telia Cloud authentication.\nUse this if you are using Telia Cloud (Sweden)." },
  { value: "telia_no", help: "Telia Sky authentication.\nUse this if you are using Telia Sky (Norway)." },
  { value: "tele2", help: "Tele2 Cloud authentication.\nUse this if you are using Tele2 Cloud." },
  { value: "onlime", help: "Onlime Cloud authentication.\nUse this if you are using Onlime Cloud." },
  ...Object.values(WhiteLabel.services)
    .filter((s) => !["jottacloud", "telia_se", "telia_no", "tele2", "onlime"].includes(s.key))
    .map((s) => ({ value: s.key, help: `${s.name} authentication.\nUse this if you are using ${s.name}.` }))
]

/** The backend options `create` copies into the remote as they are (rclone's option names). */
const backendKeys = new Set([
  "hard_delete",
  "trashed_only",
  "no_versions",
  "md5_memory_limit",
  "upload_resume_limit",
  "encoding",
  "description"
])

/** The answers of the login questions: used to log in, never stored. */
const loginKeys = new Set([
  "config_type",
  "config_login_token",
  "config_non_standard",
  "config_machine_specific",
  "config_username",
  "config_password",
  "config_auth_code"
])

/** `NAME` or `NAME:` (as rclone accepts both). */
export const remoteName = (arg: string) => arg.replace(/:$/, "")

/** A URL below the endpoint (an emulator's), or undefined for the real service's default. */
export const endpointUrl = (endpoint: string | undefined, part: string): string | undefined =>
  endpoint === undefined ? undefined : `${endpoint.replace(/\/+$/, "")}/${part}`

/** `key=value` arguments; a key twice or without `=` is a usage error. */
export const parseKeyValues = (args: ReadonlyArray<string>): Effect.Effect<Record<string, string>, UsageError> =>
  Effect.gen(function* () {
    const result: Record<string, string> = {}
    for (const arg of args) {
      const eq = arg.indexOf("=")
      if (eq <= 0) return yield* new UsageError({ description: `expected key=value, got ${JSON.stringify(arg)}` })
      result[arg.slice(0, eq)] = arg.slice(eq + 1)
    }
    return result
  })

/**
 * The section `create` writes (without its token) from rclone's `config create` keys; a
 * `config_type` that needs a browser, or an unknown one, is a usage error.
 */
export const sectionOf = (keys: Readonly<Record<string, string>>): Effect.Effect<RcloneConfig.Section, UsageError> =>
  Effect.gen(function* () {
    const type = keys.config_type ?? "standard"
    if (type !== "standard" && type !== "legacy") {
      return yield* new UsageError({
        description: authTypes.some((t) => t.value === type)
          ? `config_type=${type} logs in through a browser, which config create cannot do: run \`fjord config\` (it prints the address to open, also for a machine without a browser)`
          : `unknown config_type ${type} (known: ${authTypes.map((t) => t.value).join(", ")})`
      })
    }
    const section: Record<string, string> =
      type === "legacy"
        ? { type: "jottacloud", configVersion: "0" }
        : { type: "jottacloud", configVersion: "1", client_id: "jottacli" }
    const nonStandard = keys.config_non_standard === "true"
    for (const [k, v] of Object.entries(keys)) {
      if (loginKeys.has(k)) continue
      if (k === "config_device" || k === "config_mountpoint") {
        if (!nonStandard) {
          return yield* new UsageError({ description: `${k} needs config_non_standard=true (as in rclone)` })
        }
        section[k.slice("config_".length)] = v
      } else if (k === "endpoint" || backendKeys.has(k)) {
        section[k] = v
      } else {
        return yield* new UsageError({
          description: `unknown key ${k} (known: ${[...loginKeys, "config_device", "config_mountpoint", "endpoint", ...backendKeys].join(", ")})`
        })
      }
    }
    return section
  })

/** Sets (or, with `undefined`, removes) keys of remote `name`, under the file's lock. */
export const setKeys = (file: string, name: string, keys: Readonly<Record<string, string | undefined>>) =>
  RcloneConfig.modify(file, (sections) =>
    Effect.succeed([undefined, { ...sections, [name]: RcloneConfig.setKeys(sections[name] ?? {}, keys) }] as const)
  )

const tokenStoreLayer = (file: string, name: string) =>
  Layer.effect(TokenStore.TokenStore, RcloneConfig.tokenStore(file, name))

/** Records the account's user name in remote `name`, from its (new) token; returns the account. */
export const recordUser = (flags: Flags, file: string, name: string) =>
  Effect.gen(function* () {
    const section = (yield* RcloneConfig.read(file))[name] ?? {}
    const customer = yield* Effect.flatMap(Account.Account, (a) => a.userInfo()).pipe(
      Effect.provide(Remotes.layerSection(flags, file, name, section))
    )
    yield* setKeys(file, name, { username: customer.username })
    return customer
  })

/**
 * Exchanges the personal login `token` into remote `name`'s section (its old token, if any,
 * discarded first: `LoginToken.login` keeps a stored token) and records the user name.
 */
export const connect = (flags: Flags, file: string, name: string, token: Redacted.Redacted<string>) =>
  Effect.gen(function* () {
    yield* setKeys(file, name, { token: undefined })
    yield* LoginToken.login(token).pipe(
      Effect.mapError(refusedToken),
      Effect.provide(Layer.merge(tokenStoreLayer(file, name), NodeJotta.layer))
    )
    return yield* recordUser(flags, file, name)
  })

/** The options of a legacy login. */
export interface LegacyLogin {
  readonly endpoint: string | undefined
  readonly username: string
  readonly password: Redacted.Redacted<string>
  readonly registerDevice: boolean
}

/**
 * The legacy login (user name and password, a machine-specific API key when asked): the token,
 * for the caller to store; the SMS code of a two-factor account from the `TwoFactorPrompt`.
 */
export const legacyToken = (o: LegacyLogin) => {
  const api = endpointUrl(o.endpoint, "api/")
  return Legacy.login({
    username: o.username,
    password: o.password,
    ...(api === undefined ? {} : { apiUrl: api }),
    ...(o.registerDevice ? { registerDevice: true } : {})
  })
}

/** The legacy login into remote `name`; the SMS code of a two-factor account from `twoFactor`. */
export const legacyLogin = <R>(
  file: string,
  name: string,
  o: LegacyLogin,
  twoFactor: Layer.Layer<TwoFactorPrompt.TwoFactorPrompt, never, R>
) =>
  Effect.gen(function* () {
    const stored = yield* legacyToken(o).pipe(Effect.provide(Layer.merge(twoFactor, NodeJotta.layer)))
    const store = yield* RcloneConfig.tokenStore(file, name)
    yield* store.set(stored)
  })

export const show = (name: string, section: RcloneConfig.Section) =>
  [`[${name}]`, ...Object.entries(RcloneConfig.redact(section)).map(([k, v]) => `${k} = ${v}`)].join("\n")

export const remove = (file: string, name: string) =>
  RcloneConfig.modify(file, (sections) => {
    const { [name]: gone, ...rest } = sections
    return Effect.succeed([gone !== undefined, rest] as const)
  })

/** Remote `name`'s section, or a usage error naming the configured remotes. */
export const known = (file: string, name: string) =>
  Effect.flatMap(RcloneConfig.read(file), (sections) => {
    const section = sections[name]
    return section === undefined
      ? Effect.fail(
          new UsageError({
            description: `no remote ${name}: in ${file} (configured: ${
              Object.keys(sections)
                .map((n) => `${n}:`)
                .join(", ") || "none"
            })`
          })
        )
      : Effect.succeed(section)
  })

/** `$RCLONE_CONFIG`, else `$XDG_CONFIG_HOME/rclone/rclone.conf`, else `~/.config/rclone/rclone.conf`. */
const defaultRcloneConfig = (): string => {
  const env = process.env.RCLONE_CONFIG
  if (env !== undefined && env !== "") return env
  const xdg = process.env.XDG_CONFIG_HOME
  return `${xdg !== undefined && xdg !== "" ? xdg : `${Os.homedir()}/.config`}/rclone/rclone.conf`
}

/** `config create NAME TYPE key=value…`. */
export const create = (a: { readonly name: string; readonly type: string; readonly keys: ReadonlyArray<string> }) =>
  Effect.gen(function* () {
    const g = yield* GlobalFlags
    if (a.type !== "jottacloud") {
      return yield* new UsageError({ description: `unsupported type ${a.type}: fjord only creates jottacloud remotes` })
    }
    const name = remoteName(a.name)
    const keys = yield* parseKeyValues(a.keys)
    const legacy = keys.config_type === "legacy"
    const token = keys.config_login_token
    if ((keys.config_type ?? "standard") === "standard" && (token === undefined || token === "")) {
      return yield* new UsageError({
        description:
          "config_login_token=<token> is needed (generate a personal login token in the web UI under Settings → Security)"
      })
    }
    const username = keys.config_username
    const password = keys.config_password
    if (legacy && (username === undefined || username === "" || password === undefined)) {
      return yield* new UsageError({
        description:
          "config_type=legacy needs config_username=<user> and config_password=<password> (and config_auth_code=<SMS code> for a two-factor account)"
      })
    }
    const section = yield* sectionOf(keys)
    const file = Remotes.configFile(g)
    yield* RcloneConfig.modify(file, (sections) =>
      Effect.succeed([undefined, { ...sections, [name]: section }] as const)
    )
    const login = Effect.gen(function* () {
      if (!legacy) return yield* connect(g, file, name, Redacted.make(token ?? ""))
      const code = keys.config_auth_code
      yield* legacyLogin(
        file,
        name,
        {
          endpoint: section.endpoint ?? Option.getOrUndefined(g.endpoint),
          username: username ?? "",
          password: Redacted.make(password ?? ""),
          registerDevice: keys.config_machine_specific === "true"
        },
        code === undefined
          ? twoFactorLayer("config_auth_code=<code>")
          : TwoFactorPrompt.layerStatic(code.replace(/-/g, ""))
      )
      return yield* recordUser(g, file, name)
    })
    const customer = yield* login.pipe(Effect.tapError(() => Effect.ignore(remove(file, name))))
    yield* out(`Remote ${name}: created for ${customer.email ?? customer.username} in ${file}`)
  })

/** `config show [NAME]`. */
export const showRemotes = (a: { readonly name: Option.Option<string> }) =>
  Effect.gen(function* () {
    const file = Remotes.configFile(yield* GlobalFlags)
    if (Option.isSome(a.name)) {
      const name = remoteName(a.name.value)
      return yield* out(show(name, yield* known(file, name)))
    }
    const sections = yield* RcloneConfig.read(file)
    yield* out(
      Object.entries(sections)
        .map(([n, s]) => show(n, s))
        .join("\n\n")
    )
  })

/** `config delete NAME`. */
export const deleteRemote = (a: { readonly name: string }) =>
  Effect.gen(function* () {
    const file = Remotes.configFile(yield* GlobalFlags)
    const name = remoteName(a.name)
    yield* known(file, name)
    yield* remove(file, name)
  })

/** `config file`. */
export const configFile = () =>
  Effect.flatMap(GlobalFlags, (g) => out(`Configuration file is stored at:\n${Remotes.configFile(g)}`))

/** `config import-rclone NAME [--rclone-config PATH]`. */
export const importRclone = (a: { readonly name: string; readonly rcloneConfig: Option.Option<string> }) =>
  Effect.gen(function* () {
    const g = yield* GlobalFlags
    const name = remoteName(a.name)
    const from = Option.getOrElse(a.rcloneConfig, defaultRcloneConfig)
    const section = yield* known(from, name)
    if (section.type !== "jottacloud") {
      return yield* new Remotes.UnsupportedRemote({ name, type: section.type ?? "unknown" })
    }
    // refuse what cannot be used (no token, an outdated configVersion) before copying it
    yield* SavedToken.fromRclone(section, { apiUrl: RcloneConfig.apiUrl(section) })
    const file = Remotes.configFile(g)
    yield* RcloneConfig.modify(file, (sections) =>
      Effect.succeed([undefined, { ...sections, [name]: section }] as const)
    )
    yield* out(
      `Imported ${name}: into ${file}. fjord now rotates its token: stop using the rclone remote (or reconnect it with a new login token), or the two will stale each other.`
    )
  })

/** `config reconnect NAME: --login-token T`. */
export const reconnect = (a: {
  readonly name: string
  readonly loginToken: Option.Option<Redacted.Redacted<string>>
}) =>
  Effect.gen(function* () {
    const g = yield* GlobalFlags
    const file = Remotes.configFile(g)
    const name = remoteName(a.name)
    yield* known(file, name)
    if (Option.isNone(a.loginToken)) {
      return yield* new UsageError({
        description:
          "reconnect needs a new login token: generate one in the web UI under Settings → Security and pass --login-token <token>"
      })
    }
    const customer = yield* connect(g, file, name, a.loginToken.value)
    yield* out(`Remote ${name}: reconnected as ${customer.email ?? customer.username}`)
  })
