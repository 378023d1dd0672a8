/**
 * Pieces shared by `NodeFiles.uploadDir` and `NodeFiles.downloadDir`.
 *
 * @internal
 */
import * as Effect from "effect/Effect"

/** @internal */
export type OnFile = ((path: string, action: "copied" | "skipped" | "deleted") => Effect.Effect<void>) | undefined

/** The running counts of a directory copy. @internal */
export interface Tally {
  copied: number
  skipped: number
  bytes: number
}

/**
 * Copies one file of `size` bytes unless `unchanged` finds the destination already identical;
 * counts it in `tally` either way and reports `rel` to `onFile`.
 *
 * @internal
 */
export const copyOrSkip = <E1, R1, E2, R2>(
  tally: Tally,
  rel: string,
  size: number,
  unchanged: Effect.Effect<boolean, E1, R1>,
  copy: Effect.Effect<unknown, E2, R2>,
  onFile: OnFile
): Effect.Effect<void, E1 | E2, R1 | R2> =>
  Effect.gen(function* () {
    if (yield* unchanged) {
      tally.skipped++
      if (onFile) yield* onFile(rel, "skipped")
      return
    }
    yield* copy
    tally.copied++
    tally.bytes += size
    if (onFile) yield* onFile(rel, "copied")
  })

const parent = (p: string): string => {
  const i = p.lastIndexOf("/")
  return i < 0 ? "" : p.slice(0, i)
}

/** Whether one of the folders above the `/`-separated `path` is in `folders`. @internal */
export const underAny = (folders: ReadonlySet<string>, path: string): boolean => {
  for (let p = parent(path); p.length > 0; p = parent(p)) {
    if (folders.has(p)) return true
  }
  return false
}
