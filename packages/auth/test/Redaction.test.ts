/**
 * No secret may appear in logs, span names/attributes/events or error output, including for
 * failing runs. Runs the login-token, legacy (2FA + device registration) and white-label
 * flows against the emulator under a capturing Logger and Tracer.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { assert, describe, it } from "@effect/vitest"
import * as Legacy from "@fjord/auth/Legacy"
import * as LoginToken from "@fjord/auth/LoginToken"
import * as TokenStore from "@fjord/auth/TokenStore"
import * as TwoFactorPrompt from "@fjord/auth/TwoFactorPrompt"
import * as Emulator from "@fjord/emulator/Emulator"
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as HashMap from "effect/HashMap"
import * as Inspectable from "effect/Inspectable"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import * as Tracer from "effect/Tracer"

const otpAccount: Emulator.Account = {
  username: "redactuser",
  email: "redact@example.org",
  password: "Pa55-word-that-must-not-leak",
  otp: "731902"
}

describe("secrets stay out of logs, spans and errors", () => {
  it.scoped("login token, legacy 2FA and failing refreshes leak nothing", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make({ accounts: [otpAccount] })
      const logs: Array<string> = []
      const spans: Array<Tracer.Span> = []
      const events: Array<string> = []
      const errors: Array<string> = []
      const secrets = new Set<string>([emu.loginToken, otpAccount.password, otpAccount.otp!])
      const decoded = yield* LoginToken.decode(emu.loginToken)
      secrets.add(Redacted.value(decoded.authToken))

      const capture = Logger.make((options) => {
        logs.push(
          [
            Inspectable.toStringUnknown(options.message),
            JSON.stringify(
              [...HashMap.toEntries(options.annotations)].map(([k, v]) => [k, Inspectable.toStringUnknown(v)])
            ),
            Cause.pretty(options.cause)
          ].join(" ")
        )
      })
      const base = yield* Effect.tracer
      const recording = Tracer.make({
        span: (name, parent, context, links, startTime, kind, options) => {
          const span = base.span(name, parent, context, links, startTime, kind, options)
          const event = span.event.bind(span)
          span.event = (eventName, time, attributes) => {
            events.push(`${eventName} ${Inspectable.toStringUnknown(attributes)}`)
            event(eventName, time, attributes)
          }
          spans.push(span)
          return span
        },
        context: base.context
      })
      const collect = (store: TokenStore.Service) =>
        Effect.map(store.get, (token) => {
          if (Option.isSome(token)) {
            secrets.add(Redacted.value(token.value.accessToken))
            if (token.value.refreshToken !== undefined) secrets.add(Redacted.value(token.value.refreshToken))
            if (token.value.clientSecret !== undefined) secrets.add(Redacted.value(token.value.clientSecret))
          }
        })
      const recordFailure = <A, E>(exit: Exit.Exit<A, E>) => {
        assert.isTrue(Exit.isFailure(exit))
        if (Exit.isFailure(exit)) {
          errors.push(Cause.pretty(exit.cause))
          for (const e of Cause.failures(exit.cause))
            errors.push(String(e), JSON.stringify(e), Inspectable.toStringUnknown(e))
        }
      }

      const program = Effect.gen(function* () {
        // standard flow, a refresh, then a revocation: StaleToken
        const store = yield* TokenStore.makeMemory()
        const auth = yield* LoginToken.make(emu.loginToken).pipe(Effect.provideService(TokenStore.TokenStore, store))
        yield* collect(store)
        yield* TestClock.adjust(Duration.hours(1))
        yield* auth.accessToken
        yield* collect(store)
        const current = Option.getOrThrow(yield* store.get)
        yield* emu.revokeRefreshToken(Redacted.value(current.refreshToken!))
        yield* auth.invalidate(current.accessToken)
        recordFailure(yield* Effect.exit(auth.accessToken))
        // the single-use login token, exchanged again
        const other = yield* TokenStore.makeMemory()
        recordFailure(
          yield* Effect.exit(LoginToken.make(emu.loginToken).pipe(Effect.provideService(TokenStore.TokenStore, other)))
        )
        // legacy with device registration and 2FA (password in the query string), then a wrong code
        const legacyStore = yield* TokenStore.makeMemory()
        const legacy = Legacy.make({
          username: otpAccount.email,
          password: Redacted.make(otpAccount.password),
          apiUrl: `${emu.url}/api`,
          registerDevice: true
        }).pipe(Effect.provideService(TokenStore.TokenStore, legacyStore))
        const legacyAuth = yield* legacy.pipe(Effect.provide(TwoFactorPrompt.layerStatic("731-902")))
        yield* collect(legacyStore)
        yield* TestClock.adjust(Duration.hours(1))
        yield* legacyAuth.accessToken
        yield* collect(legacyStore)
        recordFailure(
          yield* Effect.exit(
            Legacy.make({
              username: otpAccount.email,
              password: Redacted.make(otpAccount.password),
              apiUrl: `${emu.url}/api`,
              resume: false
            }).pipe(
              Effect.provideService(TokenStore.TokenStore, legacyStore),
              Effect.provide(TwoFactorPrompt.layerStatic("000-000"))
            )
          )
        )
      })

      yield* program.pipe(
        Effect.withTracer(recording),
        Effect.provide(
          Layer.mergeAll(Logger.replace(Logger.defaultLogger, capture), Logger.minimumLogLevel(LogLevel.All))
        ),
        Effect.provide(FetchHttpClient.layer)
      )

      const spanText = spans.map((s) =>
        JSON.stringify({
          name: s.name,
          attributes: [...s.attributes].map(([k, v]) => [k, Inspectable.toStringUnknown(v)]),
          exit: s.status._tag === "Ended" && Exit.isFailure(s.status.exit) ? Cause.pretty(s.status.exit.cause) : ""
        })
      )
      // the run did produce output to check
      assert.isAbove(logs.length, 0)
      assert.isTrue(spans.some((s) => s.name === "LoginToken.exchange"))
      assert.isTrue(spans.some((s) => s.attributes.has("url.full")))
      assert.strictEqual(errors.length, 12)
      assert.isAbove(secrets.size, 8)
      const everything = [...logs, ...spanText, ...events, ...errors]
      for (const secret of secrets) {
        assert.isAbove(secret.length, 5)
        for (const line of everything) {
          if (line.includes(secret)) assert.fail(`a secret leaked into: ${line.replaceAll(secret, "<SECRET>")}`)
        }
      }
    })
  )
})
