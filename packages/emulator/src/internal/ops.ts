/**
 * Tree operations shared by JFS commands, cphash and the upload protocol: path walking,
 * folder creation with revival, revisions, tombstones and permanent removal.
 */
import * as Mime from "mime-types"
import type { Account, Device, FileNode, FolderNode, Node, Revision } from "./model.js"
import { key, newFolder, uuid } from "./model.js"
import { INVALID_ARGUMENT, jfsFail, NO_SUCH_PATH, UNIQUE_FILE } from "./reply.js"
import type { EmuState } from "./state.js"

export const MAX_NAME = 255

export const mimeOf = (name: string): string => Mime.lookup(name) || "application/octet-stream"

/**
 * Characters a name cannot hold: those XML 1.0 cannot carry (§8.3: "XML cannot carry control
 * characters or invalid UTF-8"), i.e. NUL and the other C0 controls except TAB, LF and CR, the
 * non-characters U+FFFE and U+FFFF, and lone surrogates (not encodable as UTF-8). rclone's
 * default encoding maps them all to look-alikes (§8.3 `Ctl`, `InvalidUtf8`), so a client
 * never needs to send them raw.
 */
const REFUSED_CHARS =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: these control characters are the ones it refuses
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/** A name with its refused characters written as `\uXXXX`, safe to put in an XML error. */
const printable = (name: string): string =>
  name.replace(new RegExp(REFUSED_CHARS.source, "g"), (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)

/**
 * Rejects a name the service refuses: one with a character XML cannot carry (§8.3), one longer
 * than 255 UTF-16 code units (§8.2), empty, `.`, `..` or containing `/`.
 */
export const checkName = (name: string): void => {
  if (REFUSED_CHARS.test(name)) {
    throw jfsFail(400, `${INVALID_ARGUMENT}: Invalid character in name '${printable(name).slice(0, 80)}'`)
  }
  if (name.length > MAX_NAME) {
    throw jfsFail(400, `${INVALID_ARGUMENT}: Name is too long (${name.length} > ${MAX_NAME}): ${name.slice(0, 40)}…`)
  }
  if (name === "" || name === "." || name === ".." || name.includes("/")) {
    throw jfsFail(400, `${INVALID_ARGUMENT}: Invalid name '${name}'`)
  }
}

/** A location inside a mountpoint. */
export interface Location {
  readonly account: Account
  readonly device: Device
  readonly mountpoint: FolderNode
  /** Wire names below the mountpoint. */
  readonly segments: ReadonlyArray<string>
}

export const mountpointAbs = (loc: Pick<Location, "account" | "device" | "mountpoint">): string =>
  `/${loc.account.username}/${loc.device.name}/${loc.mountpoint.name}`

export interface Resolved {
  /** Parent folder, when every intermediate folder exists. */
  readonly parent: FolderNode | undefined
  readonly node: Node | undefined
  /** Absolute parent path using stored spellings where known. */
  readonly parentAbs: string
  /** Absolute path of the item itself. */
  readonly abs: string
}

/** Resolves a location case-insensitively. Trashed folders are traversed (tombstones stay addressable). */
export const resolve = (loc: Location): Resolved => {
  let folder: FolderNode | undefined = loc.mountpoint
  let abs = mountpointAbs(loc)
  let parentAbs = abs
  let node: Node | undefined = loc.mountpoint
  for (let i = 0; i < loc.segments.length; i++) {
    const seg = loc.segments[i]!
    parentAbs = abs
    if (folder === undefined) {
      abs = `${abs}/${seg}`
      node = undefined
      continue
    }
    const child: Node | undefined = folder.children.get(key(seg))
    abs = `${abs}/${child?.name ?? seg}`
    node = child
    if (i < loc.segments.length - 1) folder = child?.kind === "folder" ? child : undefined
  }
  const parent = loc.segments.length === 0 ? undefined : folder
  return { parent, node, parentAbs, abs }
}

/** Clears the tombstone of a node. */
const revive = (n: Node): void => {
  n.deleted = undefined
}

/**
 * Walks (and creates) the folders `segments` below the mountpoint, reviving trashed folders on the
 * way. Throws when a segment is a file, or (create=false) when a folder is missing.
 */
export const ensureFolders = (
  state: EmuState,
  loc: Location,
  segments: ReadonlyArray<string>,
  create = true
): FolderNode => {
  let folder = loc.mountpoint
  let abs = mountpointAbs(loc)
  for (const seg of segments) {
    const child = folder.children.get(key(seg))
    abs = `${abs}/${child?.name ?? seg}`
    if (child === undefined) {
      if (!create) throw jfsFail(404, `${NO_SUCH_PATH}: Directory ${abs}`)
      checkName(seg)
      const f = newFolder(seg, state.now())
      folder.children.set(key(seg), f)
      folder = f
      state.touch()
    } else if (child.kind === "file") {
      throw jfsFail(400, `${UNIQUE_FILE}: A file exists at ${abs}`)
    } else {
      if (child.deleted !== undefined) {
        revive(child)
        state.touch()
      }
      folder = child
    }
  }
  return folder
}

export const nextNumber = (f: FileNode): number =>
  Math.max(f.current?.number ?? 0, f.latest?.number ?? 0, f.revisions[0]?.number ?? 0) + 1

/** Drops an unfinished latest revision (its partial blob and upload session). */
export const dropLatest = (state: EmuState, f: FileNode): void => {
  const l = f.latest
  if (l === undefined) return
  if (l.uploadId) state.uploads.delete(l.uploadId)
  state.pool.release(l.blob)
  f.latest = undefined
}

/** Adds a completed revision with existing content; the previous current moves to `revisions`. */
export const addCompletedRevision = (
  state: EmuState,
  f: FileNode,
  content: { readonly blob: string; readonly md5: string; readonly size: number },
  times: { readonly created: number; readonly modified: number }
): Revision => {
  const number = nextNumber(f)
  dropLatest(state, f)
  state.pool.retain(content.blob)
  return makeCurrent(state, f, {
    number,
    created: times.created,
    modified: times.modified,
    size: content.size,
    md5: content.md5,
    blob: content.blob
  })
}

/** A completed revision becomes the file's current one; the previous current joins the older revisions. */
const makeCurrent = (
  state: EmuState,
  f: FileNode,
  r: Pick<Revision, "number" | "created" | "modified" | "size" | "md5" | "blob">
): Revision => {
  const rev: Revision = { ...r, state: "COMPLETED", updated: state.now(), mime: mimeOf(f.name) }
  if (f.current) f.revisions.unshift(f.current)
  f.current = rev
  state.touch()
  return rev
}

/**
 * The incomplete revision whose blob holds all its bytes (verified against its MD5 by the
 * caller) becomes the current one; the previous current joins the older revisions.
 */
export const completeLatest = (state: EmuState, f: FileNode): Revision => {
  const rev = f.latest!
  if (rev.uploadId) state.uploads.delete(rev.uploadId)
  state.pool.register(rev.blob!, rev.md5, rev.size)
  f.latest = undefined
  const { number, created, modified, size, md5, blob } = rev
  return makeCurrent(state, f, { number, created, modified, size, md5, blob })
}

export const newFile = (name: string): FileNode => ({ kind: "file", name, uuid: uuid(), revisions: [] })

/** Stamps a node and every live descendant with the same deletion time. */
export const trash = (n: Node, time: number): void => {
  if (n.deleted === undefined) n.deleted = time
  if (n.kind === "folder") for (const c of n.children.values()) trash(c, time)
}

/** Releases the content and upload sessions of a detached subtree. */
export const discard = (state: EmuState, node: Node): void => {
  state.pool.releaseTree(node)
  const dropUploads = (n: Node): void => {
    if (n.kind === "file") {
      if (n.latest?.uploadId) state.uploads.delete(n.latest.uploadId)
    } else for (const c of n.children.values()) dropUploads(c)
  }
  dropUploads(node)
  state.touch()
}

/** Removes a child permanently and releases its content. */
export const removeChild = (state: EmuState, parent: FolderNode, child: Node): void => {
  parent.children.delete(key(child.name))
  discard(state, child)
}

/** Every file (trashed included) with the given content, for the dedup pool. */
export const findContent = (state: EmuState, md5: string, size: number) => {
  const blob = state.pool.find(md5, size)
  return blob === undefined ? undefined : { blob, md5: md5.toLowerCase(), size }
}
