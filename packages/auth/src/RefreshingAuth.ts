/**
 * Builds core's `JottaAuth` from a `TokenStore` and a refresh function. Every login layer
 * (`LoginToken`, `Legacy`, `WhiteLabel`, `SavedToken`) ends here.
 *
 * - The token is held in memory (a `SynchronizedRef`); `accessToken` returns it while it is
 *   valid, i.e. until `expiresAt - skew` per the `Clock` (skew: `options.skew`, else
 *   `AuthPolicy.RefreshSkew`, default 10 s).
 * - **Single flight**: callers that find the token expired queue on the ref's lock; the first
 *   one refreshes, the others then find the fresh token (or, if that refresh failed, get the
 *   same error) without another request.
 * - **Persist before use**: the refresh runs inside `TokenStore.update`, i.e. under the store's
 *   lock (cross-process for file stores), and the new token is written before anyone sees it.
 *   Inside `update`, if the stored token differs from the one held here and is still valid,
 *   another process has already rotated it: it is adopted instead of refreshing again.
 *   Otherwise the refresh uses the *stored* refresh token (the freshest one).
 * - `invalidate(token)` drops only that exact token (after a 401), so concurrent 401s for the
 *   same token cause a single refresh.
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import type { Service as AuthService } from "@fjord/core/Auth"
import { AuthError, JottaAuth } from "@fjord/core/Auth"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Equal from "effect/Equal"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import * as SynchronizedRef from "effect/SynchronizedRef"
import * as AuthPolicy from "./AuthPolicy.js"
import * as OAuthClient from "./OAuthClient.js"
import { type StoredToken, TokenStore, type TokenStoreError } from "./TokenStore.js"

/**
 * Turns a stored token into the next one (one refresh request, plus its retries).
 *
 * @since 0.1.0
 * @category models
 */
export type Refresh = (token: StoredToken) => Effect.Effect<StoredToken, AuthError>

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Refresh this long before expiry; default: `AuthPolicy.RefreshSkew`, read per call. */
  readonly skew?: Duration.DurationInput | undefined
  /**
   * Used when the store is empty (it is then written to the store). When the store holds a
   * token, the stored one wins.
   */
  readonly initial?: StoredToken | undefined
}

interface State {
  readonly token: StoredToken
  /** Set by `invalidate`: the held token was refused although it has not expired. */
  readonly invalid: boolean
  /** When this process obtained the token (epoch ms), if it did: bounds the skew (see `usable`). */
  readonly obtainedAt: Option.Option<number>
  /** Bumped by every refresh attempt, successful or not. */
  readonly generation: number
  readonly lastFailure: Option.Option<AuthError>
}

const storageError =
  (operation: string) =>
  (cause: TokenStoreError): AuthError =>
    new AuthError({ reason: "Storage", operation, description: "token store failed", cause })

/**
 * Whether `token` is still usable at `now` (epoch ms) with the given skew.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isFresh = (token: StoredToken, now: number, skew: Duration.DurationInput): boolean =>
  now + Duration.toMillis(skew) < token.expiresAt

const sameAccessToken = (a: StoredToken, b: StoredToken): boolean => Equal.equals(a.accessToken, b.accessToken)

/**
 * Builds the service from an explicit refresh function (tests pass a fake here).
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeWith = (refresh: Refresh, options: Options = {}): Effect.Effect<AuthService, AuthError, TokenStore> =>
  Effect.gen(function* () {
    const store = yield* TokenStore
    const stored = yield* Effect.mapError(store.get, storageError("RefreshingAuth.make"))
    const initial = yield* Option.match(stored, {
      onSome: Effect.succeed,
      onNone: () =>
        options.initial === undefined
          ? Effect.fail(
              new AuthError({
                reason: "InvalidToken",
                operation: "RefreshingAuth.make",
                description: "the token store is empty: log in first (for example with a personal login token)"
              })
            )
          : Effect.as(Effect.mapError(store.set(options.initial), storageError("RefreshingAuth.make")), options.initial)
    })
    const ref = yield* SynchronizedRef.make<State>({
      token: initial,
      invalid: false,
      obtainedAt: Option.none(),
      generation: 0,
      lastFailure: Option.none()
    })

    const skew: Effect.Effect<Duration.DurationInput> =
      options.skew === undefined ? AuthPolicy.RefreshSkew : Effect.succeed(options.skew)

    /**
     * Fresh and not invalidated. For tokens obtained here the skew is capped at half their
     * lifetime, so a lifetime shorter than the skew (tests often use a few seconds) does not
     * make every call refresh.
     */
    const usable = (state: State, now: number, skewValue: Duration.DurationInput): boolean =>
      !state.invalid &&
      isFresh(
        state.token,
        now,
        Option.match(state.obtainedAt, {
          onNone: () => skewValue,
          onSome: (at) => Math.min(Duration.toMillis(skewValue), Math.max(0, (state.token.expiresAt - at) / 2))
        })
      )

    /** Under the store lock: adopt another process's rotation, or refresh and persist. */
    const refreshAndLog = (token: StoredToken) =>
      Effect.tap(refresh(token), (next) =>
        Effect.logDebug("access token refreshed").pipe(
          Effect.annotateLogs("expiresAt", new Date(next.expiresAt).toISOString())
        )
      )

    const rotate = (held: StoredToken, now: number, skewValue: Duration.DurationInput) =>
      store
        .update((current) => {
          if (Option.isSome(current)) {
            const latest = current.value
            if (!sameAccessToken(latest, held) && isFresh(latest, now, skewValue)) {
              return Effect.as(Effect.logDebug("adopted the token another process already rotated"), latest)
            }
            return refreshAndLog(latest)
          }
          return refreshAndLog(held)
        })
        .pipe(
          Effect.catchTag("TokenStoreError", (e) => Effect.fail(storageError("RefreshingAuth.refresh")(e))),
          Effect.tapError((e) => Effect.logWarning(`access token refresh failed: ${e.message}`)),
          Effect.annotateLogs("fjord.auth", "RefreshingAuth"),
          Effect.withSpan("RefreshingAuth.refresh"),
          // A rotated refresh token must reach the store even if the caller is interrupted:
          // the refresh runs in its own fiber, the caller only joins it. (Token requests are
          // bounded by AuthPolicy.TokenRequestTimeout, so this fiber cannot hang forever.)
          Effect.forkDaemon,
          Effect.flatMap(Fiber.join)
        )

    const accessToken: Effect.Effect<Redacted.Redacted<string>, AuthError> = Effect.gen(function* () {
      const skewValue = yield* skew
      const seen = yield* SynchronizedRef.get(ref)
      if (usable(seen, yield* Clock.currentTimeMillis, skewValue)) return seen.token.accessToken
      const token = yield* SynchronizedRef.modifyEffect(ref, (state) =>
        Effect.gen(function* () {
          const now = yield* Clock.currentTimeMillis
          if (usable(state, now, skewValue)) return [Exit.succeed(state.token), state] as const
          // someone refreshed while we waited for the lock, and it failed: share that failure
          if (state.generation !== seen.generation && Option.isSome(state.lastFailure)) {
            return [Exit.fail(state.lastFailure.value), state] as const
          }
          const exit = yield* Effect.exit(rotate(state.token, now, skewValue))
          const next: State = Exit.isSuccess(exit)
            ? {
                token: exit.value,
                invalid: false,
                obtainedAt: Option.some(now),
                generation: state.generation + 1,
                lastFailure: Option.none()
              }
            : {
                ...state,
                generation: state.generation + 1,
                lastFailure: Option.some(
                  Option.getOrElse(
                    Exit.isFailure(exit) ? Cause.failureOption(exit.cause) : Option.none(),
                    () =>
                      new AuthError({
                        reason: "Transport",
                        operation: "RefreshingAuth.refresh",
                        description: "refresh died"
                      })
                  )
                )
              }
          return [exit, next] as const
        })
      )
      const fresh = yield* token
      return fresh.accessToken
    })

    const invalidate = (token: Redacted.Redacted<string>): Effect.Effect<void> =>
      SynchronizedRef.update(ref, (state) =>
        Equal.equals(state.token.accessToken, token) ? { ...state, invalid: true } : state
      )

    return JottaAuth.of({ accessToken, invalidate })
  })

/**
 * Builds the service with the standard refresh (`OAuthClient.refresh`: the grant the stored
 * token's `kind` calls for, with `AuthPolicy.RefreshRetry`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  options: Options = {}
): Effect.Effect<AuthService, AuthError, TokenStore | HttpClient.HttpClient> =>
  Effect.flatMap(HttpClient.HttpClient, (client) =>
    makeWith((token) => Effect.provideService(OAuthClient.refresh(token), HttpClient.HttpClient, client), options)
  )

/**
 * `JottaAuth` from whatever the `TokenStore` holds (or `options.initial`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<JottaAuth, AuthError, TokenStore | HttpClient.HttpClient> =>
  Layer.effect(JottaAuth, make(options))

/**
 * `JottaAuth` with a custom refresh function.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerWith = (refresh: Refresh, options: Options = {}): Layer.Layer<JottaAuth, AuthError, TokenStore> =>
  Layer.effect(JottaAuth, makeWith(refresh, options))
