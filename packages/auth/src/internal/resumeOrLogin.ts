/**
 * The `make` of the interactive login layers (Legacy, WhiteLabel): resume from the token store
 * when it holds a token of this kind (unless `resume: false`), else log in and store the token;
 * then refresh through `RefreshingAuth`.
 *
 * @internal
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import { AuthError, type Service as AuthService } from "@fjord/core/Auth"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as RefreshingAuth from "../RefreshingAuth.js"
import { type StoredToken, TokenStore, type TokenStoreError } from "../TokenStore.js"

/** @internal */
export const resumeOrLogin = <R>(
  operation: string,
  kind: StoredToken["kind"],
  options: RefreshingAuth.Options & { readonly resume?: boolean | undefined },
  login: Effect.Effect<StoredToken, AuthError, R>
): Effect.Effect<AuthService, AuthError, R | TokenStore | HttpClient.HttpClient> =>
  Effect.gen(function* () {
    const storageError = (cause: TokenStoreError): AuthError =>
      new AuthError({ reason: "Storage", operation, description: "token store failed", cause })
    const store = yield* TokenStore
    // interactive logins (browser, SMS code) run outside the store's lock; only the write is locked
    const current = yield* Effect.mapError(store.get, storageError)
    if (!(Option.isSome(current) && current.value.kind === kind && options.resume !== false)) {
      const token = yield* login
      yield* Effect.mapError(store.set(token), storageError)
    }
    return yield* RefreshingAuth.make(options)
  })
