import { assert, describe, it } from "@effect/vitest"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as FastCheck from "effect/FastCheck"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as JfsTime from "../src/JfsTime.js"

const iso = (dt: DateTime.DateTime) => DateTime.formatIso(dt)
const decodeClassic = Schema.decodeUnknownSync(JfsTime.JfsTime)
const encodeClassic = Schema.encodeSync(JfsTime.JfsTime)

describe("JfsTime classic (protocol §6.1)", () => {
  it("decodes the table of §6.1", () => {
    const table: ReadonlyArray<readonly [string, string, string]> = [
      ["2018-07-05-T15:08:02Z", "2018-07-05T15:08:02.000Z", "2018-07-05-T15:08:02Z"],
      ["2024-03-01-T12:00:00+0100", "2024-03-01T11:00:00.000Z", "2024-03-01-T11:00:00Z"],
      ["2023-11-20-T08:30:00-0500", "2023-11-20T13:30:00.000Z", "2023-11-20-T13:30:00Z"],
      ["2021-06-30-T23:59:59+0530", "2021-06-30T18:29:59.000Z", "2021-06-30-T18:29:59Z"],
      ["2021-06-30-T23:59:59+05:30", "2021-06-30T18:29:59.000Z", "2021-06-30-T18:29:59Z"],
      ["2021-06-30T23:59:59+05:30", "2021-06-30T18:29:59.000Z", "2021-06-30-T18:29:59Z"],
      ["2010-06-07-T08:09:07.599999Z", "2010-06-07T08:09:07.599Z", "2010-06-07-T08:09:07Z"],
      ["0001-01-01-T00:00:00Z", "0001-01-01T00:00:00.000Z", "0001-01-01-T00:00:00Z"],
      ["2024-02-29-T00:00:00Z", "2024-02-29T00:00:00.000Z", "2024-02-29-T00:00:00Z"]
    ]
    for (const [wire, utc, back] of table) {
      const dt = decodeClassic(wire)
      assert.strictEqual(iso(dt), utc, wire)
      assert.strictEqual(encodeClassic(dt), back, wire)
    }
  })

  it("the fraction is dropped, not rounded, when formatting", () => {
    assert.strictEqual(JfsTime.formatClassic(DateTime.unsafeMake("2010-06-07T08:09:07.999Z")), "2010-06-07-T08:09:07Z")
  })

  it("rejects malformed times", () => {
    for (const bad of [
      "",
      "2018-07-05 15:08:02Z",
      "2018-07-05-T15:08:02",
      "2018-13-05-T15:08:02Z",
      "2023-02-29-T15:08:02Z",
      "2018-07-05-T24:00:00Z",
      "2018-07-05-T15:60:02Z",
      "2018-07-05-T15:08:02+2500",
      "x2018-07-05-T15:08:02Z"
    ]) {
      assert.isTrue(Option.isNone(JfsTime.parseClassic(bad)), bad)
    }
  })

  it.effect("decode failures are ParseErrors naming the input", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(Schema.decodeUnknown(JfsTime.JfsTime)("yesterday"))
      assert.include(error.message, "yesterday")
    })
  )

  it("JfsTimeOption: empty is None", () => {
    const decode = Schema.decodeSync(JfsTime.JfsTimeOption)
    assert.deepStrictEqual(decode(""), Option.none())
    assert.strictEqual(iso(Option.getOrThrow(decode("2018-07-05-T15:08:02Z"))), "2018-07-05T15:08:02.000Z")
    assert.strictEqual(Schema.encodeSync(JfsTime.JfsTimeOption)(Option.none()), "")
  })

  it("the Go zero time", () => {
    assert.strictEqual(JfsTime.formatClassic(JfsTime.zero), "0001-01-01-T00:00:00Z")
    assert.isTrue(JfsTime.isZero(decodeClassic("0001-01-01-T00:00:00Z")))
  })
})

describe("JfsTime RFC 3339 (protocol §6.2)", () => {
  it("decodes with and without fraction, encodes without", () => {
    const decode = Schema.decodeSync(JfsTime.Rfc3339)
    assert.strictEqual(iso(decode("2021-11-30T10:21:05.123Z")), "2021-11-30T10:21:05.123Z")
    assert.strictEqual(iso(decode("2024-03-01T12:00:00+01:00")), "2024-03-01T11:00:00.000Z")
    assert.strictEqual(Schema.encodeSync(JfsTime.Rfc3339)(decode("2021-11-30T10:21:05.123Z")), "2021-11-30T10:21:05Z")
    assert.strictEqual(
      Schema.encodeSync(JfsTime.Rfc3339Millis)(decode("2021-11-30T10:21:05.123Z")),
      "2021-11-30T10:21:05.123Z"
    )
    assert.strictEqual(JfsTime.formatRfc3339(decode("2018-07-05T15:08:02Z")), "2018-07-05T15:08:02Z")
    assert.isTrue(Option.isNone(JfsTime.parseRfc3339("2018-07-05-T15:08:02Z")))
    for (const bad of [
      "2024-03-01T12:00:00+0100",
      "2021-11-30T10:21:05.Z",
      "2021-11-30T10:21:05.123Zx",
      "2021-02-30T10:21:05Z",
      "2021-11-30T10:21:60Z",
      "2021-11-30T1a:21:05Z",
      "2021-11-30T10:21:05+25:00"
    ]) {
      assert.isTrue(Option.isNone(JfsTime.parseRfc3339(bad)), bad)
    }
    assert.strictEqual(iso(decode("2021-11-30t10:21:05.1234567-01:30")), "2021-11-30T11:51:05.123Z")
  })
})

const instant = FastCheck.date({
  min: new Date("0001-01-01T00:00:00Z"),
  max: new Date("9999-12-31T23:59:59Z"),
  noInvalidDate: true
})

describe("JfsTime properties", () => {
  it.prop("classic round trip at second precision", [instant], ([d]) => {
    const dt = DateTime.unsafeMake(d)
    const seconds = Math.floor(d.getTime() / 1000) * 1000
    assert.strictEqual(DateTime.toEpochMillis(decodeClassic(JfsTime.formatClassic(dt))), seconds)
    assert.strictEqual(JfsTime.formatRfc3339Millis(dt), d.toISOString())
    assert.strictEqual(DateTime.toEpochMillis(Schema.decodeSync(JfsTime.Rfc3339Millis)(d.toISOString())), d.getTime())
    assert.strictEqual(DateTime.toEpochMillis(Schema.decodeSync(JfsTime.Rfc3339)(JfsTime.formatRfc3339(dt))), seconds)
  })
})
