/**
 * The emulator's data model: accounts, devices, mountpoints, folders and files with revisions
 * and tombstones, plus the content pool (blob reference counts and the deduplication index).
 */
import * as Crypto from "node:crypto"
import type { BlobStore } from "./blobs.js"

export type RevisionState = "COMPLETED" | "INCOMPLETE" | "CORRUPT"

export interface Revision {
  number: number
  state: RevisionState
  created: number
  modified: number
  updated: number
  mime: string
  /** Completed: content size. Incomplete: bytes received so far. */
  size: number
  md5: string
  /** Content blob (completed) or partial blob (incomplete). */
  blob?: string | undefined
  /** Incomplete/corrupt only: declared total size and the current upload id. */
  bytes?: number | undefined
  uploadId?: string | undefined
}

export interface FileNode {
  kind: "file"
  name: string
  uuid: string
  deleted?: number | undefined
  current?: Revision | undefined
  latest?: Revision | undefined
  /** Older completed revisions, newest first. */
  revisions: Array<Revision>
  publicURI?: string | undefined
}

export interface FolderNode {
  kind: "folder"
  name: string
  uuid: string
  created: number
  deleted?: number | undefined
  children: Map<string, Node>
  publicURI?: string | undefined
  /** Set on mountpoint roots that are special views (Trash, Links, Latest). */
  special?: "Trash" | "Links" | "Latest" | undefined
  /** Mountpoints only: hidden from the device document. */
  hidden?: boolean | undefined
}

export type Node = FileNode | FolderNode

export interface Device {
  name: string
  type: string
  sid: string
  created: number
  mountpoints: Map<string, FolderNode>
}

export interface Account {
  username: string
  email: string
  password: string
  otp?: string | undefined
  name: string
  /** Capacity in bytes; -1 = unlimited. */
  quota: number
  quotaWriteLocked: boolean
  devices: Map<string, Device>
}

/** Case-insensitive key: locale-independent Unicode lower-casing, no normalisation (§8.1). */
export const key = (name: string): string => name.toLowerCase()

export const uuid = (): string => Crypto.randomUUID()
export const randomHex = (bytes: number): string => Crypto.randomBytes(bytes).toString("hex")

export const newFolder = (name: string, now: number): FolderNode => ({
  kind: "folder",
  name,
  uuid: uuid(),
  created: now,
  children: new Map()
})

export const newDevice = (name: string, type: string, now: number): Device => ({
  name,
  type,
  sid: uuid(),
  created: now,
  mountpoints: new Map()
})

export const addMountpoint = (device: Device, name: string, now: number, hidden = false): FolderNode => {
  const mp = newFolder(name, now)
  if (hidden) mp.hidden = true
  if (name === "Trash" || name === "Links" || name === "Latest") {
    if (device.type === "JOTTA") mp.special = name
  }
  device.mountpoints.set(key(name), mp)
  return mp
}

export const newAccount = (
  a: { username: string; email: string; password: string; otp?: string | undefined; name?: string | undefined },
  quota: number,
  now: number
): Account => {
  const jotta = newDevice("Jotta", "JOTTA", now)
  for (const m of ["Archive", "Shared", "Sync"]) addMountpoint(jotta, m, now)
  for (const m of ["Trash", "Links", "Latest"]) addMountpoint(jotta, m, now, true)
  return {
    username: a.username,
    email: a.email,
    password: a.password,
    otp: a.otp,
    name: a.name ?? a.username,
    quota,
    quotaWriteLocked: false,
    devices: new Map([[key("Jotta"), jotta]])
  }
}

/** Visits every file node below a folder (trashed ones included). */
export const eachFile = (folder: FolderNode, f: (file: FileNode) => void): void => {
  for (const child of folder.children.values()) {
    if (child.kind === "file") f(child)
    else eachFile(child, f)
  }
}

/** Visits every node below a folder with its parent path segments. */
export const walk = (
  folder: FolderNode,
  f: (node: Node, parent: FolderNode, parentPath: ReadonlyArray<string>) => void,
  path: Array<string> = []
): void => {
  for (const child of folder.children.values()) {
    f(child, folder, path)
    if (child.kind === "folder") {
      path.push(child.name)
      walk(child, f, path)
      path.pop()
    }
  }
}

/** Every revision of a file that references a blob. */
export const fileRevisions = (file: FileNode): Array<Revision> => {
  const out: Array<Revision> = []
  if (file.current) out.push(file.current)
  if (file.latest) out.push(file.latest)
  out.push(...file.revisions)
  return out
}

/**
 * The content pool: reference counts per blob and the index `md5:size` -> blob of completed
 * content, i.e. the deduplication pool of §4.7 (every blob the emulator holds).
 */
export class Pool {
  readonly refs = new Map<string, number>()
  readonly index = new Map<string, string>()
  readonly meta = new Map<string, { md5: string; size: number }>()
  constructor(readonly store: BlobStore) {}

  static contentKey(md5: string, size: number): string {
    return `${md5.toLowerCase()}:${size}`
  }

  find(md5: string, size: number): string | undefined {
    return this.index.get(Pool.contentKey(md5, size))
  }

  /** Registers a completed blob in the dedup index. */
  register(blob: string, md5: string, size: number): void {
    this.meta.set(blob, { md5: md5.toLowerCase(), size })
    const k = Pool.contentKey(md5, size)
    if (!this.index.has(k)) this.index.set(k, blob)
  }

  retain(blob: string | undefined): void {
    if (blob === undefined) return
    this.refs.set(blob, (this.refs.get(blob) ?? 0) + 1)
  }

  release(blob: string | undefined): void {
    if (blob === undefined) return
    const n = (this.refs.get(blob) ?? 0) - 1
    if (n > 0) {
      this.refs.set(blob, n)
      return
    }
    this.refs.delete(blob)
    const m = this.meta.get(blob)
    if (m !== undefined) {
      const k = Pool.contentKey(m.md5, m.size)
      if (this.index.get(k) === blob) this.index.delete(k)
      this.meta.delete(blob)
    }
    this.store.remove(blob)
  }

  releaseFile(file: FileNode): void {
    for (const r of fileRevisions(file)) this.release(r.blob)
  }

  releaseTree(node: Node): void {
    if (node.kind === "file") this.releaseFile(node)
    else for (const c of node.children.values()) this.releaseTree(c)
  }
}
