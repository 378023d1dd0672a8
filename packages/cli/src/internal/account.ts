/**
 * The account commands' implementations (`commands/account.ts`): about, userinfo, devices,
 * mountpoints.
 */
import * as Account from "@fjord/core/Account"
import * as JottaConfig from "@fjord/core/JottaConfig"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { json, out, remoteOf } from "./common.js"
import { UsageError } from "./errors.js"
import * as Format from "./format.js"
import { GlobalFlags } from "./globalArgs.js"
import * as Sdk from "./sdk.js"

interface RemoteArgs {
  readonly remote: string
}

/** rclone's about: `--json` prints `{"total","used","free"}`, leaving out what is unknown (unlimited). */
export const about = (a: RemoteArgs & { readonly full: boolean }) =>
  Effect.gen(function* () {
    const g = yield* GlobalFlags
    const q = yield* (yield* Account.Account).about()
    if (g.json) {
      return yield* json({
        ...(q.total === undefined ? {} : { total: q.total }),
        used: q.used,
        ...(q.free === undefined ? {} : { free: q.free })
      })
    }
    const size = (n: number) => (a.full ? String(n) : Format.human(n))
    if (q.total !== undefined) yield* out(`Total:   ${size(q.total)}`)
    yield* out(`Used:    ${size(q.used)}`)
    if (q.free !== undefined) yield* out(`Free:    ${size(q.free)}`)
  }).pipe(Sdk.withSdk(remoteOf(a.remote)))

export const userinfo = (a: RemoteArgs) =>
  Effect.gen(function* () {
    const g = yield* GlobalFlags
    const c = yield* (yield* Account.Account).userInfo()
    if (g.json) return yield* json({ ...c })
    yield* out(`Username:      ${c.username}`)
    if (c.email !== undefined) yield* out(`Email:         ${c.email}`)
    if (c.name !== undefined) yield* out(`Name:          ${c.name}`)
    if (c.accountType !== undefined) yield* out(`Account type:  ${c.accountType}`)
    if (c.subscriptionType !== undefined) yield* out(`Subscription:  ${c.subscriptionType}`)
    if (c.usage !== undefined) yield* out(`Usage:         ${Format.human(c.usage)}`)
    if (c.quota !== undefined) yield* out(`Quota:         ${c.quota < 0 ? "unlimited" : Format.human(c.quota)}`)
  }).pipe(Sdk.withSdk(remoteOf(a.remote)))

/** The built-in device of every account: its mountpoints are the service's own. */
export const builtinDevice = "Jotta"

export const devices = (a: RemoteArgs & { readonly create: Option.Option<string> }) =>
  Effect.gen(function* () {
    const g = yield* GlobalFlags
    const account = yield* Account.Account
    if (Option.isSome(a.create)) {
      const d = yield* account.createDevice(a.create.value)
      return yield* g.json ? json({ name: d.name }) : out(`Created device ${d.name}`)
    }
    const list = yield* account.devices()
    const all = yield* Effect.forEach(list, (d) =>
      Effect.map(account.mountpoints(d.name), (mps) => ({
        name: d.name,
        type: d.type ?? null,
        size: d.size ?? null,
        mountpoints: mps.map((m) => ({ name: m.name, size: m.size ?? null }))
      }))
    )
    if (g.json) return yield* json(all)
    for (const d of all) {
      yield* out(`${d.name}${d.type === null ? "" : ` (${d.type})`}`)
      for (const m of d.mountpoints) yield* out(`  ${m.name}${m.size === null ? "" : `  ${Format.human(m.size)}`}`)
    }
  }).pipe(Sdk.withSdk(remoteOf(a.remote)))

export const mountpoints = (a: RemoteArgs & { readonly create: Option.Option<string> }) =>
  Effect.gen(function* () {
    const g = yield* GlobalFlags
    const account = yield* Account.Account
    const device = (yield* JottaConfig.JottaConfig).device
    if (Option.isSome(a.create)) {
      if (device.toLowerCase() === builtinDevice.toLowerCase()) {
        return yield* new UsageError({
          description: `the built-in device ${builtinDevice} has fixed mountpoints: create a device first (fjord devices --create NAME)`
        })
      }
      const m = yield* account.createMountpoint(a.create.value, device)
      return yield* g.json ? json({ device, name: m.name }) : out(`Created mountpoint ${device}/${m.name}`)
    }
    const mps = yield* account.mountpoints(device)
    if (g.json) return yield* json(mps.map((m) => ({ name: m.name, size: m.size ?? null })))
    for (const m of mps) yield* out(`${m.name}${m.size === undefined ? "" : `  ${Format.human(m.size)}`}`)
  }).pipe(Sdk.withSdk(remoteOf(a.remote)))
