/**
 * Listing and metadata. `list` reads one folder or mountpoint document (§4.1): its folders,
 * then its complete files, those in the trash left out (the trashed-only view shows exactly
 * those, §4.11). `listRecursive` streams `mode=liststream` (§4.9), decoded incrementally by
 * `ListStream` in constant memory; the folder itself (an empty path) is not an entry. `stat`
 * reads one file's document (§4.2).
 *
 * A listing is retried as a whole while it has produced nothing (a body cut off before its
 * first entry); a listing that names an entry no file or folder can be called (empty, `.`,
 * `..`, with `/`) is `InvalidResponse`, since later requests built from it would go elsewhere.
 *
 * @internal
 */
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as ExecutionStrategy from "effect/ExecutionStrategy"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type { Entry, Path } from "../../Files.js"
import * as JottaError from "../../JottaError.js"
import * as ListStream from "../../ListStream.js"
import * as RetryPolicy from "../../RetryPolicy.js"
import * as Loc from "../location.js"
import * as Op from "../operation.js"
import { at, execute, type FilesContext, op, resolve, resolveAnnotated } from "./context.js"
import { entriesOf, fromListStream, isEntryName } from "./entries.js"
import { listing, statLoc } from "./item.js"

/** The body of {@link list} in the given view: the visible entries of the folder at `path`. */
export const entriesIn = (ctx: FilesContext, trashedOnly: boolean) =>
  function* (path?: Path) {
    const loc = yield* resolveAnnotated(ctx, path)
    const doc = yield* listing(ctx, loc, trashedOnly)
    const entries = entriesOf(ctx.config, loc, doc, trashedOnly)
    const bad = entries.find((e) => !isEntryName(e.wireName))
    if (bad !== undefined) return yield* notAName(loc, bad.wireName)
    return entries
  }

/** The error for a listing that names an entry no file or folder can be called. */
const notAName = (loc: Loc.Location, wire: string) =>
  Effect.flatMap(at(loc), (where) =>
    Effect.fail(
      new JottaError.InvalidResponse({
        ...where,
        issue: `the listing names an entry ${JSON.stringify(wire)}, which no file or folder can be called`
      })
    )
  )

/** `Files.list`: one folder, in the configured view. */
export const list = (ctx: FilesContext) => op("Files.list")(entriesIn(ctx, ctx.config.trashedOnly))

/** `Files.stat`: one file's metadata. */
export const stat = (ctx: FilesContext) =>
  op("Files.stat")(function* (path: Path) {
    const loc = yield* resolveAnnotated(ctx, path)
    return (yield* statLoc(ctx, loc)).info
  })

/**
 * Runs `stream` under the retry policy for as long as it has produced nothing: a request that
 * fails, or a body that breaks off before the first element, starts it again. Once an element
 * is out, a failure ends the stream (a listing cannot be spliced).
 */
const retryUntilFirst = <A>(stream: Stream.Stream<A, JottaError.JottaError>): Stream.Stream<A, JottaError.JottaError> =>
  Stream.unwrapScoped(
    Effect.gen(function* () {
      const outer = yield* Effect.scope
      const first = Effect.gen(function* () {
        const scope = yield* Scope.fork(outer, ExecutionStrategy.sequential)
        const pull = yield* Scope.extend(Stream.toPull(stream), scope)
        const nonEmpty: Effect.Effect<Chunk.Chunk<A>, Option.Option<JottaError.JottaError>> = Effect.flatMap(
          pull,
          (chunk) => (Chunk.isEmpty(chunk) ? nonEmpty : Effect.succeed(chunk))
        )
        const head = yield* Effect.catchAll(nonEmpty, (e) =>
          Option.isNone(e) ? Effect.succeed(undefined) : Effect.fail(e.value)
        ).pipe(Effect.tapError(() => Scope.close(scope, Exit.void)))
        return { head, pull }
      })
      const { head, pull } = yield* RetryPolicy.retry(first)
      return head === undefined
        ? Stream.empty
        : Stream.concat(Stream.fromChunk(head), Stream.repeatEffectChunkOption(pull))
    })
  )

/** `Files.listRecursive`: the whole tree below `path`, as a stream. */
export const listRecursive =
  (ctx: FilesContext) =>
  (path?: Path): Stream.Stream<Entry, JottaError.JottaError> =>
    Stream.unwrap(
      Effect.gen(function* () {
        const loc = yield* resolve(ctx, path)
        const where = yield* at(loc)
        if (ctx.config.trashedOnly) {
          return yield* new JottaError.NotFound({
            ...where,
            description: "recursive listing is not available in the trashed-only view"
          })
        }
        const request = HttpClientRequest.get(loc.url).pipe(HttpClientRequest.setUrlParam("mode", "liststream"))
        const listed = Stream.unwrap(
          Effect.map(execute(ctx, request, loc, { retry: false }), (res) =>
            ListStream.decode(res.stream, {
              mountpoint: ctx.config.mountpoint,
              root: loc.wire,
              operation: where.operation,
              path: loc.display
            })
          )
        )
        return retryUntilFirst(listed).pipe(
          Stream.mapChunksEffect((chunk) => {
            for (const e of chunk) {
              const bad = e.path.find((w) => !isEntryName(w))
              if (bad !== undefined) return notAName(loc, bad)
            }
            return Effect.succeed(chunk)
          }),
          Stream.filter((e) => e._tag === "File" || e.path.length > 0),
          Stream.map((e): Entry => fromListStream(ctx.config, e, loc))
        )
      })
    ).pipe(Op.stream("Files.listRecursive", Loc.displayUnknown(path)))
