/**
 * Whole-emulator state: accounts, the content pool, the upload and share indexes, the clock,
 * and persistence of metadata as JSON under `dataDir`.
 */
import * as Fs from "node:fs"
import * as Path from "node:path"
import * as Blobs from "./blobs.js"
import type { Account, Device, FileNode, FolderNode, Node, Revision } from "./model.js"
import { fileRevisions, key, newAccount, Pool, walk } from "./model.js"

export interface PathChecks {
  /** Reject paths containing `%25` (rclone #9153). Default true. */
  readonly rejectPercent25: boolean
  /** Reject paths containing a literal `+` (rclone #2734). Default true. */
  readonly rejectLiteralPlus: boolean
}

/** An account to seed (the public `Emulator.Account`). */
export interface AccountSeed {
  readonly username: string
  readonly email: string
  readonly password: string
  /** When set, the legacy login asks for this SMS code (2FA). */
  readonly otp?: string | undefined
  readonly name?: string | undefined
  /** Capacity in bytes; default: `Options.quotaBytes`. */
  readonly quotaBytes?: number | undefined
}

export interface StateOptions {
  readonly dataDir?: string | undefined
  readonly accounts: ReadonlyArray<AccountSeed>
  readonly quotaBytes: number
  readonly pathChecks: PathChecks
  readonly lenientParents: boolean
}

export interface UploadSession {
  readonly file: FileNode
  readonly username: string
  /** Incremental MD5 over the bytes [0, hashed) of the partial blob. */
  hash?: import("node:crypto").Hash | undefined
  hashed: number
  /** The allocate path form echoed in replies. */
  readonly path: string
}

export class EmuState {
  readonly accounts = new Map<string, Account>()
  readonly pool: Pool
  readonly uploads = new Map<string, UploadSession>()
  clockOffset = 0
  /** Bumped on every mutation (usage caches). */
  version = 0
  blobCounter = 0

  constructor(readonly options: StateOptions) {
    const store = options.dataDir ? Blobs.files(Path.join(options.dataDir, "blobs")) : Blobs.memory()
    this.pool = new Pool(store)
  }

  now(): number {
    return Date.now() + this.clockOffset
  }

  touch(): void {
    this.version++
  }

  newBlobId(): string {
    this.blobCounter++
    return `${Date.now().toString(36)}${this.blobCounter.toString(36)}${Math.random().toString(36).slice(2, 8)}`
  }

  account(username: string): Account | undefined {
    return this.accounts.get(key(username))
  }

  seed(): void {
    const now = this.now()
    for (const a of this.options.accounts) {
      if (!this.accounts.has(key(a.username))) {
        this.accounts.set(key(a.username), newAccount(a, a.quotaBytes ?? this.options.quotaBytes, now))
      }
    }
  }

  /** Rebuilds reference counts, the dedup index and the upload index from the trees. */
  reindex(): void {
    this.pool.refs.clear()
    this.pool.index.clear()
    this.uploads.clear()
    for (const acc of this.accounts.values()) {
      for (const dev of acc.devices.values()) {
        for (const mp of dev.mountpoints.values()) {
          const parts = ["", "jfs", dev.name, mp.name]
          walk(mp, (node, _parent, parentPath) => {
            if (node.kind !== "file") return
            for (const r of fileRevisions(node)) {
              this.pool.retain(r.blob)
              if (r.state === "COMPLETED" && r.blob) this.pool.register(r.blob, r.md5, r.size)
            }
            if (node.latest?.uploadId) {
              this.uploads.set(node.latest.uploadId, {
                file: node,
                username: acc.username,
                hashed: 0,
                path: [...parts, ...parentPath, node.name].join("/")
              })
            }
          })
        }
      }
    }
    // blobs nothing references (a crash between writes) are dropped
    for (const id of this.pool.store.ids()) if (!this.pool.refs.has(id)) this.pool.store.remove(id)
  }

  // ---------------------------------------------------------------- persistence

  private metaFile(): string | undefined {
    return this.options.dataDir ? Path.join(this.options.dataDir, "state.json") : undefined
  }

  /** Writes metadata (and the identity snapshot) atomically. */
  save(identity: unknown): void {
    const file = this.metaFile()
    if (file === undefined) return
    const json = JSON.stringify({
      version: 1,
      clockOffset: this.clockOffset,
      accounts: Array.from(this.accounts.values(), serializeAccount),
      identity
    })
    const tmp = `${file}.tmp`
    Fs.writeFileSync(tmp, json)
    Fs.renameSync(tmp, file)
  }

  /** Loads persisted metadata; returns the identity snapshot, if any. */
  load(): { readonly identity: unknown } | undefined {
    const file = this.metaFile()
    if (file === undefined || !Fs.existsSync(file)) return undefined
    const data = JSON.parse(Fs.readFileSync(file, "utf8")) as {
      clockOffset?: number
      accounts: ReadonlyArray<SerializedAccount>
      identity?: unknown
    }
    this.clockOffset = data.clockOffset ?? 0
    for (const a of data.accounts) {
      const acc = deserializeAccount(a)
      this.accounts.set(key(acc.username), acc)
    }
    this.reindex()
    return { identity: data.identity }
  }
}

// ---------------------------------------------------------------- (de)serialisation

type SerializedNode =
  | (Omit<FileNode, "revisions"> & { revisions: Array<Revision> })
  | (Omit<FolderNode, "children"> & { children: Array<SerializedNode> })

interface SerializedDevice extends Omit<Device, "mountpoints"> {
  mountpoints: Array<SerializedNode>
}

interface SerializedAccount extends Omit<Account, "devices"> {
  devices: Array<SerializedDevice>
}

const serializeNode = (n: Node): SerializedNode =>
  n.kind === "file" ? { ...n } : { ...n, children: Array.from(n.children.values(), serializeNode) }

const deserializeNode = (n: SerializedNode): Node =>
  n.kind === "file"
    ? { ...n }
    : {
        ...n,
        children: new Map(n.children.map((c) => [key(c.name), deserializeNode(c)] as const))
      }

const serializeAccount = (a: Account): SerializedAccount => ({
  ...a,
  devices: Array.from(a.devices.values(), (d) => ({
    ...d,
    mountpoints: Array.from(d.mountpoints.values(), serializeNode)
  }))
})

const deserializeAccount = (a: SerializedAccount): Account => ({
  ...a,
  devices: new Map(
    a.devices.map(
      (d) =>
        [
          key(d.name),
          {
            ...d,
            mountpoints: new Map(d.mountpoints.map((m) => [key(m.name), deserializeNode(m) as FolderNode] as const))
          }
        ] as const
    )
  )
})
