/**
 * Where rotated tokens are persisted. Jottacloud rotates the refresh token on every refresh
 * and kills the whole token family when an old one is presented again, so a refreshed token
 * must be stored before it is used, and processes that share one store must serialise their
 * refreshes: `update` runs its function under the store's lock (a cross-process lock for the
 * file store in `@fjord/node`) with the freshest stored value.
 *
 * @since 0.1.0
 */
import * as KeyValueStore from "@effect/platform/KeyValueStore"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as SynchronizedRef from "effect/SynchronizedRef"

/**
 * A token as it is persisted. Secrets are `Redacted` in memory and plain strings only in the
 * encoded (stored) form.
 *
 * @since 0.1.0
 * @category models
 */
export class StoredToken extends Schema.Class<StoredToken>("@fjord/auth/StoredToken")({
  /** `oidc` for the standard and white-label flows, `legacy` for auth/v1/token. */
  kind: Schema.Literal("oidc", "legacy"),
  accessToken: Schema.Redacted(Schema.String),
  refreshToken: Schema.optional(Schema.Redacted(Schema.String)),
  /** Expiry of the access token, epoch milliseconds. */
  expiresAt: Schema.Number,
  /** The token endpoint used for refreshes (rclone's `tokenURL`). */
  tokenUrl: Schema.String,
  clientId: Schema.String,
  clientSecret: Schema.optional(Schema.Redacted(Schema.String)),
  /**
   * Optional, non-secret fingerprint of the credential this token family was created from
   * (`login:<hex>` for a personal login token). `LoginToken` resumes a stored token only when
   * it came from the same login token, so a newly generated login token replaces a stale one.
   */
  origin: Schema.optional(Schema.String)
}) {}

/**
 * @since 0.1.0
 * @category errors
 */
export class TokenStoreError extends Schema.TaggedError<TokenStoreError>("@fjord/auth/TokenStoreError")(
  "TokenStoreError",
  { operation: Schema.String, cause: Schema.optional(Schema.Defect) }
) {
  override get message(): string {
    return `token store: ${this.operation} failed`
  }
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  readonly get: Effect.Effect<Option.Option<StoredToken>, TokenStoreError>
  readonly set: (token: StoredToken) => Effect.Effect<void, TokenStoreError>
  /**
   * Reads the current value, runs `f` on it and stores the result, all under the store's
   * lock, so no other writer (in this process or, for file stores, another one) interleaves.
   */
  readonly update: <E, R>(
    f: (current: Option.Option<StoredToken>) => Effect.Effect<StoredToken, E, R>
  ) => Effect.Effect<StoredToken, E | TokenStoreError, R>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class TokenStore extends Context.Tag("@fjord/auth/TokenStore")<TokenStore, Service>() {}

/**
 * An in-memory store, optionally seeded.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeMemory = (initial?: StoredToken): Effect.Effect<Service> =>
  Effect.map(SynchronizedRef.make(Option.fromNullable(initial)), (ref) =>
    TokenStore.of({
      get: SynchronizedRef.get(ref),
      set: (token) => SynchronizedRef.set(ref, Option.some(token)),
      update: (f) =>
        SynchronizedRef.modifyEffect(ref, (current) =>
          Effect.map(f(current), (next) => [next, Option.some(next)] as const)
        )
    })
  )

/**
 * @since 0.1.0
 * @category layers
 */
export const layerMemory = (initial?: StoredToken): Layer.Layer<TokenStore> =>
  Layer.effect(TokenStore, makeMemory(initial))

/**
 * A store over `@effect/platform`'s `KeyValueStore` (the token's encoded JSON under `key`,
 * default `"fjord-token"`). `update` is serialised within this process only: use the file
 * store of `@fjord/node` when several processes share one token.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeKeyValueStore = (key = "fjord-token"): Effect.Effect<Service, never, KeyValueStore.KeyValueStore> =>
  Effect.gen(function* () {
    const store = (yield* KeyValueStore.KeyValueStore).forSchema(StoredToken)
    const lock = yield* Effect.makeSemaphore(1)
    const get = store.get(key).pipe(Effect.mapError((cause) => new TokenStoreError({ operation: "get", cause })))
    const set = (token: StoredToken) =>
      store.set(key, token).pipe(Effect.mapError((cause) => new TokenStoreError({ operation: "set", cause })))
    return TokenStore.of({
      get,
      set: (token) => lock.withPermits(1)(set(token)),
      update: (f) =>
        lock.withPermits(1)(
          Effect.gen(function* () {
            const next = yield* f(yield* get)
            yield* set(next)
            return next
          })
        )
    })
  })

/**
 * @since 0.1.0
 * @category layers
 */
export const layerKeyValueStore = (key?: string): Layer.Layer<TokenStore, never, KeyValueStore.KeyValueStore> =>
  Layer.effect(TokenStore, makeKeyValueStore(key))
