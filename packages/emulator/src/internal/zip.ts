/**
 * A streamed, uncompressed (stored) ZIP writer for public folder downloads (§4.10). Entries are
 * read one after the other; CRCs go into data descriptors so nothing is buffered.
 */
import { Readable } from "node:stream"
import * as Zlib from "node:zlib"

export interface ZipEntry {
  readonly name: string
  readonly size: number
  readonly modified: number
  readonly open: () => Readable
}

const dosTime = (ms: number): { time: number; date: number } => {
  const d = new Date(ms)
  const year = Math.max(1980, d.getUTCFullYear())
  return {
    time: (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | Math.floor(d.getUTCSeconds() / 2),
    date: ((year - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate()
  }
}

export const stream = (entries: ReadonlyArray<ZipEntry>): Readable =>
  Readable.from(
    (async function* () {
      const central: Array<Buffer> = []
      let offset = 0
      for (const e of entries) {
        const name = Buffer.from(e.name, "utf8")
        const { time, date } = dosTime(e.modified)
        const local = Buffer.alloc(30)
        local.writeUInt32LE(0x04034b50, 0)
        local.writeUInt16LE(20, 4)
        local.writeUInt16LE(0x0808, 6)
        local.writeUInt16LE(0, 8)
        local.writeUInt16LE(time, 10)
        local.writeUInt16LE(date, 12)
        local.writeUInt16LE(name.length, 26)
        yield Buffer.concat([local, name])
        const headerOffset = offset
        offset += local.length + name.length
        let crc = 0
        let size = 0
        for await (const chunk of e.open()) {
          const b = chunk as Buffer
          crc = Zlib.crc32(b, crc)
          size += b.length
          yield b
        }
        offset += size
        const desc = Buffer.alloc(16)
        desc.writeUInt32LE(0x08074b50, 0)
        desc.writeUInt32LE(crc >>> 0, 4)
        desc.writeUInt32LE(size, 8)
        desc.writeUInt32LE(size, 12)
        yield desc
        offset += 16
        const c = Buffer.alloc(46)
        c.writeUInt32LE(0x02014b50, 0)
        c.writeUInt16LE(20, 4)
        c.writeUInt16LE(20, 6)
        c.writeUInt16LE(0x0808, 8)
        c.writeUInt16LE(0, 10)
        c.writeUInt16LE(time, 12)
        c.writeUInt16LE(date, 14)
        c.writeUInt32LE(crc >>> 0, 16)
        c.writeUInt32LE(size, 20)
        c.writeUInt32LE(size, 24)
        c.writeUInt16LE(name.length, 28)
        c.writeUInt32LE(headerOffset, 42)
        central.push(Buffer.concat([c, name]))
      }
      const cd = Buffer.concat(central)
      const end = Buffer.alloc(22)
      end.writeUInt32LE(0x06054b50, 0)
      end.writeUInt16LE(central.length, 8)
      end.writeUInt16LE(central.length, 10)
      end.writeUInt32LE(cd.length, 12)
      end.writeUInt32LE(offset, 16)
      yield Buffer.concat([cd, end])
    })(),
    { objectMode: false }
  )
