import { readFileSync } from "node:fs"
import { assert, describe, it } from "@effect/vitest"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Decode from "../src/internal/decode.js"
import * as Jfs from "../src/Jfs.js"

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}.xml`, import.meta.url), "utf8")
const iso = (o: Option.Option<DateTime.Utc>) => Option.map(o, DateTime.formatIso)

describe("Jfs models decode every fixture", () => {
  it.effect("user", () =>
    Effect.gen(function* () {
      const { user } = yield* Decode.xml(Jfs.UserDocument)(fixture("user"), { operation: "test" })
      assert.strictEqual(user.username, "k9demouser4x7q2")
      assert.strictEqual(user.capacity, -1)
      assert.strictEqual(user.usage, 1073741824)
      assert.strictEqual(user.accountType, "unlimited")
      assert.strictEqual(user.enableSync, true)
      assert.deepStrictEqual(
        user.devices.map((d) => d.name),
        ["Jotta", "Laptop-Ola"]
      )
      assert.isTrue(Option.isNone(user.devices[1]!.modified))
    })
  )

  it.effect("device", () =>
    Effect.gen(function* () {
      const { device } = yield* Decode.xml(Jfs.DeviceDocument)(fixture("device"), { operation: "test" })
      assert.strictEqual(device.type, "JOTTA")
      assert.deepStrictEqual(
        device.mountPoints.map((m) => m.name),
        ["Archive", "Shared", "Sync"]
      )
    })
  )

  it.effect("mountPoint", () =>
    Effect.gen(function* () {
      const { mountPoint } = yield* Decode.xml(Jfs.MountPointDocument)(fixture("mountPoint"), { operation: "test" })
      assert.strictEqual(mountPoint.name, "Archive")
      assert.deepStrictEqual(
        mountPoint.folders.map((f) => f.name),
        ["docs", "photos"]
      )
      assert.strictEqual(mountPoint.files[0]?.currentRevision?.md5, "b1946ac92492d2347c6235b4d2611184")
    })
  )

  it.effect("folder with trashed and incomplete children", () =>
    Effect.gen(function* () {
      const { folder } = yield* Decode.xml(Jfs.FolderDocument)(fixture("folder"), { operation: "test" })
      assert.strictEqual(folder.name, "docs")
      assert.deepStrictEqual(
        folder.folders.map((f) => [f.name, f.isTrashed]),
        [
          ["2023", false],
          ["old drafts", true]
        ]
      )
      assert.deepStrictEqual(
        folder.files.map((f) => [f.name, f.isTrashed, f.isComplete]),
        [
          ["hello.txt", false, true],
          ["draft.odt", true, true],
          ["big.iso", false, false]
        ]
      )
      assert.strictEqual(folder.files[2]?.latestRevision?.state, "INCOMPLETE")
    })
  )

  it.effect("file with revisions", () =>
    Effect.gen(function* () {
      const { file } = yield* Decode.xml(Jfs.FileDocument)(fixture("file"), { operation: "test" })
      assert.strictEqual(file.name, "hello.txt")
      assert.strictEqual(file.currentRevision?.number, 2)
      assert.strictEqual(file.currentRevision?.size, 14)
      assert.deepStrictEqual(iso(file.currentRevision!.modified), Option.some("2024-03-01T11:00:00.000Z"))
      assert.deepStrictEqual(
        file.revisions.map((r) => r.number),
        [1]
      )
    })
  )

  it.effect("error document", () =>
    Effect.gen(function* () {
      const { error } = yield* Decode.xml(Jfs.ErrorDoc)(fixture("error"), { operation: "test" })
      assert.strictEqual(error.code, 404)
      assert.strictEqual(error.reason, "Not Found")
      assert.match(error.message ?? "", /NoSuchPathException/)
    })
  )

  it.effect("item document tells file, folder, mountpoint and others apart", () =>
    Effect.gen(function* () {
      const decode = Decode.xml(Jfs.ItemDocument)
      assert.isTrue("file" in (yield* decode(fixture("file"))))
      assert.isTrue("folder" in (yield* decode(fixture("folder"))))
      assert.isTrue("mountPoint" in (yield* decode(fixture("mountPoint"))))
      assert.deepStrictEqual(yield* decode(fixture("device")), { other: "device" })
    })
  )

  it.effect("a missing required element is an InvalidResponse carrying the issue", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        Decode.xml(Jfs.UserDocument)("<user><username>x</username><usage>1</usage></user>", {
          operation: "Account.about"
        })
      )
      assert.strictEqual(error._tag, "InvalidResponse")
      assert.strictEqual(error.operation, "Account.about")
      assert.match(error.issue, /capacity/)
    })
  )

  it("customer and allocate JSON", () => {
    const c = Schema.decodeUnknownSync(Schema.parseJson(Jfs.Customer))(
      '{"username":"u1","email":"e@x","quota":-1,"usage":5,"write_locked":false,"extra":1}'
    )
    assert.strictEqual(c.username, "u1")
    assert.strictEqual(c.writeLocked, false)
    const a = Schema.decodeUnknownSync(Jfs.AllocateReply)({
      state: "INCOMPLETE",
      upload_url: "http://x/u",
      resume_pos: 7
    })
    assert.strictEqual(a.resumePos, 7)
    assert.strictEqual(a.uploadUrl, "http://x/u")
  })
})
