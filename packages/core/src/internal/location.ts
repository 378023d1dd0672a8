import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as JottaConfig from "../JottaConfig.js"
import type * as JottaError from "../JottaError.js"
import * as JottaPath from "../JottaPath.js"
import * as Name from "../Name.js"
import * as Op from "./operation.js"
import * as utf8 from "./utf8.js"

/**
 * A path as callers give it: a `/`-separated string of raw names, an array of raw names
 * (a `Uint8Array` name may hold invalid UTF-8), or an entry from a listing (whose wire names
 * are reused verbatim).
 */
export type PathInput =
  | string
  | JottaPath.JottaPath
  | ReadonlyArray<string | Uint8Array>
  | { readonly wirePath: ReadonlyArray<string> }

/** Where a request goes. */
export interface Location {
  /** Display form of the path below the configured root (raw names, `/`-joined). */
  readonly display: string
  /** Wire names below the configured root. */
  readonly relative: ReadonlyArray<string>
  /** Wire names below the mountpoint (configured root included). */
  readonly wire: ReadonlyArray<string>
  /** The JFS resource URL. */
  readonly url: string
  /** `/<user>/<device>/<mountpoint>/<wire path>` (targets of cp/mv/mvDir). */
  readonly absolute: string
  /** `/jfs/<device>/<mountpoint>/<wire path>` (allocate). */
  readonly allocate: string
  /** True for the configured root. */
  readonly isRoot: boolean
}

/** Escapes a `/`-joined path the way rclone does (Go rules, `+` as `%2B`). */
export const escapePath = (path: string): string => JottaPath.escapePath(path.split("/"))

const displayOf = (name: string | Uint8Array): string => (typeof name === "string" ? name : utf8.toStringLossy(name))

const splitRaw = (path: string): Array<string> => path.split("/").filter((s) => s !== "")

const rootWires = new WeakMap<JottaConfig.Service, ReadonlyArray<string>>()

/** Wire names of the configured root (computed once per configuration). */
const rootWire = (config: JottaConfig.Service): ReadonlyArray<string> => {
  let wire = rootWires.get(config)
  if (wire === undefined) {
    wire = splitRaw(config.root).map((s) => Name.encode(s, config.encoding))
    rootWires.set(config, wire)
  }
  return wire
}

/** Builds a location from already encoded wire names below the configured root. */
export const fromWire = (
  config: JottaConfig.Service,
  username: string,
  relative: ReadonlyArray<string>,
  display?: string
): Location => {
  const wire = [...rootWire(config), ...relative]
  const mount = { username, device: config.device, mountpoint: config.mountpoint }
  return {
    display:
      display ?? relative.map((w) => Option.getOrElse(Name.decodeToString(w, config.encoding), () => w)).join("/"),
    relative,
    wire,
    url: config.jfsRoot + JottaPath.jfsUrlPath(mount, wire),
    absolute: JottaPath.absolutePath(mount, wire),
    allocate: JottaPath.allocatePath(mount, wire),
    isRoot: relative.length === 0
  }
}

/**
 * The wire names of a string path whose names the encoding leaves unchanged (the common case),
 * or `undefined` to take the general route. Equivalent to `JottaPath.make` +
 * `JottaPath.toWireSegments` for such paths: a name without lone surrogates is valid UTF-8, so
 * its encoding is valid UTF-8 too and `Name.encode` agrees with `Name.encodeOption`; names that
 * would fail a check (`.`/`..`, lone surrogates, over 255 units) go the general route, which
 * reports them.
 */
const plainWire = (config: JottaConfig.Service, input: string): Array<string> | undefined => {
  const names = splitRaw(input)
  for (const name of names) {
    if (name === "." || name === ".." || name.length > Name.maxNameLength || utf8.hasLoneSurrogate(name)) {
      return undefined
    }
    if (Name.encode(name, config.encoding) !== name) return undefined
  }
  return names
}

/**
 * Resolves a caller's path into a location, checking every name (a bad name is `InvalidName`
 * naming the current operation).
 */
export const resolve = (
  config: JottaConfig.Service,
  username: string,
  input: PathInput
): Effect.Effect<Location, JottaError.InvalidName> => {
  if (typeof input === "object" && "wirePath" in input) {
    return Effect.succeed(fromWire(config, username, input.wirePath))
  }
  if (typeof input === "string") {
    const plain = plainWire(config, input)
    if (plain !== undefined) return Effect.succeed(fromWire(config, username, plain, plain.join("/")))
    return Effect.flatMap(Op.at(), ({ operation }) =>
      Effect.flatMap(JottaPath.make(input, operation), (path) =>
        Effect.map(JottaPath.toWireSegments(path, config.encoding, operation), (relative) =>
          fromWire(config, username, relative, path)
        )
      )
    )
  }
  const display = input.map(displayOf).join("/")
  return Effect.flatMap(Op.at(), ({ operation }) =>
    Effect.map(
      Effect.forEach(input, (n) => JottaPath.wireName(n, config.encoding, { operation, path: display })),
      (relative) => fromWire(config, username, relative, display)
    )
  )
}

/** The display string of a path input (for errors before resolution). */
export const displayInput = (input: PathInput): string =>
  typeof input === "string"
    ? splitRaw(input).join("/")
    : "wirePath" in input
      ? input.wirePath.join("/")
      : input.map(displayOf).join("/")

/** The display string of what may be a path input (for errors before resolution). */
export const displayUnknown = (u: unknown): string | undefined => {
  if (u === undefined) return ""
  if (typeof u === "string") return splitRaw(u).join("/")
  if (typeof u !== "object" || u === null) return undefined
  if ("path" in u && typeof u.path === "string") return u.path
  if ("wirePath" in u && Array.isArray(u.wirePath)) return u.wirePath.join("/")
  if (Array.isArray(u))
    return u.map((n) => (typeof n === "string" || n instanceof Uint8Array ? displayOf(n) : "?")).join("/")
  return undefined
}

/** The parent of a location (the root's parent is the root). */
export const parent = (config: JottaConfig.Service, username: string, loc: Location): Location =>
  fromWire(config, username, loc.relative.slice(0, -1))

/** Last wire name ("" for the root). */
export const basename = (loc: Location): string => loc.relative[loc.relative.length - 1] ?? ""
