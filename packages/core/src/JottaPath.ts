/**
 * Paths below a mountpoint, and the URL rules rclone applies to them.
 *
 * A {@link JottaPath} is a normalised, relative path of **raw** names (as the user means
 * them) joined by `/`: no leading or trailing slash, no empty segment, `""` for the root of
 * the location. Names are turned into wire names (protocol §8) by {@link toWireSegments},
 * which also enforces the service's 255 UTF-16-unit limit per wire name.
 *
 * Path cleaning: {@link make} drops empty segments (`a//b/` is `a/b`) but rejects `.` and
 * `..` segments with `InvalidName` (`DotSegment`) instead of resolving them: a string path is
 * never silently re-targeted. A raw name that contains `/`, or is `.` or `..`, cannot be part
 * of a string path; address such items with wire names (from a listing) or with
 * {@link wireName} on the single raw name.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as utf8 from "./internal/utf8.js"
import { InvalidName } from "./JottaError.js"
import * as Name from "./Name.js"

const isNormalised = (s: string): boolean => {
  if (s === "") return true
  if (utf8.hasLoneSurrogate(s)) return false
  for (const seg of s.split("/")) if (seg === "" || seg === "." || seg === "..") return false
  return true
}

/**
 * A normalised relative path of raw names below a mountpoint (`""` is the root).
 *
 * @since 0.1.0
 * @category models
 */
export const JottaPath = Schema.String.pipe(
  Schema.filter(isNormalised, {
    message: () => "expected a relative path without empty, '.' or '..' segments and without lone surrogates"
  }),
  Schema.brand("@fjord/core/JottaPath")
)

/**
 * @since 0.1.0
 * @category models
 */
export type JottaPath = typeof JottaPath.Type

/**
 * The root of the location.
 *
 * @since 0.1.0
 * @category constants
 */
export const root: JottaPath = "" as JottaPath

/**
 * Builds a path from a `/`-separated raw path: empty segments are dropped, `.`/`..`
 * segments are rejected (`DotSegment`), as are lone surrogates (`InvalidUtf8`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (raw: string, operation = "JottaPath.make"): Either.Either<JottaPath, InvalidName> => {
  const segments = raw.split("/").filter((s) => s !== "")
  for (const seg of segments) {
    if (seg === "." || seg === "..") {
      return Either.left(new InvalidName({ operation, path: raw, name: seg, reason: "DotSegment" }))
    }
    if (utf8.hasLoneSurrogate(seg)) {
      return Either.left(new InvalidName({ operation, path: raw, name: seg, reason: "InvalidUtf8" }))
    }
  }
  return Either.right(segments.join("/") as JottaPath)
}

/**
 * Like {@link make}, throwing on an invalid path (for constants in code).
 *
 * @since 0.1.0
 * @category constructors
 */
export const unsafeMake = (raw: string): JottaPath => Either.getOrThrowWith(make(raw), (e) => e)

/**
 * Builds a path from raw names, one per segment (none may be empty, contain `/`, or be
 * `.`/`..`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromSegments = (
  names: ReadonlyArray<string>,
  operation = "JottaPath.fromSegments"
): Either.Either<JottaPath, InvalidName> => {
  const path = names.join("/")
  for (const name of names) {
    if (name === "") return Either.left(new InvalidName({ operation, path, name, reason: "Empty" }))
    if (name === "." || name === "..")
      return Either.left(new InvalidName({ operation, path, name, reason: "DotSegment" }))
    if (name.includes("/")) return Either.left(new InvalidName({ operation, path, name, reason: "Unencodable" }))
    if (utf8.hasLoneSurrogate(name))
      return Either.left(new InvalidName({ operation, path, name, reason: "InvalidUtf8" }))
  }
  return Either.right(path as JottaPath)
}

/**
 * Whether the path is the root.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isRoot = (path: JottaPath): boolean => path === ""

/**
 * The raw names of the path (`[]` for the root).
 *
 * @since 0.1.0
 * @category getters
 */
export const segments = (path: JottaPath): ReadonlyArray<string> => (path === "" ? [] : path.split("/"))

/**
 * Joins two paths.
 *
 * @since 0.1.0
 * @category combinators
 */
export const join = (base: JottaPath, ...more: ReadonlyArray<JottaPath>): JottaPath =>
  [base, ...more].filter((p) => p !== "").join("/") as JottaPath

/**
 * Resolves a `/`-separated raw path below `base` (cleaned like {@link make}).
 *
 * @since 0.1.0
 * @category combinators
 */
export const resolve = (
  base: JottaPath,
  raw: string,
  operation = "JottaPath.resolve"
): Either.Either<JottaPath, InvalidName> => Either.map(make(raw, operation), (rel) => join(base, rel))

/**
 * The parent path (the root's parent is the root).
 *
 * @since 0.1.0
 * @category getters
 */
export const parent = (path: JottaPath): JottaPath => {
  const i = path.lastIndexOf("/")
  return (i < 0 ? "" : path.slice(0, i)) as JottaPath
}

/**
 * The last raw name (`""` for the root).
 *
 * @since 0.1.0
 * @category getters
 */
export const basename = (path: JottaPath): string => path.slice(path.lastIndexOf("/") + 1)

/**
 * Encodes one raw name into its wire name, checking it before any request: empty (`Empty`),
 * not representable as valid UTF-8 on the wire (`InvalidUtf8`), a wire name `.` or `..`
 * (`DotSegment`, possible without the `Dot` flag), a wire name containing `/` (`Unencodable`,
 * possible without the `Slash` flag), or longer than 255 UTF-16 units (`TooLong`).
 *
 * @since 0.1.0
 * @category wire
 */
export const wireName = (
  name: string | Uint8Array,
  encoding: Name.Encoding = Name.defaultEncoding,
  options?: { readonly operation?: string | undefined; readonly path?: string | undefined }
): Either.Either<string, InvalidName> => {
  const operation = options?.operation ?? "JottaPath.wireName"
  const display = typeof name === "string" ? name : utf8.toStringLossy(name)
  const fail = (reason: InvalidName["reason"]) =>
    Either.left(
      new InvalidName({
        operation,
        name: display,
        reason,
        ...(options?.path === undefined ? {} : { path: options.path })
      })
    )
  if (name.length === 0) return fail("Empty")
  if (typeof name === "string" && utf8.hasLoneSurrogate(name)) return fail("InvalidUtf8")
  const wire = Name.encodeOption(name, encoding)
  if (Option.isNone(wire)) return fail("InvalidUtf8")
  const w = wire.value
  if (w === "." || w === "..") return fail("DotSegment")
  if (w.includes("/")) return fail("Unencodable")
  if (Name.utf16Length(w) > Name.maxNameLength) return fail("TooLong")
  return Either.right(w)
}

/**
 * The wire names of a path, each checked like {@link wireName}.
 *
 * @since 0.1.0
 * @category wire
 */
export const toWireSegments = (
  path: JottaPath,
  encoding: Name.Encoding = Name.defaultEncoding,
  operation = "JottaPath.toWireSegments"
): Either.Either<ReadonlyArray<string>, InvalidName> => {
  const out: Array<string> = []
  for (const seg of segments(path)) {
    const w = wireName(seg, encoding, { operation, path })
    if (Either.isLeft(w)) return Either.left(w.left)
    out.push(w.right)
  }
  return Either.right(out)
}

/**
 * The raw path of wire names (decoded; a name whose raw bytes are not valid UTF-8 is shown
 * with U+FFFD). For display and errors.
 *
 * @since 0.1.0
 * @category wire
 */
export const displayWire = (wire: ReadonlyArray<string>, encoding: Name.Encoding = Name.defaultEncoding): string =>
  wire.map((w) => utf8.toStringLossy(Name.decode(w, encoding))).join("/")

/**
 * Whether two names are the same to the service, which compares names case-insensitively
 * (locale-independent lower-casing, no Unicode normalisation).
 *
 * @since 0.1.0
 * @category predicates
 */
export const sameName = (a: string, b: string): boolean => a === b || a.toLowerCase() === b.toLowerCase()

// Go's shouldEscape(c, encodePath): unreserved and $&+,/:;=@ are kept.
const pathKeep = new Uint8Array(128)
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~$&,/:;=@") {
  pathKeep[c.charCodeAt(0)] = 1
}
const queryKeep = new Uint8Array(128)
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~") queryKeep[c.charCodeAt(0)] = 1
const HEX = "0123456789ABCDEF"

const escapeWith = (s: string, keep: Uint8Array, space: string): string => {
  let plain = true
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c >= 128 || keep[c] !== 1) {
      plain = false
      break
    }
  }
  if (plain) return s
  let out = ""
  for (const b of utf8.fromString(s)) {
    if (b < 128 && keep[b] === 1) out += String.fromCharCode(b)
    else if (b === 0x20 && space !== "") out += space
    else out += `%${HEX[b >> 4]}${HEX[b & 15]}`
  }
  return out
}

/**
 * Escapes one path segment like rclone: Go's URL path escaping (UTF-8 bytes; letters,
 * digits, `-_.~` and `$&,/:;=@` kept, everything else `%XX` with upper-case hex), with `+`
 * escaped as `%2B` as the service requires.
 *
 * @since 0.1.0
 * @category url
 */
export const escapeSegment = (wire: string): string => escapeWith(wire, pathKeep, "")

/**
 * Escapes segments with {@link escapeSegment} and joins them with `/`.
 *
 * @since 0.1.0
 * @category url
 */
export const escapePath = (segments: ReadonlyArray<string>): string => segments.map(escapeSegment).join("/")

/**
 * Form-encodes parameters (`application/x-www-form-urlencoded`, as Go's `url.Values.Encode`):
 * keys sorted, space as `+`, everything outside `A–Z a–z 0–9 - _ . ~` as `%XX`. Undefined
 * values are left out; an array gives the key once per value.
 *
 * @since 0.1.0
 * @category url
 */
export const formEncode = (params: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>): string => {
  const keys = Object.keys(params).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  const out: Array<string> = []
  for (const key of keys) {
    const value = params[key]
    if (value === undefined) continue
    const k = escapeWith(key, queryKeep, "+")
    for (const v of typeof value === "string" ? [value] : value) out.push(`${k}=${escapeWith(v, queryKeep, "+")}`)
  }
  return out.join("&")
}

/**
 * Where a location is: the account's internal username, the device and the mountpoint.
 *
 * @since 0.1.0
 * @category models
 */
export interface Mount {
  readonly username: string
  readonly device: string
  readonly mountpoint: string
}

/**
 * The escaped JFS resource path `<user>/<device>/<mountpoint>/<wire path>` (to append to
 * the JFS root `…/jfs/`); username, device and mountpoint are escaped but not name-encoded.
 *
 * @since 0.1.0
 * @category url
 */
export const jfsUrlPath = (mount: Mount, wire: ReadonlyArray<string>): string =>
  escapePath([mount.username, mount.device, mount.mountpoint, ...wire])

/**
 * The absolute unescaped form `/<user>/<device>/<mountpoint>/<wire path>` (targets of cp, mv
 * and mvDir; form-encode it as a query value).
 *
 * @since 0.1.0
 * @category url
 */
export const absolutePath = (mount: Mount, wire: ReadonlyArray<string>): string =>
  `/${[mount.username, mount.device, mount.mountpoint, ...wire].join("/")}`

/**
 * The allocate form `/jfs/<device>/<mountpoint>/<wire path>` (sent in JSON, not escaped).
 *
 * @since 0.1.0
 * @category url
 */
export const allocatePath = (mount: Pick<Mount, "device" | "mountpoint">, wire: ReadonlyArray<string>): string =>
  `/${["jfs", mount.device, mount.mountpoint, ...wire].join("/")}`

/**
 * Parses a liststream path `/<mountpoint>/<wire path>` into the wire names below the
 * mountpoint; `None` when it is not under `mountpoint` (compared exactly).
 *
 * @since 0.1.0
 * @category url
 */
export const parseListStreamPath = (path: string, mountpoint: string): Option.Option<ReadonlyArray<string>> => {
  const prefix = `/${mountpoint}`
  if (!path.startsWith(prefix)) return Option.none()
  const rest = path.slice(prefix.length)
  if (rest === "" || rest === "/") return Option.some([])
  if (rest[0] !== "/") return Option.none()
  return Option.some(
    rest
      .slice(1)
      .split("/")
      .filter((s) => s !== "")
  )
}
