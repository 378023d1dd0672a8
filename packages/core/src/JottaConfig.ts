/**
 * The client's configuration: endpoints, device, mountpoint, root path and the backend options
 * users know from rclone (`md5_memory_limit`, `trashed_only`, `hard_delete`,
 * `upload_resume_limit`, `no_versions`, `encoding`, `description`).
 *
 * Build it from plain values with {@link layer} (checked by a Schema) or from the environment
 * with {@link layerConfig} (`FJORD_ENDPOINT`, `FJORD_DEVICE`, `FJORD_MOUNTPOINT`, `FJORD_ROOT`,
 * `FJORD_MD5_MEMORY_LIMIT`, `FJORD_TRASHED_ONLY`, `FJORD_HARD_DELETE`,
 * `FJORD_UPLOAD_RESUME_LIMIT`, `FJORD_NO_VERSIONS`, `FJORD_ENCODING`, `FJORD_DESCRIPTION`,
 * `FJORD_CONNECT_TIMEOUT`, `FJORD_TIMEOUT`, `FJORD_MAX_RESPONSE_SIZE`).
 *
 * Every request is bounded (rclone's `--contimeout` / `--timeout` defaults): the response
 * headers must arrive within `connectTimeout` + `timeout` of the request (each chunk of a
 * streamed request body read by the transport pushes that out to `timeout` from then), and
 * every chunk of a response body within `timeout` of the previous one. Replies that are read
 * whole (documents, JSON) are capped at `maxResponseSize`.
 *
 * @since 0.1.0
 */
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
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

/**
 * 1 minute, rclone's `--contimeout` default.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultConnectTimeout: Duration.Duration = Duration.minutes(1)

/**
 * 5 minutes, rclone's `--timeout` (idle) default.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultTimeout: Duration.Duration = Duration.minutes(5)

/**
 * 32 MiB: the cap on a reply read whole. A folder document of 32 MiB lists about 60 000 files
 * (a JFS `<file>` element with its revision is 500–600 bytes), far beyond a real folder; the
 * decoded document and its tree take about 12–13 times the text in memory (a 122 MB listing
 * peaked at 1.4–1.65 GiB), so ≈ 420 MB at the cap.
 * Recursive listings stream (`Files.listRecursive`) and are not capped as a whole.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultMaxResponseSize = 32 * 1024 * 1024

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

const durationUnits: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

/**
 * A duration: milliseconds as a number, or a string such as `"30s"`, `"5m"`, `"1m30s"`,
 * `"500ms"` (rclone's notation; a bare number in a string is seconds).
 *
 * @since 0.1.0
 * @category schemas
 */
export const DurationFromInput: Schema.Schema<Duration.Duration, number | string> = Schema.transformOrFail(
  Schema.Union(Schema.NonNegative, Schema.String),
  Schema.DurationFromSelf,
  {
    strict: true,
    decode: (input, _, ast) => {
      if (typeof input === "number") return ParseResult.succeed(Duration.millis(input))
      const s = input.trim()
      if (/^\d+(?:\.\d+)?$/.test(s)) return ParseResult.succeed(Duration.seconds(Number(s)))
      let total = 0
      let rest = s
      const part = /^(\d+(?:\.\d+)?)(ms|s|m|h)/
      while (rest !== "") {
        const m = part.exec(rest)
        if (m === null || m[1] === undefined || m[2] === undefined) {
          return ParseResult.fail(
            new ParseResult.Type(ast, input, `expected a duration like 30s, 5m or 1m30s, got ${JSON.stringify(input)}`)
          )
        }
        total += Number(m[1]) * (durationUnits[m[2]] ?? 1)
        rest = rest.slice(m[0].length)
      }
      return s === ""
        ? ParseResult.fail(new ParseResult.Type(ast, input, "expected a duration, got an empty string"))
        : ParseResult.succeed(Duration.millis(total))
    },
    encode: (d) => ParseResult.succeed(Duration.toMillis(d))
  }
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
  description: Schema.optional(Schema.String),
  /** Time allowed for a connection (added to `timeout` while waiting for the response headers). */
  connectTimeout: Schema.optionalWith(DurationFromInput, { default: () => defaultConnectTimeout }),
  /** Idle timeout: the longest wait for the next sign of progress of a request or a body. */
  timeout: Schema.optionalWith(DurationFromInput, { default: () => defaultTimeout }),
  /** Cap on a reply read whole (documents and JSON); a larger one fails with `InvalidResponse`. */
  maxResponseSize: Schema.optionalWith(ByteSize, { default: () => defaultMaxResponseSize })
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
  readonly connectTimeout: Duration.Duration
  readonly timeout: Duration.Duration
  readonly maxResponseSize: number
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
      description: options.description,
      connectTimeout: options.connectTimeout,
      timeout: options.timeout,
      maxResponseSize: options.maxResponseSize
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
    description: Config.option(Config.string("DESCRIPTION")),
    connectTimeout: Config.option(Config.string("CONNECT_TIMEOUT")),
    timeout: Config.option(Config.string("TIMEOUT")),
    maxResponseSize: Config.option(Config.string("MAX_RESPONSE_SIZE"))
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
