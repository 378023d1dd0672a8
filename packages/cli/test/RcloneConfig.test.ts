import * as NodeFs from "node:fs"
import * as FileSystem from "@effect/platform/FileSystem"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { assert, describe, it } from "@effect/vitest"
import * as SavedToken from "@fjord/auth/SavedToken"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as RcloneConfig from "../src/internal/rcloneConfig.js"

// as rclone 1.60 writes it: a standard (configVersion 1) remote, a legacy one, another type
const rcloneConf = `[myjotta]
type = jottacloud
configVersion = 1
client_id = jottacli
client_secret =
tokenURL = https://id.jottacloud.com/auth/realms/jottacloud/protocol/openid-connect/token
token = {"access_token":"acc-1","token_type":"Bearer","refresh_token":"ref-1","expiry":"2026-12-03T13:00:00.123456789+01:00"}
username = someone@example.com
device = Jotta
mountpoint = Sync
hard_delete = true

[old.jotta]
type = jottacloud
configVersion = 0
token = {"access_token":"acc-0","token_type":"Bearer","refresh_token":"ref-0","expiry":"0001-01-01T00:00:00Z"}
user = someone

[bucket]
type = s3
provider = AWS
`

const withFile = (text: string) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const dir = yield* fs.makeTempDirectoryScoped({ prefix: "fjord-conf-" })
    const file = `${dir}/rclone.conf`
    yield* fs.writeFileString(file, text)
    return file
  })

describe("RcloneConfig", () => {
  it("parses rclone's file: strings only, dotted names kept, other types partitioned", () => {
    const sections = RcloneConfig.parse(rcloneConf)
    assert.deepStrictEqual(Object.keys(sections).sort(), ["bucket", "myjotta", "old.jotta"])
    assert.strictEqual(sections.myjotta?.hard_delete, "true")
    assert.strictEqual(sections.myjotta?.client_secret, "")
    assert.strictEqual(JSON.parse(sections.myjotta?.token ?? "").refresh_token, "ref-1")
    assert.deepStrictEqual(RcloneConfig.partition(sections), {
      jotta: ["myjotta", "old.jotta"],
      other: [["bucket", "s3"]]
    })
    // written back as rclone writes it, and read again unchanged
    const text = RcloneConfig.stringify(sections)
    assert.include(text, "[old.jotta]\ntype = jottacloud\n")
    assert.deepStrictEqual(RcloneConfig.parse(text), sections)
    assert.strictEqual(RcloneConfig.redact(sections.myjotta ?? {}).token, "*** REDACTED ***")
  })

  it.scoped("the token store reads both configVersions and writes rotated tokens back, 0600", () =>
    Effect.gen(function* () {
      const file = yield* withFile(rcloneConf)
      const store = yield* RcloneConfig.tokenStore(file, "myjotta")
      const current = yield* store.get
      assert.isTrue(Option.isSome(current))
      const token = Option.getOrThrow(current)
      assert.strictEqual(token.kind, "oidc")
      assert.strictEqual(Redacted.value(token.accessToken), "acc-1")
      assert.strictEqual(token.expiresAt, Date.parse("2026-12-03T12:00:00.123Z"))
      const legacy = Option.getOrThrow(yield* (yield* RcloneConfig.tokenStore(file, "old.jotta")).get)
      assert.strictEqual(legacy.kind, "legacy")

      const rotated = SavedToken.fromSaved({
        accessToken: Redacted.make("acc-2"),
        refreshToken: Redacted.make("ref-2"),
        expiresAt: Date.parse("2026-12-03T14:00:00Z"),
        tokenUrl: token.tokenUrl
      })
      yield* store.set(rotated)
      assert.strictEqual(NodeFs.statSync(file).mode & 0o777, 0o600)
      const after = RcloneConfig.parse(NodeFs.readFileSync(file, "utf8"))
      assert.deepStrictEqual(JSON.parse(after.myjotta?.token ?? ""), {
        access_token: "acc-2",
        token_type: "Bearer",
        refresh_token: "ref-2",
        expiry: "2026-12-03T14:00:00Z"
      })
      // the rest of the file is kept
      assert.strictEqual(after.myjotta?.mountpoint, "Sync")
      assert.deepStrictEqual(after.bucket, { type: "s3", provider: "AWS" })
      assert.isFalse(NodeFs.existsSync(`${file}.lock`))
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.live("updates from two stores on one file are serialised (each sees the previous one)", () =>
    Effect.gen(function* () {
      const file = yield* withFile(rcloneConf)
      const stores = [yield* RcloneConfig.tokenStore(file, "myjotta"), yield* RcloneConfig.tokenStore(file, "myjotta")]
      const bump = (store: (typeof stores)[number]) =>
        store.update((current) =>
          Effect.gen(function* () {
            const t = Option.getOrThrow(current)
            const n = Number(Redacted.value(t.accessToken).replace("acc-", ""))
            yield* Effect.sleep("5 millis")
            return SavedToken.fromSaved({ accessToken: Redacted.make(`acc-${n + 1}`), tokenUrl: t.tokenUrl })
          })
        )
      yield* Effect.all(
        Array.from({ length: 6 }, (_, i) => bump(stores[i % 2] ?? stores[0]!)),
        { concurrency: "unbounded" }
      )
      const final = Option.getOrThrow(yield* stores[0]!.get)
      assert.strictEqual(Redacted.value(final.accessToken), "acc-7")
    }).pipe(Effect.scoped, Effect.provide(NodeContext.layer))
  )

  it.scoped("an encrypted rclone config is refused with what to do", () =>
    Effect.gen(function* () {
      const file = yield* withFile("RCLONE_ENCRYPT_V0:\nabc")
      const error = yield* Effect.flip(RcloneConfig.read(file))
      assert.match(error.message, /encrypted.*rclone config encryption remove/)
    }).pipe(Effect.provide(NodeContext.layer))
  )
})
