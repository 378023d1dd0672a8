/**
 * `fjord config …`: rclone's interactive dialog (`fjord config`) and its non-interactive
 * config commands over the config file of named remotes: `create NAME jottacloud key=value…`,
 * `show [NAME]`, `delete NAME`, `file`, `import-rclone NAME`, `reconnect NAME:`. This module
 * declares the commands only; their implementations (`internal/config.ts`, `internal/dialog.ts`,
 * with the SDK's login code) are loaded when a config command runs.
 *
 * @since 0.1.0
 */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Config from "effect/Config"
import { lazy } from "../internal/common.js"

const impl = () => import("../internal/config.js")

const loginTokenOption = Options.redacted("login-token").pipe(
  Options.withDescription("The new personal login token (web UI → Settings → Security); or $FJORD_LOGIN_TOKEN"),
  Options.withFallbackConfig(Config.redacted("FJORD_LOGIN_TOKEN")),
  Options.optional
)

const create = Command.make(
  "create",
  {
    name: Args.text({ name: "name" }).pipe(Args.withDescription("The new remote's name")),
    type: Args.text({ name: "type" }).pipe(Args.withDescription("The storage type: jottacloud")),
    keys: Args.text({ name: "key=value" }).pipe(
      Args.withDescription(
        "rclone's keys: config_type=standard|legacy, config_login_token=…, config_username=…, config_password=…, config_non_standard=true, config_device=…"
      ),
      Args.repeated
    )
  },
  lazy(impl, (m) => m.create)
).pipe(Command.withDescription("Create a remote from rclone's key=value pairs, logging in with them"))

const show = Command.make(
  "show",
  { name: Args.text({ name: "name" }).pipe(Args.withDescription("Only this remote"), Args.optional) },
  lazy(impl, (m) => m.showRemotes)
).pipe(Command.withDescription("Print the remotes (or one), their secrets redacted"))

const remove = Command.make(
  "delete",
  { name: Args.text({ name: "name" }).pipe(Args.withDescription("The remote to delete")) },
  lazy(impl, (m) => m.deleteRemote)
).pipe(Command.withDescription("Delete a remote from the config file"))

const file = Command.make(
  "file",
  {},
  lazy(impl, (m) => m.configFile)
).pipe(Command.withDescription("Print the path of the config file"))

const importRclone = Command.make(
  "import-rclone",
  {
    name: Args.text({ name: "name" }).pipe(Args.withDescription("The jottacloud remote's name in rclone.conf")),
    rcloneConfig: Options.text("rclone-config").pipe(
      Options.withDescription("rclone's config file (default $RCLONE_CONFIG or ~/.config/rclone/rclone.conf)"),
      Options.optional
    )
  },
  lazy(impl, (m) => m.importRclone)
).pipe(Command.withDescription("Copy a jottacloud remote (and its token) from rclone's config file"))

const reconnect = Command.make(
  "reconnect",
  {
    name: Args.text({ name: "name:" }).pipe(Args.withDescription("The remote to log in again")),
    loginToken: loginTokenOption
  },
  lazy(impl, (m) => m.reconnect)
).pipe(Command.withDescription("Log a remote in again with a new login token (its old token is discarded)"))

/**
 * The `config` command and its subcommands.
 *
 * @since 0.1.0
 * @category commands
 */
export const command = Command.make(
  "config",
  {},
  lazy(
    () => import("../internal/dialog.js"),
    (m) => m.dialog
  )
).pipe(
  Command.withDescription(
    "Set up remotes interactively (rclone's config dialog); or the subcommands, rclone's config commands"
  ),
  Command.withSubcommands([create, show, remove, file, importRclone, reconnect])
)
