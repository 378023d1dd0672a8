/**
 * The localhost redirect catcher for the authorization-code flow (white-label services,
 * protocol §2.5). It listens on `127.0.0.1:<port>` (rclone uses 53682; port 0 picks a free
 * one), gives the `redirect_uri` to put in the authorization URL, and waits for the browser
 * to come back with `?code=…&state=…`. The state is checked, the browser gets a small HTML
 * page, and the code is returned `Redacted`. The listener is scoped: it closes with its scope.
 *
 * @since 0.1.0
 */

import * as Http from "node:http"
import * as AuthRedirectCatcher from "@fjord/auth/RedirectCatcher"
import { AuthError } from "@fjord/core/Auth"
import * as Console from "effect/Console"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"

/**
 * rclone's redirect port.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultPort = 53682

/**
 * Why catching the redirect failed.
 *
 * @since 0.1.0
 * @category errors
 */
export class RedirectCatcherError extends Schema.TaggedError<RedirectCatcherError>("@fjord/node/RedirectCatcherError")(
  "RedirectCatcherError",
  {
    reason: Schema.Literal("Listen", "StateMismatch", "AuthorizationDenied", "MissingCode", "Timeout"),
    description: Schema.String,
    cause: Schema.optional(Schema.Defect)
  }
) {
  override get message(): string {
    return `redirect catcher: ${this.reason}: ${this.description}`
  }
}

/**
 * A running catcher.
 *
 * @since 0.1.0
 * @category models
 */
export interface RedirectCatcher {
  /** The `redirect_uri` to send to the authorization endpoint (`http://localhost:<port>/`). */
  readonly redirectUri: string
  /** The port actually listened on. */
  readonly port: number
  /**
   * Waits for the redirect, checks that it carries `state`, and yields the authorization code.
   */
  readonly awaitCode: (state: string) => Effect.Effect<Redacted.Redacted<string>, RedirectCatcherError>
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Default {@link defaultPort}; 0 picks a free port. */
  readonly port?: number | undefined
  /** Default `127.0.0.1`. */
  readonly host?: string | undefined
  /** Host name written in the redirect URI. Default `localhost` (as rclone). */
  readonly redirectHost?: string | undefined
  /** How long `awaitCode` waits. Default 5 minutes. */
  readonly timeout?: Duration.DurationInput | undefined
}

const page = (title: string, text: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head>` +
  `<body style="font-family:sans-serif;margin:3em"><h1>${title}</h1><p>${text}</p></body></html>\n`

interface Received {
  readonly code: string | null
  readonly state: string | null
  readonly error: string | null
  readonly errorDescription: string | null
}

/**
 * Starts a catcher; it stops listening when the scope closes.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options?: Options): Effect.Effect<RedirectCatcher, RedirectCatcherError, Scope.Scope> =>
  Effect.gen(function* () {
    const host = options?.host ?? "127.0.0.1"
    const timeout = Duration.decode(options?.timeout ?? "5 minutes")
    const received = yield* Deferred.make<Received>()
    let expectedState: string | undefined

    const handler = (req: Http.IncomingMessage, res: Http.ServerResponse) => {
      const url = new URL(req.url ?? "/", "http://localhost")
      const params = url.searchParams
      if (req.method !== "GET" || url.pathname !== "/" || (!params.has("code") && !params.has("error"))) {
        res.writeHead(404, { "content-type": "text/plain" }).end("not found\n")
        return
      }
      const r: Received = {
        code: params.get("code"),
        state: params.get("state"),
        error: params.get("error"),
        errorDescription: params.get("error_description")
      }
      const ok = r.error === null && r.code !== null && (expectedState === undefined || r.state === expectedState)
      res
        .writeHead(ok ? 200 : 400, { "content-type": "text/html; charset=utf-8", connection: "close" })
        .end(
          ok
            ? page("fjord: login complete", "You can close this window and return to the terminal.")
            : page("fjord: login failed", "The authorization did not complete; see the terminal.")
        )
      Deferred.unsafeDone(received, Effect.succeed(r))
    }

    const server = yield* Effect.acquireRelease(
      Effect.async<Http.Server, RedirectCatcherError>((resume) => {
        const server = Http.createServer(handler)
        const onError = (cause: Error) =>
          resume(
            Effect.fail(
              new RedirectCatcherError({
                reason: "Listen",
                description: `cannot listen on ${host}:${options?.port ?? defaultPort}`,
                cause
              })
            )
          )
        server.once("error", onError)
        server.listen(options?.port ?? defaultPort, host, () => {
          server.off("error", onError)
          resume(Effect.succeed(server))
        })
      }),
      (server) =>
        Effect.async<void>((resume) => {
          server.close(() => resume(Effect.void))
          server.closeAllConnections()
        })
    )
    const address = server.address()
    const port = typeof address === "object" && address !== null ? address.port : (options?.port ?? defaultPort)
    const redirectUri = `http://${options?.redirectHost ?? "localhost"}:${port}/`

    const awaitCode = (state: string) =>
      Effect.gen(function* () {
        expectedState = state
        const r = yield* Deferred.await(received).pipe(
          Effect.timeoutFail({
            duration: timeout,
            onTimeout: () =>
              new RedirectCatcherError({
                reason: "Timeout",
                description: `no redirect to ${redirectUri} within ${Duration.format(timeout)}`
              })
          })
        )
        if (r.error !== null) {
          return yield* new RedirectCatcherError({
            reason: "AuthorizationDenied",
            description: r.errorDescription === null ? r.error : `${r.error}: ${r.errorDescription}`
          })
        }
        if (r.state !== state) {
          return yield* new RedirectCatcherError({
            reason: "StateMismatch",
            description: "the redirect carried a different state (possible forged request)"
          })
        }
        if (r.code === null || r.code === "") {
          return yield* new RedirectCatcherError({ reason: "MissingCode", description: "the redirect carried no code" })
        }
        return Redacted.make(r.code)
      })

    return { redirectUri, port, awaitCode }
  })

/**
 * Options of {@link layer}.
 *
 * @since 0.1.0
 * @category models
 */
export interface LayerOptions extends Options {
  /**
   * Shows the authorization URL to the user. Default: prints it on stderr with an invitation
   * to open it in a browser. Tests can fetch it instead (the emulator auto-approves).
   */
  readonly onAuthorizationUrl?: ((url: string) => Effect.Effect<void>) | undefined
}

const toAuthError = (e: RedirectCatcherError): AuthError =>
  new AuthError({
    reason: e.reason === "Listen" || e.reason === "Timeout" ? "Transport" : "InvalidCredentials",
    operation: "RedirectCatcher.waitForCode",
    description: e.message
  })

/**
 * Provides `@fjord/auth`'s `RedirectCatcher` with a localhost listener that lives as long as
 * the layer.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options?: LayerOptions): Layer.Layer<AuthRedirectCatcher.RedirectCatcher, RedirectCatcherError> =>
  Layer.scoped(
    AuthRedirectCatcher.RedirectCatcher,
    Effect.map(make(options), (catcher) =>
      AuthRedirectCatcher.RedirectCatcher.of({
        redirectUri: catcher.redirectUri,
        waitForCode: ({ authorizationUrl, state }) =>
          Effect.gen(function* () {
            const waiting = yield* Effect.fork(catcher.awaitCode(state))
            yield* (
              options?.onAuthorizationUrl ??
              ((url: string) => Console.error(`Open this URL in your browser to log in:\n  ${url}`))
            )(authorizationUrl)
            const code = yield* Effect.mapError(Fiber.join(waiting), toAuthError)
            return { code }
          })
      })
    )
  )
