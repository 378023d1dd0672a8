import * as Os from "node:os"
import * as FileSystem from "@effect/platform/FileSystem"
import type * as JottaConfig from "@fjord/core/JottaConfig"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"

/** What `fjord login` remembers besides the token (flags override it per command). */
export class Settings extends Schema.Class<Settings>("@fjord/cli/Settings")({
  endpoint: Schema.optional(Schema.String),
  device: Schema.optional(Schema.String),
  mountpoint: Schema.optional(Schema.String)
}) {}

/** What `fjord emulator` leaves for `fjord login --emulator`. */
export class EmulatorInfo extends Schema.Class<EmulatorInfo>("@fjord/cli/EmulatorInfo")({
  url: Schema.String,
  username: Schema.String,
  loginToken: Schema.String
}) {}

export class SettingsError extends Schema.TaggedError<SettingsError>("@fjord/cli/SettingsError")("SettingsError", {
  description: Schema.String,
  cause: Schema.optional(Schema.Defect)
}) {
  override get message(): string {
    return this.description
  }
}

/** `--config-dir`, else `$FJORD_CONFIG_DIR`, else `$XDG_CONFIG_HOME/fjord`, else `~/.config/fjord`. */
export const configDir = (flag: Option.Option<string>): string => {
  if (Option.isSome(flag)) return flag.value
  const env = process.env.FJORD_CONFIG_DIR
  if (env !== undefined && env !== "") return env
  const xdg = process.env.XDG_CONFIG_HOME
  return `${xdg !== undefined && xdg !== "" ? xdg : `${Os.homedir()}/.config`}/fjord`
}

export const tokenFile = (dir: string) => `${dir}/token.json`
export const settingsFile = (dir: string) => `${dir}/config.json`
export const emulatorFile = (dir: string) => `${dir}/emulator.json`

const readJson = <A, I>(schema: Schema.Schema<A, I>, file: string) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const text = yield* fs.readFileString(file).pipe(
      Effect.map(Option.some),
      Effect.catchIf(
        (e) => e._tag === "SystemError" && e.reason === "NotFound",
        () => Effect.succeed(Option.none<string>())
      ),
      Effect.mapError((cause) => new SettingsError({ description: `cannot read ${file}`, cause }))
    )
    if (Option.isNone(text)) return Option.none<A>()
    return yield* Schema.decodeUnknown(Schema.parseJson(schema))(text.value).pipe(
      Effect.map(Option.some),
      Effect.mapError(
        (cause) => new SettingsError({ description: `${file} is not valid; remove it or log in again`, cause })
      )
    )
  })

const writeJson = <A, I>(schema: Schema.Schema<A, I>, file: string, value: A) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const text = yield* Schema.encode(Schema.parseJson(schema, { space: 2 }))(value).pipe(
      Effect.mapError((cause) => new SettingsError({ description: `cannot encode ${file}`, cause }))
    )
    const dir = file.slice(0, file.lastIndexOf("/"))
    const tmp = `${file}.${process.pid}.tmp`
    yield* fs.makeDirectory(dir, { recursive: true, mode: 0o700 }).pipe(
      Effect.zipRight(fs.writeFileString(tmp, `${text}\n`, { mode: 0o600 })),
      Effect.zipRight(fs.rename(tmp, file)),
      Effect.mapError((cause) => new SettingsError({ description: `cannot write ${file}`, cause }))
    )
  })

export const readSettings = (dir: string) =>
  Effect.map(
    readJson(Settings, settingsFile(dir)),
    Option.getOrElse(() => new Settings({}))
  )
export const writeSettings = (dir: string, settings: Settings) => writeJson(Settings, settingsFile(dir), settings)
export const readEmulatorInfo = (dir: string) => readJson(EmulatorInfo, emulatorFile(dir))
export const writeEmulatorInfo = (dir: string, info: EmulatorInfo) => writeJson(EmulatorInfo, emulatorFile(dir), info)

/**
 * The request bounds set in the environment under `JottaConfig`'s names: `FJORD_CONNECT_TIMEOUT`,
 * `FJORD_TIMEOUT` (rclone's `--contimeout` / `--timeout`) and `FJORD_MAX_RESPONSE_SIZE`.
 */
export const boundsFromEnv = (
  env: Record<string, string | undefined> = process.env
): Pick<typeof JottaConfig.Options.Encoded, "connectTimeout" | "timeout" | "maxResponseSize"> => {
  const pick = (name: string) => {
    const v = env[name]?.trim()
    return v === undefined || v === "" ? undefined : v
  }
  const connectTimeout = pick("FJORD_CONNECT_TIMEOUT")
  const timeout = pick("FJORD_TIMEOUT")
  const maxResponseSize = pick("FJORD_MAX_RESPONSE_SIZE")
  return {
    ...(connectTimeout === undefined ? {} : { connectTimeout }),
    ...(timeout === undefined ? {} : { timeout }),
    ...(maxResponseSize === undefined ? {} : { maxResponseSize })
  }
}
