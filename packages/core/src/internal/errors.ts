import type * as Headers from "@effect/platform/Headers"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import * as Jfs from "../Jfs.js"
import * as JottaError from "../JottaError.js"
import * as Decode from "./decode.js"

/** Where a failure happened. */
export interface Context {
  readonly operation: string
  readonly path?: string | undefined
}

const ctxFields = (ctx: Context) => (ctx.path === undefined ? { operation: ctx.operation } : ctx)

/**
 * The cause kept by a `TransportError`: the underlying failure's name, message and code, and
 * nothing else (the platform's error holds the request, whose headers carry the token).
 */
export class TransportCause extends Error {
  constructor(
    name: string,
    message: string,
    readonly code: string | undefined
  ) {
    super(clean(message))
    this.name = name
  }
  toJSON(): unknown {
    return { name: this.name, message: this.message, code: this.code }
  }
}

/** Longest service message kept in an error. */
export const maxDescription = 300

/**
 * A service-supplied text fit for an error: control characters replaced by spaces (no
 * terminal escapes or forged log lines), at most {@link maxDescription} characters.
 */
export const clean = (text: string): string => {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
  const plain = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, " ")
  return plain.length <= maxDescription ? plain : `${plain.slice(0, maxDescription)}…`
}

/** Finds a node-style error code (`ECONNREFUSED`, …) anywhere in a cause chain. */
export const errorCode = (u: unknown): string | undefined => {
  let current: unknown = u
  for (let i = 0; i < 6 && Predicate.isObject(current); i++) {
    if ("code" in current && typeof current.code === "string") return current.code
    if ("errors" in current && Array.isArray(current.errors)) {
      for (const e of current.errors) {
        const c = errorCode(e)
        if (c !== undefined) return c
      }
    }
    current = "cause" in current ? current.cause : undefined
  }
  return undefined
}

const transportReason = (code: string | undefined): string => {
  switch (code) {
    case "ECONNREFUSED":
      return "ConnectionRefused"
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return "HostNotFound"
    case undefined:
      return "Transport"
    default:
      return code
  }
}

/**
 * Maps an `@effect/platform` client error (no status) to a {@link JottaError.TransportError}
 * whose cause is a {@link TransportCause} (never the platform error, which holds the request).
 */
export const fromHttpClientError = (
  error: HttpClientError.HttpClientError,
  ctx: Context
): JottaError.TransportError => {
  const inner: unknown = error.cause
  const code = errorCode(inner)
  const cause = new TransportCause(
    inner instanceof Error ? inner.name : error._tag,
    inner instanceof Error ? inner.message : error.message,
    code
  )
  return new JottaError.TransportError({
    ...ctxFields(ctx),
    reason: error._tag === "RequestError" && error.reason !== "Transport" ? error.reason : transportReason(code),
    description: clean(error.message),
    cause
  })
}

/** The parts of a service error body. */
export interface ServiceError {
  readonly description?: string | undefined
  readonly reason?: string | undefined
  readonly errorId?: string | undefined
}

const ApiErrorJson = Schema.Struct({
  code: Schema.optional(Schema.Unknown),
  message: Schema.optional(Schema.String),
  error_id: Schema.optional(Schema.String),
  cause: Schema.optional(Schema.Unknown)
})
const decodeApiErrorJson = Schema.decodeUnknownOption(Schema.parseJson(ApiErrorJson))

const decodeErrorDoc = Decode.xml(Jfs.ErrorDoc)

/** Reads a JFS XML error document or an API JSON error; anything else yields nothing. */
export const parseErrorBody = (body: string): Effect.Effect<ServiceError> => {
  const text = body.trim()
  if (text.startsWith("<")) {
    return decodeErrorDoc(text).pipe(
      Effect.map(
        ({ error: doc }): ServiceError => ({
          description: doc.message,
          reason: doc.reason,
          errorId: exceptionName(doc.message)
        })
      ),
      Effect.orElseSucceed((): ServiceError => ({}))
    )
  }
  if (text.startsWith("{")) {
    const parsed = decodeApiErrorJson(text)
    return Effect.succeed(
      Option.match(parsed, {
        onNone: (): ServiceError => ({}),
        onSome: (j): ServiceError => ({ description: j.message, reason: j.error_id, errorId: j.error_id })
      })
    )
  }
  return Effect.succeed(text === "" ? {} : { description: clean(text) })
}

/** `no.jotta.backup.errors.NoSuchPathException: Directory …` → `NoSuchPathException`. */
const exceptionName = (message: string | undefined): string | undefined => {
  if (message === undefined) return undefined
  const m = /^([\w.$]+(?:Exception|Error))\b/.exec(message.trim())
  if (m === null || m[1] === undefined) return undefined
  const parts = m[1].split(".")
  return parts[parts.length - 1]
}

/** Parses `Retry-After` (delta seconds or HTTP date) into milliseconds from now. */
export const retryAfterMillis = (value: string | undefined, now: number): number | undefined => {
  if (value === undefined) return undefined
  const v = value.trim()
  if (/^\d+$/.test(v)) return Number(v) * 1000
  const date = Date.parse(v)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

const mentions = (s: ServiceError, re: RegExp): boolean =>
  (s.description !== undefined && re.test(s.description)) ||
  (s.errorId !== undefined && re.test(s.errorId)) ||
  (s.reason !== undefined && re.test(s.reason))

/** Maps a failed HTTP status and its parsed body to a {@link JottaError.JottaError}. */
export const fromStatus = (
  status: number,
  service: ServiceError,
  ctx: Context,
  retryAfter?: number | undefined
): JottaError.JottaError => {
  const fields = {
    ...ctxFields(ctx),
    status,
    ...(service.description === undefined ? {} : { description: clean(service.description) }),
    ...(service.reason === undefined ? {} : { reason: clean(service.reason) })
  }
  if (status === 460 || mentions(service, /quota|QuotaExceeded|OutOfStorage/i)) {
    return new JottaError.QuotaExceeded(fields)
  }
  if (mentions(service, /CorruptUpload/)) {
    return new JottaError.UploadFailed({ ...fields, reason: "Corrupt" })
  }
  if (status === 420 || mentions(service, /IncompleteUpload/)) {
    return new JottaError.UploadFailed({ ...fields, reason: "Incomplete" })
  }
  switch (status) {
    case 401:
    case 403:
      return new JottaError.Unauthorized(fields)
    case 404:
    case 410:
      return new JottaError.NotFound(fields)
    case 409:
      return new JottaError.AlreadyExists(fields)
    case 429:
      return new JottaError.RateLimited(retryAfter === undefined ? fields : { ...fields, retryAfter })
  }
  if (status === 400) {
    if (mentions(service, /UniqueFile|AlreadyExist/i)) return new JottaError.AlreadyExists(fields)
    if (mentions(service, /InvalidArgument|IllegalArgument|name/i)) {
      const { reason: _reason, ...rest } = fields
      return new JottaError.InvalidName({
        ...rest,
        reason: mentions(service, /too long|length|255/i) ? "TooLong" : "Unencodable"
      })
    }
    if (mentions(service, /NoSuch(Path|File)/)) return new JottaError.NotFound(fields)
  }
  return new JottaError.ServerError(fields)
}

/** Reads the body of a failed response and maps it. */
export const fromResponse = (
  response: {
    readonly status: number
    readonly headers: Headers.Headers
    readonly text: Effect.Effect<string, unknown>
  },
  ctx: Context
): Effect.Effect<JottaError.JottaError> =>
  Effect.gen(function* () {
    const body = yield* Effect.orElseSucceed(response.text, () => "")
    const service = yield* parseErrorBody(body)
    const now = yield* Clock.currentTimeMillis
    return fromStatus(response.status, service, ctx, retryAfterMillis(response.headers["retry-after"], now))
  })
