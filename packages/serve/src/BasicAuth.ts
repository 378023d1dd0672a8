/**
 * HTTP Basic authentication for the servers (or any `HttpApp`): one user and password, or
 * the bcrypt entries of an htpasswd file (`htpasswd -B`), verified with `bcryptjs`. A
 * request without valid credentials gets 401 with a `WWW-Authenticate` challenge.
 *
 * @since 0.1.0
 */
import * as FileSystem from "@effect/platform/FileSystem"
import type * as HttpApp from "@effect/platform/HttpApp"
import * as Effect from "effect/Effect"
import type * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as Internal from "./internal/auth.js"

/**
 * An htpasswd file could not be read or has an entry that is not bcrypt.
 *
 * @since 0.1.0
 * @category errors
 */
export class HtpasswdError extends Schema.TaggedError<HtpasswdError>("@fjord/serve/HtpasswdError")("HtpasswdError", {
  path: Schema.String,
  description: Schema.String,
  cause: Schema.optional(Schema.Defect)
}) {
  override get message(): string {
    return `${this.path}: ${this.description}`
  }
}

/**
 * Decides whether a user and password may pass.
 *
 * @since 0.1.0
 * @category models
 */
export type Check = Internal.Check

/**
 * One user and password.
 *
 * @since 0.1.0
 * @category constructors
 */
export const single: (user: string, password: Redacted.Redacted<string>) => Check = Internal.single

/**
 * The users of an htpasswd file's text (bcrypt entries only).
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromHtpasswd = (text: string, path = "htpasswd"): Effect.Effect<Check, HtpasswdError> => {
  const users = Internal.parseHtpasswd(text)
  return typeof users === "string"
    ? Effect.fail(new HtpasswdError({ path, description: users }))
    : Effect.succeed(Internal.htpasswd(users))
}

/**
 * The users of an htpasswd file.
 *
 * @since 0.1.0
 * @category constructors
 */
export const htpasswdFile = (path: string): Effect.Effect<Check, HtpasswdError, FileSystem.FileSystem> =>
  Effect.flatMap(FileSystem.FileSystem, (fs) =>
    fs.readFileString(path).pipe(
      Effect.mapError((cause) => new HtpasswdError({ path, description: "cannot read the file", cause })),
      Effect.flatMap((text) => fromHtpasswd(text, path))
    )
  )

/**
 * Wraps an app: requests without credentials that `check` accepts get 401.
 *
 * @since 0.1.0
 * @category middleware
 */
export const middleware: (check: Check) => <E, R>(app: HttpApp.Default<E, R>) => HttpApp.Default<E, R> =
  Internal.middleware
