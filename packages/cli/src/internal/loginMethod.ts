/**
 * How `fjord login` logs in, chosen from its flags: a tagged union, so the choice (and its
 * usage errors) is a pure function with unit tests, and the login runs one case per method.
 * The precedence is the one documented in the README: an rclone remote's token, then the
 * legacy user name and password, then a white-label service's browser login, then a personal
 * login token (the flag's, else the emulator's with `--emulator`).
 */
import * as Data from "effect/Data"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"

/** The login flags `choose` reads. */
export interface Flags {
  readonly loginToken: Option.Option<Redacted.Redacted<string>>
  readonly emulator: boolean
  readonly service: Option.Option<string>
  readonly username: Option.Option<string>
  readonly password: Option.Option<Redacted.Redacted<string>>
  readonly otp: Option.Option<Redacted.Redacted<string>>
  readonly rcloneConfig: Option.Option<string>
  readonly rcloneRemote: Option.Option<string>
  readonly registerDevice: boolean
}

export type LoginMethod = Data.TaggedEnum<{
  /** The token (and device, mountpoint) of a jottacloud remote in an rclone config file. */
  Rclone: { readonly file: string; readonly remote: string }
  /** The legacy password grant; a two-factor account's code from `otp` or the terminal. */
  Legacy: {
    readonly username: string
    readonly password: Redacted.Redacted<string>
    readonly otp: Option.Option<Redacted.Redacted<string>>
    readonly registerDevice: boolean
  }
  /** The browser login (authorization code with PKCE) of a white-label service. */
  WhiteLabel: { readonly service: string }
  /** A personal login token given on the line (or `$FJORD_LOGIN_TOKEN`). */
  Token: { readonly token: Redacted.Redacted<string> }
  /** The login token `fjord emulator` left in the config directory. */
  Emulator: {}
}>

export const LoginMethod = Data.taggedEnum<LoginMethod>()

/** The method the flags ask for, or what is missing (a usage error's text). */
export const choose = (flags: Flags, services: ReadonlyArray<string>): Either.Either<LoginMethod, string> => {
  if (Option.isSome(flags.rcloneConfig)) {
    return Option.match(flags.rcloneRemote, {
      onNone: () => Either.left("--rclone-config needs --rclone-remote <name>"),
      onSome: (remote) =>
        Either.right(LoginMethod.Rclone({ file: flags.rcloneConfig.pipe(Option.getOrElse(() => "")), remote }))
    })
  }
  if (Option.isSome(flags.username)) {
    return Option.match(flags.password, {
      onNone: () => Either.left("--username needs --password (or $FJORD_PASSWORD)"),
      onSome: (password) =>
        Either.right(
          LoginMethod.Legacy({
            username: flags.username.pipe(Option.getOrElse(() => "")),
            password,
            otp: flags.otp,
            registerDevice: flags.registerDevice
          })
        )
    })
  }
  if (Option.isSome(flags.service)) {
    const service = flags.service.value
    return services.includes(service)
      ? Either.right(LoginMethod.WhiteLabel({ service }))
      : Either.left(`unknown service ${service} (known: ${services.join(", ")})`)
  }
  if (Option.isSome(flags.loginToken)) return Either.right(LoginMethod.Token({ token: flags.loginToken.value }))
  if (flags.emulator) return Either.right(LoginMethod.Emulator())
  return Either.left(
    "give --login-token <token> (or set FJORD_LOGIN_TOKEN), --service <name>, --username <name>, --rclone-config <file> or --emulator"
  )
}
