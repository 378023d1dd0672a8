/**
 * Prompts on the terminal, and never a prompt that waits on a stdin that is not a terminal:
 * `Interactive` says whether prompting is allowed (stdin is a TTY; a test driving the
 * `Terminal` sets it). The SMS code of a two-factor account, and the browser login's
 * redirect (caught locally, or pasted on a machine without a browser).
 */
import * as Prompt from "@effect/cli/Prompt"
import * as Terminal from "@effect/platform/Terminal"
import * as RedirectCatcher from "@fjord/auth/RedirectCatcher"
import * as TwoFactorPrompt from "@fjord/auth/TwoFactorPrompt"
import { AuthError } from "@fjord/core/Auth"
import * as NodeRedirectCatcher from "@fjord/node/NodeRedirectCatcher"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"

/** Whether the CLI may prompt (stdin is a terminal). */
export class Interactive extends Context.Reference<Interactive>()("@fjord/cli/Interactive", {
  defaultValue: () => process.stdin.isTTY === true
}) {}

/** The SMS code of a two-factor account, asked on the terminal; without one, the flag to pass. */
export const twoFactorLayer = (flag: string) =>
  Layer.effect(
    TwoFactorPrompt.TwoFactorPrompt,
    Effect.gen(function* () {
      const interactive = yield* Interactive
      const terminal = yield* Terminal.Terminal
      const missing = new AuthError({
        reason: "TwoFactorRequired",
        operation: "fjord login",
        description: `this account needs the SMS code sent to its phone: pass ${flag}`
      })
      return TwoFactorPrompt.TwoFactorPrompt.of({
        code: interactive
          ? Prompt.password({ message: "SMS code sent to your phone" }).pipe(
              Effect.mapError(() => missing),
              Effect.provideService(Terminal.Terminal, terminal)
            )
          : Effect.fail(missing)
      })
    })
  )

/** The code (and state) of a pasted redirect address: `http://localhost:53682/?code=…&state=…`. */
export const codeFromPastedUrl = (text: string, state: string): Either.Either<Redacted.Redacted<string>, string> => {
  let url: URL
  try {
    url = new URL(text.trim())
  } catch {
    return Either.left("that is not an address: paste the whole address from the browser's address bar")
  }
  const error = url.searchParams.get("error")
  if (error !== null) return Either.left(`the login was refused: ${error}`)
  if (url.searchParams.get("state") !== state) return Either.left("that address belongs to another login attempt")
  const code = url.searchParams.get("code")
  return code === null || code === "" ? Either.left("that address carries no code") : Either.right(Redacted.make(code))
}

/**
 * The browser login's redirect: caught on `127.0.0.1:port` as rclone does, and — on a
 * terminal — also taken pasted, as `rclone authorize` does for a machine without a browser:
 * the user opens the printed URL anywhere and pastes the address the browser was sent to.
 * When the port cannot be opened, pasting is the only way (on a terminal).
 */
export const browserLogin = (o: { readonly port: number; readonly show: (text: string) => Effect.Effect<void> }) =>
  Layer.scoped(
    RedirectCatcher.RedirectCatcher,
    Effect.gen(function* () {
      const interactive = yield* Interactive
      const terminal = yield* Terminal.Terminal
      const local = yield* Layer.build(
        NodeRedirectCatcher.layer({
          port: o.port,
          onAuthorizationUrl: (url) => o.show(`Open this URL in your browser to log in:\n  ${url}`)
        })
      ).pipe(
        Effect.map((ctx) => Option.some(Context.get(ctx, RedirectCatcher.RedirectCatcher))),
        Effect.catchAll((e) => (interactive ? Effect.succeed(Option.none()) : Effect.fail(e)))
      )
      if (!interactive && Option.isSome(local)) return local.value
      const pasted = (state: string): Effect.Effect<{ readonly code: Redacted.Redacted<string> }, AuthError> =>
        Prompt.text({
          message: "Or paste the address your browser was sent to (on a machine without a browser)"
        }).pipe(
          Effect.provideService(Terminal.Terminal, terminal),
          Effect.mapError(
            () =>
              new AuthError({
                reason: "InvalidCredentials",
                operation: "fjord login",
                description: "no address pasted"
              })
          ),
          Effect.flatMap((text) =>
            Either.match(codeFromPastedUrl(text, state), {
              onLeft: (description) =>
                Effect.zipRight(
                  Effect.orDie(terminal.display(`${description}\n`)),
                  Effect.suspend(() => pasted(state))
                ),
              onRight: (code) => Effect.succeed({ code })
            })
          )
        )
      return RedirectCatcher.RedirectCatcher.of({
        redirectUri: Option.match(local, {
          onNone: () => `http://localhost:${o.port}/`,
          onSome: (c) => c.redirectUri
        }),
        waitForCode: (request) =>
          Option.match(local, {
            onNone: () =>
              Effect.zipRight(
                o.show(`Open this URL in your browser to log in:\n  ${request.authorizationUrl}`),
                pasted(request.state)
              ),
            onSome: (catcher) =>
              Effect.raceFirst(catcher.waitForCode(request), Effect.delay(pasted(request.state), "100 millis"))
          })
      })
    })
  )
