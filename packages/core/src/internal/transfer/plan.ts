/**
 * The sync algorithm, pure: which action each source file needs given what the destination
 * holds, and what a sync deletes. The engine (`run.ts`) feeds it one source entry at a time
 * (the listing streams in) and performs what it decides; `plan` runs it over whole listings
 * (for tests and dry planning).
 *
 * Comparisons follow rclone's `operations.NeedTransfer` / `Equal`: by default size, then
 * modification time within the modify window (1 s); a differing time with equal size is
 * settled by the MD5, and equal content only gets its time updated on the destination.
 * `checksum` compares size then MD5 (times ignored); `sizeOnly` compares sizes;
 * `ignoreExisting` never touches an existing file; `update` skips files newer on the
 * destination.
 *
 * What a sync deletes follows rclone's `fs/sync`: destination files the source lacks; a
 * destination folder the source lacks goes as a whole when nothing is filtered (everything
 * below it was listed and is extraneous), and when filters are active it is removed only if
 * it is empty once its extraneous files are gone (rclone's `TryRmdir`, deepest first: a
 * folder still holding excluded files stays). A move with `--delete-empty-src-dirs` removes
 * the source folders that are empty afterwards, the same way.
 *
 * @internal
 */
import type { DirEntry, FileEntry, Listed } from "./side.js"

/** How files are compared. @internal */
export interface Comparison {
  readonly checksum?: boolean | undefined
  readonly sizeOnly?: boolean | undefined
  readonly ignoreExisting?: boolean | undefined
  readonly update?: boolean | undefined
  /** Times closer than this are equal (default 1000 ms, rclone's `--modify-window` for Jottacloud). */
  readonly modifyWindowMs?: number | undefined
}

/** Why a file is sent. @internal */
export type TransferReason = "Missing" | "Size" | "ModTime" | "Hash"

/** Why a file is left alone. @internal */
export type SkipReason = "Identical" | "Exists" | "DestinationNewer"

/** What one source file needs. @internal */
export type Decision =
  | { readonly _tag: "Transfer"; readonly reason: TransferReason }
  | { readonly _tag: "Skip"; readonly reason: SkipReason }
  /** Sizes match, the rest depends on the MD5s: equal → `onEqual`, different → transfer. */
  | { readonly _tag: "CompareHash"; readonly onEqual: "Skip" | "SetModTime" }

const transfer = (reason: TransferReason): Decision => ({ _tag: "Transfer", reason })
const skip = (reason: SkipReason): Decision => ({ _tag: "Skip", reason })

/** What `src` needs when the destination holds `dst` (or nothing). @internal */
export const decide = (src: FileEntry, dst: FileEntry | undefined, c: Comparison): Decision => {
  if (dst === undefined) return transfer("Missing")
  if (c.ignoreExisting === true) return skip("Exists")
  const window = c.modifyWindowMs ?? 1000
  const dt = src.modified !== undefined && dst.modified !== undefined ? src.modified - dst.modified : undefined
  if (c.update === true && dt !== undefined) {
    if (dt <= -window) return skip("DestinationNewer")
    if (Math.abs(dt) < window && src.size === dst.size) return skip("Identical")
  }
  if (src.size !== dst.size) return transfer("Size")
  if (c.sizeOnly === true) return skip("Identical")
  if (c.checksum === true) return { _tag: "CompareHash", onEqual: "Skip" }
  if (dt !== undefined && Math.abs(dt) < window) return skip("Identical")
  if (src.modified === undefined) return transfer("ModTime")
  return { _tag: "CompareHash", onEqual: "SetModTime" }
}

/** The decision once both MD5s of a `CompareHash` are known. @internal */
export const afterHash = (
  equal: boolean,
  onEqual: "Skip" | "SetModTime"
): { readonly _tag: "Transfer"; readonly reason: "Hash" } | { readonly _tag: "Skip" | "SetModTime" } =>
  equal ? { _tag: onEqual } : { _tag: "Transfer", reason: "Hash" }

/** The key of a path in a destination's index (folded when either side ignores case). @internal */
export const keyOf = (caseInsensitive: boolean) =>
  caseInsensitive ? (path: string) => path.toLowerCase() : (path: string) => path

/** A destination listing, indexed by key. @internal */
export interface Index {
  readonly files: Map<string, FileEntry>
  readonly dirs: Map<string, DirEntry>
}

/** @internal */
export const emptyIndex = (): Index => ({ files: new Map(), dirs: new Map() })

/** Adds a destination entry to `index`. @internal */
export const addToIndex = (index: Index, key: (p: string) => string, entry: Listed): void => {
  if (entry._tag === "File") index.files.set(key(entry.path), entry)
  else if (entry._tag === "Dir") index.dirs.set(key(entry.path), entry)
}

/** One planned step. @internal */
export type Action =
  | {
      readonly _tag: "Transfer"
      readonly src: FileEntry
      /** The destination path. */
      readonly to: string
      readonly dst: FileEntry | undefined
      readonly reason: TransferReason
    }
  | {
      readonly _tag: "Skip"
      readonly src: FileEntry
      readonly to: string
      readonly dst: FileEntry
      readonly reason: SkipReason
    }
  | {
      readonly _tag: "CompareHash"
      readonly src: FileEntry
      readonly to: string
      readonly dst: FileEntry
      readonly onEqual: "Skip" | "SetModTime"
    }
  | { readonly _tag: "Fail"; readonly path: string; readonly description: string }
  | { readonly _tag: "Mkdir"; readonly path: string }
  | { readonly _tag: "Delete"; readonly file: FileEntry }
  | { readonly _tag: "DeleteDir"; readonly dir: DirEntry }
  /** Remove this destination folder if it is empty by now (after the deletions before it). */
  | { readonly _tag: "RemoveEmptyDir"; readonly dir: DirEntry }

/** @internal */
export interface PlanOptions extends Comparison {
  /** Delete destination entries the source lacks (sync). */
  readonly deleteExtraneous?: boolean | undefined
  /** Create source folders missing on the destination (rclone's `--create-empty-src-dirs`). */
  readonly createEmptySrcDirs?: boolean | undefined
  /** Whether the listings were filtered: then extraneous folders are not removed as a whole. */
  readonly filtered?: boolean | undefined
  /** The destination path of a source path (default: the same path). */
  readonly target?: ((sourcePath: string) => string) | undefined
}

/**
 * The incremental planner: `next` for each source entry as it is listed, then `extraneous`
 * once the source listing is complete.
 *
 * @internal
 */
export const planner = (index: Index, caseInsensitive: boolean, options: PlanOptions) => {
  const key = keyOf(caseInsensitive)
  const seenFiles = new Map<string, string>()
  const seenDirs = new Map<string, DirEntry>()
  const next = (entry: Listed): Action | undefined => {
    if (entry._tag === "Invalid") return { _tag: "Fail", path: entry.path, description: entry.description }
    const to = entry._tag === "File" && options.target !== undefined ? options.target(entry.path) : entry.path
    const k = key(to)
    if (entry._tag === "Dir") {
      seenDirs.set(k, entry)
      if (options.createEmptySrcDirs === true && !index.dirs.has(k) && !index.files.has(k)) {
        return { _tag: "Mkdir", path: entry.path }
      }
      return undefined
    }
    const before = seenFiles.get(k)
    if (before !== undefined) {
      return {
        _tag: "Fail",
        path: entry.path,
        description: `the name differs only in case from ${before}, which the destination cannot tell apart`
      }
    }
    seenFiles.set(k, entry.path)
    const dst = index.files.get(k)
    const d = decide(entry, dst, options)
    switch (d._tag) {
      case "Transfer":
        return { _tag: "Transfer", src: entry, to, dst, reason: d.reason }
      case "Skip":
        return { _tag: "Skip", src: entry, to, dst: dst!, reason: d.reason }
      case "CompareHash":
        return { _tag: "CompareHash", src: entry, to, dst: dst!, onEqual: d.onEqual }
    }
  }
  /**
   * What a sync deletes: files the source lacks, then the folders it lacks: unfiltered, the
   * topmost ones as a whole; filtered, each one if it is empty by then, deepest first.
   */
  const extraneous = (): Array<Action> => {
    if (options.deleteExtraneous !== true) return []
    const out: Array<Action> = []
    const goneDirs = new Set<string>()
    const dirs = [...index.dirs.entries()].filter(([k]) => !seenDirs.has(k) && !seenFiles.has(k))
    if (options.filtered !== true) {
      dirs.sort(([a], [b]) => a.length - b.length)
      for (const [k, dir] of dirs) {
        if (underAny(goneDirs, k)) continue
        goneDirs.add(k)
        out.push({ _tag: "DeleteDir", dir })
      }
    }
    for (const [k, file] of index.files) {
      if (!seenFiles.has(k) && !underAny(goneDirs, k)) out.push({ _tag: "Delete", file })
    }
    if (options.filtered === true) {
      for (const dir of deepestFirst(dirs.map(([, d]) => d))) out.push({ _tag: "RemoveEmptyDir", dir })
    }
    return out
  }
  /** The source folders listed, deepest first (a move's `--delete-empty-src-dirs`). */
  const sourceDirs = (): Array<DirEntry> => deepestFirst([...seenDirs.values()])
  return { next, extraneous, sourceDirs }
}

const depth = (path: string): number => {
  let n = 0
  for (let i = path.indexOf("/"); i >= 0; i = path.indexOf("/", i + 1)) n++
  return n
}

/** Folders ordered so that every folder comes before its parent. @internal */
export const deepestFirst = (dirs: ReadonlyArray<DirEntry>): Array<DirEntry> =>
  [...dirs].sort((a, b) => depth(b.path) - depth(a.path) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))

const underAny = (dirs: ReadonlySet<string>, path: string): boolean => {
  if (dirs.size === 0) return false
  for (let i = path.lastIndexOf("/"); i > 0; i = path.lastIndexOf("/", i - 1)) {
    if (dirs.has(path.slice(0, i))) return true
  }
  return false
}

/**
 * The whole plan of a source listing against a destination listing.
 *
 * @internal
 */
export const plan = (
  source: Iterable<Listed>,
  destination: Iterable<Listed>,
  options: PlanOptions & { readonly caseInsensitive?: boolean | undefined }
): Array<Action> => {
  const ci = options.caseInsensitive === true
  const index = emptyIndex()
  const key = keyOf(ci)
  for (const e of destination) addToIndex(index, key, e)
  const p = planner(index, ci, options)
  const out: Array<Action> = []
  for (const e of source) {
    const a = p.next(e)
    if (a !== undefined) out.push(a)
  }
  out.push(...p.extraneous())
  return out
}
