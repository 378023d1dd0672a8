/**
 * JFS XML documents (§3.2-§3.4, §4.1, §4.2, §3.6): user, device, mountpoint, folder, file,
 * the trash view and the links/latest search results.
 */
import type { Account, Device, FileNode, FolderNode, Node, Revision } from "./model.js"
import { eachFile, walk } from "./model.js"
import { HOST } from "./reply.js"
import { classic } from "./time.js"
import type { XmlElement } from "./xml.js"
import { el, render, text } from "./xml.js"

const rootAttrs = (now: number, extra: ReadonlyArray<readonly [string, string | undefined]> = []) =>
  [...extra, ["time", classic(now)], ["host", HOST]] as const

const byName = <A extends { name: string }>(xs: Iterable<A>): Array<A> =>
  Array.from(xs).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))

// ---------------------------------------------------------------- sizes

/** Size of a subtree: current revisions of every file, trashed ones included. */
export const treeSize = (folder: FolderNode): number => {
  let n = 0
  eachFile(folder, (f) => {
    if (f.current) n += f.current.size
  })
  return n
}

/** Latest `updated` time of any file in the subtree, if any. */
export const treeModified = (folder: FolderNode): number | undefined => {
  let t: number | undefined
  eachFile(folder, (f) => {
    if (f.current && (t === undefined || f.current.updated > t)) t = f.current.updated
  })
  return t
}

export const deviceSize = (d: Device): number => {
  let n = 0
  for (const mp of d.mountpoints.values()) n += treeSize(mp)
  return n
}

const deviceModified = (d: Device): number | undefined => {
  let t: number | undefined
  for (const mp of d.mountpoints.values()) {
    const m = treeModified(mp)
    if (m !== undefined && (t === undefined || m > t)) t = m
  }
  return t
}

export const accountUsage = (a: Account): number => {
  let n = 0
  for (const d of a.devices.values()) n += deviceSize(d)
  return n
}

const modifiedEl = (t: number | undefined): XmlElement => text("modified", t === undefined ? "" : classic(t))

// ---------------------------------------------------------------- account documents

export const userDoc = (a: Account, now: number): string => {
  const usage = accountUsage(a)
  const devices = byName(a.devices.values()).sort((x, y) => (x.type === "JOTTA" ? -1 : y.type === "JOTTA" ? 1 : 0))
  return render(
    el("user", rootAttrs(now), [
      text("username", a.username),
      text("account-type", a.quota < 0 ? "unlimited" : "limited"),
      text("locked", false),
      text("capacity", a.quota),
      text("max-devices", -1),
      text("max-mobile-devices", -1),
      text("usage", usage),
      text("read-locked", false),
      text("write-locked", false),
      text("quota-write-locked", a.quotaWriteLocked || (a.quota >= 0 && usage >= a.quota)),
      text("enable-sync", true),
      text("enable-foldershare", true),
      el(
        "devices",
        [],
        devices.map((d) =>
          el(
            "device",
            [],
            [
              text("name", d.name, true),
              text("display_name", d.name, true),
              text("type", d.type),
              text("sid", d.sid),
              text("size", deviceSize(d)),
              modifiedEl(deviceModified(d))
            ]
          )
        )
      )
    ])
  )
}

export const deviceDoc = (a: Account, d: Device, now: number): string => {
  const mps = byName(Array.from(d.mountpoints.values()).filter((m) => !m.hidden))
  return render(
    el("device", rootAttrs(now), [
      text("name", d.name, true),
      text("display_name", d.name, true),
      text("type", d.type),
      text("sid", d.sid),
      text("size", deviceSize(d)),
      modifiedEl(deviceModified(d)),
      text("user", a.username),
      mps.length > 0
        ? el(
            "mountPoints",
            [],
            mps.map((m) =>
              el("mountPoint", [], [text("name", m.name, true), text("size", treeSize(m)), modifiedEl(treeModified(m))])
            )
          )
        : undefined,
      el("metadata", [
        ["first", ""],
        ["max", ""],
        ["total", String(mps.length)],
        ["num_mountpoints", String(mps.length)]
      ])
    ])
  )
}

// ---------------------------------------------------------------- files and folders

export const revisionEl = (tag: string, r: Revision): XmlElement =>
  el(
    tag,
    [],
    [
      text("number", r.number),
      text("state", r.state),
      text("created", classic(r.created)),
      text("modified", classic(r.modified)),
      text("mime", r.mime),
      text("size", r.size),
      text("md5", r.md5),
      text("updated", classic(r.updated))
    ]
  )

const revisionChildren = (f: FileNode): Array<XmlElement | undefined> => [
  f.current ? revisionEl("currentRevision", f.current) : undefined,
  f.latest ? revisionEl("latestRevision", f.latest) : undefined,
  f.revisions.length > 0
    ? el(
        "revisions",
        [],
        f.revisions.map((r) => revisionEl("revision", r))
      )
    : undefined
]

/** A child entry inside a listing's `<files>`. */
const fileEntry = (f: FileNode, parentAbs: string, extraAttrs: ReadonlyArray<readonly [string, string]> = []) =>
  el(
    "file",
    [
      ["name", f.name],
      ["uuid", f.uuid],
      ...(f.deleted !== undefined ? ([["deleted", classic(f.deleted)]] as const) : []),
      ...extraAttrs
    ],
    [
      f.deleted !== undefined ? text("abspath", parentAbs, true) : undefined,
      f.current ? revisionEl("currentRevision", f.current) : undefined,
      f.latest ? revisionEl("latestRevision", f.latest) : undefined
    ]
  )

const folderEntry = (f: FolderNode, parentAbs: string, extraAttrs: ReadonlyArray<readonly [string, string]> = []) =>
  el(
    "folder",
    [["name", f.name], ...(f.deleted !== undefined ? ([["deleted", classic(f.deleted)]] as const) : []), ...extraAttrs],
    f.deleted !== undefined ? [text("abspath", parentAbs, true)] : undefined
  )

/** `folders`, `files` and `metadata` children of a listing. */
const listingChildren = (folder: FolderNode, selfAbs: string, metadata: boolean): Array<XmlElement | undefined> => {
  const kids = byName(folder.children.values())
  const folders = kids.filter((k): k is FolderNode => k.kind === "folder")
  const files = kids.filter((k): k is FileNode => k.kind === "file")
  return [
    folders.length > 0
      ? el(
          "folders",
          [],
          folders.map((f) => folderEntry(f, selfAbs))
        )
      : undefined,
    files.length > 0
      ? el(
          "files",
          [],
          files.map((f) => fileEntry(f, selfAbs))
        )
      : undefined,
    metadata
      ? el("metadata", [
          ["first", ""],
          ["max", ""],
          ["total", String(kids.length)],
          ["num_folders", String(folders.length)],
          ["num_files", String(files.length)]
        ])
      : undefined
  ]
}

const shareChildren = (n: Node): Array<XmlElement | undefined> =>
  n.publicURI !== undefined ? [text("publicURI", n.publicURI), text("publicSharePath", `s/${n.publicURI}`)] : []

export interface MountpointDocOptions {
  readonly listing: boolean
  readonly metadata: boolean
}

export const mountpointDoc = (
  a: Account,
  d: Device,
  mp: FolderNode,
  now: number,
  opts: MountpointDocOptions = { listing: true, metadata: true }
): string => {
  const devAbs = `/${a.username}/${d.name}`
  return mountPointRoot(
    a,
    d,
    mp,
    now,
    opts.listing ? treeSize(mp) : 0,
    opts.listing ? treeModified(mp) : undefined,
    opts.listing ? listingChildren(mp, `${devAbs}/${mp.name}`, opts.metadata) : []
  )
}

/** A `mountPoint` document: its header elements, then `children`. */
const mountPointRoot = (
  a: Account,
  d: Device,
  mp: FolderNode,
  now: number,
  size: number,
  modified: number | undefined,
  children: ReadonlyArray<XmlElement | undefined>
): string => {
  const devAbs = `/${a.username}/${d.name}`
  return render(
    el("mountPoint", rootAttrs(now), [
      text("name", mp.name, true),
      text("path", devAbs, true),
      text("abspath", devAbs, true),
      text("size", size),
      modifiedEl(modified),
      text("device", d.name),
      text("user", a.username),
      ...children
    ])
  )
}

/** Folder document; `parentAbs` is the absolute parent path `/<user>/<device>/<mp>/…`. */
export const folderDoc = (folder: FolderNode, parentAbs: string, now: number, metadata = true): string =>
  render(
    el(
      "folder",
      rootAttrs(now, [
        ["name", folder.name],
        ["deleted", folder.deleted !== undefined ? classic(folder.deleted) : undefined]
      ]),
      [
        text("path", parentAbs, true),
        text("abspath", parentAbs, true),
        ...shareChildren(folder),
        ...listingChildren(folder, `${parentAbs}/${folder.name}`, metadata)
      ]
    )
  )

export const fileDoc = (file: FileNode, parentAbs: string, now: number): string =>
  render(
    el(
      "file",
      rootAttrs(now, [
        ["name", file.name],
        ["uuid", file.uuid],
        ["deleted", file.deleted !== undefined ? classic(file.deleted) : undefined]
      ]),
      [
        text("path", parentAbs, true),
        text("abspath", parentAbs, true),
        ...shareChildren(file),
        ...revisionChildren(file)
      ]
    )
  )

// ---------------------------------------------------------------- special views (§3.6)

interface Located<N extends Node> {
  readonly node: N
  readonly parentAbs: string
}

/** The nodes of every device's non-special mountpoints that `pick` returns, with their parent paths. */
const locate = <N extends Node>(
  a: Account,
  pick: (node: Node, parent: FolderNode, mp: FolderNode) => N | undefined
): Array<Located<N>> => {
  const out: Array<Located<N>> = []
  for (const d of a.devices.values()) {
    for (const mp of d.mountpoints.values()) {
      if (mp.special) continue
      const base = `/${a.username}/${d.name}/${mp.name}`
      walk(mp, (node, parent, parentPath) => {
        const picked = pick(node, parent, mp)
        if (picked !== undefined) {
          out.push({ node: picked, parentAbs: parentPath.length > 0 ? `${base}/${parentPath.join("/")}` : base })
        }
      })
    }
  }
  return out
}

/** Top-level trashed entries of every device and mountpoint (their parent is live). */
export const trashEntries = (a: Account): Array<Located<Node>> =>
  locate(a, (node, parent, mp) =>
    node.deleted !== undefined && (parent === mp || parent.deleted === undefined) ? node : undefined
  )

export const trashDoc = (a: Account, d: Device, mp: FolderNode, now: number): string => {
  const entries = trashEntries(a).sort((x, y) => (x.node.name < y.node.name ? -1 : x.node.name > y.node.name ? 1 : 0))
  const folders = entries.filter((e): e is Located<FolderNode> => e.node.kind === "folder")
  const files = entries.filter((e): e is Located<FileNode> => e.node.kind === "file")
  const ctx = [["contextType", "TRASH"]] as const
  return mountPointRoot(
    a,
    d,
    mp,
    now,
    entries.reduce((n, e) => n + (e.node.kind === "file" ? (e.node.current?.size ?? 0) : treeSize(e.node)), 0),
    undefined,
    [
      folders.length > 0
        ? el(
            "folders",
            [],
            folders.map((e) => folderEntry(e.node, e.parentAbs, ctx))
          )
        : undefined,
      files.length > 0
        ? el(
            "files",
            [],
            files.map((e) => fileEntry(e.node, e.parentAbs, ctx))
          )
        : undefined,
      el("metadata", [
        ["first", ""],
        ["max", ""],
        ["total", String(entries.length)],
        ["num_folders", String(folders.length)],
        ["num_files", String(files.length)]
      ])
    ]
  )
}

/** Every live file with a current revision. */
const allFiles = (a: Account): Array<Located<FileNode>> =>
  locate(a, (node) => (node.kind === "file" && node.deleted === undefined && node.current ? node : undefined))

const searchResult = (entries: ReadonlyArray<Located<FileNode>>, now: number): string =>
  render(
    el("searchresult", rootAttrs(now), [
      entries.length > 0
        ? el(
            "files",
            [],
            entries.map((e) =>
              el(
                "file",
                [
                  ["name", e.node.name],
                  ["uuid", e.node.uuid]
                ],
                [
                  text("path", e.parentAbs, true),
                  text("abspath", e.parentAbs, true),
                  ...(e.node.publicURI !== undefined ? [text("publicURI", e.node.publicURI)] : []),
                  e.node.current ? revisionEl("currentRevision", e.node.current) : undefined
                ]
              )
            )
          )
        : undefined,
      el("metadata", [
        ["first", ""],
        ["max", ""],
        ["total", String(entries.length)],
        ["num_folders", "0"],
        ["num_files", String(entries.length)]
      ])
    ])
  )

export const linksDoc = (a: Account, now: number): string =>
  searchResult(
    allFiles(a).filter((e) => e.node.publicURI !== undefined),
    now
  )

export const latestDoc = (a: Account, now: number, max: number): string =>
  searchResult(
    allFiles(a)
      .sort((x, y) => (y.node.current?.updated ?? 0) - (x.node.current?.updated ?? 0))
      .slice(0, max),
    now
  )
