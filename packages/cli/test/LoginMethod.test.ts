import { assert, describe, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { choose, type Flags } from "../src/internal/loginMethod.js"
import { codeFromPastedUrl } from "../src/internal/prompts.js"

const none: Flags = {
  loginToken: Option.none(),
  emulator: false,
  service: Option.none(),
  username: Option.none(),
  password: Option.none(),
  otp: Option.none(),
  rcloneConfig: Option.none(),
  rcloneRemote: Option.none(),
  registerDevice: false
}
const secret = (s: string) => Option.some(Redacted.make(s))
const services = ["telia_se", "tele2"]
const tag = (flags: Partial<Flags>) => Either.map(choose({ ...none, ...flags }, services), (m) => m._tag)

describe("login method", () => {
  it("follows the documented precedence", () => {
    assert.deepStrictEqual(tag({ loginToken: secret("t") }), Either.right("Token"))
    assert.deepStrictEqual(tag({ emulator: true }), Either.right("Emulator"))
    assert.deepStrictEqual(tag({ emulator: true, loginToken: secret("t") }), Either.right("Token"))
    assert.deepStrictEqual(tag({ service: Option.some("tele2"), loginToken: secret("t") }), Either.right("WhiteLabel"))
    assert.deepStrictEqual(
      tag({ username: Option.some("u"), password: secret("p"), service: Option.some("tele2") }),
      Either.right("Legacy")
    )
    assert.deepStrictEqual(
      tag({ rcloneConfig: Option.some("r.conf"), rcloneRemote: Option.some("x"), username: Option.some("u") }),
      Either.right("Rclone")
    )
  })

  it("says what is missing", () => {
    assert.match(Either.getLeft(tag({})).pipe(Option.getOrElse(() => "")), /--login-token/)
    assert.match(Either.getLeft(tag({ username: Option.some("u") })).pipe(Option.getOrElse(() => "")), /--password/)
    assert.match(
      Either.getLeft(tag({ rcloneConfig: Option.some("f") })).pipe(Option.getOrElse(() => "")),
      /--rclone-remote/
    )
    assert.match(
      Either.getLeft(tag({ service: Option.some("nope") })).pipe(Option.getOrElse(() => "")),
      /unknown service nope \(known: telia_se, tele2\)/
    )
  })

  it("a legacy login keeps its SMS code and device registration", () => {
    const m = choose(
      { ...none, username: Option.some("u"), password: secret("p"), otp: secret("1"), registerDevice: true },
      []
    )
    assert.isTrue(Either.isRight(m))
    if (Either.isRight(m) && m.right._tag === "Legacy") {
      assert.isTrue(m.right.registerDevice)
      assert.strictEqual(Redacted.value(Option.getOrThrow(m.right.otp)), "1")
    } else assert.fail("not Legacy")
  })

  it("a pasted redirect address yields its code when the state matches", () => {
    const ok = codeFromPastedUrl("http://localhost:53682/?code=abc&state=s1", "s1")
    assert.deepStrictEqual(Either.map(ok, Redacted.value), Either.right("abc"))
    assert.isTrue(Either.isLeft(codeFromPastedUrl("http://localhost:53682/?code=abc&state=other", "s1")))
    assert.isTrue(Either.isLeft(codeFromPastedUrl("not a url", "s1")))
    assert.match(
      Either.getLeft(codeFromPastedUrl("http://localhost/?error=access_denied&state=s1", "s1")).pipe(
        Option.getOrElse(() => "")
      ),
      /refused: access_denied/
    )
  })
})
