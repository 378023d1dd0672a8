/**
 * The typed errors of every Jottacloud operation.
 *
 * Each error is a `Schema.TaggedError` carrying the `operation` that failed (e.g.
 * `"Files.stat"`), the path it was about when there is one, the HTTP status when the service
 * answered, and the service's own `message` (as `description`) and `reason` from the JFS error
 * document (§7.1 of the protocol reference). Callers can match the {@link JottaError} union
 * exhaustively with `Effect.catchTags`.
 *
 * @since 0.1.0
 */
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import { AuthError } from "./Auth.js"
import { TypeId } from "./internal/errorTypeId.js"

export {
  /**
   * Re-exported from `Auth`: authentication failed (see {@link AuthError}).
   *
   * @since 0.1.0
   * @category errors
   */
  AuthError
}

const common = {
  /** The operation that failed, e.g. `"Files.stat"`. */
  operation: Schema.String,
  /** The (raw, user-facing) path the operation was about. */
  path: Schema.optional(Schema.String),
  /** The HTTP status, when the service answered. */
  status: Schema.optional(Schema.Number),
  /** The service's message (`<message>` of the JFS error document, or the JSON `message`). */
  description: Schema.optional(Schema.String),
  /** The service's reason (`<reason>` of the JFS error document, or the JSON `error_id`). */
  reason: Schema.optional(Schema.String),
  cause: Schema.optional(Schema.Defect)
}

const format = (
  self: {
    readonly operation: string
    readonly path?: string | undefined
    readonly status?: number | undefined
    readonly description?: string | undefined
    readonly reason?: string | undefined
  },
  what: string
): string => {
  let out = `${self.operation}`
  if (self.path !== undefined) out += ` ${JSON.stringify(self.path)}`
  out += `: ${what}`
  if (self.status !== undefined) out += ` (HTTP ${self.status})`
  if (self.description !== undefined && self.description !== "") out += `: ${self.description}`
  if (self.reason !== undefined && self.reason !== "") out += ` [${self.reason}]`
  return out
}

/** `what (reason)`: for errors whose `reason` is their own kind, not the service's. */
const withReason = (self: Parameters<typeof format>[0] & { readonly reason: string }, what: string): string =>
  format({ ...self, reason: undefined }, `${what} (${self.reason})`)

/**
 * The path does not exist (or is in the trash and the view is not trashed-only).
 *
 * @since 0.1.0
 * @category errors
 */
export class NotFound extends Schema.TaggedError<NotFound>("@fjord/core/NotFound")("NotFound", common) {
  /** @since 0.1.0 */
  readonly [TypeId]: TypeId = TypeId
  override get message(): string {
    return format(this, "not found")
  }
}

/**
 * A file was expected but the path is a folder.
 *
 * @since 0.1.0
 * @category errors
 */
export class IsADirectory extends Schema.TaggedError<IsADirectory>("@fjord/core/IsADirectory")("IsADirectory", common) {
  /** @since 0.1.0 */
  readonly [TypeId]: TypeId = TypeId
  override get message(): string {
    return format(this, "is a directory")
  }
}

/**
 * A file was expected but the path is something else (a mountpoint, a device), or a folder
 * was expected and the path is a file.
 *
 * @since 0.1.0
 * @category errors
 */
export class NotAFile extends Schema.TaggedError<NotAFile>("@fjord/core/NotAFile")("NotAFile", common) {
  /** @since 0.1.0 */
  readonly [TypeId]: TypeId = TypeId
  override get message(): string {
    return format(this, "not a file")
  }
}

/**
 * `rmdir` of a folder that still has visible entries.
 *
 * @since 0.1.0
 * @category errors
 */
export class DirectoryNotEmpty extends Schema.TaggedError<DirectoryNotEmpty>("@fjord/core/DirectoryNotEmpty")(
  "DirectoryNotEmpty",
  common
) {
  /** @since 0.1.0 */
  readonly [TypeId]: TypeId = TypeId
  override get message(): string {
    return format(this, "directory not empty")
  }
}

/**
 * The target already exists (e.g. `moveDir` onto a live folder, `UniqueFileException`).
 *
 * @since 0.1.0
 * @category errors
 */
export class AlreadyExists extends Schema.TaggedError<AlreadyExists>("@fjord/core/AlreadyExists")(
  "AlreadyExists",
  common
) {
  /** @since 0.1.0 */
  readonly [TypeId]: TypeId = TypeId
  override get message(): string {
    return format(this, "already exists")
  }
}

/**
 * Why a name was refused.
 *
 * - `TooLong`: the wire name is longer than 255 UTF-16 code units.
 * - `Empty`: an empty path segment where a name is required.
 * - `DotSegment`: a `.` or `..` segment that cannot be addressed.
 * - `CaseCollision`: the target differs only in case from a different existing item.
 * - `InvalidUtf8`: the name is not valid UTF-8 and the encoding cannot represent it.
 * - `Unencodable`: the name cannot be represented on the wire with the chosen encoding
 *   (or the server refused it).
 *
 * @since 0.1.0
 * @category errors
 */
export const InvalidNameReason = Schema.Literal(
  "TooLong",
  "Empty",
  "DotSegment",
  "CaseCollision",
  "InvalidUtf8",
  "Unencodable"
)

/**
 * @since 0.1.0
 * @category errors
 */
export type InvalidNameReason = typeof InvalidNameReason.Type

/**
 * A name the service cannot store. Reported before any request is sent whenever the SDK can
 * tell (length, case collisions, unencodable names); `status` is set when the server refused
 * it instead.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidName extends Schema.TaggedError<InvalidName>("@fjord/core/InvalidName")("InvalidName", {
  ...common,
  reason: InvalidNameReason,
  /** The offending name (raw form). */
  name: Schema.optional(Schema.String)
}) {
  /** @since 0.1.0 */
  readonly [TypeId]: TypeId = TypeId
  override get message(): string {
    const what = `invalid name${this.name === undefined ? "" : ` ${JSON.stringify(this.name)}`} (${this.reason})`
    return format({ ...this, reason: undefined }, what)
  }
}

/**
 * The account is out of storage (HTTP 460, or a quota-exceeded reply).
 *
 * @since 0.1.0
 * @category errors
 */
export class QuotaExceeded extends Schema.TaggedError<QuotaExceeded>("@fjord/core/QuotaExceeded")(
  "QuotaExceeded",
  common
) {
  /** @since 0.1.0 */
  readonly [TypeId]: TypeId = TypeId
  override get message(): string {
    return format(this, "quota exceeded")
  }
}

/**
 * The service refused the access token even after one fresh token was tried (HTTP 401), or
 * the request was forbidden (HTTP 403).
 *
 * @since 0.1.0
 * @category errors
 */
export class Unauthorized extends Schema.TaggedError<Unauthorized>("@fjord/core/Unauthorized")("Unauthorized", common) {
  /** @since 0.1.0 */
  readonly [TypeId]: TypeId = TypeId
  override get message(): string {
    return format(this, "unauthorized")
  }
}

/**
 * The service asked the client to slow down (HTTP 429) and the retry policy gave up.
 *
 * @since 0.1.0
 * @category errors
 */
export class RateLimited extends Schema.TaggedError<RateLimited>("@fjord/core/RateLimited")("RateLimited", {
  ...common,
  /** The delay asked for by `Retry-After`, in milliseconds. */
  retryAfter: Schema.optional(Schema.Number)
}) {
  /** @since 0.1.0 */
  readonly [TypeId]: TypeId = TypeId
  override get message(): string {
    return format(
      this,
      this.retryAfter === undefined ? "rate limited" : `rate limited (retry after ${this.retryAfter} ms)`
    )
  }
}

/**
 * The service failed (HTTP 5xx, 509, or any other unexpected status) and the retry policy
 * gave up.
 *
 * @since 0.1.0
 * @category errors
 */
export class ServerError extends Schema.TaggedError<ServerError>("@fjord/core/ServerError")("ServerError", common) {
  /** @since 0.1.0 */
  readonly [TypeId]: TypeId = TypeId
  override get message(): string {
    return format(this, "server error")
  }
}

/**
 * A reply could not be decoded: not XML/JSON, or a required element is missing or malformed.
 * `issue` carries the decode error's description.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidResponse extends Schema.TaggedError<InvalidResponse>("@fjord/core/InvalidResponse")(
  "InvalidResponse",
  {
    ...common,
    issue: Schema.String
  }
) {
  /** @since 0.1.0 */
  readonly [TypeId]: TypeId = TypeId
  override get message(): string {
    return format(this, `invalid response: ${this.issue}`)
  }
}

/**
 * The request did not complete: connection refused or reset, timeout, body stream failure.
 *
 * @since 0.1.0
 * @category errors
 */
export class TransportError extends Schema.TaggedError<TransportError>("@fjord/core/TransportError")(
  "TransportError",
  common
) {
  /** @since 0.1.0 */
  readonly [TypeId]: TypeId = TypeId
  override get message(): string {
    return format(this, "transport error")
  }
}

/**
 * Why an upload failed.
 *
 * - `Corrupt`: the server marked the revision `CORRUPT` (content did not match the MD5).
 * - `Incomplete`: the upload stopped before all bytes were stored and could not be resumed.
 * - `Md5Mismatch`: the stored MD5 differs from the source's.
 * - `SizeMismatch`: the source yielded a different number of bytes than its declared size,
 *   or the stored size differs.
 * - `Source`: reading the upload source failed.
 *
 * @since 0.1.0
 * @category errors
 */
export const UploadFailedReason = Schema.Literal("Corrupt", "Incomplete", "Md5Mismatch", "SizeMismatch", "Source")

/**
 * @since 0.1.0
 * @category errors
 */
export type UploadFailedReason = typeof UploadFailedReason.Type

/**
 * An upload could not be completed.
 *
 * @since 0.1.0
 * @category errors
 */
export class UploadFailed extends Schema.TaggedError<UploadFailed>("@fjord/core/UploadFailed")("UploadFailed", {
  ...common,
  reason: UploadFailedReason
}) {
  /** @since 0.1.0 */
  readonly [TypeId]: TypeId = TypeId
  override get message(): string {
    return withReason(this, "upload failed")
  }
}

/**
 * Why a download failed its verification.
 *
 * - `SizeMismatch`: the body ran past the expected size (reported at the first byte beyond
 *   it) or ended short of it, or `Content-Length` announced another size.
 * - `Md5Mismatch`: the bytes of a whole-file download do not have the file's MD5.
 * - `RangeMismatch`: a ranged request (a caller's range, or a resume) was not answered with
 *   206 and a `Content-Range` for exactly the bytes asked for.
 *
 * @since 0.1.0
 * @category errors
 */
export const DownloadFailedReason = Schema.Literal("SizeMismatch", "Md5Mismatch", "RangeMismatch")

/**
 * @since 0.1.0
 * @category errors
 */
export type DownloadFailedReason = typeof DownloadFailedReason.Type

/**
 * A download delivered other bytes than the file's (nothing beyond the expected size is
 * passed on, and no resumed body is ever spliced onto bytes it does not continue).
 *
 * @since 0.1.0
 * @category errors
 */
export class DownloadFailed extends Schema.TaggedError<DownloadFailed>("@fjord/core/DownloadFailed")("DownloadFailed", {
  ...common,
  reason: DownloadFailedReason
}) {
  /** @since 0.1.0 */
  readonly [TypeId]: TypeId = TypeId
  override get message(): string {
    return withReason(this, "download failed")
  }
}

/**
 * Marks every {@link JottaError} (see {@link isJottaError}).
 *
 * @since 0.1.0
 * @category type ids
 */
export { TypeId }

/**
 * Every error an operation of this package can fail with: the one declaration of the union
 * (a schema, so errors can also be encoded and decoded, e.g. across a worker boundary).
 *
 * @since 0.1.0
 * @category errors
 */
export const JottaError = Schema.Union(
  NotFound,
  IsADirectory,
  NotAFile,
  DirectoryNotEmpty,
  AlreadyExists,
  InvalidName,
  QuotaExceeded,
  Unauthorized,
  RateLimited,
  ServerError,
  InvalidResponse,
  TransportError,
  UploadFailed,
  DownloadFailed,
  AuthError
)

/**
 * @since 0.1.0
 * @category errors
 */
export type JottaError = typeof JottaError.Type

/**
 * The tags of {@link JottaError}.
 *
 * @since 0.1.0
 * @category errors
 */
export const tags: ReadonlyArray<JottaError["_tag"]> = JottaError.members.map((m) => m._tag)

/**
 * Refinement: is `u` one of the {@link JottaError} classes?
 *
 * @since 0.1.0
 * @category refinements
 */
export const isJottaError = (u: unknown): u is JottaError => Predicate.hasProperty(u, TypeId)
