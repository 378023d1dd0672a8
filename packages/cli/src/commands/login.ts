/**
 * `fjord login` and `fjord logout`: the remote `jotta:` of the token file in `--config-dir`
 * (personal login token, legacy user name and password, white-label browser login, an
 * rclone remote's token, or the emulator's). The implementation is in `internal/login.ts`,
 * loaded when the command runs.
 *
 * @since 0.1.0
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Config from "effect/Config"
import { lazy } from "../internal/common.js"

const impl = () => import("../internal/login.js")

/** The options of `fjord login`. */
const options = {
  loginToken: Options.redacted("login-token").pipe(
    Options.withDescription("A personal login token (web UI → Settings → Security); or $FJORD_LOGIN_TOKEN"),
    Options.withFallbackConfig(Config.redacted("FJORD_LOGIN_TOKEN")),
    Options.optional
  ),
  emulator: Options.boolean("emulator").pipe(
    Options.withDescription("Log in to the emulator started by `fjord emulator` with the same --config-dir")
  ),
  service: Options.text("service").pipe(
    Options.withDescription(
      "Log in through the browser (authorization code) to a white-label service: telia_se, elkjop, …"
    ),
    Options.optional
  ),
  username: Options.text("username").pipe(
    Options.withDescription("Legacy login: user name or e-mail (with --password, or $FJORD_PASSWORD)"),
    Options.optional
  ),
  password: Options.redacted("password").pipe(
    Options.withFallbackConfig(Config.redacted("FJORD_PASSWORD")),
    Options.withDescription("Legacy login: the password"),
    Options.optional
  ),
  otp: Options.redacted("otp").pipe(
    Options.withDescription("Legacy login: the SMS code for two-factor accounts (asked for when missing)"),
    Options.optional
  ),
  rcloneConfig: Options.text("rclone-config").pipe(
    Options.withDescription("Import the token of a jottacloud remote from this rclone.conf (with --rclone-remote)"),
    Options.optional
  ),
  rcloneRemote: Options.text("rclone-remote").pipe(
    Options.withDescription("The remote's name in the rclone configuration"),
    Options.optional
  ),
  registerDevice: Options.boolean("register-device").pipe(
    Options.withDescription("Legacy login: register this machine for its own client id")
  ),
  redirectPort: Options.integer("redirect-port").pipe(
    Options.withDescription("Local port for the browser login's redirect (rclone's 53682)"),
    Options.withDefault(53682)
  )
}

/**
 * @since 0.1.0
 * @category commands
 */
export type LoginArgs = Command.Command.ParseConfig<typeof options>

/**
 * @since 0.1.0
 * @category commands
 */
export const commands = [
  Command.make(
    "login",
    options,
    lazy(impl, (m) => m.login)
  ).pipe(
    Command.withDescription(
      "Log in (personal login token, legacy password, white-label browser login, or the emulator) and save the token"
    )
  ),
  Command.make(
    "logout",
    {},
    lazy(impl, (m) => m.logout)
  ).pipe(Command.withDescription("Forget the saved token of fjord login (the settings stay)"))
] as const
