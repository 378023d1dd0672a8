import { assert, describe, it } from "@effect/vitest"
import { classic, parseLenient, parseRequestTime, rfc3339Millis } from "../src/internal/time.js"

describe("time formats (§6)", () => {
  it("writes classic UTC times truncated to the second and RFC 3339 with milliseconds", () => {
    const t = Date.UTC(2010, 5, 7, 8, 9, 7, 599)
    assert.strictEqual(classic(t), "2010-06-07-T08:09:07Z")
    assert.strictEqual(rfc3339Millis(t), "2010-06-07T08:09:07.599Z")
  })

  it("parses request times leniently", () => {
    const cases: Array<[string, string]> = [
      ["2018-07-05-T15:08:02Z", "2018-07-05T15:08:02.000Z"],
      ["2024-03-01-T12:00:00+0100", "2024-03-01T11:00:00.000Z"],
      ["2023-11-20-T08:30:00-0500", "2023-11-20T13:30:00.000Z"],
      ["2021-06-30-T23:59:59+0530", "2021-06-30T18:29:59.000Z"],
      ["2021-06-30T23:59:59+05:30", "2021-06-30T18:29:59.000Z"],
      ["2021-11-30T10:21:05.123Z", "2021-11-30T10:21:05.123Z"],
      ["2021-11-30-T10:21:05.123456+00:00", "2021-11-30T10:21:05.123Z"]
    ]
    for (const [input, iso] of cases) assert.strictEqual(new Date(parseLenient(input)!).toISOString(), iso, input)
    assert.strictEqual(parseLenient(1709290800000), 1709290800000)
    assert.isUndefined(parseLenient("yesterday"))
    assert.isUndefined(parseRequestTime("0001-01-01-T00:00:00Z"))
    assert.isUndefined(parseRequestTime("0001-01-01T00:00:00Z"))
  })
})
