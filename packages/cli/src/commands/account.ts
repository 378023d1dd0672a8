/**
 * The account commands: `about` (quota, rclone's text and `--json`), `userinfo`, `devices`
 * (list, `--create`) and `mountpoints` (list, `--create`). Implementations in
 * `internal/account.ts`, loaded when a command runs.
 *
 * @since 0.1.0
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { lazy, remoteOnlyArg } from "../internal/common.js"

const impl = () => import("../internal/account.js")

const remote = remoteOnlyArg

/**
 * @since 0.1.0
 * @category commands
 */
export const commands = [
  Command.make(
    "about",
    {
      full: Options.boolean("full").pipe(Options.withDescription("Sizes in bytes instead of KiB, MiB, GiB…")),
      remote
    },
    lazy(impl, (m) => m.about)
  ).pipe(Command.withDescription("Quota: total, used and free space (free and total left out when unlimited)")),
  Command.make(
    "userinfo",
    { remote },
    lazy(impl, (m) => m.userinfo)
  ).pipe(Command.withDescription("The account's user information")),
  Command.make(
    "devices",
    {
      create: Options.text("create").pipe(
        Options.withDescription("Create a device with this name (for --device and the config dialog)"),
        Options.optional
      ),
      remote
    },
    lazy(impl, (m) => m.devices)
  ).pipe(Command.withDescription("List the devices and their mountpoints, or create a device")),
  Command.make(
    "mountpoints",
    {
      create: Options.text("create").pipe(
        Options.withDescription("Create a mountpoint with this name (not on the built-in device Jotta)"),
        Options.optional
      ),
      remote
    },
    lazy(impl, (m) => m.mountpoints)
  ).pipe(Command.withDescription("List the mountpoints of --device (default Jotta), or create one"))
] as const
