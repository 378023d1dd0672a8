/**
 * Content storage: blobs are append-only byte sequences addressed by id, kept either as
 * chunk lists in memory or as files under `<dataDir>/blobs`.
 *
 * Durability of the file store (the `--data` emulator survives `kill -9`): a completed blob is
 * fsynced (`sync`) before its upload is acknowledged, and a removed blob is only unlinked at
 * `commit`, after the metadata that no longer references it is on disk, so a state on disk
 * never names a blob that is gone.
 */
import * as Fs from "node:fs"
import * as Path from "node:path"
import { Readable } from "node:stream"

export interface BlobStore {
  readonly create: (id: string) => void
  /** Adds bytes at the end; the store may keep `chunk` itself, so the caller must not change it afterwards. */
  readonly append: (id: string, chunk: Uint8Array) => void
  /** Cuts a partial blob back to `size` bytes. */
  readonly truncate: (id: string, size: number) => void
  /** Releases write resources of a blob (files: closes the descriptor). */
  readonly seal: (id: string) => void
  readonly size: (id: string) => number
  readonly has: (id: string) => boolean
  /** Streams bytes [start, end) of a blob. */
  readonly read: (id: string, start: number, end: number) => Readable
  /** Synchronous iteration over bytes [0, end) (used to rehash a partial upload). */
  readonly chunks: (id: string, end: number) => Iterable<Uint8Array>
  /** Removes a blob; the file store unlinks it at the next `commit`. */
  readonly remove: (id: string) => void
  /** Flushes a blob's bytes to stable storage (files: fsync; memory: nothing to do). */
  readonly sync: (id: string) => void
  /** Carries out the removals since the last commit (call after the metadata is saved). */
  readonly commit: () => void
  readonly ids: () => ReadonlyArray<string>
}

const sliceChunks = function* (chunks: ReadonlyArray<Uint8Array>, start: number, end: number): Generator<Uint8Array> {
  let pos = 0
  for (const c of chunks) {
    const cEnd = pos + c.byteLength
    if (cEnd > start && pos < end) {
      const from = Math.max(0, start - pos)
      const to = Math.min(c.byteLength, end - pos)
      yield from === 0 && to === c.byteLength ? c : c.subarray(from, to)
    }
    pos = cEnd
    if (pos >= end) return
  }
}

/** Small chunks are coalesced into write buffers of this size, so downloads write few chunks. */
const COALESCE = 1024 * 1024

/**
 * Chunks at least this large are kept as they are instead of being copied into a write buffer.
 * An upload's body chunks are already fresh copies made for this request (Node's HTTP parser
 * copies each body chunk out of the socket buffer), so keeping them costs no extra memory, and
 * not copying them saves a pass over every byte and, for a large upload, the page faults of a
 * second fresh gigabyte.
 */
const ADOPT = 16 * 1024

interface MemBlob {
  chunks: Array<Uint8Array>
  size: number
  /** Write buffer being filled (coalescing small socket chunks); bytes [pendingStart, pendingLen) are not yet in `chunks`. */
  pending?: Buffer | undefined
  pendingStart: number
  pendingLen: number
}

export const memory = (): BlobStore => {
  const blobs = new Map<string, MemBlob>()
  const get = (id: string) => {
    const b = blobs.get(id)
    if (b === undefined) throw new Error(`no blob ${id}`)
    return b
  }
  /** Moves the filled part of the write buffer into `chunks`; the rest of the buffer stays for further small chunks. */
  const flush = (b: MemBlob) => {
    if (b.pending !== undefined && b.pendingLen > b.pendingStart) {
      b.chunks.push(b.pending.subarray(b.pendingStart, b.pendingLen))
      b.pendingStart = b.pendingLen
    }
    if (b.pending !== undefined && b.pendingLen === b.pending.byteLength) release(b)
  }
  /** Flushes and lets go of the write buffer. */
  const release = (b: MemBlob) => {
    if (b.pending !== undefined && b.pendingLen > b.pendingStart)
      b.chunks.push(b.pending.subarray(b.pendingStart, b.pendingLen))
    b.pending = undefined
    b.pendingStart = 0
    b.pendingLen = 0
  }
  /** Chunks including the unflushed tail (without flushing it). */
  const view = (b: MemBlob): ReadonlyArray<Uint8Array> =>
    b.pending !== undefined && b.pendingLen > b.pendingStart
      ? [...b.chunks, b.pending.subarray(b.pendingStart, b.pendingLen)]
      : b.chunks
  return {
    create: (id) => void blobs.set(id, { chunks: [], size: 0, pendingStart: 0, pendingLen: 0 }),
    append: (id, chunk) => {
      const b = get(id)
      b.size += chunk.byteLength
      if (chunk.byteLength >= ADOPT) {
        flush(b)
        b.chunks.push(chunk)
        return
      }
      let off = 0
      while (off < chunk.byteLength) {
        if (b.pending === undefined) {
          b.pending = Buffer.allocUnsafe(COALESCE)
          b.pendingStart = 0
          b.pendingLen = 0
        }
        const n = Math.min(COALESCE - b.pendingLen, chunk.byteLength - off)
        b.pending.set(chunk.subarray(off, off + n), b.pendingLen)
        b.pendingLen += n
        off += n
        if (b.pendingLen === COALESCE) release(b)
      }
    },
    truncate: (id, size) => {
      const b = get(id)
      release(b)
      if (size >= b.size) return
      b.chunks = Array.from(sliceChunks(b.chunks, 0, size))
      b.size = size
    },
    seal: (id) => {
      const b = blobs.get(id)
      if (b !== undefined) release(b)
    },
    size: (id) => get(id).size,
    has: (id) => blobs.has(id),
    // a 1 MiB high-water mark lets a reply of many socket-sized chunks queue enough of them at
    // once for the response socket to write them together
    read: (id, start, end) =>
      Readable.from(sliceChunks(view(get(id)), start, end), { objectMode: false, highWaterMark: COALESCE }),
    chunks: (id, end) => sliceChunks(view(get(id)), 0, end),
    remove: (id) => void blobs.delete(id),
    sync: () => {},
    commit: () => {},
    ids: () => Array.from(blobs.keys())
  }
}

export const files = (dir: string): BlobStore => {
  Fs.mkdirSync(dir, { recursive: true })
  const file = (id: string) => Path.join(dir, id)
  const fds = new Map<string, number>()
  const fd = (id: string) => {
    let d = fds.get(id)
    if (d === undefined) {
      d = Fs.openSync(file(id), "a")
      fds.set(id, d)
    }
    return d
  }
  /** Removed since the last commit: unlinked only once the metadata without them is saved. */
  const doomed = new Set<string>()
  const close = (id: string) => {
    const d = fds.get(id)
    if (d !== undefined) {
      Fs.closeSync(d)
      fds.delete(id)
    }
  }
  return {
    create: (id) => {
      Fs.writeFileSync(file(id), new Uint8Array(0))
    },
    append: (id, chunk) => {
      const d = fd(id)
      let off = 0
      while (off < chunk.byteLength) off += Fs.writeSync(d, chunk, off, chunk.byteLength - off)
    },
    truncate: (id, size) => {
      close(id)
      Fs.truncateSync(file(id), size)
    },
    seal: close,
    size: (id) => Fs.statSync(file(id)).size,
    has: (id) => !doomed.has(id) && Fs.existsSync(file(id)),
    read: (id, start, end) =>
      end <= start
        ? Readable.from([])
        : Fs.createReadStream(file(id), { start, end: end - 1, highWaterMark: 1024 * 1024 }),
    chunks: function* (id, end) {
      const d = Fs.openSync(file(id), "r")
      try {
        const buf = Buffer.allocUnsafe(1024 * 1024)
        let pos = 0
        while (pos < end) {
          const n = Fs.readSync(d, buf, 0, Math.min(buf.byteLength, end - pos), pos)
          if (n <= 0) break
          yield buf.subarray(0, n)
          pos += n
        }
      } finally {
        Fs.closeSync(d)
      }
    },
    remove: (id) => {
      close(id)
      doomed.add(id)
    },
    sync: (id) => {
      const d = fds.get(id)
      if (d !== undefined) return Fs.fsyncSync(d)
      const r = Fs.openSync(file(id), "r")
      try {
        Fs.fsyncSync(r)
      } finally {
        Fs.closeSync(r)
      }
    },
    commit: () => {
      for (const id of doomed) Fs.rmSync(file(id), { force: true })
      doomed.clear()
    },
    ids: () => Fs.readdirSync(dir).filter((id) => !doomed.has(id))
  }
}
