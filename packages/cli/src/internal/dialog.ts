/**
 * `fjord config` without a subcommand: rclone's interactive config dialog for a Jottacloud
 * remote, step for step as rclone's Jottacloud docs show it (backend `Config` states
 * `auth_type_done`, `standard_token`, `legacy_*`, `choose_device`, `choose_mountpoint`):
 *
 * 1. the opening menu as rclone's: with remotes configured they are listed and the menu offers
 *    `e) Edit existing remote` (the questions again, each defaulting to the remote's current
 *    value), `n) New remote`, `d) Delete remote`, `r) Rename remote`, `c) Copy remote` (without
 *    its token: two remotes sharing a token family would stale each other), `s) Set
 *    configuration password` (not supported: said so), `q) Quit config`; after each the menu
 *    comes again. A new remote's name is asked first;
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
 * When editing, the login is kept unless "Already have a token - refresh?" is answered yes.
 *
 * Every question is an `@effect/cli` `Prompt` on the `Terminal`; nothing is asked when stdin is
 * not a terminal (the error names `fjord config create`).
 */
import * as Prompt from "@effect/cli/Prompt"
import * as Terminal from "@effect/platform/Terminal"
import * as WhiteLabel from "@fjord/auth/WhiteLabel"
import * as Account from "@fjord/core/Account"
import * as NodeJotta from "@fjord/node/NodeJotta"
import * as NodeRedirectCatcher from "@fjord/node/NodeRedirectCatcher"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { builtinDevice } from "./account.js"
import { authTypes, connect, endpointUrl, legacyLogin, remove, setKeys, show } from "./config.js"
import { UsageError } from "./errors.js"
import { GlobalFlags, type Globals } from "./globalArgs.js"
import { browserLogin, Interactive, twoFactorLayer } from "./prompts.js"
import * as RcloneConfig from "./rcloneConfig.js"
import * as Remotes from "./remotes.js"

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

/** rclone's `ChooseRemote`: the configured remotes numbered, one picked by number or name. */
const chooseRemote = (names: ReadonlyArray<string>): Effect.Effect<string, never, Terminal.Terminal> =>
  Effect.gen(function* () {
    yield* say("Choose a number from below, or type in an existing value")
    for (const [i, n] of names.entries()) yield* say(`${String(i + 1).padStart(2)} > ${n}`)
    const answer = (yield* ask("remote>").pipe(Effect.orDie)).replace(/:$/, "")
    const picked = /^\d+$/.test(answer) ? names[Number(answer) - 1] : names.find((n) => n === answer)
    if (picked !== undefined) return picked
    yield* say("This value must be one of the choices")
    return yield* chooseRemote(names)
  })

/** A name for a new remote: not empty, no `:`, `/` or spaces, not taken. */
const newName = (taken: RcloneConfig.Sections): Effect.Effect<string, never, Terminal.Terminal> =>
  Effect.gen(function* () {
    for (;;) {
      const name = (yield* ask("name>").pipe(Effect.orDie)).replace(/:$/, "")
      if (name !== "" && !/[:/\s]/.test(name) && taken[name] === undefined) return name
      yield* say(taken[name] !== undefined ? "Remote already exists." : "Invalid remote name.")
    }
  })

/** The SDK over the remote being set up. */
const sdk = (g: Globals, file: string, name: string) =>
  Layer.unwrapEffect(
    Effect.map(RcloneConfig.read(file), (sections) => Remotes.layerSection(g, file, name, sections[name] ?? {}))
  )

/** The `config_type` a remote was set up with, read from its keys (the default when editing). */
export const authTypeOf = (section: RcloneConfig.Section): string => {
  if (section.configVersion === "0") return "legacy"
  const tokenUrl = section.tokenURL ?? ""
  const identity = endpointUrl(section.endpoint, "id")
  const service = Object.values(WhiteLabel.services).find(
    (s) => authTypes.some((t) => t.value === s.key) && tokenUrl.startsWith(`${WhiteLabel.realmUrl(s, identity)}/`)
  )
  return service?.key ?? "standard"
}

/** Step 2, the login of remote `name` (`type` the default of the menu). */
const logIn = (g: Globals, file: string, name: string, endpoint: string | undefined, current: string) =>
  Effect.gen(function* () {
    yield* say("Select authentication type.")
    const type = yield* choose("config_type", authTypes, current, false)
    if (type === "standard") {
      yield* say("Personal login token.\nGenerate here: https://www.jottacloud.com/web/secure")
      const token = yield* ask("Login Token>")
      yield* setKeys(file, name, { client_id: "jottacli", configVersion: "1" })
      yield* connect(g, file, name, Redacted.make(token))
    } else if (type === "legacy") {
      yield* say(
        "Do you want to create a machine specific API key?\n\nRclone has it's own Jottacloud API KEY which works fine as long as one\nonly uses rclone on a single machine. When you want to use rclone with\nthis account on more than one machine it's recommended to create a\nmachine specific API key. These keys can NOT be shared between machines."
      )
      const registerDevice = yield* yesNo("n")
      const username = yield* ask("Username>")
      yield* say("Password (your Jottacloud password is only required during setup and will not be stored).")
      const password = yield* Prompt.password({ message: "password>" })
      yield* legacyLogin(file, name, { endpoint, username, password, registerDevice }, twoFactorLayer("the SMS code"))
    } else {
      const service = type as WhiteLabel.ServiceKey
      const terminal = yield* Terminal.Terminal
      const stored = yield* WhiteLabel.login({ service, identityBase: endpointUrl(endpoint, "id") }).pipe(
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
      yield* (yield* RcloneConfig.tokenStore(file, name)).set(stored)
    }
  })

/** Step 3: the account's user name recorded, then device and mountpoint (defaults: `current`'s). */
const chooseStorage = (file: string, name: string, current: RcloneConfig.Section) =>
  Effect.gen(function* () {
    const account = yield* Account.Account
    const user = yield* account.userInfo()
    yield* setKeys(file, name, { username: user.username })
    yield* say("Use a non-standard device/mountpoint?")
    yield* say(
      "Choosing no, the default, will let you access the storage used for the archive\nsection of the official Jottacloud client. If you instead want to access the\nsync or the backup section, for example, you must choose yes."
    )
    const nonStandard = current.device !== undefined || current.mountpoint !== undefined
    if (!(yield* yesNo(nonStandard ? "y" : "n")))
      return yield* setKeys(file, name, { device: undefined, mountpoint: undefined })
    const devices = yield* account.devices()
    yield* say(
      "The device to use. In standard setup the built-in Jotta device is used,\nwhich contains predefined mountpoints for archive, sync etc. All other devices\nare treated as backup devices by the official Jottacloud client. You may create\na new by entering a unique name."
    )
    const device = yield* choose(
      "config_device",
      devices.map((d) => ({ value: d.name })),
      current.device ?? builtinDevice,
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
    const fallback =
      mountpoints.find((m) => m.name === current.mountpoint)?.name ??
      mountpoints.find((m) => m.name === "Archive")?.name ??
      mountpoints[0]?.name ??
      "Archive"
    const pickMountpoint: Effect.Effect<string, unknown, Terminal.Terminal> = Effect.gen(function* () {
      const choice = yield* choose(
        "config_mountpoint",
        mountpoints.map((m) => ({ value: m.name })),
        fallback,
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

/**
 * Steps 2 to 4 for remote `name`: a new one (`existing` none; removed again when the set-up
 * fails or `d` is answered), or an existing one edited from its current values.
 */
const configure = (g: Globals, file: string, name: string, existing: Option.Option<RcloneConfig.Section>) =>
  Effect.gen(function* () {
    let current = Option.getOrElse(existing, (): RcloneConfig.Section => {
      const endpoint = Option.getOrUndefined(g.endpoint)
      return { type: "jottacloud", configVersion: "1", ...(endpoint === undefined ? {} : { endpoint }) }
    })
    let isNew = Option.isNone(existing)
    if (isNew) {
      yield* RcloneConfig.modify(file, (sections) =>
        Effect.succeed([undefined, { ...sections, [name]: current }] as const)
      )
    }
    for (;;) {
      const step = Effect.gen(function* () {
        if (isNew) yield* logIn(g, file, name, current.endpoint, "standard")
        else {
          yield* say(`Editing existing "${name}" remote with options:`)
          for (const [k, v] of Object.entries(RcloneConfig.redact(current))) yield* say(`- ${k}: ${v}`)
          yield* say("Already have a token - refresh?")
          if (yield* yesNo("n")) yield* logIn(g, file, name, current.endpoint, authTypeOf(current))
        }
        yield* chooseStorage(file, name, current).pipe(Effect.provide(sdk(g, file, name)))
      })
      yield* isNew ? step.pipe(Effect.tapError(() => Effect.ignore(remove(file, name)))) : step
      current = (yield* RcloneConfig.read(file))[name] ?? {}
      yield* say(
        `Configuration complete.\nOptions:\n--------------------\n${show(name, current)}\n--------------------`
      )
      yield* say("y) Yes this is OK (default)\ne) Edit this remote\nd) Delete this remote")
      const answer = ((yield* ask("y/e/d>", "y")) || "y").toLowerCase()
      if (answer.startsWith("d")) {
        yield* remove(file, name)
        return yield* say(`Deleted remote ${name}:`)
      }
      if (!answer.startsWith("e")) return yield* say(`Remote ${name}: saved in ${file}`)
      isNew = false
    }
  })

/** rclone's opening menu, shown again after each action until `q`. */
const menu = (g: Globals, file: string) =>
  Effect.gen(function* () {
    for (;;) {
      const sections = yield* RcloneConfig.read(file)
      const names = Object.keys(sections)
      if (names.length === 0) {
        yield* say("No remotes found, make a new one?")
        yield* say("n) New remote\ns) Set configuration password\nq) Quit config")
      } else {
        yield* say(`Current remotes:\n\nName                 Type\n====                 ====`)
        for (const n of names) yield* say(`${n.padEnd(20)} ${sections[n]?.type ?? ""}`)
        yield* say("")
        yield* say(
          "e) Edit existing remote\nn) New remote\nd) Delete remote\nr) Rename remote\nc) Copy remote\ns) Set configuration password\nq) Quit config"
        )
      }
      const action = (yield* ask(names.length === 0 ? "n/s/q>" : "e/n/d/r/c/s/q>")).toLowerCase().slice(0, 1)
      const some = names.length > 0
      if (action === "q") return
      if (action === "n") {
        const name = yield* newName(sections)
        yield* configure(g, file, name, Option.none())
      } else if (action === "s") {
        yield* say(
          "Setting a configuration password is not supported: fjord does not encrypt its config file (it is written with mode 0600)."
        )
      } else if (some && action === "e") {
        const name = yield* chooseRemote(names)
        const section = sections[name] ?? {}
        if (section.type !== "jottacloud")
          yield* say(`${name}: a ${section.type ?? "unknown"} remote, which fjord does not edit`)
        else yield* configure(g, file, name, Option.some(section))
      } else if (some && action === "d") {
        const name = yield* chooseRemote(names)
        yield* remove(file, name)
      } else if (some && (action === "r" || action === "c")) {
        const name = yield* chooseRemote(names)
        yield* say(action === "r" ? "Enter new name for remote." : "Enter name for copy of remote.")
        const to = yield* newName(sections)
        yield* RcloneConfig.modify(file, (now) => {
          const section = now[name] ?? {}
          if (action === "c") {
            // a token family is used by one remote: the copy logs in on its own
            return Effect.succeed([
              undefined,
              { ...now, [to]: RcloneConfig.setKeys(section, { token: undefined }) }
            ] as const)
          }
          const { [name]: _, ...rest } = now
          return Effect.succeed([undefined, { ...rest, [to]: section }] as const)
        })
        if (action === "c") {
          yield* say(
            `${to}: copied without the token (two remotes sharing one would stale each other): log it in with e) Edit, or \`fjord config reconnect ${to}: --login-token <token>\``
          )
        }
      } else yield* say("This value must be one of the choices")
    }
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
    yield* menu(g, Remotes.configFile(g))
  })
