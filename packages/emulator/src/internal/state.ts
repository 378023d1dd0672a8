/**
 * Whole-emulator state: accounts, the content pool, the upload and share indexes, the clock,
 * and persistence of metadata as JSON under `dataDir`.
 *
 * Durability with `dataDir` (a `kill -9` at any instant loses no acknowledged change): the
 * metadata is replaced atomically (`atomicFile.ts`) after every change and before the reply,
 * a completed blob is fsynced before it is acknowledged, removed blobs are unlinked only after
 * the metadata without them is saved (`blobs.ts`), and at load every revision is reconciled
 * with its blob (`reconcile`).
 */
import * as Crypto from "node:crypto"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { writeAtomic } from "./atomicFile.js"
import * as Blobs from "./blobs.js"
import type { Account, Device, FileNode, FolderNode, Node, Revision } from "./model.js"
import { fileRevisions, key, newAccount, Pool, walk } from "./model.js"
import { completeLatest } from "./ops.js"

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

  /**
   * Rebuilds reference counts, the dedup index and the upload index from the trees, after
   * reconciling every file with its blobs.
   */
  reindex(): void {
    this.pool.refs.clear()
    this.pool.index.clear()
    this.uploads.clear()
    const verified = new Map<string, boolean>()
    for (const acc of this.accounts.values()) {
      for (const dev of acc.devices.values()) {
        for (const mp of dev.mountpoints.values()) {
          const parts = ["", "jfs", dev.name, mp.name]
          walk(mp, (node, _parent, parentPath) => {
            if (node.kind !== "file") return
            this.reconcile(node, verified)
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
    this.pool.store.commit()
  }

  /** True when the blob holds exactly `size` bytes whose MD5 is `md5` (memoised per blob). */
  private holds(blob: string, md5: string, size: number, verified: Map<string, boolean>): boolean {
    const memo = `${blob}:${md5}:${size}`
    const known = verified.get(memo)
    if (known !== undefined) return known
    const store = this.pool.store
    let ok = store.has(blob) && store.size(blob) === size
    if (ok) {
      const h = Crypto.createHash("md5")
      for (const c of store.chunks(blob, size)) h.update(c)
      ok = h.digest("hex") === md5
    }
    verified.set(memo, ok)
    return ok
  }

  /**
   * Makes a file's revisions agree with what their blobs really hold (a `kill -9` may come
   * between a blob write and the metadata that records it):
   * - a completed revision whose blob does not hold its size and MD5 is marked `CORRUPT`, so
   *   it is neither listed as complete nor entered in the dedup pool;
   * - an incomplete upload's progress is the length of its partial blob (a missing blob is an
   *   empty one); a partial longer than the declared size is dropped (progress 0); a partial
   *   holding all bytes becomes the current revision when its MD5 matches and is dropped
   *   otherwise.
   */
  private reconcile(file: FileNode, verified: Map<string, boolean>): void {
    for (const r of [file.current, ...file.revisions]) {
      if (r?.state === "COMPLETED" && r.blob !== undefined && !this.holds(r.blob, r.md5, r.size, verified)) {
        r.state = "CORRUPT"
      }
    }
    const l = file.latest
    if (l?.blob === undefined) return
    const store = this.pool.store
    if (!store.has(l.blob)) store.create(l.blob)
    const held = store.size(l.blob)
    const total = l.bytes ?? 0
    if (held === total && this.holds(l.blob, l.md5, total, verified)) {
      l.size = total
      completeLatest(this, file)
      return
    }
    if (held >= total) {
      store.truncate(l.blob, 0)
      l.size = 0
      if (l.state === "CORRUPT") l.state = "INCOMPLETE"
      return
    }
    l.size = held
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
    writeAtomic(file, json)
    this.pool.store.commit()
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
