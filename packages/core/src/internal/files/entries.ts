/**
 * Wire documents → the public models: a JFS file or folder element (§4.1, §4.2), a
 * liststream line (§4.9), a revision (§4.2). Names are decoded with the configured encoding
 * (§8.4); a name that is not valid UTF-8 keeps its bytes in `nameBytes`. A file's size, MD5
 * and times come from its current revision, else the latest (incomplete) one.
 *
 * @internal
 */
import * as Option from "effect/Option"
import { md5OrUndefined } from "../../ContentHasher.js"
import type { Entry, FileInfo, FolderInfo, RevisionInfo } from "../../Files.js"
import type * as Jfs from "../../Jfs.js"
import type * as JottaConfig from "../../JottaConfig.js"
import type * as ListStream from "../../ListStream.js"
import * as Name from "../../Name.js"
import type * as Loc from "../location.js"
import * as utf8 from "../utf8.js"

/** A wire name's raw name (and its bytes when they are not valid UTF-8). */
export const decodeName = (
  wire: string,
  encoding: Name.Encoding
): { readonly name: string; readonly nameBytes?: Uint8Array | undefined } => {
  const s = Name.decodeToString(wire, encoding)
  if (Option.isSome(s)) return { name: s.value }
  const bytes = Name.decode(wire, encoding)
  return { name: utf8.toStringLossy(bytes), nameBytes: bytes }
}

/**
 * Whether a listed wire name can name an entry: not empty, `.` or `..`, and without `/` (the
 * service holds no such name, §8; a listing with one would send later requests elsewhere).
 */
export const isEntryName = (wire: string): boolean =>
  wire !== "" && wire !== "." && wire !== ".." && !wire.includes("/")

/** `JottaPath.displayWire` through {@link decodeName} (which skips the byte round trip for plain names). */
export const displayWire = (wire: ReadonlyArray<string>, encoding: Name.Encoding): string =>
  wire.map((w) => decodeName(w, encoding).name).join("/")

const joinDisplay = (parent: string, name: string): string => (parent === "" ? name : `${parent}/${name}`)

/** The name and path fields of an entry named `wireName` under `parentWire` / `parentDisplay`. */
const entryNaming = (
  config: JottaConfig.Service,
  wireName: string,
  parentWire: ReadonlyArray<string>,
  parentDisplay: string
) => {
  const n = decodeName(wireName, config.encoding)
  return { ...n, wireName, path: joinDisplay(parentDisplay, n.name), wirePath: [...parentWire, wireName] }
}

/** A file element (folder listing or file document). */
export const fromJfsFile = (
  config: JottaConfig.Service,
  file: Jfs.File,
  parentWire: ReadonlyArray<string>,
  parentDisplay: string
): FileInfo => {
  const rev = file.currentRevision ?? file.latestRevision
  return {
    _tag: "File",
    ...entryNaming(config, file.name, parentWire, parentDisplay),
    size: rev?.size ?? 0,
    md5: rev?.md5,
    modified: rev?.modified ?? Option.none(),
    created: rev?.created ?? Option.none(),
    updated: rev?.updated ?? Option.none(),
    contentType: rev?.mime,
    revision: rev?.number ?? 0,
    uuid: file.uuid,
    deleted: file.deleted
  }
}

/** A folder element of a listing. */
export const fromJfsFolder = (
  config: JottaConfig.Service,
  folder: Jfs.FolderEntry,
  parentWire: ReadonlyArray<string>,
  parentDisplay: string
): FolderInfo => ({
  _tag: "Folder",
  ...entryNaming(config, folder.name, parentWire, parentDisplay),
  modified: folder.modified,
  deleted: folder.deleted
})

/** Whether a listed file is shown: complete, and trashed exactly in the trashed-only view. */
export const visibleFile = (f: Jfs.File, trashedOnly: boolean): boolean => f.isComplete && f.isTrashed === trashedOnly

/** The visible entries of a folder or mountpoint document at `loc`: folders, then files. */
export const entriesOf = (
  config: JottaConfig.Service,
  loc: Loc.Location,
  doc: { readonly folders: ReadonlyArray<Jfs.FolderEntry>; readonly files: ReadonlyArray<Jfs.File> },
  trashedOnly: boolean
): ReadonlyArray<Entry> => {
  const out: Array<Entry> = []
  for (const f of doc.folders) {
    if (trashedOnly || !f.isTrashed) out.push(fromJfsFolder(config, f, loc.relative, loc.display))
  }
  for (const f of doc.files) {
    if (visibleFile(f, trashedOnly)) out.push(fromJfsFile(config, f, loc.relative, loc.display))
  }
  return out
}

/** A liststream entry below `base` (no upload time, MIME type, revision or uuid: §4.9). */
export const fromListStream = (
  config: JottaConfig.Service,
  e: ListStream.ListStreamEntry,
  base: Loc.Location
): Entry => {
  // e.path: wire names below the listed folder
  const wirePath = [...base.relative, ...e.path]
  const display = wirePath.map((w) => Option.getOrElse(Name.decodeToString(w, config.encoding), () => w)).join("/")
  const wireName = wirePath[wirePath.length - 1] ?? ""
  const n = decodeName(wireName, config.encoding)
  if (e._tag === "Folder") {
    return {
      _tag: "Folder",
      ...n,
      wireName,
      path: display,
      wirePath,
      modified: Option.none(),
      deleted: Option.none()
    }
  }
  return {
    _tag: "File",
    ...n,
    wireName,
    path: display,
    wirePath,
    size: e.size,
    md5: md5OrUndefined(e.md5),
    modified: Option.some(e.modified),
    created: Option.some(e.created),
    updated: Option.none(),
    contentType: undefined,
    revision: 0,
    uuid: undefined,
    deleted: Option.none()
  }
}

/** One revision of a file. */
export const revisionInfo = (rev: Jfs.Revision, current: boolean): RevisionInfo => ({
  number: rev.number,
  current,
  state: rev.state,
  size: rev.size,
  md5: rev.md5,
  modified: rev.modified,
  created: rev.created,
  updated: rev.updated,
  contentType: rev.mime
})

/** The revisions of a file document: the latest (incomplete) one, the current one, then the older ones. */
export const revisionsOf = (file: Jfs.File): ReadonlyArray<RevisionInfo> => {
  const out: Array<RevisionInfo> = []
  if (file.latestRevision !== undefined) out.push(revisionInfo(file.latestRevision, false))
  if (file.currentRevision !== undefined) out.push(revisionInfo(file.currentRevision, true))
  for (const r of file.revisions) out.push(revisionInfo(r, false))
  return out
}
