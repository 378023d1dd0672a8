/**
 * What every `Files` operation shares, built once in `Files.make`: the client, its
 * configuration and the content hasher, and the steps from a caller's path to a request:
 * resolution (the username lookup, then name checks and encoding, §1.3, §8), the command POST
 * (§1.7), and errors naming the current operation (set by `Op.fn`) and the location.
 *
 * @internal
 */
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Effect from "effect/Effect"
import { ContentHasher } from "../../ContentHasher.js"
import type { Path } from "../../Files.js"
import { JottaClient, type RequestOptions, type Response } from "../../JottaClient.js"
import type * as JottaConfig from "../../JottaConfig.js"
import * as JottaError from "../../JottaError.js"
import * as Loc from "../location.js"
import * as Op from "../operation.js"
import * as Username from "../username.js"

/**
 * The services every operation uses.
 */
export interface FilesContext {
  readonly client: JottaClient["Type"]
  readonly config: JottaConfig.Service
  readonly hasher: ContentHasher["Type"]
}

/** Reads the context from the environment (once, in `Files.make`). */
export const make: Effect.Effect<FilesContext, never, JottaClient | ContentHasher> = Effect.gen(function* () {
  const client = yield* JottaClient
  const hasher = yield* ContentHasher
  return { client, config: client.config, hasher }
})

/**
 * `Op.fn` for a `Files` operation: its name written once, its first argument the path its
 * errors name.
 */
export const op = (name: string) => Op.fn(name, Loc.displayUnknown)

/** The account's internal username (cached per client). */
export const username = (ctx: FilesContext): Effect.Effect<string, JottaError.JottaError> =>
  Username.username(ctx.client)

/** Resolves a caller's path (the root when omitted). */
export const resolve = (
  ctx: FilesContext,
  path: Path | undefined
): Effect.Effect<Loc.Location, JottaError.JottaError> =>
  Effect.flatMap(username(ctx), (user) => Loc.resolve(ctx.config, user, path ?? ""))

/** Puts a location on the current span. */
export const annotate = (loc: Loc.Location): Effect.Effect<void> => Effect.annotateCurrentSpan("path", loc.display)

/** Resolves `path` and puts it on the current span. */
export const resolveAnnotated = (
  ctx: FilesContext,
  path: Path | undefined
): Effect.Effect<Loc.Location, JottaError.JottaError> => Effect.tap(resolve(ctx, path), annotate)

/** Resolves a source and a destination and puts both on the current span. */
export const resolvePair = (ctx: FilesContext, source: Path, destination: Path) =>
  Effect.gen(function* () {
    const src = yield* resolve(ctx, source)
    const dst = yield* resolve(ctx, destination)
    yield* Effect.annotateCurrentSpan({ path: src.display, destination: dst.display })
    return { src, dst }
  })

/** Error fields: the current operation and `loc`. */
export const at = (loc: Loc.Location): Effect.Effect<{ readonly operation: string; readonly path?: string }> =>
  Op.at(loc.display)

/** `NotFound` at `loc`. */
export const notFound = (loc: Loc.Location, description?: string): Effect.Effect<never, JottaError.NotFound> =>
  Effect.flatMap(at(loc), (where) =>
    Effect.fail(new JottaError.NotFound({ ...where, ...(description === undefined ? {} : { description }) }))
  )

/** The error for an operation that cannot act on the root (`loc`). */
export const rootRefused = (loc: Loc.Location, description: string): Effect.Effect<never, JottaError.InvalidName> =>
  Effect.flatMap(at(loc), (where) =>
    Effect.fail(new JottaError.InvalidName({ ...where, reason: "Empty", description }))
  )

/** A command POST: no body, no Content-Type (§1.7). */
export const command = (url: string, params: Record<string, string>): HttpClientRequest.HttpClientRequest =>
  HttpClientRequest.setUrlParams(HttpClientRequest.post(url), params)

/** Sends a request about `loc` (errors name the current operation and `loc`). */
export const execute = (
  ctx: FilesContext,
  request: HttpClientRequest.HttpClientRequest,
  loc: Loc.Location,
  options?: Omit<RequestOptions, "operation" | "path">
): Effect.Effect<Response, JottaError.JottaError> => ctx.client.execute(request, { ...options, path: loc.display })

/** Sends a command about `loc` and drops its (small) reply. */
export const run = (
  ctx: FilesContext,
  request: HttpClientRequest.HttpClientRequest,
  loc: Loc.Location
): Effect.Effect<void, JottaError.JottaError> => Effect.flatMap(execute(ctx, request, loc), (res) => res.discard)
