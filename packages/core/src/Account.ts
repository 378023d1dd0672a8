/**
 * The account: storage use, customer info, devices and mountpoints.
 *
 * @since 0.1.0
 */
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Decode from "./internal/decode.js"
import { escapePath } from "./internal/location.js"
import * as Op from "./internal/operation.js"
import * as Username from "./internal/username.js"
import * as Jfs from "./Jfs.js"
import { JottaClient } from "./JottaClient.js"
import * as JottaError from "./JottaError.js"

/**
 * Storage use in bytes. `total` and `free` are only known for a finite quota (rclone's rule:
 * capacity > 0).
 *
 * @since 0.1.0
 * @category models
 */
export interface About {
  readonly used: number
  readonly total: number | undefined
  readonly free: number | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** Used, total and free bytes (from the user document). */
  readonly about: () => Effect.Effect<About, JottaError.JottaError>
  /** The customer document (`account/v1/customer`): username, e-mail, plan, usage, quota. */
  readonly userInfo: () => Effect.Effect<Jfs.Customer, JottaError.JottaError>
  /** The user document (drive info) with its device summaries. */
  readonly drive: () => Effect.Effect<Jfs.User, JottaError.JottaError>
  /** The devices of the account. */
  readonly devices: () => Effect.Effect<ReadonlyArray<Jfs.DeviceSummary>, JottaError.JottaError>
  /** One device with its mountpoints. */
  readonly device: (name: string) => Effect.Effect<Jfs.Device, JottaError.JottaError>
  /** The mountpoints of a device (the configured one by default). */
  readonly mountpoints: (device?: string) => Effect.Effect<ReadonlyArray<Jfs.MountPointSummary>, JottaError.JottaError>
  /** Creates a device (type `WORKSTATION`); fails with `AlreadyExists` if one exists (ignoring case). */
  readonly createDevice: (name: string) => Effect.Effect<Jfs.Device, JottaError.JottaError>
  /** Creates a mountpoint on a device (the configured one by default); existing ones are returned. */
  readonly createMountpoint: (name: string, device?: string) => Effect.Effect<Jfs.MountPoint, JottaError.JottaError>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class Account extends Context.Tag("@fjord/core/Account")<Account, Service>() {}

/** Checks a device or mountpoint name (errors name the current operation). */
const checkName = (name: string): Effect.Effect<void, JottaError.InvalidName> => {
  const reason =
    name === ""
      ? "Empty"
      : name.includes("/")
        ? "Unencodable"
        : name === "." || name === ".."
          ? "DotSegment"
          : undefined
  const problem = reason ?? (name.length > 255 ? "TooLong" : undefined)
  if (problem === undefined) return Effect.void
  return Effect.flatMap(Op.at(), ({ operation }) =>
    Effect.fail(new JottaError.InvalidName({ operation, reason: problem, name }))
  )
}

const decodeUser = Decode.xml(Jfs.UserDocument)
const decodeDevice = Decode.xml(Jfs.DeviceDocument)
const decodeMountPoint = Decode.xml(Jfs.MountPointDocument)
const nameOf = (u: unknown) => (typeof u === "string" ? u : undefined)

/**
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<Service, never, JottaClient> = Effect.gen(function* () {
  const client = yield* JottaClient
  const config = client.config

  const url = (...segments: ReadonlyArray<string>) =>
    Effect.map(Username.username(client), (user) => config.jfsRoot + escapePath([user, ...segments].join("/")))

  const drive = Op.fn("Account.drive")(function* () {
    const res = yield* client.execute(HttpClientRequest.get(yield* url()), { wholeBody: true })
    return (yield* Decode.body(decodeUser, res)).user
  })

  const about = Op.fn("Account.about")(function* () {
    const user = yield* drive()
    return user.capacity > 0
      ? { used: user.usage, total: user.capacity, free: Math.max(0, user.capacity - user.usage) }
      : { used: user.usage, total: undefined, free: undefined }
  })

  const userInfo = Op.fn("Account.userInfo")(function* () {
    return yield* Username.customer(client)
  })

  const devices = Op.fn("Account.devices")(function* () {
    return (yield* drive()).devices
  })

  const device = Op.fn(
    "Account.device",
    nameOf
  )(function* (name: string) {
    yield* Effect.annotateCurrentSpan("device", name)
    yield* checkName(name)
    const res = yield* client.execute(HttpClientRequest.get(yield* url(name)), { path: name, wholeBody: true })
    return (yield* Decode.body(decodeDevice, res, name)).device
  })

  const mountpoints = Op.fn(
    "Account.mountpoints",
    nameOf
  )(function* (name?: string) {
    return (yield* device(name ?? config.device)).mountPoints
  })

  const createDevice = Op.fn(
    "Account.createDevice",
    nameOf
  )(function* (name: string) {
    yield* Effect.annotateCurrentSpan("device", name)
    yield* checkName(name)
    const existing = (yield* drive()).devices.find((d) => d.name.toLowerCase() === name.toLowerCase())
    if (existing !== undefined) {
      return yield* new JottaError.AlreadyExists({
        ...(yield* Op.at(name)),
        description: `device ${existing.name} exists`
      })
    }
    const request = HttpClientRequest.setUrlParam(HttpClientRequest.post(yield* url(name)), "type", "WORKSTATION")
    const res = yield* client.execute(request, { path: name, idempotent: false })
    return (yield* Decode.body(decodeDevice, res, name)).device
  })

  const createMountpoint = Op.fn(
    "Account.createMountpoint",
    nameOf
  )(function* (name: string, deviceName?: string) {
    const dev = deviceName ?? config.device
    const path = `${dev}/${name}`
    yield* Effect.annotateCurrentSpan("path", path)
    yield* checkName(dev)
    yield* checkName(name)
    const res = yield* client.execute(HttpClientRequest.post(yield* url(dev, name)), { path })
    return (yield* Decode.body(decodeMountPoint, res, path)).mountPoint
  })

  return Account.of({ about, userInfo, drive, devices, device, mountpoints, createDevice, createMountpoint })
})

/**
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<Account, never, JottaClient> = Layer.effect(Account, make)
