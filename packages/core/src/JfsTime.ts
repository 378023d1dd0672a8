/**
 * Codecs for the two time formats of the Jottacloud protocol: the classic JFS form
 * (`2018-07-05-T15:08:02Z`, used in JFS XML and the `JCreated`/`JModified` headers) and
 * RFC 3339 (allocation requests and liststream replies). Values are `DateTime.Utc`.
 *
 * @since 0.1.0
 */
import * as DateTime from "effect/DateTime"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as internal from "./internal/time.js"

const toUtc = (millis: number): DateTime.Utc => DateTime.unsafeMake(millis)

/**
 * Parses a classic JFS time. Accepts `Z`, `±hhmm` and `±hh:mm` offsets, an optional
 * fraction of a second (kept to the millisecond) and an optional dash before `T`.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseClassic = (s: string): Option.Option<DateTime.Utc> => {
  const millis = internal.parseClassic(s)
  return millis === undefined ? Option.none() : Option.some(toUtc(millis))
}

/**
 * Parses an RFC 3339 time, with or without a fraction of a second (kept to the
 * millisecond).
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseRfc3339 = (s: string): Option.Option<DateTime.Utc> => {
  const millis = internal.parseRfc3339(s)
  return millis === undefined ? Option.none() : Option.some(toUtc(millis))
}

/**
 * Formats a time in the classic JFS form, in UTC, truncated to the second:
 * `2018-07-05-T15:08:02Z`.
 *
 * @since 0.1.0
 * @category formatting
 */
export const formatClassic = (dt: DateTime.DateTime): string => internal.formatClassic(DateTime.toEpochMillis(dt))

/**
 * Formats a time like Go's `time.RFC3339` in UTC: no fraction, `Z`
 * (`2018-07-05T15:08:02Z`).
 *
 * @since 0.1.0
 * @category formatting
 */
export const formatRfc3339 = (dt: DateTime.DateTime): string => internal.formatRfc3339(DateTime.toEpochMillis(dt))

/**
 * Formats a time in RFC 3339 with three fractional digits, in UTC
 * (`2021-11-30T10:21:05.123Z`, the liststream form).
 *
 * @since 0.1.0
 * @category formatting
 */
export const formatRfc3339Millis = (dt: DateTime.DateTime): string =>
  internal.formatRfc3339Millis(DateTime.toEpochMillis(dt))

/**
 * Go's zero time, `0001-01-01T00:00:00Z`. rclone sends it (classic form
 * `0001-01-01-T00:00:00Z`) for "no value"; rclone parses an empty time element as it.
 *
 * @since 0.1.0
 * @category constants
 */
export const zero: DateTime.Utc = toUtc(-62135596800000)

/**
 * Whether a time is Go's zero time.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isZero = (dt: DateTime.DateTime): boolean => DateTime.toEpochMillis(dt) === -62135596800000

const codec = (
  name: string,
  parse: (s: string) => number | undefined,
  format: (millis: number) => string
): Schema.Schema<DateTime.Utc, string> =>
  Schema.transformOrFail(Schema.String, Schema.DateTimeUtcFromSelf, {
    strict: true,
    decode: (s, _, ast) => {
      const millis = parse(s)
      return millis === undefined
        ? ParseResult.fail(new ParseResult.Type(ast, s, `expected a ${name} time, got ${JSON.stringify(s)}`))
        : ParseResult.succeed(toUtc(millis))
    },
    encode: (dt) => ParseResult.succeed(format(DateTime.toEpochMillis(dt)))
  }).annotations({ identifier: name })

/**
 * The classic JFS time: decodes `2018-07-05-T15:08:02Z` (also `±hhmm`, `±hh:mm`, a
 * fraction, no dash before `T`); encodes UTC with `Z`, truncated to the second.
 *
 * @since 0.1.0
 * @category schemas
 */
export const JfsTime: Schema.Schema<DateTime.Utc, string> = codec(
  "JfsTime",
  internal.parseClassic,
  internal.formatClassic
)

/**
 * A classic JFS time that may be empty (`<modified/>`): the empty string is `None`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const JfsTimeOption: Schema.Schema<Option.Option<DateTime.Utc>, string> = Schema.transformOrFail(
  Schema.String,
  Schema.OptionFromSelf(Schema.DateTimeUtcFromSelf),
  {
    strict: true,
    decode: (s, options) =>
      s.trim() === ""
        ? ParseResult.succeed(Option.none())
        : ParseResult.map(ParseResult.decodeUnknown(JfsTime)(s, options), Option.some),
    encode: (o) =>
      Option.match(o, {
        onNone: () => ParseResult.succeed(""),
        onSome: (dt) => ParseResult.succeed(internal.formatClassic(DateTime.toEpochMillis(dt)))
      })
  }
).annotations({ identifier: "JfsTimeOption" })

/**
 * RFC 3339: decodes with or without a fraction; encodes like Go's `time.RFC3339` (UTC, `Z`,
 * no fraction: `2018-07-05T15:08:02Z`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const Rfc3339: Schema.Schema<DateTime.Utc, string> = codec(
  "Rfc3339",
  internal.parseRfc3339,
  internal.formatRfc3339
)

/**
 * RFC 3339 with milliseconds: decodes like {@link Rfc3339}; encodes with three fractional
 * digits (`2021-11-30T10:21:05.123Z`, the liststream form).
 *
 * @since 0.1.0
 * @category schemas
 */
export const Rfc3339Millis: Schema.Schema<DateTime.Utc, string> = codec(
  "Rfc3339Millis",
  internal.parseRfc3339,
  internal.formatRfc3339Millis
)
