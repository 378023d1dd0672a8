import { createHash } from "node:crypto"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Emulator from "@fjord/emulator/Emulator"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"
import * as Account from "../src/Account.js"
import { JottaAuth } from "../src/Auth.js"
import * as ContentHasher from "../src/ContentHasher.js"
import * as Files from "../src/Files.js"
import * as JottaClient from "../src/JottaClient.js"
import type * as JottaConfig from "../src/JottaConfig.js"
import * as RetryPolicy from "../src/RetryPolicy.js"

export const md5Hex = (input: Uint8Array | string): string => createHash("md5").update(input).digest("hex")

export const bytes = (s: string): Uint8Array => new TextEncoder().encode(s)

export const text = (u: Uint8Array): string => new TextDecoder().decode(u)

/** Collects a byte stream. */
export const collect = <E, R>(stream: Stream.Stream<Uint8Array, E, R>): Effect.Effect<Uint8Array, E, R> =>
  Effect.map(Stream.runCollect(stream), (chunks) => {
    const parts = Array.from(chunks)
    const out = new Uint8Array(parts.reduce((n, c) => n + c.length, 0))
    let offset = 0
    for (const c of parts) {
      out.set(c, offset)
      offset += c.length
    }
    return out
  })

/** Counters of the test auth double. */
export class AuthStats extends Context.Tag("test/AuthStats")<
  AuthStats,
  { readonly invalidations: Ref.Ref<number>; readonly issued: Ref.Ref<ReadonlyArray<string>> }
>() {}

/**
 * A `JottaAuth` built from the emulator handle: starts with `accessToken`; `invalidate` of the
 * current token issues a new one through `issueAccessToken`.
 */
export const authLayer: Layer.Layer<JottaAuth | AuthStats, never, Emulator.Emulator> = Layer.effectContext(
  Effect.gen(function* () {
    const emu = yield* Emulator.Emulator
    const current = yield* Ref.make(emu.accessToken)
    const invalidations = yield* Ref.make(0)
    const issued = yield* Ref.make<ReadonlyArray<string>>([emu.accessToken])
    const auth = JottaAuth.of({
      accessToken: Effect.map(Ref.get(current), Redacted.make),
      invalidate: (token) =>
        Effect.gen(function* () {
          if (Redacted.value(token) !== (yield* Ref.get(current))) return
          yield* Ref.update(invalidations, (n) => n + 1)
          const fresh = yield* emu.issueAccessToken()
          yield* Ref.set(current, fresh)
          yield* Ref.update(issued, (xs) => [...xs, fresh])
        })
    })
    return Context.make(JottaAuth, auth).pipe(Context.add(AuthStats, { invalidations, issued }))
  })
)

/** A retry policy with tiny delays (real sleeps of a few milliseconds). */
export const fastRetry = RetryPolicy.make({ baseDelay: "1 millis", maxDelay: "4 millis" })

/** Everything a test needs against a fresh emulator. */
export const makeEnv = (
  options: typeof JottaConfig.Options.Encoded = {},
  emulator: Emulator.Options = {}
): Layer.Layer<
  | Files.Files
  | Account.Account
  | JottaClient.JottaClient
  | JottaConfig.JottaConfig
  | Emulator.Emulator
  | AuthStats
  | JottaAuth
> => {
  const client = Layer.unwrapEffect(
    Effect.map(Emulator.Emulator, (emu) => JottaClient.layer({ endpoint: emu.url, ...options }))
  ).pipe(Layer.orDie)
  const services = Layer.mergeAll(Files.layer, Account.layer).pipe(Layer.provideMerge(client))
  return services.pipe(
    Layer.provide(ContentHasher.layerFunction(md5Hex)),
    Layer.provide(FetchHttpClient.layer),
    Layer.provideMerge(authLayer),
    Layer.provideMerge(Emulator.layer(emulator))
  )
}

export { Account, ContentHasher, Files, JottaClient, RetryPolicy }
