/**
 * The listing commands' implementations (`commands/listing.ts` declares them): ls, lsl,
 * md5sum, lsd, lsf, lsjson, size, tree, lsr. rclone's output formats.
 */
import * as Files from "@fjord/core/Files"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { json, out, remoteOf, remotePath } from "./common.js"
import { displayBase, entryJson, iso, relativeTo, time, walkFiles } from "./entries.js"
import * as Format from "./format.js"
import { GlobalFlags } from "./globalArgs.js"
import * as Sdk from "./sdk.js"

interface PathArgs {
  readonly path: string
}

/** ls, lsl, md5sum: the files below a path. */
export const listFiles = (name: "ls" | "lsl" | "md5sum") => (a: PathArgs) =>
  Effect.gen(function* () {
    const g = yield* GlobalFlags
    const base = remotePath(a.path)
    const all: Array<unknown> = []
    yield* Stream.runForEach(walkFiles(base), (f) => {
      const rel = relativeTo(displayBase(base, f), f.path)
      if (g.json) return Effect.sync(() => void all.push(entryJson(displayBase(base, f), f)))
      switch (name) {
        case "ls":
          return out(`${Format.padSize(f.size)} ${rel}`)
        case "lsl":
          return out(`${Format.padSize(f.size)} ${Format.lslTime(time(f.modified))} ${rel}`)
        case "md5sum":
          return out(`${f.md5 ?? "                                "}  ${rel}`)
      }
    })
    if (g.json) yield* json(all)
  }).pipe(Sdk.withSdk(remoteOf(a.path)))

/** rclone's lsd: `-1 date time -1 name`; a folder without a known time shows the listing's time. */
export const lsd = (a: PathArgs) =>
  Effect.gen(function* () {
    const g = yield* GlobalFlags
    const base = remotePath(a.path)
    const entries = (yield* (yield* Files.Files).list(base)).filter((e) => e._tag === "Folder")
    if (g.json) return yield* json(entries.map((e) => entryJson(base, e)))
    const now = new Date()
    for (const e of entries) {
      yield* out(
        `${Format.padSize(-1, 12)} ${Format.lsdTime(time(e.modified) ?? now)} ${Format.padSize(-1, 9)} ${e.name}`
      )
    }
  }).pipe(Sdk.withSdk(remoteOf(a.path)))

/** The entries in `base`, or (recursive) every entry below it. */
const listEntries = (base: string, recursive: boolean) =>
  Effect.flatMap(Files.Files, (files) =>
    recursive
      ? Stream.runCollect(files.listRecursive(base)).pipe(Effect.map((c): ReadonlyArray<Files.Entry> => Array.from(c)))
      : files.list(base)
  )

export const lsf = (a: PathArgs & { readonly recursive: boolean }) =>
  Effect.gen(function* () {
    const g = yield* GlobalFlags
    const base = remotePath(a.path)
    const entries = yield* listEntries(base, a.recursive)
    if (g.json) return yield* json(entries.map((e) => entryJson(base, e)))
    for (const e of entries) yield* out(`${relativeTo(base, e.path)}${e._tag === "Folder" ? "/" : ""}`)
  }).pipe(Sdk.withSdk(remoteOf(a.path)))

export const lsjson = (
  a: PathArgs & {
    readonly recursive: boolean
    readonly hash: boolean
    readonly filesOnly: boolean
    readonly dirsOnly: boolean
    readonly noModtime: boolean
  }
) =>
  Effect.gen(function* () {
    const base = remotePath(a.path)
    const entries = yield* listEntries(base, a.recursive)
    const shown = entries.filter((e) => (e._tag === "File" ? !a.dirsOnly : !a.filesOnly))
    // rclone's lsjson item: Path, Name, Size (-1 for folders), MimeType, ModTime (RFC 3339),
    // IsDir, and Hashes only with --hash
    yield* json(
      shown.map((e) => ({
        Path: relativeTo(base, e.path),
        Name: e.name,
        Size: e._tag === "File" ? e.size : -1,
        MimeType: e._tag === "File" ? (e.contentType ?? "application/octet-stream") : "inode/directory",
        ...(a.noModtime ? {} : { ModTime: iso(e.modified) }),
        IsDir: e._tag === "Folder",
        ...(a.hash && e._tag === "File" && e.md5 !== undefined ? { Hashes: { md5: e.md5 } } : {})
      }))
    )
  }).pipe(Sdk.withSdk(remoteOf(a.path)))

export const size = (a: PathArgs) =>
  Effect.gen(function* () {
    const g = yield* GlobalFlags
    let count = 0
    let bytes = 0
    yield* Stream.runForEach(walkFiles(remotePath(a.path)), (f) =>
      Effect.sync(() => {
        count++
        bytes += f.size
      })
    )
    if (g.json) return yield* json({ count, bytes, sizeless: 0 })
    yield* out(`Total objects: ${count} (${count})`)
    yield* out(`Total size: ${Format.human(bytes)} (${bytes} Byte)`)
  }).pipe(Sdk.withSdk(remoteOf(a.path)))

interface TreeNode {
  readonly children: Map<string, TreeNode>
  file?: Files.FileInfo
}

/** tree (the `tree` command's drawing) and lsr (every path, folders with a trailing /). */
export const tree = (name: "tree" | "lsr") => (a: PathArgs) =>
  Effect.gen(function* () {
    const g = yield* GlobalFlags
    const base = remotePath(a.path)
    const root: TreeNode = { children: new Map() }
    let dirs = 0
    let fileCount = 0
    const all: Array<unknown> = []
    yield* Stream.runForEach((yield* Files.Files).listRecursive(base), (e) =>
      Effect.sync(() => {
        if (g.json) all.push(entryJson(base, e))
        const parts = relativeTo(base, e.path)
          .split("/")
          .filter((p) => p !== "")
        let node = root
        for (const p of parts) {
          let next = node.children.get(p)
          if (next === undefined) {
            next = { children: new Map() }
            node.children.set(p, next)
          }
          node = next
        }
        if (e._tag === "File") {
          node.file = e
          fileCount++
        } else dirs++
      })
    )
    if (g.json) return yield* json(all)
    if (name === "lsr") {
      const walk = (node: TreeNode, prefix: string): Array<string> =>
        [...node.children.entries()]
          .sort(([x], [y]) => x.localeCompare(y))
          .flatMap(([n, child]) => [
            `${prefix}${n}${child.file === undefined ? "/" : ""}`,
            ...walk(child, `${prefix}${n}/`)
          ])
      for (const line of walk(root, "")) yield* out(line)
      return
    }
    const lines: Array<string> = [`/${base}`]
    const walk = (node: TreeNode, indent: string) => {
      const kids = [...node.children.entries()].sort(([x], [y]) => x.localeCompare(y))
      kids.forEach(([n, child], i) => {
        const last = i === kids.length - 1
        lines.push(`${indent}${last ? "└── " : "├── "}${n}`)
        walk(child, `${indent}${last ? "    " : "│   "}`)
      })
    }
    walk(root, "")
    lines.push("", `${dirs} directories, ${fileCount} files`)
    for (const line of lines) yield* out(line)
  }).pipe(Sdk.withSdk(remoteOf(a.path)))
