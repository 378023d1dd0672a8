/**
 * The transfer engine: lists the destination into an index, streams the source listing
 * through the planner (`plan.ts`), performs each action with bounded concurrency and reports
 * everything as a stream of events ending in a summary.
 *
 * - Keep going: a failed file is reported and the rest go on; failed files get whole retry
 *   passes (rclone's `--retries`, 3 attempts); a fatal error (authentication, unreachable
 *   endpoint, quota) stops the run early.
 * - A sync deletes extraneous destination files only after every copy succeeded (rclone:
 *   "not deleting files as there were IO errors").
 * - A move removes each source file only after its copy is verified (the destination's
 *   `write` verifies size and MD5 before it returns), or moves it server-side.
 * - Filters: the destination is listed with the same filter, so a sync never deletes an
 *   excluded destination file (rclone); `deleteExcluded` lists the destination unfiltered,
 *   so excluded files are deleted too (rclone's `--delete-excluded`).
 * - A move with `deleteEmptySrcDirs` then removes the source folders left empty (not the
 *   root), deepest first, as rclone's `--delete-empty-src-dirs`; without it they stay.
 * - A move of a whole folder within one kind of side (cloud → cloud), with no filters and a
 *   destination that does not exist, is one server-side folder move (`moveDirWithin`,
 *   rclone's `DirMove`); where the side cannot (the destination exists after all, the source
 *   is the account's root), the engine moves file by file, as rclone falls back.
 * - Dry run: every action is planned and reported, nothing is changed (a folder move is
 *   reported as skipped, as rclone does, without listing its files).
 * - `progressEveryMs`: a `Progress` event on a timer, so a display can redraw while nothing
 *   else happens (a slow upload).
 *
 * @internal
 */
import * as Chunk from "effect/Chunk"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Mailbox from "effect/Mailbox"
import * as Stream from "effect/Stream"
import type { Md5 } from "../../ContentHasher.js"
import * as Filter from "./filter.js"
import * as Plan from "./plan.js"
import { type InFlight, type Progress, Tracker } from "./progress.js"
import type { DirEntry, DirMoveResult, FileEntry, Listed, ListOptions, Side } from "./side.js"
import { SideError } from "./side.js"

/**
 * The operation. `delete` is rclone's `delete`: the files below the destination's root that
 * the filters include are deleted (the source is not read), folders stay unless `rmdirs`.
 *
 * @internal
 */
export type Mode = "copy" | "sync" | "move" | "check" | "delete"

/** @internal */
export interface RunOptions extends Plan.Comparison {
  readonly mode: Mode
  readonly dryRun?: boolean | undefined
  /** Files sent at once (default 4). */
  readonly transfers?: number | undefined
  /** Attempts per failed file, in whole passes (default 3). */
  readonly retries?: number | undefined
  readonly filter?: Filter.Compiled | undefined
  /** check: only that the source's files are on the destination. */
  readonly oneWay?: boolean | undefined
  /** check: compare content (read both sides) instead of stored MD5s. */
  readonly download?: boolean | undefined
  readonly createEmptySrcDirs?: boolean | undefined
  /** sync: also delete destination files the filters exclude (rclone's `--delete-excluded`). */
  readonly deleteExcluded?: boolean | undefined
  /** delete: also remove the folders left empty, deepest first, the root excepted (rclone's `--rmdirs`). */
  readonly rmdirs?: boolean | undefined
  /** move: remove source folders left empty (rclone's `--delete-empty-src-dirs`). */
  readonly deleteEmptySrcDirs?: boolean | undefined
  /** Emit a `Progress` event this often (milliseconds) while the run lasts. */
  readonly progressEveryMs?: number | undefined
}

/** A per-file failure. @internal */
export interface Failure {
  readonly path: string
  readonly description: string
}

/** How a run ended. @internal */
export interface Summary {
  readonly mode: Mode
  readonly dryRun: boolean
  readonly transferred: number
  readonly bytes: number
  readonly checks: number
  /** Files deleted. */
  readonly deleted: number
  /** Folders removed. */
  readonly deletedDirs: number
  readonly errors: number
  /** check: files that differ or are missing on one side. */
  readonly differences: number
  /** The files that still failed after the last pass. */
  readonly failures: ReadonlyArray<Failure>
  /** Why the run stopped early, if it did. */
  readonly fatal: string | undefined
  /** The whole source folder was moved server-side in one request (or would be, in a dry run). */
  readonly dirMoved: boolean
  readonly elapsedMs: number
}

/** What happened, in order. @internal */
export type Event =
  | {
      readonly _tag: "Planned"
      readonly path: string
      readonly action: "Transfer" | "Compare" | "Delete" | "Mkdir"
      readonly size: number
      readonly progress: Progress
    }
  | { readonly _tag: "Started"; readonly path: string; readonly size: number; readonly progress: Progress }
  | {
      readonly _tag: "Bytes"
      readonly path: string
      readonly bytes: number
      readonly size: number
      readonly progress: Progress
    }
  | {
      readonly _tag: "Done"
      readonly path: string
      readonly action: "Copied" | "Moved" | "ModTimeUpdated" | "Created"
      readonly size: number
      /** Whether a file was already at the destination path (rclone: "replaced existing"). */
      readonly replaced: boolean
      /** Whether the destination's side copied or moved it without the bytes passing here. */
      readonly serverSide: boolean
      readonly dryRun: boolean
      readonly progress: Progress
    }
  | {
      readonly _tag: "Skipped"
      readonly path: string
      readonly reason: Plan.SkipReason
      readonly progress: Progress
    }
  | {
      readonly _tag: "Checked"
      readonly path: string
      readonly result: "Equal" | "Differ" | "MissingOnDestination" | "MissingOnSource"
      /** What differs: the sizes, or (sizes equal) the MD5s. */
      readonly difference?: "Size" | "Hash" | undefined
      readonly progress: Progress
    }
  | {
      readonly _tag: "Failed"
      readonly path: string
      readonly description: string
      /** Whether a later pass tries it again. */
      readonly retrying: boolean
      readonly fatal: boolean
      readonly progress: Progress
    }
  | {
      readonly _tag: "Deleted"
      readonly path: string
      readonly kind: "File" | "Dir"
      /** `source` when a move removed the source file. */
      readonly side: "source" | "destination"
      readonly dryRun: boolean
      readonly progress: Progress
    }
  /**
   * A server-side move of the whole source folder (rclone's `DirMove`): `Moved` (a dry run:
   * would be), or `Fallback` with why it could not be done, before the files are moved one by one.
   */
  | {
      readonly _tag: "DirMove"
      readonly outcome: "Moved" | "Fallback"
      readonly description?: string | undefined
      readonly dryRun: boolean
      readonly progress: Progress
    }
  /** A progress snapshot on the `progressEveryMs` timer. */
  | { readonly _tag: "Progress"; readonly progress: Progress }
  | { readonly _tag: "Summary"; readonly summary: Summary; readonly progress: Progress }

/** Where the files go: a tree below the roots, or one file to one path (copyto, moveto). @internal */
export type Scope =
  | { readonly _tag: "Tree" }
  | { readonly _tag: "File"; readonly source: string; readonly destination: string }

type Work = Exclude<Plan.Action, { readonly _tag: "Delete" | "DeleteDir" | "RemoveEmptyDir" }>

/** Runs a transfer. @internal */
export const run = (source: Side, destination: Side, options: RunOptions, scope: Scope): Stream.Stream<Event> =>
  Stream.unwrapScoped(
    Effect.gen(function* () {
      const mailbox = yield* Mailbox.make<Event>({ capacity: 512 })
      const clock = yield* Effect.clock
      const tracker = new Tracker(() => clock.unsafeCurrentTimeMillis())
      yield* Effect.forkScoped(
        engine(
          source,
          destination,
          options,
          scope,
          tracker,
          (e) => mailbox.offer(e),
          (es) => mailbox.offerAll(es)
        ).pipe(Effect.ensuring(mailbox.end))
      )
      return Mailbox.toStream(mailbox)
    })
  )

const everything: ListOptions = { descend: () => true, keep: () => true }

const listOptions = (filter: Filter.Compiled | undefined, now: number): ListOptions =>
  filter === undefined || !filter.active
    ? everything
    : {
        descend: (dir) => Filter.includeDir(filter, dir),
        keep: (f) => Filter.includeFile(filter, f.path, f.size, f.modified, now),
        maxDepth: filter.options.maxDepth,
        excludeIfPresent: filter.options.excludeIfPresent
      }

const engine = (
  source: Side,
  destination: Side,
  options: RunOptions,
  scope: Scope,
  tracker: Tracker,
  offer: (e: Event) => Effect.Effect<boolean>,
  offerAll: (es: Iterable<Event>) => Effect.Effect<unknown>
): Effect.Effect<void> =>
  Effect.gen(function* () {
    const clock = yield* Effect.clock
    const dryRun = options.dryRun === true
    const mode = options.mode
    const transfers = Math.max(1, options.transfers ?? 4)
    const passes = Math.max(1, options.retries ?? 3)
    const caseInsensitive = destination.caseInsensitive || (mode === "check" && source.caseInsensitive)
    const key = Plan.keyOf(caseInsensitive)
    const fatalSignal = yield* Deferred.make<void>()
    let fatal: string | undefined
    let transferred = 0
    let bytes = 0
    let differences = 0
    const failures = new Map<string, Failure>()

    const snap = () => tracker.snapshot()
    const emit = (e: Event) => Effect.asVoid(offer(e))
    const every = options.progressEveryMs
    const ticker =
      every !== undefined && every > 0
        ? yield* Effect.fork(
            Effect.forever(
              Effect.zipRight(
                Effect.sleep(every),
                Effect.suspend(() => emit({ _tag: "Progress", progress: snap() }))
              )
            )
          )
        : undefined
    let lastBytes = 0

    const stopWith = (path: string, e: SideError) =>
      Effect.suspend(() => {
        if (fatal === undefined) fatal = path === "" ? e.description : `${path}: ${e.description}`
        tracker.errors++
        return Effect.zipRight(
          emit({ _tag: "Failed", path, description: e.message, retrying: false, fatal: true, progress: snap() }),
          Deferred.succeed(fatalSignal, undefined)
        )
      })

    let dirMoved = false
    /** The summary, last (the progress timer stopped first). */
    const finish = Effect.gen(function* () {
      if (ticker !== undefined) yield* Fiber.interrupt(ticker)
      const progress = snap()
      yield* emit({
        _tag: "Summary",
        summary: {
          mode,
          dryRun,
          transferred,
          bytes,
          checks: tracker.checks,
          deleted: tracker.deleted,
          deletedDirs: tracker.deletedDirs,
          errors: tracker.errors,
          differences,
          failures: Array.from(failures.values()),
          fatal,
          dirMoved,
          elapsedMs: progress.elapsedMs
        },
        progress
      })
    })

    // -- a whole folder moved server-side (rclone's DirMove) ------------------------------------
    const dirMoveWanted =
      mode === "move" &&
      scope._tag === "Tree" &&
      source.kind === destination.kind &&
      destination.moveDirWithin !== undefined &&
      options.filter?.active !== true
    if (dirMoveWanted && destination.moveDirWithin !== undefined) {
      const moveDir = destination.moveDirWithin
      const outcome = yield* Effect.gen(function* () {
        const from = yield* source.stat("")
        // a missing source is for the listing to report
        if (from === undefined || from._tag !== "Dir") return "Skip" as const
        if ((yield* destination.stat("")) !== undefined) return "Exists" as const
        return dryRun ? ("Moved" as const) : yield* moveDir(from, "")
      }).pipe(
        Effect.map((r): DirMoveResult | "Skip" | SideError => r),
        Effect.catchAll((e) => Effect.succeed(e))
      )
      if (outcome === "Moved") {
        dirMoved = true
        return yield* Effect.zipRight(emit({ _tag: "DirMove", outcome: "Moved", dryRun, progress: snap() }), finish)
      }
      if (outcome === "Exists" || outcome === "Cannot") {
        // rclone's fs.ErrorDirExists / fs.ErrorCantDirMove texts
        const description =
          outcome === "Exists" ? "can't copy directory - destination already exists" : "can't move directory"
        yield* emit({ _tag: "DirMove", outcome: "Fallback", description, dryRun, progress: snap() })
      } else if (outcome !== "Skip") {
        // (a missing source is left for its listing to report)
        if (outcome.reason === "Fatal") yield* stopWith("", outcome)
        else {
          // rclone counts the error and stops: "Server side directory move failed: …"
          tracker.errors++
          const description = `Server side directory move failed: ${outcome.message}`
          failures.set("", { path: "", description })
          yield* emit({ _tag: "Failed", path: "", description, retrying: false, fatal: false, progress: snap() })
        }
        return yield* finish
      }
    }

    // -- listing -----------------------------------------------------------------------------
    const now = clock.unsafeCurrentTimeMillis()
    const lo = listOptions(options.filter, now)
    const deleteExcluded = mode === "sync" && options.deleteExcluded === true
    const filtered = options.filter?.active === true && !deleteExcluded
    const index = Plan.emptyIndex()
    const single = scope._tag === "File"
    const dstListing: Stream.Stream<Listed, SideError> = single
      ? Stream.fromEffect(destination.stat(scope.destination)).pipe(
          Stream.filter((e): e is FileEntry | DirEntry => e !== undefined)
        )
      : destination.list(deleteExcluded ? everything : lo)
    const sourceListing: Stream.Stream<Listed, SideError> = single
      ? Stream.fromEffect(source.stat(scope.source)).pipe(
          Stream.flatMap((e) =>
            e === undefined
              ? Stream.fail(new SideError({ reason: "NotFound", path: scope.source, description: "not found" }))
              : e._tag === "Dir"
                ? Stream.fail(new SideError({ reason: "Failed", path: scope.source, description: "is a folder" }))
                : Stream.succeed(e)
          )
        )
      : mode === "delete"
        ? Stream.empty
        : source.list(lo)
    // The source is listed while the destination is: its entries wait in a bounded queue
    // (4,096 entries) until the destination's index is complete, so a tree's local walk
    // overlaps the cloud listing's round trip instead of following it.
    const ahead = yield* Mailbox.make<Listed, SideError>({ capacity: 64 * 64 })
    yield* Effect.fork(
      Mailbox.into(
        Stream.runForEachChunk(sourceListing, (c) => ahead.offerAll(c)),
        ahead
      )
    )
    const srcListing = Mailbox.toStream(ahead)
    const listedDst = yield* Stream.runForEach(dstListing, (e) =>
      Effect.sync(() => Plan.addToIndex(index, key, e))
    ).pipe(
      Effect.as(true),
      Effect.catchAll((e) => (e.reason === "NotFound" ? Effect.succeed(true) : Effect.as(stopWith("", e), false)))
    )
    if (single && index.dirs.size > 0) {
      yield* stopWith(
        scope.destination,
        new SideError({ reason: "Failed", path: scope.destination, description: "is a folder" })
      )
    }
    const planner = Plan.planner(index, caseInsensitive, {
      ...options,
      deleteExtraneous: mode === "sync" || mode === "delete" || (mode === "check" && options.oneWay !== true),
      // a check reports every file the source lacks, also those in folders it lacks; a
      // delete removes files one by one and folders only when empty (and asked to)
      filtered: filtered || mode === "check" || mode === "delete",
      ...(mode === "check" ? { checksum: true, createEmptySrcDirs: false } : {}),
      ...(single ? { target: () => scope.destination } : {})
    })

    // -- one file ----------------------------------------------------------------------------
    const counted = (file: FileEntry): Stream.Stream<Uint8Array, SideError> =>
      Stream.suspend(() => {
        tracker.restart(file.path)
        // per chunk, not per element (`Stream.tap` would re-chunk the bytes one buffer each,
        // and every stage below would then run once per socket read)
        const content =
          destination.writeTakesTransient === true && source.readTransient !== undefined
            ? source.readTransient(file)
            : source.read(file)
        return Stream.mapChunksEffect(content, (chunk) => {
          let n = 0
          for (const buffer of chunk) n += buffer.length
          tracker.add(file.path, n)
          const t = clock.unsafeCurrentTimeMillis()
          if (t - lastBytes < 100) return Effect.succeed(chunk)
          lastBytes = t
          const f = tracker.inFlight.get(file.path)
          return Effect.as(
            emit({
              _tag: "Bytes",
              path: file.path,
              bytes: f?.bytes ?? 0,
              size: file.size,
              progress: snap()
            }),
            chunk
          )
        })
      })

    const sameKind = source.kind === destination.kind
    /** Sends one file: "moved" (server-side), "copied" (server-side) or "sent" (through here). */
    const send = (
      src: FileEntry,
      to: string,
      md5: Md5 | undefined
    ): Effect.Effect<"moved" | "copied" | "sent", SideError> =>
      Effect.gen(function* () {
        if (mode === "move" && sameKind && destination.moveWithin !== undefined) {
          yield* destination.moveWithin(src, to)
          return "moved" as const
        }
        if (sameKind && destination.copyWithin !== undefined) {
          yield* destination.copyWithin(src, to)
          return "copied" as const
        }
        const hash = src.md5 ?? md5 ?? (destination.writeNeedsMd5 && src.size > 0 ? yield* source.hash(src) : undefined)
        yield* destination.write(to, {
          size: src.size,
          md5: hash,
          modified: src.modified,
          stream: counted(src),
          verified: source.readVerifies === true && src.md5 !== undefined && hash === src.md5
        })
        return "sent" as const
      })

    const removeSource = (src: FileEntry) =>
      Effect.gen(function* () {
        if (!dryRun) yield* source.remove(src)
        tracker.deleted++
        yield* emit({
          _tag: "Deleted",
          path: src.path,
          kind: "File",
          side: "source",
          dryRun,
          progress: snap()
        })
      })

    const transferOne = (src: FileEntry, to: string, md5: Md5 | undefined, replaced: boolean) =>
      Effect.gen(function* () {
        tracker.start(src.path, src.size)
        yield* emit({ _tag: "Started", path: src.path, size: src.size, progress: snap() })
        const how = dryRun
          ? "sent"
          : yield* send(src, to, md5).pipe(Effect.onError(() => Effect.sync(() => tracker.finish(src.path, false))))
        if (mode === "move" && how !== "moved" && !dryRun) {
          yield* source.remove(src)
          tracker.deleted++
        }
        if (mode === "move") tracker.renamed++
        tracker.finish(src.path, true)
        transferred++
        bytes += src.size
        yield* emit({
          _tag: "Done",
          path: src.path,
          action: mode === "move" ? "Moved" : "Copied",
          size: src.size,
          replaced,
          serverSide: how !== "sent",
          dryRun,
          progress: snap()
        })
      })

    /** A hash comparison, shown as in flight while it lasts (rclone's "Checking:"). */
    const checking = <A, E>(path: string, compare: Effect.Effect<A, E>): Effect.Effect<A, E> =>
      Effect.acquireUseRelease(
        Effect.sync(() => tracker.checking.add(path)),
        () => compare,
        () => Effect.sync(() => tracker.checking.delete(path))
      )

    const md5Of = (side: Side, f: FileEntry) =>
      options.download === true ? side.hashContent(f) : f.md5 !== undefined ? Effect.succeed(f.md5) : side.hash(f)

    const checkOne = (a: Work): Effect.Effect<void, SideError> =>
      Effect.gen(function* () {
        if (a._tag === "Fail" || a._tag === "Mkdir") return
        let result: "Equal" | "Differ" | "MissingOnDestination"
        let difference: "Size" | "Hash" | undefined
        if (a._tag === "Transfer") {
          result = a.reason === "Missing" ? "MissingOnDestination" : "Differ"
          if (result === "Differ") difference = "Size"
        } else if (a._tag === "Skip") result = "Equal"
        else {
          const [s, d] = yield* checking(
            a.src.path,
            Effect.all([md5Of(source, a.src), md5Of(destination, a.dst)], { concurrency: 2 })
          )
          result = s === d ? "Equal" : "Differ"
          if (result === "Differ") difference = "Hash"
        }
        tracker.checks++
        if (result !== "Equal") {
          differences++
          tracker.errors++
        }
        yield* emit({ _tag: "Checked", path: a.src.path, result, difference, progress: snap() })
      })

    const doOne = (a: Work): Effect.Effect<void, SideError> =>
      Effect.gen(function* () {
        if (mode === "check") return yield* checkOne(a)
        switch (a._tag) {
          case "Fail":
            return yield* new SideError({ reason: "Failed", path: a.path, description: a.description })
          case "Mkdir": {
            if (!dryRun) yield* destination.mkdir(a.path)
            return yield* emit({
              _tag: "Done",
              path: a.path,
              action: "Created",
              size: 0,
              replaced: false,
              serverSide: false,
              dryRun,
              progress: snap()
            })
          }
          case "Transfer":
            return yield* transferOne(a.src, a.to, undefined, a.dst !== undefined)
          case "Skip": {
            tracker.checks++
            yield* emit({ _tag: "Skipped", path: a.src.path, reason: a.reason, progress: snap() })
            if (mode === "move") yield* removeSource(a.src)
            return
          }
          case "CompareHash": {
            const [srcMd5, dstMd5] = yield* checking(
              a.src.path,
              Effect.all([
                a.src.md5 !== undefined ? Effect.succeed(a.src.md5) : source.hash(a.src),
                a.dst.md5 !== undefined ? Effect.succeed(a.dst.md5) : destination.hash(a.dst)
              ])
            )
            const next = Plan.afterHash(srcMd5 === dstMd5, a.onEqual)
            if (next._tag === "Transfer") return yield* transferOne(a.src, a.to, srcMd5, true)
            tracker.checks++
            if (next._tag === "SetModTime" && a.src.modified !== undefined) {
              if (!dryRun) yield* destination.setModTime(a.dst.path, a.src.modified)
              yield* emit({
                _tag: "Done",
                path: a.src.path,
                action: "ModTimeUpdated",
                size: 0,
                replaced: true,
                serverSide: false,
                dryRun,
                progress: snap()
              })
            } else yield* emit({ _tag: "Skipped", path: a.src.path, reason: "Identical", progress: snap() })
            if (mode === "move") yield* removeSource(a.src)
            return
          }
        }
      })

    const pathOf = (a: Work) => (a._tag === "Fail" || a._tag === "Mkdir" ? a.path : a.src.path)

    /** Runs one action; a per-file failure is recorded for the next pass. */
    const attempt = (a: Work, pass: number, retry: Array<Work>) =>
      Effect.suspend(() => {
        if (fatal !== undefined) return Effect.void
        return doOne(a).pipe(
          Effect.tap(() => Effect.sync(() => failures.delete(pathOf(a)))),
          Effect.catchAll((e) => {
            if (e.reason === "Fatal") return stopWith(pathOf(a), e)
            const permanent = a._tag === "Fail"
            const retrying = !permanent && pass < passes
            if (retrying) retry.push(a)
            else tracker.errors++
            failures.set(pathOf(a), { path: pathOf(a), description: e.message })
            return emit({
              _tag: "Failed",
              path: pathOf(a),
              description: e.message,
              retrying,
              fatal: false,
              progress: snap()
            })
          })
        )
      })

    const plannedEvent = (a: Work, progress: Progress): Event | undefined => {
      switch (a._tag) {
        case "Transfer":
          return { _tag: "Planned", path: a.src.path, action: "Transfer", size: a.src.size, progress }
        case "CompareHash":
          return { _tag: "Planned", path: a.src.path, action: "Compare", size: a.src.size, progress }
        case "Mkdir":
          return { _tag: "Planned", path: a.path, action: "Mkdir", size: 0, progress }
        default:
          return undefined
      }
    }

    // -- passes ------------------------------------------------------------------------------
    let retry: Array<Work> = []
    if (listedDst && fatal === undefined) {
      const first = srcListing.pipe(
        // planned a chunk at a time: files left alone are settled here, without an effect each
        // (an unchanged copy of a large tree is mostly this), the rest goes to the workers
        Stream.mapChunksEffect((chunk) => {
          const events: Array<Event> = []
          const work: Array<Work> = []
          let progress: Progress | undefined
          const now = () => (progress ??= snap())
          for (const e of chunk) {
            const a = planner.next(e)
            if (a === undefined || a._tag === "Delete" || a._tag === "DeleteDir" || a._tag === "RemoveEmptyDir")
              continue
            if (a._tag === "Skip" && mode !== "move") {
              tracker.checks++
              progress = undefined
              events.push(
                mode === "check"
                  ? { _tag: "Checked", path: a.src.path, result: "Equal", progress: now() }
                  : { _tag: "Skipped", path: a.src.path, reason: a.reason, progress: now() }
              )
              continue
            }
            if (a._tag === "Transfer" && mode !== "check") {
              tracker.filesPlanned++
              tracker.bytesPlanned += a.src.size
            }
            progress = undefined
            const ev = plannedEvent(a, now())
            if (ev !== undefined) events.push(ev)
            work.push(a)
          }
          return Effect.as(events.length === 0 ? Effect.void : offerAll(events), Chunk.unsafeFromArray(work))
        }),
        Stream.mapEffect((a) => attempt(a, 1, retry), { concurrency: transfers, unordered: true }),
        Stream.interruptWhen(Deferred.await(fatalSignal)),
        Stream.runDrain,
        Effect.catchAll((e) =>
          stopWith(
            e.path === "" ? source.root : e.path,
            e.reason === "Failed" ? e : new SideError({ ...e, reason: "Fatal" })
          )
        )
      )
      yield* first
      tracker.listing = false
      for (let pass = 2; pass <= passes && retry.length > 0 && fatal === undefined; pass++) {
        const again = retry
        retry = []
        yield* Effect.forEach(again, (a) => attempt(a, pass, retry), { concurrency: transfers, discard: true })
      }
    }
    tracker.listing = false

    // -- deletions (sync) and the other side of a check ------------------------------------------
    const clean = () => fatal === undefined && failures.size === 0 && tracker.errors === 0
    const deletionFailed = (e: SideError) =>
      e.reason === "Fatal"
        ? stopWith(e.path, e)
        : Effect.suspend(() => {
            tracker.errors++
            failures.set(e.path, { path: e.path, description: e.message })
            return emit({
              _tag: "Failed",
              path: e.path,
              description: e.message,
              retrying: false,
              fatal: false,
              progress: snap()
            })
          })
    /** Removes each folder that is empty by now, deepest first (a dry run reports them all). */
    const removeEmptyDirs = (side: Side, which: "source" | "destination", dirs: ReadonlyArray<DirEntry>) =>
      Effect.forEach(
        dirs,
        (dir) =>
          Effect.gen(function* () {
            if (fatal !== undefined) return
            const removed = dryRun ? true : yield* side.removeEmptyDir(dir.path)
            if (!removed) return
            tracker.deletedDirs++
            yield* emit({ _tag: "Deleted", path: dir.path, kind: "Dir", side: which, dryRun, progress: snap() })
          }).pipe(Effect.catchAll((e) => (e.reason === "NotFound" ? Effect.void : deletionFailed(e)))),
        { discard: true }
      )
    const extraneous = planner
      .extraneous()
      .filter((a) => mode !== "delete" || options.rmdirs === true || a._tag !== "RemoveEmptyDir")
    if (mode === "check") {
      for (const a of extraneous) {
        if (a._tag !== "Delete") continue
        differences++
        tracker.errors++
        yield* emit({ _tag: "Checked", path: a.file.path, result: "MissingOnSource", progress: snap() })
      }
    } else if ((mode === "sync" || mode === "delete") && extraneous.length > 0) {
      if (clean()) {
        for (const a of extraneous) {
          const path =
            a._tag === "Delete" ? a.file.path : a._tag === "DeleteDir" || a._tag === "RemoveEmptyDir" ? a.dir.path : ""
          yield* emit({ _tag: "Planned", path, action: "Delete", size: 0, progress: snap() })
        }
        yield* Effect.forEach(
          extraneous,
          (a) =>
            Effect.gen(function* () {
              if (a._tag !== "Delete" && a._tag !== "DeleteDir") return
              const path = a._tag === "Delete" ? a.file.path : a.dir.path
              if (!dryRun) yield* a._tag === "Delete" ? destination.remove(a.file) : destination.removeDir(path)
              if (a._tag === "Delete") tracker.deleted++
              else tracker.deletedDirs++
              yield* emit({
                _tag: "Deleted",
                path,
                kind: a._tag === "Delete" ? "File" : "Dir",
                side: "destination",
                dryRun,
                progress: snap()
              })
            }).pipe(Effect.catchAll(deletionFailed)),
          { concurrency: transfers, discard: true }
        )
        yield* removeEmptyDirs(
          destination,
          "destination",
          extraneous.flatMap((a) => (a._tag === "RemoveEmptyDir" ? [a.dir] : []))
        )
      } else if (fatal === undefined) {
        const description = "not deleting files on the destination as there were errors"
        yield* emit({ _tag: "Failed", path: "", description, retrying: false, fatal: false, progress: snap() })
      }
    }

    // -- a move's emptied source folders (rclone's --delete-empty-src-dirs) ---------------------
    if (mode === "move" && options.deleteEmptySrcDirs === true && !single && fatal === undefined) {
      if (clean()) yield* removeEmptyDirs(source, "source", planner.sourceDirs())
      else {
        const description = "not deleting source folders as there were errors"
        yield* emit({ _tag: "Failed", path: "", description, retrying: false, fatal: false, progress: snap() })
      }
    }

    yield* finish
  })

export type { InFlight, Progress }
