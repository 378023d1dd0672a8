/**
 * The incremental liststream decoder (protocol §4.9): a saxes parser fed chunk by chunk,
 * entries collected as their elements close, and rclone's consistency check at the end.
 *
 * @internal
 */
import { SaxesParser, type SaxesTagPlain } from "saxes"
import { own } from "./strings.js"
import { utf8Decoder } from "./text.js"
import { parseRfc3339 } from "./time.js"

/** Go's zero time in epoch millis (an empty time element). */
const GO_ZERO = -62135596800000

export interface RawFolder {
  readonly _tag: "Folder"
  readonly path: ReadonlyArray<string>
}

export interface RawFile {
  readonly _tag: "File"
  readonly parent: ReadonlyArray<string>
  readonly name: string
  readonly size: number
  readonly md5: string
  readonly modified: number
  readonly created: number
}

/** Thrown from parser callbacks; turned into InvalidResponse by the caller. */
export class ListStreamIssue extends Error {}

/**
 * The longest run of characters without a tag boundary the decoder accepts (64 Ki): longer
 * than any name (255 UTF-16 units, entity-escaped) or path can be. Input is fed to the parser
 * in slices of {@link slice} characters, so the bound holds within one slice.
 */
export const maxToken = 64 * 1024

const slice = 8 * 1024

const NONE = 0
const FILE = 1
const FOLDER = 2
const STATS = 3

const C_NONE = 0
const C_PATH = 1
const C_FILENAME = 2
const C_SIZE = 3
const C_MD5 = 4
const C_MODIFIED = 5
const C_CREATED = 6
const C_FOLDERS = 7
const C_FILES = 8
const C_OTHER = 9

const childCode = (name: string): number => {
  switch (name) {
    case "path":
      return C_PATH
    case "filename":
      return C_FILENAME
    case "size":
      return C_SIZE
    case "md5":
      return C_MD5
    case "modified":
      return C_MODIFIED
    case "created":
      return C_CREATED
    case "folders":
      return C_FOLDERS
    case "files":
      return C_FILES
    default:
      return name.includes(":") ? childCode(localName(name)) : C_OTHER
  }
}

const localName = (name: string): string => {
  const i = name.indexOf(":")
  return i < 0 ? name : name.slice(i + 1)
}

const parseCount = (s: string, what: string): number => {
  let n = 0
  const len = s.length
  if (len > 0 && len <= 15) {
    for (let i = 0; i < len; i++) {
      const c = s.charCodeAt(i) - 48
      if (c < 0 || c > 9) return parseCountSlow(s, what)
      n = n * 10 + c
    }
    return n
  }
  return parseCountSlow(s, what)
}

const parseCountSlow = (s: string, what: string): number => {
  const t = s.trim()
  if (t === "") return 0
  if (!/^\d{1,15}$/.test(t)) throw new ListStreamIssue(`invalid ${what}: ${JSON.stringify(s)}`)
  return Number(t)
}

const parseTime = (s: string, what: string): number => {
  if (s === "") return GO_ZERO
  const t = parseRfc3339(s)
  if (t === undefined) throw new ListStreamIssue(`invalid ${what} time: ${JSON.stringify(s)}`)
  return t
}

export class Decoder<F, D> {
  private readonly parser: SaxesParser<{ xmlns: false; position: false }>
  private readonly text = utf8Decoder()
  private readonly prefix: string
  private readonly prefixLower: ReadonlyArray<string>
  private readonly seen = new Set<string>()
  private out: Array<F | D> = []
  private depth = 0
  private mode = NONE
  private modeDepth = 0
  private child = C_NONE
  private buf = ""
  // captured child values of the current element
  private path: string | undefined
  private filename: string | undefined
  private size = ""
  private md5 = ""
  private modified = ""
  private created = ""
  private statsFolders: string | undefined
  private statsFiles: string | undefined
  private sawStats = false
  private folders = 0
  private files = 0
  private lastParent: string | undefined
  // characters fed since the last tag boundary (an upper bound, see maxToken)
  private quiet = 0
  private boundary = false
  private lastSegments: ReadonlyArray<string> = []

  constructor(
    mountpoint: string,
    root: ReadonlyArray<string>,
    private readonly makeFolder: (path: ReadonlyArray<string>) => D,
    private readonly makeFile: (
      parent: ReadonlyArray<string>,
      name: string,
      size: number,
      md5: string,
      modified: number,
      created: number
    ) => F
  ) {
    this.prefix = `/${[mountpoint, ...root].join("/")}`
    this.prefixLower = [mountpoint, ...root].map((s) => s.toLowerCase())
    this.parser = new SaxesParser({ xmlns: false, position: false })
    this.parser.on("doctype", () => {
      throw new ListStreamIssue("DOCTYPE declarations are not accepted")
    })
    this.parser.on("opentag", (tag) => {
      this.boundary = true
      this.open(tag)
    })
    this.parser.on("closetag", (tag) => {
      this.boundary = true
      this.close(tag)
    })
    this.parser.on("text", (t) => {
      this.boundary = true
      if (this.child !== C_NONE) this.buf += t
    })
    this.parser.on("cdata", (t) => {
      if (this.child !== C_NONE) this.buf += t
    })
  }

  private open(tag: SaxesTagPlain): void {
    this.depth++
    if (this.mode === NONE) {
      const name = localName(tag.name)
      if (name === "file") this.enter(FILE)
      else if (name === "folder") this.enter(FOLDER)
      else if (name === "stats") this.enter(STATS)
    } else if (this.depth === this.modeDepth + 1) {
      this.child = childCode(tag.name)
      this.buf = ""
    } else {
      this.child = C_NONE
    }
  }

  private enter(mode: number): void {
    this.mode = mode
    this.modeDepth = this.depth
    this.path = undefined
    if (mode === FILE) {
      this.filename = undefined
      this.size = ""
      this.md5 = ""
      this.modified = ""
      this.created = ""
    }
  }

  private close(_tag: SaxesTagPlain): void {
    const depth = this.depth--
    if (this.mode === NONE) return
    if (depth === this.modeDepth + 1) {
      this.captureChild()
      this.child = C_NONE
      return
    }
    if (depth !== this.modeDepth) return
    const mode = this.mode
    this.mode = NONE
    if (mode === FILE) this.file()
    else if (mode === FOLDER) this.folder()
    else {
      this.sawStats = true
    }
  }

  private captureChild(): void {
    const v = this.buf
    switch (this.mode) {
      case FILE:
        switch (this.child) {
          case C_PATH:
            this.path = v
            return
          case C_FILENAME:
            this.filename = v
            return
          case C_SIZE:
            this.size = v
            return
          case C_MD5:
            this.md5 = v
            return
          case C_MODIFIED:
            this.modified = v
            return
          case C_CREATED:
            this.created = v
            return
        }
        return
      case FOLDER:
        if (this.child === C_PATH) this.path = v
        return
      case STATS:
        if (this.child === C_FOLDERS) this.statsFolders = v
        else if (this.child === C_FILES) this.statsFiles = v
        return
    }
  }

  private lastRaw: string | undefined
  private lastRel = ""

  /** rclone: TrimPrefix(p, prefix) then TrimPrefix("/"). Paths outside the prefix are refused. */
  private strip(p: string): string {
    if (p === this.lastRaw) return this.lastRel
    const rel = own(this.stripSlow(p))
    this.lastRaw = p
    this.lastRel = rel
    return rel
  }

  private stripSlow(p: string): string {
    if (p.startsWith(this.prefix)) {
      const rest = p.slice(this.prefix.length)
      if (rest === "") return ""
      if (rest.charCodeAt(0) === 0x2f) return rest.slice(1)
    }
    // The service matches names case-insensitively: the listed folder may be spelled
    // differently in the request and in the reply.
    const segs = p.split("/")
    const n = this.prefixLower.length
    if (segs[0] !== "" || segs.length < n + 1)
      throw new ListStreamIssue(`path outside the listed folder: ${JSON.stringify(p)}`)
    for (let i = 0; i < n; i++) {
      if (segs[i + 1]!.toLowerCase() !== this.prefixLower[i]) {
        throw new ListStreamIssue(`path outside the listed folder: ${JSON.stringify(p)}`)
      }
    }
    return segs.slice(n + 1).join("/")
  }

  private segments(rel: string): ReadonlyArray<string> {
    if (rel === this.lastParent) return this.lastSegments
    const segs = rel === "" ? [] : rel.split("/")
    this.lastParent = rel
    this.lastSegments = segs
    return segs
  }

  private folder(): void {
    const rel = this.strip(this.path ?? "")
    this.folders++
    const fresh = !this.seen.has(rel)
    this.seen.add(rel)
    if (fresh && rel !== "") this.out.push(this.makeFolder(this.segments(rel)))
  }

  private file(): void {
    const rel = this.strip(this.path ?? "")
    const name = this.filename
    if (name === undefined || name === "") throw new ListStreamIssue("a file element without a filename")
    this.files++
    const parent = this.segments(rel)
    if (!this.seen.has(rel)) {
      this.seen.add(rel)
      this.folders++
      if (rel !== "") this.out.push(this.makeFolder(parent))
    }
    this.out.push(
      this.makeFile(
        parent,
        own(name),
        parseCount(this.size, "size"),
        own(this.md5),
        parseTime(this.modified, "modified"),
        parseTime(this.created, "created")
      )
    )
  }

  /** Feeds bytes; returns the entries completed by them. Throws on malformed input. */
  write(bytes: Uint8Array): Array<F | D> {
    const s = this.text.decode(bytes, { stream: true })
    if (s.length <= slice) this.feed(s)
    else for (let i = 0; i < s.length; i += slice) this.feed(s.slice(i, i + slice))
    return this.take()
  }

  private feed(s: string): void {
    if (s === "") return
    this.boundary = false
    this.parser.write(s)
    this.quiet = this.boundary ? s.length : this.quiet + s.length
    if (this.quiet > maxToken) {
      throw new ListStreamIssue(`more than ${maxToken} characters without a tag boundary (an over-long name or path)`)
    }
  }

  /** Ends the input; returns the last entries. Throws on truncation or a failed check. */
  end(): Array<F | D> {
    this.feed(this.text.decode())
    this.parser.close()
    if (!this.sawStats || this.statsFolders === undefined || this.statsFiles === undefined) {
      throw new ListStreamIssue("the listing has no complete stats element")
    }
    const folders = parseCount(this.statsFolders, "stats/folders")
    const files = parseCount(this.statsFiles, "stats/files")
    if (folders !== this.folders || files !== this.files) {
      throw new ListStreamIssue(
        `invalid result from listStream: expected ${folders} folders and ${files} files, counted ${this.folders} folders and ${this.files} files`
      )
    }
    return this.take()
  }

  private take(): Array<F | D> {
    const out = this.out
    if (out.length === 0) return []
    this.out = []
    return out
  }
}
