/**
 * `fjord config` without a subcommand: rclone's interactive config dialog for a Jottacloud
 * remote, step for step as rclone's Jottacloud docs show it (backend `Config` states
 * `auth_type_done`, `standard_token`, `legacy_*`, `choose_device`, `choose_mountpoint`):
 *
 * 1. new remote (or quit), its name;
 * 2. `config_type`: standard (personal login token, "Generate here:
 *    https://www.jottacloud.com/web/secure"), legacy (machine-specific key?, username,
 *    password, the SMS code when the account asks), or a white-label service (Telia, Tele2,
 *    Onlime and the traditional ones: browser login; the URL is printed for a machine
 *    without a browser);
 * 3. "Use a non-standard device/mountpoint?" (default no): the account's devices listed (a new
 *    name creates a device), then the device's mountpoints (a new name creates one, refused
 *    on the built-in device Jotta);
 * 4. the remote shown, `y) Yes this is OK`, `e) Edit this remote`, `d) Delete this remote`.
 *
 * Every question is an `@effect/cli` `Prompt` on the `Terminal`; nothing is asked when stdin is
 * not a terminal (the error names `fjord config create`).
 */
import * as Prompt from "@effect/cli/Prompt"
import * as Terminal from "@effect/platform/Terminal"
import * as Legacy from "@fjord/auth/Legacy"
import * as WhiteLabel from "@fjord/auth/WhiteLabel"
import * as Account from "@fjord/core/Account"
import * as NodeJotta from "@fjord/node/NodeJotta"
import * as NodeRedirectCatcher from "@fjord/node/NodeRedirectCatcher"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { connect, remove, show } from "../commands/config.js"
import { builtinDevice } from "./account.js"
import { UsageError } from "./errors.js"
import { GlobalFlags, type Globals } from "./globalArgs.js"
import { browserLogin, Interactive, twoFactorLayer } from "./prompts.js"
import * as RcloneConfig from "./rcloneConfig.js"
import * as Remotes from "./remotes.js"

/** The authentication menu, rclone's entries first (its order and words). */
export const authTypes: ReadonlyArray<{ readonly value: string; readonly help: string }> = [
  { value: "standard", help: "Standard authentication.\nUse this if you're a normal Jottacloud user." },
  {
    value: "legacy",
    help: "Legacy authentication.\nThis is only required for certain whitelabel versions of Jottacloud and not recommended for normal users."
  },
  { value: "telia_se", help: "Telia Cloud authentication.\nUse this if you are using Telia Cloud (Sweden)." },
  { value: "telia_no", help: "Telia Sky authentication.\nUse this if you are using Telia Sky (Norway)." },
  { value: "tele2", help: "Tele2 Cloud authentication.\nUse this if you are using Tele2 Cloud." },
  { value: "onlime", help: "Onlime Cloud authentication.\nUse this if you are using Onlime Cloud." },
  ...Object.values(WhiteLabel.services)
    .filter((s) => !["jottacloud", "telia_se", "telia_no", "tele2", "onlime"].includes(s.key))
    .map((s) => ({ value: s.key, help: `${s.name} authentication.\nUse this if you are using ${s.name}.` }))
]

const say = (text: string) => Effect.flatMap(Terminal.Terminal, (t) => Effect.orDie(t.display(`${text}\n`)))

const ask = (message: string, fallback?: string) =>
  Prompt.text({ message, ...(fallback === undefined ? {} : { default: fallback }) }).pipe(Effect.map((s) => s.trim()))

const yesNo = (fallback: "y" | "n") =>
  Effect.gen(function* () {
    yield* say(fallback === "y" ? "y) Yes (default)\nn) No" : "y) Yes\nn) No (default)")
    const answer = (yield* ask("y/n>", fallback)).toLowerCase()
    return (answer === "" ? fallback : answer).startsWith("y")
  })

/**
 * A numbered menu as rclone prints it; the answer is a number or a value (or, with
 * `own`, any other value: "type in your own value").
 */
const choose = (
  key: string,
  items: ReadonlyArray<{ readonly value: string; readonly help?: string }>,
  fallback: string,
  own: boolean
): Effect.Effect<string, never, Terminal.Terminal> =>
  Effect.gen(function* () {
    yield* say(`Option ${key}.`)
    yield* say(
      own
        ? "Choose a number from below, or type in your own value."
        : "Choose a number from below, or type in an existing value."
    )
    yield* say(`Press Enter for the default (${fallback}).`)
    for (const [i, item] of items.entries()) {
      const n = String(i + 1).padStart(2)
      if (item.help === undefined) yield* say(`${n} > ${item.value}`)
      else {
        const lines = item.help.split("\n")
        yield* say(lines.map((l, j) => `${j === 0 ? "   / " : `${n} | `}${l}`).join("\n"))
        yield* say(`   \\ (${item.value})`)
      }
    }
    const answer = (yield* ask(`${key}>`, fallback).pipe(Effect.orDie)) || fallback
    const byNumber = /^\d+$/.test(answer) ? items[Number(answer) - 1]?.value : undefined
    const value = byNumber ?? items.find((i) => i.value.toLowerCase() === answer.toLowerCase())?.value
    if (value !== undefined) return value
    if (own) return answer
    yield* say(`${answer}: not one of the choices`)
    return yield* choose(key, items, fallback, own)
  }).pipe(Effect.orDie)

/** The SDK over the remote being set up. */
const sdk = (g: Globals, file: string, name: string) =>
  Layer.unwrapEffect(
    Effect.map(RcloneConfig.read(file), (sections) => Remotes.layerSection(g, file, name, sections[name] ?? {}))
  )

const setKeys = (file: string, name: string, keys: Readonly<Record<string, string | undefined>>) =>
  RcloneConfig.modify(file, (sections) =>
    Effect.succeed([undefined, { ...sections, [name]: RcloneConfig.setKeys(sections[name] ?? {}, keys) }] as const)
  )

/** Steps 2 and 3 for remote `name`: authentication, then device and mountpoint. */
const setUp = (g: Globals, file: string, name: string) =>
  Effect.gen(function* () {
    const endpoint = Option.getOrUndefined(g.endpoint)
    const base: Record<string, string> = {
      type: "jottacloud",
      configVersion: "1",
      ...(endpoint === undefined ? {} : { endpoint })
    }
    yield* RcloneConfig.modify(file, (sections) => Effect.succeed([undefined, { ...sections, [name]: base }] as const))
    yield* say("Select authentication type.")
    const type = yield* choose("config_type", authTypes, "standard", false)
    const at = (part: string) => (endpoint === undefined ? undefined : `${endpoint.replace(/\/+$/, "")}/${part}`)
    const store = yield* RcloneConfig.tokenStore(file, name)
    if (type === "standard") {
      yield* say("Personal login token.\nGenerate here: https://www.jottacloud.com/web/secure")
      const token = yield* ask("Login Token>")
      yield* setKeys(file, name, { client_id: "jottacli" })
      yield* connect(g, file, name, Redacted.make(token))
    } else if (type === "legacy") {
      yield* say(
        "Do you want to create a machine specific API key?\n\nRclone has it's own Jottacloud API KEY which works fine as long as one\nonly uses rclone on a single machine. When you want to use rclone with\nthis account on more than one machine it's recommended to create a\nmachine specific API key. These keys can NOT be shared between machines."
      )
      const registerDevice = yield* yesNo("n")
      const username = yield* ask("Username>")
      yield* say("Password (your Jottacloud password is only required during setup and will not be stored).")
      const password = yield* Prompt.password({ message: "password>" })
      const api = at("api/")
      const stored = yield* Legacy.login({
        username,
        password,
        ...(api === undefined ? {} : { apiUrl: api }),
        ...(registerDevice ? { registerDevice: true } : {})
      }).pipe(Effect.provide(Layer.merge(twoFactorLayer("the SMS code"), NodeJotta.layer)))
      yield* store.set(stored)
    } else {
      const service = type as WhiteLabel.ServiceKey
      const terminal = yield* Terminal.Terminal
      const stored = yield* WhiteLabel.login({ service, identityBase: at("id") }).pipe(
        Effect.provide(
          Layer.merge(
            browserLogin({
              port: NodeRedirectCatcher.defaultPort,
              show: (text) => say(text).pipe(Effect.provideService(Terminal.Terminal, terminal))
            }),
            NodeJotta.layer
          )
        )
      )
      yield* store.set(stored)
    }
    yield* chooseStorage(file, name).pipe(Effect.provide(sdk(g, file, name)))
  })

/** Step 3: the account's user name recorded, then device and mountpoint when non-standard. */
const chooseStorage = (file: string, name: string) =>
  Effect.gen(function* () {
    const account = yield* Account.Account
    const user = yield* account.userInfo()
    yield* setKeys(file, name, { username: user.username })
    yield* say("Use a non-standard device/mountpoint?")
    yield* say(
      "Choosing no, the default, will let you access the storage used for the archive\nsection of the official Jottacloud client. If you instead want to access the\nsync or the backup section, for example, you must choose yes."
    )
    if (!(yield* yesNo("n"))) return
    const devices = yield* account.devices()
    yield* say(
      "The device to use. In standard setup the built-in Jotta device is used,\nwhich contains predefined mountpoints for archive, sync etc. All other devices\nare treated as backup devices by the official Jottacloud client. You may create\na new by entering a unique name."
    )
    const device = yield* choose(
      "config_device",
      devices.map((d) => ({ value: d.name })),
      builtinDevice,
      true
    )
    if (!devices.some((d) => d.name === device)) {
      yield* account.createDevice(device)
      yield* say(`Created device ${device}`)
    }
    const mountpoints = yield* account.mountpoints(device)
    const isBuiltin = device.toLowerCase() === builtinDevice.toLowerCase()
    yield* say(
      isBuiltin
        ? "The mountpoint to use for the built-in device Jotta.\nThe standard setup is to use the Archive mountpoint. Most other mountpoints\nhave very limited support in rclone and should generally be avoided."
        : "The mountpoint to use on a non-standard device.\nYou may create a new by entering a unique name."
    )
    const pickMountpoint: Effect.Effect<string, unknown, Terminal.Terminal> = Effect.gen(function* () {
      const choice = yield* choose(
        "config_mountpoint",
        mountpoints.map((m) => ({ value: m.name })),
        mountpoints.find((m) => m.name === "Archive")?.name ?? mountpoints[0]?.name ?? "Archive",
        true
      )
      if (mountpoints.some((m) => m.name === choice)) return choice
      if (isBuiltin) {
        yield* say("Custom mountpoints not supported on built-in Jotta device")
        return yield* pickMountpoint
      }
      yield* account.createMountpoint(choice, device)
      yield* say(`Created mountpoint ${device}/${choice}`)
      return choice
    })
    const mountpoint = yield* pickMountpoint
    yield* setKeys(file, name, { device, mountpoint })
  })

/** The whole dialog. */
export const dialog = () =>
  Effect.gen(function* () {
    if (!(yield* Interactive)) {
      return yield* new UsageError({
        description:
          "fjord config asks its questions on a terminal: run it in one, or use `fjord config create NAME jottacloud config_login_token=<token>`"
      })
    }
    const g = yield* GlobalFlags
    const file = Remotes.configFile(g)
    const sections = yield* RcloneConfig.read(file)
    const names = Object.keys(sections)
    if (names.length === 0) yield* say("No remotes found, make a new one?")
    else {
      yield* say(`Current remotes:\n\nName                 Type\n====                 ====`)
      for (const n of names) yield* say(`${n.padEnd(20)} ${sections[n]?.type ?? ""}`)
      yield* say("")
    }
    yield* say("n) New remote\nq) Quit config")
    const action = (yield* ask("n/q>")).toLowerCase()
    if (!action.startsWith("n")) return
    let name = ""
    while (name === "" || /[:/\s]/.test(name) || sections[name] !== undefined) {
      if (name !== "") yield* say(sections[name] !== undefined ? "Remote already exists." : "Invalid remote name.")
      name = (yield* ask("name>")).replace(/:$/, "")
    }
    for (;;) {
      yield* setUp(g, file, name).pipe(Effect.tapError(() => Effect.ignore(remove(file, name))))
      const section = (yield* RcloneConfig.read(file))[name] ?? {}
      yield* say(
        `Configuration complete.\nOptions:\n--------------------\n${show(name, section)}\n--------------------`
      )
      yield* say("y) Yes this is OK (default)\ne) Edit this remote\nd) Delete this remote")
      const answer = ((yield* ask("y/e/d>", "y")) || "y").toLowerCase()
      if (answer.startsWith("d")) {
        yield* remove(file, name)
        return yield* say(`Deleted remote ${name}:`)
      }
      if (!answer.startsWith("e")) return yield* say(`Remote ${name}: saved in ${file}`)
    }
  })
