/**
 * `fjord config …`: rclone's non-interactive config commands over the config file of named
 * remotes (`internal/rcloneConfig.ts`): `create NAME jottacloud key=value…`, `show [NAME]`,
 * `delete NAME`, `file`, `import-rclone NAME`, `reconnect NAME:`. The keys of `create` are
 * rclone's (`config_type`, `config_login_token`, `config_non_standard`, `config_device`,
 * `config_mountpoint`, the backend options) plus `endpoint` (an emulator's base URL).
 *
 * @since 0.1.0
 */
import * as Os from "node:os"
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as LoginToken from "@fjord/auth/LoginToken"
import * as SavedToken from "@fjord/auth/SavedToken"
import * as TokenStore from "@fjord/auth/TokenStore"
import * as Account from "@fjord/core/Account"
import * as NodeJotta from "@fjord/node/NodeJotta"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { lazy } from "../internal/common.js"
import { refusedToken } from "../internal/errors.js"
import { GlobalFlags } from "../internal/globalArgs.js"
import * as RcloneConfig from "../internal/rcloneConfig.js"
import * as Remotes from "../internal/remotes.js"
import { UsageError } from "../internal/sdk.js"
import { Output } from "../Output.js"

type Flags = Remotes.Flags & { readonly json: boolean }

const out = (text: string) => Effect.flatMap(Output, (o) => o.line(text))

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

/** `NAME` or `NAME:` (as rclone accepts both). */
const remoteName = (arg: string) => arg.replace(/:$/, "")

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
 * The section `create` writes (without its token) from rclone's `config create` keys.
 *
 * @since 0.1.0
 * @category config
 */
export const sectionOf = (keys: Readonly<Record<string, string>>): Effect.Effect<RcloneConfig.Section, UsageError> =>
  Effect.gen(function* () {
    const type = keys.config_type ?? "standard"
    if (type !== "standard") {
      return yield* new UsageError({
        description: `config_type=${type} cannot be set up non-interactively yet: use config_type=standard with config_login_token, or \`fjord login\``
      })
    }
    const section: Record<string, string> = { type: "jottacloud", configVersion: "1", client_id: "jottacli" }
    const nonStandard = keys.config_non_standard === "true"
    for (const [k, v] of Object.entries(keys)) {
      if (k === "config_type" || k === "config_login_token" || k === "config_non_standard") continue
      if (k === "config_device" || k === "config_mountpoint") {
        if (!nonStandard) {
          return yield* new UsageError({ description: `${k} needs config_non_standard=true (as in rclone)` })
        }
        section[k.slice("config_".length)] = v
      } else if (k === "endpoint" || backendKeys.has(k)) {
        section[k] = v
      } else {
        return yield* new UsageError({
          description: `unknown key ${k} (known: config_type, config_login_token, config_non_standard, config_device, config_mountpoint, endpoint, ${[...backendKeys].join(", ")})`
        })
      }
    }
    return section
  })

/** Exchanges `token` into remote `name`'s section and records the account's user name. */
export const connect = (flags: Flags, file: string, name: string, token: Redacted.Redacted<string>) =>
  Effect.gen(function* () {
    yield* LoginToken.login(token).pipe(
      Effect.mapError(refusedToken),
      Effect.provide(
        Layer.merge(Layer.effect(TokenStore.TokenStore, RcloneConfig.tokenStore(file, name)), NodeJotta.layer)
      )
    )
    const section = (yield* RcloneConfig.read(file))[name] ?? {}
    const customer = yield* Effect.flatMap(Account.Account, (a) => a.userInfo()).pipe(
      Effect.provide(Remotes.layerSection(flags, file, name, section))
    )
    yield* RcloneConfig.modify(file, (sections) =>
      Effect.succeed([
        undefined,
        { ...sections, [name]: RcloneConfig.setKeys(sections[name] ?? section, { username: customer.username }) }
      ] as const)
    )
    return customer
  })

export const show = (name: string, section: RcloneConfig.Section) =>
  [`[${name}]`, ...Object.entries(RcloneConfig.redact(section)).map(([k, v]) => `${k} = ${v}`)].join("\n")

export const remove = (file: string, name: string) =>
  RcloneConfig.modify(file, (sections) => {
    const { [name]: gone, ...rest } = sections
    return Effect.succeed([gone !== undefined, rest] as const)
  })

const known = (file: string, name: string) =>
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

const loginTokenOption = Options.redacted("login-token").pipe(
  Options.withDescription("The new personal login token (web UI → Settings → Security); or $FJORD_LOGIN_TOKEN"),
  Options.withFallbackConfig(Config.redacted("FJORD_LOGIN_TOKEN")),
  Options.optional
)

const build = () => {
  const create = Command.make(
    "create",
    {
      name: Args.text({ name: "name" }).pipe(Args.withDescription("The new remote's name")),
      type: Args.text({ name: "type" }).pipe(Args.withDescription("The storage type: jottacloud")),
      keys: Args.text({ name: "key=value" }).pipe(
        Args.withDescription("rclone's keys: config_login_token=…, config_non_standard=true, config_device=…"),
        Args.repeated
      )
    },
    (a) =>
      Effect.gen(function* () {
        const g = yield* GlobalFlags
        if (a.type !== "jottacloud") {
          return yield* new UsageError({
            description: `unsupported type ${a.type}: fjord only creates jottacloud remotes`
          })
        }
        const name = remoteName(a.name)
        const keys = yield* parseKeyValues(a.keys)
        const token = keys.config_login_token
        if (token === undefined || token === "") {
          return yield* new UsageError({
            description:
              "config_login_token=<token> is needed (generate a personal login token in the web UI under Settings → Security)"
          })
        }
        const section = yield* sectionOf(keys)
        const file = Remotes.configFile(g)
        yield* RcloneConfig.modify(file, (sections) =>
          Effect.succeed([undefined, { ...sections, [name]: section }] as const)
        )
        const customer = yield* connect(g, file, name, Redacted.make(token)).pipe(
          Effect.tapError(() => Effect.ignore(remove(file, name)))
        )
        yield* out(`Remote ${name}: created for ${customer.email ?? customer.username} in ${file}`)
      })
  ).pipe(Command.withDescription("Create a remote from rclone's key=value pairs, logging in with the login token"))

  const showCommand = Command.make(
    "show",
    { name: Args.text({ name: "name" }).pipe(Args.withDescription("Only this remote"), Args.optional) },
    (a) =>
      Effect.gen(function* () {
        const g = yield* GlobalFlags
        const file = Remotes.configFile(g)
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
  ).pipe(Command.withDescription("Print the remotes (or one), their secrets redacted"))

  const deleteCommand = Command.make(
    "delete",
    { name: Args.text({ name: "name" }).pipe(Args.withDescription("The remote to delete")) },
    (a) =>
      Effect.gen(function* () {
        const g = yield* GlobalFlags
        const file = Remotes.configFile(g)
        const name = remoteName(a.name)
        yield* known(file, name)
        yield* remove(file, name)
      })
  ).pipe(Command.withDescription("Delete a remote from the config file"))

  const fileCommand = Command.make("file", {}, () =>
    Effect.flatMap(GlobalFlags, (g) => out(`Configuration file is stored at:\n${Remotes.configFile(g)}`))
  ).pipe(Command.withDescription("Print the path of the config file"))

  const importRclone = Command.make(
    "import-rclone",
    {
      name: Args.text({ name: "name" }).pipe(Args.withDescription("The jottacloud remote's name in rclone.conf")),
      rcloneConfig: Options.text("rclone-config").pipe(
        Options.withDescription("rclone's config file (default $RCLONE_CONFIG or ~/.config/rclone/rclone.conf)"),
        Options.optional
      )
    },
    (a) =>
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
  ).pipe(Command.withDescription("Copy a jottacloud remote (and its token) from rclone's config file"))

  const reconnect = Command.make(
    "reconnect",
    {
      name: Args.text({ name: "name:" }).pipe(Args.withDescription("The remote to log in again")),
      loginToken: loginTokenOption
    },
    (a) =>
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
        yield* RcloneConfig.modify(file, (sections) =>
          Effect.succeed([
            undefined,
            { ...sections, [name]: RcloneConfig.setKeys(sections[name] ?? {}, { token: "" }) }
          ] as const)
        )
        const customer = yield* connect(g, file, name, a.loginToken.value)
        yield* out(`Remote ${name}: reconnected as ${customer.email ?? customer.username}`)
      })
  ).pipe(Command.withDescription("Log a remote in again with a new login token (its old token is discarded)"))

  return Command.make(
    "config",
    {},
    lazy(
      () => import("../internal/dialog.js"),
      (m) => m.dialog
    )
  ).pipe(
    Command.withDescription(
      "Set up remotes interactively (rclone's config dialog); or the subcommands, rclone's config commands"
    ),
    Command.withSubcommands([create, showCommand, deleteCommand, fileCommand, importRclone, reconnect])
  )
}

/**
 * The `config` command and its subcommands.
 *
 * @since 0.1.0
 * @category commands
 */
export const command = build()
