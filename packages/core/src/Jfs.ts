/**
 * Schema models of the Jottacloud replies: the JFS XML documents (user, device, mountpoint,
 * folder, file with revisions, error) as parsed by `Xml.XmlFromString`, and the JSON bodies of
 * the API host (customer, allocate, upload, purge_trash).
 *
 * Names in these models are **wire names** (§8 of the protocol reference); the operation
 * modules decode them. Unknown elements are ignored; a missing required element is a decode
 * error (`InvalidResponse`).
 *
 * @since 0.1.0
 */
import type * as DateTime from "effect/DateTime"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { Md5FromHex } from "./ContentHasher.js"
import * as JfsTime from "./JfsTime.js"

// ---------------------------------------------------------------------------------------------
// tree helpers
// ---------------------------------------------------------------------------------------------

/**
 * The text of an element: a string, or (when the element has attributes such as
 * `xml:space="preserve"`) an object with an optional `#text`. An empty element is `""`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Text: Schema.Schema<string, unknown> = Schema.transformOrFail(Schema.Unknown, Schema.String, {
  strict: true,
  decode: (u, _, ast) => {
    const t = textOf(u)
    return t === undefined
      ? ParseResult.fail(new ParseResult.Type(ast, u, "expected element text"))
      : ParseResult.succeed(t)
  },
  encode: (s) => ParseResult.succeed(s)
})

function textOf(u: unknown): string | undefined {
  if (typeof u === "string") return u
  if (typeof u === "number") return String(u)
  if (typeof u === "object" && u !== null && !Array.isArray(u)) {
    const t = (u as Record<string, unknown>)["#text"]
    if (t === undefined) return ""
    if (typeof t === "string" || typeof t === "number") return String(t)
  }
  return undefined
}

// One transformation per element kind (fewer schema layers: decoding is on every request).
const fromText = <A>(
  to: Schema.Schema<A>,
  expected: string,
  parse: (text: string) => A | undefined,
  format: (a: A) => string
): Schema.Schema<A, unknown> =>
  Schema.transformOrFail(Schema.Unknown, to, {
    strict: true,
    decode: (u, _, ast) => {
      const t = textOf(u)
      const a = t === undefined ? undefined : parse(t.trim())
      return a === undefined
        ? ParseResult.fail(new ParseResult.Type(ast, u, `expected ${expected}`))
        : ParseResult.succeed(a)
    },
    encode: (a) => ParseResult.succeed(format(a))
  })

const trimmedText: Schema.Schema<string, unknown> = fromText(
  Schema.String,
  "element text",
  (s) => s,
  (s) => s
)

/**
 * An integer element (`<size>14</size>`), negative allowed (`-1` = unlimited).
 *
 * @since 0.1.0
 * @category schemas
 */
export const IntText: Schema.Schema<number, unknown> = fromText(
  Schema.Int,
  "an integer",
  (s) => (/^-?\d+$/.test(s) ? Number(s) : undefined),
  String
)

/**
 * A boolean element (`true` / `false`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const BoolText: Schema.Schema<boolean, unknown> = fromText(
  Schema.Boolean,
  "true or false",
  (s) => (s === "true" ? true : s === "false" ? false : undefined),
  String
)

/**
 * A classic JFS time element; empty means no value.
 *
 * @since 0.1.0
 * @category schemas
 */
export const TimeText: Schema.Schema<Option.Option<DateTime.Utc>, unknown> = fromText(
  Schema.OptionFromSelf(Schema.DateTimeUtcFromSelf),
  "a JFS time (2006-01-02-T15:04:05Z0700) or nothing",
  (s) => {
    if (s === "") return Option.none()
    const t = JfsTime.parseClassic(s)
    return Option.isSome(t) ? t : undefined
  },
  (o) => (Option.isSome(o) ? JfsTime.formatClassic(o.value) : "")
)

const optionalTime = Schema.optionalWith(TimeText, { default: () => Option.none() })

/**
 * An element holding a list of `key` children: `<files><file/>…</files>`. An absent or empty
 * wrapper is an empty list; a single child may come as an object or a one-element array.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Collection = <A, I, R>(
  key: string,
  item: Schema.Schema<A, I, R>
): Schema.Schema<ReadonlyArray<A>, unknown, R> => {
  const items = Schema.Array(item)
  return Schema.transformOrFail(Schema.Unknown, items, {
    strict: false,
    decode: (u, _, ast) => {
      if (u === undefined || u === null || (typeof u === "string" && u.trim() === "")) return ParseResult.succeed([])
      if (typeof u !== "object" || Array.isArray(u)) {
        return ParseResult.fail(new ParseResult.Type(ast, u, `expected a <${key}> collection`))
      }
      const children = (u as Record<string, unknown>)[key]
      if (children === undefined) return ParseResult.succeed([])
      return ParseResult.succeed(Array.isArray(children) ? children : [children])
    },
    encode: (a) => ParseResult.succeed({ [key]: a })
  })
}

const collection = <A, I, R>(key: string, item: Schema.Schema<A, I, R>) =>
  Schema.optionalWith(Collection(key, item), { default: () => [] })

const attr = <A, R>(name: string, schema: Schema.Schema<A, string, R>) =>
  Schema.propertySignature(schema).pipe(Schema.fromKey(`@_${name}`))

const optionalAttr = <A, R>(name: string, schema: Schema.Schema<A, string, R>) =>
  Schema.optional(schema).pipe(Schema.fromKey(`@_${name}`))

const optionalAttrTime = (name: string) =>
  Schema.optionalWith(Schema.compose(Schema.String, JfsTime.JfsTimeOption), {
    default: () => Option.none()
  }).pipe(Schema.fromKey(`@_${name}`))

// ---------------------------------------------------------------------------------------------
// files, folders, revisions
// ---------------------------------------------------------------------------------------------

/**
 * One revision of a file (`currentRevision`, `latestRevision` or a `revision` in `revisions`).
 *
 * @since 0.1.0
 * @category models
 */
export class Revision extends Schema.Class<Revision>("@fjord/core/Jfs/Revision")({
  number: IntText,
  /** `COMPLETED`, `INCOMPLETE`, `CORRUPT` (older replies: `ADDED`, `PROCESSING`). */
  state: trimmedText,
  created: optionalTime,
  modified: optionalTime,
  updated: optionalTime,
  mime: Schema.optional(trimmedText),
  size: Schema.optional(IntText),
  md5: Schema.optional(Schema.compose(trimmedText, Md5FromHex))
}) {}

/**
 * A `<file>` element: the document of `GET <file URL>` and a child of a folder listing.
 *
 * @since 0.1.0
 * @category models
 */
export class File extends Schema.Class<File>("@fjord/core/Jfs/File")({
  name: attr("name", Schema.String),
  uuid: optionalAttr("uuid", Schema.String),
  deleted: optionalAttrTime("deleted"),
  path: Schema.optional(Text),
  abspath: Schema.optional(Text),
  publicURI: Schema.optional(trimmedText),
  publicSharePath: Schema.optional(trimmedText),
  currentRevision: Schema.optional(Revision),
  latestRevision: Schema.optional(Revision),
  revisions: collection("revision", Revision)
}) {
  /** Whether the file is in the trash. */
  get isTrashed(): boolean {
    return Option.isSome(this.deleted)
  }
  /** A completed current revision exists (files without one are invisible). */
  get isComplete(): boolean {
    return this.currentRevision !== undefined && this.currentRevision.state === "COMPLETED"
  }
}

/**
 * A child `<folder>` of a listing.
 *
 * @since 0.1.0
 * @category models
 */
export class FolderEntry extends Schema.Class<FolderEntry>("@fjord/core/Jfs/FolderEntry")({
  name: attr("name", Schema.String),
  deleted: optionalAttrTime("deleted"),
  abspath: Schema.optional(Text),
  modified: optionalTime
}) {
  /** Whether the folder is in the trash. */
  get isTrashed(): boolean {
    return Option.isSome(this.deleted)
  }
}

/**
 * A `<folder>` document (listing of one folder).
 *
 * @since 0.1.0
 * @category models
 */
export class Folder extends Schema.Class<Folder>("@fjord/core/Jfs/Folder")({
  name: attr("name", Schema.String),
  deleted: optionalAttrTime("deleted"),
  path: Schema.optional(Text),
  abspath: Schema.optional(Text),
  publicURI: Schema.optional(trimmedText),
  publicSharePath: Schema.optional(trimmedText),
  folders: collection("folder", FolderEntry),
  files: collection("file", File)
}) {
  /** Whether the folder itself is in the trash. */
  get isTrashed(): boolean {
    return Option.isSome(this.deleted)
  }
}

/**
 * A `<mountPoint>` document: a mountpoint's root listing (or the trash view).
 *
 * @since 0.1.0
 * @category models
 */
export class MountPoint extends Schema.Class<MountPoint>("@fjord/core/Jfs/MountPoint")({
  name: trimmedText,
  path: Schema.optional(Text),
  abspath: Schema.optional(Text),
  size: Schema.optional(IntText),
  modified: optionalTime,
  device: Schema.optional(trimmedText),
  user: Schema.optional(trimmedText),
  deleted: optionalTime,
  folders: collection("folder", FolderEntry),
  files: collection("file", File)
}) {}

/**
 * A mountpoint summary inside a device document.
 *
 * @since 0.1.0
 * @category models
 */
export class MountPointSummary extends Schema.Class<MountPointSummary>("@fjord/core/Jfs/MountPointSummary")({
  name: trimmedText,
  size: Schema.optional(IntText),
  modified: optionalTime,
  deleted: optionalTime
}) {}

/**
 * A `<device>` document.
 *
 * @since 0.1.0
 * @category models
 */
export class Device extends Schema.Class<Device>("@fjord/core/Jfs/Device")({
  name: trimmedText,
  display_name: Schema.optional(trimmedText),
  type: Schema.optional(trimmedText),
  sid: Schema.optional(trimmedText),
  size: Schema.optional(IntText),
  modified: optionalTime,
  user: Schema.optional(trimmedText),
  mountPoints: collection("mountPoint", MountPointSummary)
}) {}

/**
 * A device summary inside the user document.
 *
 * @since 0.1.0
 * @category models
 */
export class DeviceSummary extends Schema.Class<DeviceSummary>("@fjord/core/Jfs/DeviceSummary")({
  name: trimmedText,
  display_name: Schema.optional(trimmedText),
  type: Schema.optional(trimmedText),
  sid: Schema.optional(trimmedText),
  size: Schema.optional(IntText),
  modified: optionalTime
}) {}

/**
 * The `<user>` document (drive info).
 *
 * @since 0.1.0
 * @category models
 */
export class User extends Schema.Class<User>("@fjord/core/Jfs/User")({
  username: trimmedText,
  accountType: Schema.optional(trimmedText).pipe(Schema.fromKey("account-type")),
  locked: Schema.optional(BoolText),
  /** Bytes; `-1` means unlimited. */
  capacity: IntText,
  maxDevices: Schema.optional(IntText).pipe(Schema.fromKey("max-devices")),
  maxMobileDevices: Schema.optional(IntText).pipe(Schema.fromKey("max-mobile-devices")),
  usage: IntText,
  readLocked: Schema.optional(BoolText).pipe(Schema.fromKey("read-locked")),
  writeLocked: Schema.optional(BoolText).pipe(Schema.fromKey("write-locked")),
  quotaWriteLocked: Schema.optional(BoolText).pipe(Schema.fromKey("quota-write-locked")),
  enableSync: Schema.optional(BoolText).pipe(Schema.fromKey("enable-sync")),
  enableFoldershare: Schema.optional(BoolText).pipe(Schema.fromKey("enable-foldershare")),
  devices: collection("device", DeviceSummary)
}) {}

/**
 * The JFS `<error>` document (§7.1).
 *
 * @since 0.1.0
 * @category models
 */
export class ErrorDocument extends Schema.Class<ErrorDocument>("@fjord/core/Jfs/ErrorDocument")({
  code: Schema.optional(IntText),
  message: Schema.optional(trimmedText),
  reason: Schema.optional(trimmedText),
  cause: Schema.optional(trimmedText)
}) {}

/**
 * Documents by root element, as `decodeXml` sees them.
 *
 * @since 0.1.0
 * @category documents
 */
export const UserDocument = Schema.Struct({ user: User })
/**
 * @since 0.1.0
 * @category documents
 */
export const DeviceDocument = Schema.Struct({ device: Device })
/**
 * @since 0.1.0
 * @category documents
 */
export const MountPointDocument = Schema.Struct({ mountPoint: MountPoint })
/**
 * @since 0.1.0
 * @category documents
 */
export const FolderDocument = Schema.Struct({ folder: Folder })
/**
 * @since 0.1.0
 * @category documents
 */
export const FileDocument = Schema.Struct({ file: File })
/**
 * @since 0.1.0
 * @category documents
 */
export const ErrorDoc = Schema.Struct({ error: ErrorDocument })

/**
 * Any item document: a file, a folder, a mountpoint, or something else (`Other` carries the
 * root element's name).
 *
 * @since 0.1.0
 * @category documents
 */
export const ItemDocument = Schema.Union(
  FileDocument,
  FolderDocument,
  MountPointDocument,
  // Any other root element (a device, a user). A `file`, `folder` or `mountPoint` root that
  // failed its own member is not "other": the union fails (InvalidResponse).
  Schema.transformOrFail(
    Schema.Record({ key: Schema.String, value: Schema.Unknown }),
    Schema.Struct({ other: Schema.String }),
    {
      strict: true,
      decode: (r, _, ast) => {
        const other = Object.keys(r).find((k) => !k.startsWith("?")) ?? ""
        return other === "file" || other === "folder" || other === "mountPoint"
          ? ParseResult.fail(new ParseResult.Type(ast, other, `a malformed <${other}> document`))
          : ParseResult.succeed({ other })
      },
      encode: (o) => ParseResult.succeed({ [o.other]: "" })
    }
  )
)

/**
 * @since 0.1.0
 * @category documents
 */
export type ItemDocument = typeof ItemDocument.Type

// ---------------------------------------------------------------------------------------------
// API host (JSON)
// ---------------------------------------------------------------------------------------------

/**
 * `GET account/v1/customer` (§3.1).
 *
 * @since 0.1.0
 * @category models
 */
export class Customer extends Schema.Class<Customer>("@fjord/core/Jfs/Customer")({
  username: Schema.String,
  email: Schema.optional(Schema.String),
  name: Schema.optional(Schema.String),
  countryCode: Schema.optional(Schema.String).pipe(Schema.fromKey("country_code")),
  languageCode: Schema.optional(Schema.String).pipe(Schema.fromKey("language_code")),
  customerGroupCode: Schema.optional(Schema.String).pipe(Schema.fromKey("customer_group_code")),
  brandCode: Schema.optional(Schema.String).pipe(Schema.fromKey("brand_code")),
  accountType: Schema.optional(Schema.String).pipe(Schema.fromKey("account_type")),
  subscriptionType: Schema.optional(Schema.String).pipe(Schema.fromKey("subscription_type")),
  usage: Schema.optional(Schema.Number),
  quota: Schema.optional(Schema.Number),
  businessUsage: Schema.optional(Schema.Number).pipe(Schema.fromKey("business_usage")),
  businessQuota: Schema.optional(Schema.Number).pipe(Schema.fromKey("business_quota")),
  writeLocked: Schema.optional(Schema.Boolean).pipe(Schema.fromKey("write_locked")),
  readLocked: Schema.optional(Schema.Boolean).pipe(Schema.fromKey("read_locked")),
  lockedCause: Schema.optional(Schema.Unknown).pipe(Schema.fromKey("locked_cause"))
}) {}

/**
 * The allocate request body (§5.2); fields in rclone's (alphabetical) order.
 *
 * @since 0.1.0
 * @category models
 */
export class AllocateRequest extends Schema.Class<AllocateRequest>("@fjord/core/Jfs/AllocateRequest")({
  bytes: Schema.NonNegativeInt,
  created: Schema.String,
  md5: Schema.String,
  modified: Schema.String,
  path: Schema.String
}) {}

/**
 * The allocate reply (§5.3).
 *
 * @since 0.1.0
 * @category models
 */
export class AllocateReply extends Schema.Class<AllocateReply>("@fjord/core/Jfs/AllocateReply")({
  name: Schema.optional(Schema.String),
  path: Schema.optional(Schema.String),
  state: Schema.String,
  uploadId: Schema.optional(Schema.String).pipe(Schema.fromKey("upload_id")),
  uploadUrl: Schema.optional(Schema.String).pipe(Schema.fromKey("upload_url")),
  bytes: Schema.optional(Schema.Number),
  resumePos: Schema.optionalWith(Schema.Number, { default: () => 0 }).pipe(Schema.fromKey("resume_pos"))
}) {}

/**
 * The upload reply (§5.5).
 *
 * @since 0.1.0
 * @category models
 */
export class UploadReply extends Schema.Class<UploadReply>("@fjord/core/Jfs/UploadReply")({
  path: Schema.optional(Schema.String),
  contentId: Schema.optional(Schema.String).pipe(Schema.fromKey("content_id")),
  bytes: Schema.optional(Schema.Number),
  md5: Schema.optional(Schema.String),
  modified: Schema.optional(Schema.Number)
}) {}

/**
 * The `purge_trash` reply (§4.11).
 *
 * @since 0.1.0
 * @category models
 */
export class PurgeReply extends Schema.Class<PurgeReply>("@fjord/core/Jfs/PurgeReply")({
  folders: Schema.optionalWith(Schema.Number, { default: () => 0 }),
  files: Schema.optionalWith(Schema.Number, { default: () => 0 })
}) {}
