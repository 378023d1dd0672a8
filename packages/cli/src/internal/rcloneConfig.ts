/**
 * The config file of named remotes, in rclone's INI format and with rclone's keys, so an
 * rclone.conf as rclone 1.60 writes it for jottacloud works as is (`configVersion = 1` for the
 * standard and white-label flows, `0` for legacy; protocol §2.10):
 *
 * ```ini
 * [myjotta]
 * type = jottacloud
 * configVersion = 1
 * client_id = jottacli
 * client_secret =
 * tokenURL = https://id.jottacloud.com/auth/realms/jottacloud/protocol/openid-connect/token
 * token = {"access_token":"…","token_type":"Bearer","refresh_token":"…","expiry":"…"}
 * username = someone@example.com
 * device = Jotta
 * mountpoint = Archive
 * ```
 *
 * fjord adds one key, `endpoint` (an emulator's base URL). The file is written with mode 0600
 * (it holds tokens) by replacing it atomically; every read-modify-write, including the
 * write-back of a rotated token, runs under a cross-process lock (`proper-lockfile`, the same
 * lock the token file of `@fjord/node` uses), because Jottacloud kills a token family when an
 * old refresh token is presented again.
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as SavedToken from "@fjord/auth/SavedToken"
import * as TokenStore from "@fjord/auth/TokenStore"
import type { AuthError } from "@fjord/core/Auth"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as Ini from "ini"
import * as Lockfile from "proper-lockfile"

/** One remote: rclone's keys and their values, as strings. */
export type Section = Readonly<Record<string, string>>

/** Every remote of a file, by name. */
export type Sections = Readonly<Record<string, Section>>

export class ConfigFileError extends Schema.TaggedError<ConfigFileError>("@fjord/cli/ConfigFileError")(
  "ConfigFileError",
  { description: Schema.String, cause: Schema.optional(Schema.Defect) }
) {
  override get message(): string {
    return this.description
  }
}

/** The keys whose values are secrets (never printed). */
export const secretKeys: ReadonlySet<string> = new Set(["token", "client_secret", "password"])

/**
 * Flattens what `ini` decodes: values become strings (it turns `true`/`false` into booleans),
 * and a dotted section name, which `ini` nests (`[a.b]` → `{ a: { b } }`), is joined again.
 */
const flatten = (decoded: Record<string, unknown>): Record<string, Record<string, string>> => {
  const sections: Record<string, Record<string, string>> = {}
  const visit = (name: string, value: Record<string, unknown>) => {
    const section: Record<string, string> = {}
    let hasKeys = false
    for (const [key, v] of Object.entries(value)) {
      if (typeof v === "object" && v !== null && !Array.isArray(v)) {
        visit(`${name}.${key}`, v as Record<string, unknown>)
      } else {
        section[key] = Array.isArray(v) ? v.map(String).join(",") : String(v)
        hasKeys = true
      }
    }
    // a dotted name's prefix is no section of its own unless the file has one
    if (hasKeys || Object.keys(value).length === 0) sections[name] = section
  }
  for (const [name, value] of Object.entries(decoded)) {
    if (typeof value === "object" && value !== null && !Array.isArray(value)) {
      visit(name, value as Record<string, unknown>)
    }
  }
  return sections
}

/** Parses a config file's text. */
export const parse = (text: string): Sections => flatten(Ini.parse(text))

/** The text of a config file, `key = value` as rclone writes it, one blank line between remotes. */
export const stringify = (sections: Sections): string =>
  Object.entries(sections)
    .map(([name, section]) => Ini.stringify(section, { section: name, whitespace: true }))
    .join("\n")

/** Reads the file (absent: no remotes). */
export const read = (file: string): Effect.Effect<Sections, ConfigFileError, FileSystem.FileSystem> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const text = yield* fs.readFileString(file).pipe(
      Effect.catchIf(
        (e) => e._tag === "SystemError" && e.reason === "NotFound",
        () => Effect.succeed("")
      ),
      Effect.mapError((cause) => new ConfigFileError({ description: `cannot read the config file ${file}`, cause }))
    )
    if (text.startsWith("RCLONE_ENCRYPT_V0:")) {
      return yield* new ConfigFileError({
        description: `${file} is encrypted (rclone config password): decrypt it with \`rclone config encryption remove\``
      })
    }
    return parse(text)
  })

/** Replaces the file atomically, mode 0600. */
export const write = (file: string, sections: Sections): Effect.Effect<void, ConfigFileError, FileSystem.FileSystem> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const dir = file.includes("/") ? file.slice(0, file.lastIndexOf("/")) : "."
    const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2, 10)}.tmp`
    yield* fs.makeDirectory(dir, { recursive: true, mode: 0o700 }).pipe(
      Effect.zipRight(fs.writeFileString(tmp, stringify(sections), { flag: "wx", mode: 0o600 })),
      Effect.zipRight(fs.chmod(tmp, 0o600)),
      Effect.zipRight(fs.rename(tmp, file)),
      Effect.tapError(() => Effect.ignore(fs.remove(tmp))),
      Effect.mapError((cause) => new ConfigFileError({ description: `cannot write the config file ${file}`, cause }))
    )
  })

/** Runs `effect` holding the file's cross-process lock (`<file>.lock`). */
export const withLock = <A, E, R>(
  file: string,
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, E | ConfigFileError, R | FileSystem.FileSystem> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const dir = file.includes("/") ? file.slice(0, file.lastIndexOf("/")) : "."
    yield* fs
      .makeDirectory(dir, { recursive: true, mode: 0o700 })
      .pipe(Effect.mapError((cause) => new ConfigFileError({ description: `cannot create ${dir}`, cause })))
    return yield* Effect.acquireUseRelease(
      Effect.tryPromise({
        try: () =>
          Lockfile.lock(file, {
            realpath: false,
            stale: 10_000,
            retries: { retries: 600, minTimeout: 5, maxTimeout: 100 },
            onCompromised: () => undefined
          }),
        catch: (cause) => new ConfigFileError({ description: `cannot lock the config file ${file}`, cause })
      }),
      () => effect,
      (release) => Effect.ignore(Effect.tryPromise(release))
    )
  })

/** Reads, changes and writes the file under its lock; returns what `f` returns besides the sections. */
export const modify = <A, E, R>(
  file: string,
  f: (sections: Sections) => Effect.Effect<readonly [A, Sections], E, R>
): Effect.Effect<A, E | ConfigFileError, R | FileSystem.FileSystem> =>
  withLock(
    file,
    Effect.gen(function* () {
      const [a, next] = yield* f(yield* read(file))
      yield* write(file, next)
      return a
    })
  )

/** The section with `key` set (or removed when `undefined`), keys kept in order. */
export const setKeys = (section: Section, keys: Readonly<Record<string, string | undefined>>): Section => {
  const next: Record<string, string> = { ...section }
  for (const [k, v] of Object.entries(keys)) {
    if (v === undefined) delete next[k]
    else next[k] = v
  }
  return next
}

/** The remotes fjord can use (`type = jottacloud`) and the others, with their types. */
export const partition = (sections: Sections) => {
  const jotta: Array<string> = []
  const other: Array<readonly [string, string]> = []
  for (const [name, s] of Object.entries(sections)) {
    if (s.type === "jottacloud") jotta.push(name)
    else other.push([name, s.type ?? "unknown"])
  }
  return { jotta, other }
}

/** A section for printing: secrets replaced. */
export const redact = (section: Section): Section =>
  Object.fromEntries(
    Object.entries(section).map(([k, v]) => [k, secretKeys.has(k) && v !== "" ? "*** REDACTED ***" : v])
  )

/** The API base under an emulator's endpoint (what the legacy token URL is relative to). */
export const apiUrl = (section: Section): string | undefined =>
  section.endpoint === undefined || section.endpoint === "" ? undefined : `${section.endpoint.replace(/\/+$/, "")}/api/`

const storeError = (operation: string) => (cause: unknown) => new TokenStore.TokenStoreError({ operation, cause })

/** Never keep the `AuthError`'s cause: it could quote the token. */
const decodeToken = (name: string, section: Section) =>
  SavedToken.fromRclone(section, { apiUrl: apiUrl(section) }).pipe(
    Effect.mapError((e: AuthError) => new TokenStore.TokenStoreError({ operation: `remote ${name}: ${e.message}` }))
  )

/**
 * The token of remote `name`, read from and written back to the config file: `get` decodes the
 * `token` key (none when it is empty), `set` and `update` rewrite it under the file's lock with
 * the freshest file contents, keeping `tokenURL` and `client_id` in step with the token.
 */
export const tokenStore = (
  file: string,
  name: string
): Effect.Effect<TokenStore.Service, never, FileSystem.FileSystem> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const semaphore = yield* Effect.makeSemaphore(1)
    const provide = <A, E>(effect: Effect.Effect<A, E, FileSystem.FileSystem>) =>
      Effect.provideService(effect, FileSystem.FileSystem, fs)
    const current = (
      sections: Sections
    ): Effect.Effect<Option.Option<TokenStore.StoredToken>, TokenStore.TokenStoreError> => {
      const section = sections[name]
      if (section === undefined || section.token === undefined || section.token === "") {
        return Effect.succeed(Option.none())
      }
      return Effect.map(decodeToken(name, section), Option.some)
    }
    const withToken = (sections: Sections, token: TokenStore.StoredToken): Sections => ({
      ...sections,
      [name]: setKeys(sections[name] ?? { type: "jottacloud" }, {
        configVersion: token.kind === "legacy" ? "0" : "1",
        client_id: token.clientId,
        ...(token.kind === "oidc" ? { tokenURL: token.tokenUrl } : {}),
        token: Redacted.value(SavedToken.toRcloneToken(token))
      })
    })
    const update = <E, R>(
      f: (current: Option.Option<TokenStore.StoredToken>) => Effect.Effect<TokenStore.StoredToken, E, R>
    ): Effect.Effect<TokenStore.StoredToken, E | TokenStore.TokenStoreError, R> =>
      semaphore.withPermits(1)(
        modify(file, (sections) =>
          Effect.flatMap(current(sections), f).pipe(Effect.map((next) => [next, withToken(sections, next)] as const))
        ).pipe(
          Effect.provideService(FileSystem.FileSystem, fs),
          Effect.catchIf(
            (e): e is ConfigFileError => e instanceof ConfigFileError,
            (e) => Effect.fail(storeError(e.description)(e.cause))
          )
        )
      )
    return TokenStore.TokenStore.of({
      get: provide(read(file)).pipe(
        Effect.mapError((e) => storeError(e.description)(e.cause)),
        Effect.flatMap(current)
      ),
      set: (token) => Effect.asVoid(update(() => Effect.succeed(token))),
      update
    })
  })
