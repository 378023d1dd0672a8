/**
 * The client's configuration: endpoints, device, mountpoint, root path and the backend options
 * users know from rclone (`md5_memory_limit`, `trashed_only`, `hard_delete`,
 * `upload_resume_limit`, `no_versions`, `encoding`, `description`).
 *
 * Build it from plain values with {@link layer} (checked by a Schema) or from the environment
 * with {@link layerConfig} (`FJORD_ENDPOINT`, `FJORD_DEVICE`, `FJORD_MOUNTPOINT`, `FJORD_ROOT`,
 * `FJORD_MD5_MEMORY_LIMIT`, `FJORD_TRASHED_ONLY`, `FJORD_HARD_DELETE`,
 * `FJORD_UPLOAD_RESUME_LIMIT`, `FJORD_NO_VERSIONS`, `FJORD_ENCODING`, `FJORD_DESCRIPTION`).
 *
 * @since 0.1.0
 */
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as Name from "./Name.js"

/**
 * Production JFS root.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultJfsRoot = "https://jfs.jottacloud.com/jfs/"

/**
 * Production API root.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultApiRoot = "https://api.jottacloud.com/"

/**
 * Production WWW root (public links).
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultWwwRoot = "https://www.jottacloud.com/"

/**
 * 10 MiB, rclone's default for `md5_memory_limit` and `upload_resume_limit`.
 *
 * @since 0.1.0
 * @category constants
 */
export const tenMebibytes = 10 * 1024 * 1024

const units: Record<string, number> = { "": 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 }

/**
 * A byte size: a non-negative integer, or a string such as `"10M"`, `"512Ki"`, `"1G"`
 * (binary units, as rclone reads them).
 *
 * @since 0.1.0
 * @category schemas
 */
export const ByteSize: Schema.Schema<number, number | string> = Schema.Union(
  Schema.NonNegativeInt,
  Schema.transformOrFail(Schema.String, Schema.NonNegativeInt, {
    strict: true,
    decode: (s, _, ast) => {
      const m = /^\s*(\d+)\s*([KMGT]?)(?:i?B?)?\s*$/i.exec(s)
      const unit = m?.[2]?.toUpperCase() ?? ""
      return m === null || m[1] === undefined
        ? ParseResult.fail(new ParseResult.Type(ast, s, `expected a byte size like 10M, got ${JSON.stringify(s)}`))
        : ParseResult.succeed(Number(m[1]) * (units[unit] ?? 1))
    },
    encode: (n) => ParseResult.succeed(String(n))
  })
)

/**
 * The configuration as the user writes it. Empty `device` / `mountpoint` mean the defaults
 * (`Jotta`, `Archive`).
 *
 * @since 0.1.0
 * @category schemas
 */
export class Options extends Schema.Class<Options>("@fjord/core/JottaConfig/Options")({
  /**
   * One base URL B overriding every root: JFS = `B/jfs/`, API = `B/api/`, WWW = `B/www/`
   * (the emulator's layout).
   */
  endpoint: Schema.optional(Schema.String),
  /** Explicit roots (win over `endpoint`). */
  jfsRoot: Schema.optional(Schema.String),
  apiRoot: Schema.optional(Schema.String),
  wwwRoot: Schema.optional(Schema.String),
  device: Schema.optionalWith(Schema.String, { default: () => "Jotta" }),
  mountpoint: Schema.optionalWith(Schema.String, { default: () => "Archive" }),
  /** Folder below the mountpoint every path is relative to (raw names, `/`-separated). */
  root: Schema.optionalWith(Schema.String, { default: () => "" }),
  md5MemoryLimit: Schema.optionalWith(ByteSize, { default: () => tenMebibytes }),
  trashedOnly: Schema.optionalWith(Schema.Boolean, { default: () => false }),
  hardDelete: Schema.optionalWith(Schema.Boolean, { default: () => false }),
  uploadResumeLimit: Schema.optionalWith(ByteSize, { default: () => tenMebibytes }),
  noVersions: Schema.optionalWith(Schema.Boolean, { default: () => false }),
  /** rclone encoding mask, e.g. `"Slash,LtGt,…,Dot"`, or `"None"`; rclone's default when absent. */
  encoding: Schema.optional(Schema.String),
  description: Schema.optional(Schema.String)
}) {}

/**
 * The resolved configuration the client works with.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  readonly jfsRoot: string
  readonly apiRoot: string
  readonly wwwRoot: string
  readonly device: string
  readonly mountpoint: string
  /** Root folder below the mountpoint, raw names, no leading or trailing slash. */
  readonly root: string
  readonly md5MemoryLimit: number
  readonly trashedOnly: boolean
  readonly hardDelete: boolean
  readonly uploadResumeLimit: number
  readonly noVersions: boolean
  readonly encoding: Name.Encoding
  readonly description: string | undefined
}

/**
 * @since 0.1.0
 * @category tags
 */
export class JottaConfig extends Context.Tag("@fjord/core/JottaConfig")<JottaConfig, Service>() {}

const slash = (s: string): string => (s.endsWith("/") ? s : `${s}/`)

const invalid = (key: string, message: string) => ConfigError.InvalidData([key], message)

/**
 * Resolves user options into a {@link Service}.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (input: typeof Options.Encoded): Effect.Effect<Service, ConfigError.ConfigError> =>
  Effect.gen(function* () {
    const options = yield* Effect.mapError(Schema.decodeUnknown(Options)(input), (e) =>
      invalid("options", ParseResult.TreeFormatter.formatErrorSync(e))
    )
    const base = options.endpoint === undefined ? undefined : options.endpoint.replace(/\/+$/, "")
    if (base !== undefined && !/^https?:\/\//i.test(base)) {
      return yield* Effect.fail(invalid("endpoint", `expected an http(s) URL, got ${JSON.stringify(options.endpoint)}`))
    }
    let encoding: Name.Encoding = Name.defaultEncoding
    if (options.encoding !== undefined) {
      const parsed = Name.parseEncoding(options.encoding)
      if (Either.isLeft(parsed)) return yield* Effect.fail(invalid("encoding", parsed.left))
      encoding = parsed.right
    }
    return {
      jfsRoot: slash(options.jfsRoot ?? (base === undefined ? defaultJfsRoot : `${base}/jfs/`)),
      apiRoot: slash(options.apiRoot ?? (base === undefined ? defaultApiRoot : `${base}/api/`)),
      wwwRoot: slash(options.wwwRoot ?? (base === undefined ? defaultWwwRoot : `${base}/www/`)),
      device: options.device === "" ? "Jotta" : options.device,
      mountpoint: options.mountpoint === "" ? "Archive" : options.mountpoint,
      root: options.root
        .split("/")
        .filter((s) => s !== "")
        .join("/"),
      md5MemoryLimit: options.md5MemoryLimit,
      trashedOnly: options.trashedOnly,
      hardDelete: options.hardDelete,
      uploadResumeLimit: options.uploadResumeLimit,
      noVersions: options.noVersions,
      encoding,
      description: options.description
    }
  })

/**
 * A layer from plain values.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (input: typeof Options.Encoded = {}): Layer.Layer<JottaConfig, ConfigError.ConfigError> =>
  Layer.effect(JottaConfig, make(input))

/**
 * Reads the options from Effect `Config` under `FJORD_*` (by default from the environment).
 *
 * @since 0.1.0
 * @category constructors
 */
export const config: Config.Config<typeof Options.Encoded> = Config.nested(
  Config.all({
    endpoint: Config.option(Config.string("ENDPOINT")),
    device: Config.option(Config.string("DEVICE")),
    mountpoint: Config.option(Config.string("MOUNTPOINT")),
    root: Config.option(Config.string("ROOT")),
    md5MemoryLimit: Config.option(Config.string("MD5_MEMORY_LIMIT")),
    trashedOnly: Config.option(Config.boolean("TRASHED_ONLY")),
    hardDelete: Config.option(Config.boolean("HARD_DELETE")),
    uploadResumeLimit: Config.option(Config.string("UPLOAD_RESUME_LIMIT")),
    noVersions: Config.option(Config.boolean("NO_VERSIONS")),
    encoding: Config.option(Config.string("ENCODING")),
    description: Config.option(Config.string("DESCRIPTION"))
  }),
  "FJORD"
).pipe(
  Config.map((all) => {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(all) as Array<[string, Option.Option<unknown>]>) {
      if (Option.isSome(v)) out[k] = v.value
    }
    return out as typeof Options.Encoded
  })
)

/**
 * A layer reading {@link config} (`FJORD_*` environment variables by default).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  options: Config.Config<typeof Options.Encoded> = config
): Layer.Layer<JottaConfig, ConfigError.ConfigError> => Layer.effect(JottaConfig, Effect.flatMap(options, make))
