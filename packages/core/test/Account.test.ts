import { assert, layer } from "@effect/vitest"
import * as Emulator from "@fjord/emulator/Emulator"
import * as Effect from "effect/Effect"
import * as UploadSource from "../src/UploadSource.js"
import { Account, bytes, Files, makeEnv } from "./utils.js"

layer(makeEnv({}, { quotaBytes: 1000 }), { excludeTestServices: true })("Account", (it) => {
  it.effect("about follows rclone's rule (finite quota) and tracks usage", () =>
    Effect.gen(function* () {
      const account = yield* Account.Account
      const files = yield* Files.Files
      const before = yield* account.about()
      assert.strictEqual(before.total, 1000)
      yield* files.upload("q/a.bin", UploadSource.fromUint8Array(bytes("x".repeat(100))))
      const after = yield* account.about()
      assert.strictEqual(after.used, before.used + 100)
      assert.strictEqual(after.free, 1000 - after.used)
    })
  )

  it.effect("an upload beyond the quota is QuotaExceeded", () =>
    Effect.gen(function* () {
      const files = yield* Files.Files
      const e = yield* Effect.flip(files.upload("q/big.bin", UploadSource.fromUint8Array(new Uint8Array(5000))))
      assert.strictEqual(e._tag, "QuotaExceeded")
    })
  )

  it.effect("userInfo", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const info = yield* (yield* Account.Account).userInfo()
      assert.strictEqual(info.username, emu.username)
      assert.strictEqual(info.email, emu.email)
    })
  )

  it.effect("devices, device, mountpoints", () =>
    Effect.gen(function* () {
      const account = yield* Account.Account
      const devices = yield* account.devices()
      assert.isTrue(devices.some((d) => d.name === "Jotta" && d.type === "JOTTA"))
      const jotta = yield* account.device("Jotta")
      assert.strictEqual(jotta.name, "Jotta")
      const mps = (yield* account.mountpoints()).map((m) => m.name)
      assert.includeMembers(mps, ["Archive", "Shared", "Sync"])
      assert.strictEqual((yield* Effect.flip(account.device("NoSuchDevice")))._tag, "NotFound")
      assert.strictEqual((yield* Effect.flip(account.device("")))._tag, "InvalidName")
    })
  )

  it.effect("createDevice and createMountpoint", () =>
    Effect.gen(function* () {
      const account = yield* Account.Account
      const dev = yield* account.createDevice("Laptop Ola+1")
      assert.strictEqual(dev.name, "Laptop Ola+1")
      assert.strictEqual(dev.type, "WORKSTATION")
      assert.strictEqual((yield* Effect.flip(account.createDevice("laptop ola+1")))._tag, "AlreadyExists")
      const mp = yield* account.createMountpoint("Backup Set", "Laptop Ola+1")
      assert.strictEqual(mp.name, "Backup Set")
      assert.deepStrictEqual(
        (yield* account.mountpoints("Laptop Ola+1")).map((m) => m.name),
        ["Backup Set"]
      )
      assert.isTrue((yield* account.devices()).some((d) => d.name === "Laptop Ola+1"))
      assert.strictEqual((yield* Effect.flip(account.createMountpoint("X", "NoSuchDevice")))._tag, "NotFound")
    })
  )
})
