/**
 * A file-backed `TokenStore` (from `@fjord/auth`) for Node.js.
 *
 * - The token is one JSON file, written as the `StoredToken` schema's encoded form.
 * - Writes are atomic: the new content goes to a temporary file in the same directory (created
 *   with `O_EXCL` and mode 0600, synced), which is then renamed over the old file. A reader
 *   sees the old token or the new one, never a partial file.
 * - The file is created with mode 0600 and its directory with mode 0700.
 * - `set` and `update` run under a cross-process lock (`proper-lockfile`: an atomic `mkdir` of
 *   `<file>.lock`, kept fresh while held, taken over when stale), and within the process
 *   under a semaphore. So two processes sharing one token file never present the same
 *   rotated refresh token twice: the second one to take the lock reads the first one's
 *   rotated token and finds it still fresh.
 *
 * @since 0.1.0
 */

import * as Os from "node:os"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePath from "@effect/platform-node/NodePath"
import * as TokenStore from "@fjord/auth/TokenStore"
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as Lockfile from "proper-lockfile"

/**
 * Options of the file store.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /**
   * A lock older than this (not refreshed by a live holder) is considered abandoned by a
   * crashed process and taken over. Default 10 seconds (proper-lockfile's minimum is 2).
   */
  readonly staleLock?: Duration.DurationInput | undefined
  /** How long to wait for the lock before failing. Default 60 seconds. */
  readonly lockTimeout?: Duration.DurationInput | undefined
}

/**
 * The default token file: `$FJORD_CONFIG_DIR/token.json`, else
 * `$XDG_CONFIG_HOME/fjord/token.json`, else `~/.config/fjord/token.json`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const defaultPath = (): string => {
  const dir = process.env.FJORD_CONFIG_DIR
  if (dir !== undefined && dir !== "") return `${dir.replace(/\/+$/, "")}/token.json`
  const xdg = process.env.XDG_CONFIG_HOME
  const base = xdg !== undefined && xdg !== "" ? xdg : `${Os.homedir()}/.config`
  return `${base}/fjord/token.json`
}

const TokenJson = Schema.parseJson(TokenStore.StoredToken, { space: 2 })
const decodeToken = Schema.decodeUnknown(TokenJson)
const encodeToken = Schema.encode(TokenJson)

const storeError = (operation: string) => (cause: unknown) => new TokenStore.TokenStoreError({ operation, cause })

/**
 * Builds a store over the file at `path` (created on the first write).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  file: string,
  options?: Options
): Effect.Effect<TokenStore.Service, never, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const target = path.resolve(file)
    const dir = path.dirname(target)
    const stale = Math.max(2000, Duration.toMillis(Duration.decode(options?.staleLock ?? "10 seconds")))
    const lockTimeout = Duration.decode(options?.lockTimeout ?? "60 seconds")
    const semaphore = yield* Effect.makeSemaphore(1)

    const read: Effect.Effect<Option.Option<TokenStore.StoredToken>, TokenStore.TokenStoreError> = fs
      .readFileString(target)
      .pipe(
        Effect.map((text) => Option.some(text)),
        Effect.catchIf(
          (e) => e._tag === "SystemError" && e.reason === "NotFound",
          () => Effect.succeed(Option.none<string>())
        ),
        Effect.mapError(storeError(`read ${target}`)),
        Effect.flatMap(
          Option.match({
            onNone: () => Effect.succeed(Option.none<TokenStore.StoredToken>()),
            onSome: (text) =>
              Effect.map(decodeToken(text), Option.some).pipe(
                // never keep the ParseError: its message can quote the file, i.e. the secrets
                Effect.mapError(
                  (e) =>
                    new TokenStore.TokenStoreError({
                      operation: `decode ${target} (invalid: ${ParseResult.ArrayFormatter.formatErrorSync(e)
                        .map((i) => (i.path.length === 0 ? "JSON document" : i.path.join(".")))
                        .join(", ")})`
                    })
                )
              )
          })
        )
      )

    const ensureDir = fs
      .makeDirectory(dir, { recursive: true, mode: 0o700 })
      .pipe(Effect.mapError(storeError(`mkdir ${dir}`)))

    const write = (token: TokenStore.StoredToken): Effect.Effect<void, TokenStore.TokenStoreError> =>
      Effect.gen(function* () {
        const text = yield* Effect.mapError(encodeToken(token), storeError("encode token"))
        const tmp = `${target}.${process.pid}.${Math.random().toString(36).slice(2, 10)}.tmp`
        yield* Effect.scoped(
          Effect.gen(function* () {
            const handle = yield* fs.open(tmp, { flag: "wx", mode: 0o600 })
            yield* handle.writeAll(new TextEncoder().encode(`${text}\n`))
            yield* handle.sync
          })
        ).pipe(
          Effect.zipRight(fs.chmod(tmp, 0o600)),
          Effect.zipRight(fs.rename(tmp, target)),
          Effect.mapError(storeError(`write ${target}`)),
          Effect.tapError(() => Effect.ignore(fs.remove(tmp)))
        )
      })

    const tryLock = Effect.tryPromise({
      try: () =>
        Lockfile.lock(target, {
          realpath: false,
          stale,
          retries: 0,
          // a compromised lock (taken over after a long stall) is reported by the next read;
          // never throw from a timer
          onCompromised: () => undefined
        }).then((release) => Option.some(release)),
      catch: (cause) => new TokenStore.TokenStoreError({ operation: `lock ${target}`, cause })
    }).pipe(
      Effect.catchIf(
        (e) => typeof e.cause === "object" && e.cause !== null && "code" in e.cause && e.cause.code === "ELOCKED",
        () => Effect.succeed(Option.none<() => Promise<void>>())
      )
    )

    /**
     * Runs as the (uninterruptible) acquire step of `acquireUseRelease`: each attempt is
     * atomic, and only the waits between attempts are interruptible, so an interrupted waiter
     * never leaves a lock behind and never waits for the whole timeout.
     */
    const acquireFileLock = Effect.gen(function* () {
      const started = yield* Clock.currentTimeMillis
      let delay = 5
      while (true) {
        const release = yield* tryLock
        if (Option.isSome(release)) return release.value
        if ((yield* Clock.currentTimeMillis) - started >= Duration.toMillis(lockTimeout)) {
          return yield* new TokenStore.TokenStoreError({
            operation: `lock ${target} (still held after ${Duration.format(lockTimeout)})`
          })
        }
        yield* Effect.interruptible(Effect.sleep(Duration.millis(delay * (0.5 + Math.random()))))
        delay = Math.min(100, delay * 1.5)
      }
    })

    const withLock = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | TokenStore.TokenStoreError, R> =>
      semaphore.withPermits(1)(
        Effect.zipRight(
          ensureDir,
          Effect.acquireUseRelease(
            acquireFileLock,
            () => effect,
            (release) => Effect.ignore(Effect.tryPromise(release))
          )
        )
      )

    return TokenStore.TokenStore.of({
      get: read,
      set: (token) => withLock(write(token)),
      update: (f) =>
        withLock(
          Effect.gen(function* () {
            const current = yield* read
            const next = yield* f(current)
            yield* write(next)
            return next
          })
        )
    })
  })

/**
 * A file store at `path`, using the platform `FileSystem` and `Path` from the context.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerFileSystem = (
  path: string,
  options?: Options
): Layer.Layer<TokenStore.TokenStore, never, FileSystem.FileSystem | Path.Path> =>
  Layer.effect(TokenStore.TokenStore, make(path, options))

/**
 * A file store at `path` (default {@link defaultPath}) with Node's file system.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (path?: string, options?: Options): Layer.Layer<TokenStore.TokenStore> =>
  layerFileSystem(path ?? defaultPath(), options).pipe(Layer.provide(Layer.merge(NodeFileSystem.layer, NodePath.layer)))

/**
 * A file store whose path is read from configuration: `FJORD_TOKEN_FILE` by default, else
 * {@link defaultPath}.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  path: Config.Config<string> = Config.string("FJORD_TOKEN_FILE").pipe(Config.withDefault(defaultPath())),
  options?: Options
): Layer.Layer<TokenStore.TokenStore, ConfigError.ConfigError> =>
  Layer.unwrapEffect(Effect.map(path, (p) => layer(p, options)))
