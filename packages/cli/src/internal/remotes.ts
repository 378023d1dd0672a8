/**
 * Which SDK a `name:path` argument runs on. A remote named in the config file
 * (`--config`, `$FJORD_CONFIG`, else `fjord.conf` in the config directory) uses that section's
 * token, device, mountpoint, endpoint and backend options, with rotated tokens written back to
 * the section. `jotta:` without a `[jotta]` section is the remote of `fjord login` (the token
 * file in `--config-dir`). Any other name is an error naming the remotes there are.
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as RefreshingAuth from "@fjord/auth/RefreshingAuth"
import * as TokenStore from "@fjord/auth/TokenStore"
import * as Account from "@fjord/core/Account"
import * as Files from "@fjord/core/Files"
import * as JottaClient from "@fjord/core/JottaClient"
import type * as JottaConfig from "@fjord/core/JottaConfig"
import * as NodeJotta from "@fjord/node/NodeJotta"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as RcloneConfig from "./rcloneConfig.js"
import type { Globals } from "./sdk.js"
import * as Settings from "./settings.js"

/** The flags remote resolution reads: the global ones but `--json`. */
export type Flags = Omit<Globals, "json">

/** The remote of `fjord login` and `--config-dir`. */
export const loginRemote = "jotta"

export class UnknownRemote extends Schema.TaggedError<UnknownRemote>("@fjord/cli/UnknownRemote")("UnknownRemote", {
  name: Schema.String,
  file: Schema.String,
  known: Schema.Array(Schema.String),
  unsupported: Schema.Array(Schema.String)
}) {
  override get message(): string {
    const known = this.known.length === 0 ? "none" : this.known.map((n) => `${n}:`).join(", ")
    const other = this.unsupported.length === 0 ? "" : `; not jottacloud (unsupported): ${this.unsupported.join(", ")}`
    return `unknown remote ${this.name}: in ${this.file} (configured: ${known}${other}); create it with \`fjord config create ${this.name} jottacloud config_login_token=<token>\``
  }
}

export class UnsupportedRemote extends Schema.TaggedError<UnsupportedRemote>("@fjord/cli/UnsupportedRemote")(
  "UnsupportedRemote",
  { name: Schema.String, type: Schema.String }
) {
  override get message(): string {
    return `remote ${this.name}: is of type ${this.type}; fjord only supports jottacloud remotes`
  }
}

/** `--config`, else `$FJORD_CONFIG` (read into the flag), else `fjord.conf` in the config directory. */
export const configFile = (flags: Pick<Flags, "config" | "configDir">): string =>
  Option.getOrElse(flags.config, () => `${Settings.configDir(flags.configDir)}/fjord.conf`)

const truthy = (value: string | undefined): boolean | undefined =>
  value === undefined || value === "" ? undefined : value === "true" || value === "1"

/**
 * The client configuration of a section (rclone's keys), the flags (and their `FJORD_*`
 * variables) winning over the section's keys; the request bounds from the environment.
 */
export const clientConfig = (flags: Flags, section: RcloneConfig.Section): typeof JottaConfig.Options.Encoded => {
  const pick = (flag: Option.Option<string>, key: string) => {
    const v = Option.getOrUndefined(flag) ?? section[key]
    return v === undefined || v === "" ? undefined : v
  }
  const pickBool = (flag: Option.Option<boolean>, key: string) => Option.getOrUndefined(flag) ?? truthy(section[key])
  const config = {
    endpoint: pick(flags.endpoint, "endpoint"),
    device: pick(flags.device, "device"),
    mountpoint: pick(flags.mountpoint, "mountpoint"),
    encoding: pick(flags.encoding, "encoding"),
    md5MemoryLimit: pick(flags.md5MemoryLimit, "md5_memory_limit"),
    uploadResumeLimit: pick(flags.uploadResumeLimit, "upload_resume_limit"),
    trashedOnly: pickBool(flags.trashedOnly, "trashed_only"),
    noVersions: pickBool(flags.noVersions, "no_versions")
  }
  const defined = Object.fromEntries(Object.entries(config).filter(([, v]) => v !== undefined))
  return {
    ...Settings.boundsFromEnv(),
    ...defined,
    hardDelete: flags.hardDelete || truthy(section.hard_delete) === true
  }
}

/** The SDK over remote `name` of `file`, its token kept in that section. */
export const layerSection = (flags: Flags, file: string, name: string, section: RcloneConfig.Section) =>
  Layer.mergeAll(Files.layer, Account.layer).pipe(
    Layer.provideMerge(
      JottaClient.layer(clientConfig(flags, section)).pipe(
        Layer.provideMerge(
          RefreshingAuth.layer().pipe(
            Layer.provide(Layer.effect(TokenStore.TokenStore, RcloneConfig.tokenStore(file, name)))
          )
        ),
        Layer.provideMerge(NodeJotta.layer)
      )
    )
  )

/**
 * The SDK for remote `name` when the config file defines it; none for `jotta` when it does
 * not (the caller falls back to the token file of `fjord login`).
 */
export const find = (flags: Flags, name: string) =>
  Effect.gen(function* () {
    const file = configFile(flags)
    const sections = yield* RcloneConfig.read(file)
    const section = sections[name]
    if (section !== undefined) {
      if (section.type !== "jottacloud") {
        return yield* new UnsupportedRemote({ name, type: section.type ?? "unknown" })
      }
      return Option.some(layerSection(flags, file, name, section))
    }
    if (name === loginRemote) return Option.none()
    const { jotta, other } = RcloneConfig.partition(sections)
    const fs = yield* FileSystem.FileSystem
    const loggedIn = yield* Effect.orElseSucceed(
      fs.exists(Settings.tokenFile(Settings.configDir(flags.configDir))),
      () => false
    )
    return yield* new UnknownRemote({
      name,
      file,
      known: loggedIn ? [loginRemote, ...jotta] : jotta,
      unsupported: other.map(([n, t]) => `${n}: (${t})`)
    })
  })
