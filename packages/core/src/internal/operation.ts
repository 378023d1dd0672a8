/**
 * The operation a caller called, carried in the context so that errors raised underneath it
 * (the username lookup, token refresh, retries) name it and its path.
 *
 * @internal
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type { YieldWrap } from "effect/Utils"

/** The operation the caller called and the path it was given. */
export interface Current {
  readonly operation: string
  readonly path?: string | undefined
}

/** The current operation (`undefined` outside any). */
export class CurrentOperation extends Context.Reference<CurrentOperation>()("@fjord/core/internal/CurrentOperation", {
  defaultValue: (): Current | undefined => undefined
}) {}

/**
 * `Effect.fn` with the operation's name written once: the span is named `name`, and `name`
 * (with `pathOf` of the first argument, when given) is the operation every error raised
 * underneath reports.
 */
export const fn =
  (name: string, pathOf?: (first: unknown) => string | undefined) =>
  <Eff extends YieldWrap<Effect.Effect<unknown, unknown, unknown>>, AEff, Args extends Array<unknown>>(
    body: (...args: Args) => Generator<Eff, AEff, never>
  ) =>
    Effect.fn(name)(body, (effect, ...args) =>
      Effect.provideService(effect, CurrentOperation, {
        operation: name,
        path: pathOf === undefined ? undefined : pathOf(args[0])
      })
    )

/** Error fields of an error raised in the current operation: its name, and `path` (default: its path). */
export const at = (path?: string | undefined): Effect.Effect<{ readonly operation: string; readonly path?: string }> =>
  Effect.map(CurrentOperation, (current) => {
    const operation = current?.operation ?? "unknown operation"
    const p = path ?? current?.path
    return p === undefined ? { operation } : { operation, path: p }
  })

/** The stream counterpart of {@link fn}: `self` runs in a span named `name`, as operation `name` at `path`. */
export const stream =
  (name: string, path: string | undefined) =>
  <A, E, R>(self: Stream.Stream<A, E, R>): Stream.Stream<A, E, R> =>
    self.pipe(Stream.provideService(CurrentOperation, { operation: name, path }), Stream.withSpan(name))
