/**
 * The JFS host (§3.2-§4.12): path decoding (§1.6), account/device/mountpoint documents and
 * every file and folder command.
 */
import * as Crypto from "node:crypto"
import { Readable } from "node:stream"
import * as Docs from "./docs.js"
import type { Account, Device, FileNode, FolderNode, Node } from "./model.js"
import { addMountpoint, key, newDevice, randomHex } from "./model.js"
import type { Location } from "./ops.js"
import {
  addCompletedRevision,
  checkName,
  discard,
  ensureFolders,
  findContent,
  mountpointAbs,
  newFile,
  removeChild,
  resolve,
  trash
} from "./ops.js"
import type { Reply } from "./reply.js"
import {
  INVALID_ARGUMENT,
  jfsFail,
  MISSING_COMMAND,
  NO_SUCH_FILE,
  NO_SUCH_PATH,
  TOKEN_MISMATCH,
  UNIQUE_FILE,
  XML_TYPE,
  xml
} from "./reply.js"
import type { EmuState } from "./state.js"
import { parseLenient, rfc3339Millis } from "./time.js"
import { DECLARATION, escapeText } from "./xml.js"

export interface JfsRequest {
  readonly method: string
  /** Raw request path after `/jfs` (still percent-encoded), without the query. */
  readonly rawPath: string
  readonly query: URLSearchParams
  readonly header: (name: string) => string | undefined
  /** Authenticated username. */
  readonly username: string
}

// ---------------------------------------------------------------- path decoding (§1.6)

export interface DecodedPath {
  readonly segments: ReadonlyArray<string>
  readonly trailingSlash: boolean
}

export const decodePath = (state: EmuState, rawPath: string): DecodedPath => {
  const checks = state.options.pathChecks
  if (checks.rejectPercent25 && /%25/i.test(rawPath)) throw jfsFail(400, "400 Bad request")
  let path = rawPath.startsWith("/") ? rawPath.slice(1) : rawPath
  const trailingSlash = path.endsWith("/")
  if (trailingSlash) path = path.slice(0, -1)
  const segments: Array<string> = []
  for (const raw of path === "" ? [] : path.split("/")) {
    let seg: string
    try {
      seg = decodeURIComponent(raw)
    } catch {
      throw jfsFail(400, `java.lang.IllegalArgumentException: Unable to validate decoded path: /${path}`)
    }
    if (raw === "") continue
    segments.push(seg)
  }
  if (checks.rejectLiteralPlus && rawPath.includes("+")) {
    throw jfsFail(400, `java.lang.IllegalArgumentException: Unable to validate decoded path: /${segments.join("/")}`)
  }
  return { segments, trailingSlash }
}

// ---------------------------------------------------------------- helpers

const findDevice = (a: Account, name: string): Device | undefined => a.devices.get(key(name))

const requireDevice = (a: Account, name: string): Device => {
  const d = findDevice(a, name)
  if (d === undefined) throw jfsFail(404, `no.jotta.backup.errors.NoSuchDeviceException: Device /${a.username}/${name}`)
  return d
}

const requireMountpoint = (a: Account, d: Device, name: string): FolderNode => {
  const m = d.mountpoints.get(key(name))
  if (m === undefined) throw jfsFail(404, `${NO_SUCH_PATH}: Directory /${a.username}/${d.name}/${name}`)
  return m
}

const flag = (q: URLSearchParams, name: string): boolean => q.has(name) && q.get(name) !== "false"

/** Parses an absolute destination `/<user>/<device>/<mp>/<wire path>` (§1.3). */
const parseDestination = (state: EmuState, account: Account, value: string): Location => {
  if (!value.startsWith("/")) throw jfsFail(400, `${INVALID_ARGUMENT}: Destination must be an absolute path: ${value}`)
  const parts = value.split("/").filter((s) => s !== "")
  const [user, dev, mp, ...rest] = parts
  if (user === undefined || key(user) !== key(account.username)) {
    throw jfsFail(400, `${INVALID_ARGUMENT}: Destination outside the account: ${value}`)
  }
  if (dev === undefined || mp === undefined) throw jfsFail(400, `${INVALID_ARGUMENT}: Invalid destination: ${value}`)
  const device = requireDevice(account, dev)
  const mountpoint = requireMountpoint(account, device, mp)
  if (mountpoint.special) throw jfsFail(404, `${NO_SUCH_PATH}: Directory ${value}`)
  void state
  return { account, device, mountpoint, segments: rest }
}

const afterRemoval = (state: EmuState, a: Account): void => {
  if (a.quotaWriteLocked && (a.quota < 0 || Docs.accountUsage(a) < a.quota)) a.quotaWriteLocked = false
  state.touch()
}

/** The document of a location's parent (folder or mountpoint). */
const parentDoc = (state: EmuState, loc: Location): string => {
  const now = state.now()
  if (loc.segments.length <= 1) return Docs.mountpointDoc(loc.account, loc.device, loc.mountpoint, now)
  const parentLoc = { ...loc, segments: loc.segments.slice(0, -1) }
  const r = resolve(parentLoc)
  if (r.node?.kind === "folder") return Docs.folderDoc(r.node, r.parentAbs, now)
  return Docs.mountpointDoc(loc.account, loc.device, loc.mountpoint, now)
}

const itemDoc = (state: EmuState, node: Node, parentAbs: string, metadata = true): string =>
  node.kind === "file"
    ? Docs.fileDoc(node, parentAbs, state.now())
    : Docs.folderDoc(node, parentAbs, state.now(), metadata)

// ---------------------------------------------------------------- entry point

export const handleJfs = (state: EmuState, req: JfsRequest): Reply => {
  const { segments, trailingSlash } = decodePath(state, req.rawPath)
  const [user, dev, mp, ...rest] = segments
  if (user === undefined) {
    throw jfsFail(
      400,
      "org.springframework.security.core.userdetails.UsernameNotFoundException: Username not found in url!"
    )
  }
  const account = state.account(req.username)
  if (account === undefined || key(user) !== key(account.username)) throw jfsFail(401, TOKEN_MISMATCH)
  const now = state.now()
  const q = req.query
  const isPost = req.method === "POST"
  const isGet = req.method === "GET" || req.method === "HEAD"
  if (!isPost && !isGet) throw jfsFail(405, `Request method '${req.method}' not supported`)

  // ---- account
  if (dev === undefined) {
    if (isGet) return xml(Docs.userDoc(account, now))
    throw jfsFail(500, MISSING_COMMAND)
  }

  // ---- device
  if (mp === undefined) {
    if (isPost) {
      if (flag(q, "rm")) {
        const d = requireDevice(account, dev)
        if (d.type === "JOTTA") throw jfsFail(400, `${INVALID_ARGUMENT}: The built-in device cannot be removed`)
        for (const m of d.mountpoints.values()) discard(state, m)
        account.devices.delete(key(d.name))
        afterRemoval(state, account)
        return xml(Docs.userDoc(account, state.now()))
      }
      let d = findDevice(account, dev)
      if (d === undefined) {
        checkName(dev)
        d = newDevice(dev, (q.get("type") ?? "WORKSTATION").toUpperCase(), now)
        account.devices.set(key(dev), d)
        state.touch()
      }
      return xml(Docs.deviceDoc(account, d, now), 201)
    }
    return xml(Docs.deviceDoc(account, requireDevice(account, dev), now))
  }

  const device = requireDevice(account, dev)

  // ---- mountpoint
  if (rest.length === 0) {
    const existing = device.mountpoints.get(key(mp))
    if (isPost) {
      if (flag(q, "rm")) {
        const m = requireMountpoint(account, device, mp)
        discard(state, m)
        device.mountpoints.delete(key(m.name))
        afterRemoval(state, account)
        return xml(Docs.deviceDoc(account, device, state.now()))
      }
      if (flag(q, "mkDir")) {
        const m = requireMountpoint(account, device, mp)
        return xml(Docs.mountpointDoc(account, device, m, now))
      }
      if (q.has("dlDir") || q.has("rmDir") || q.has("mvDir") || q.has("dl") || q.has("cp") || q.has("mv")) {
        throw jfsFail(400, `${INVALID_ARGUMENT}: Operation not allowed on a mountpoint`)
      }
      if (existing !== undefined) {
        return xml(Docs.mountpointDoc(account, device, existing, now, { listing: false, metadata: false }))
      }
      checkName(mp)
      const m = addMountpoint(device, mp, now)
      state.touch()
      return xml(Docs.mountpointDoc(account, device, m, now, { listing: false, metadata: false }), 201)
    }
    const m = requireMountpoint(account, device, mp)
    if (m.special === "Trash") return xml(Docs.trashDoc(account, device, m, now))
    if (m.special === "Links") return xml(Docs.linksDoc(account, now))
    if (m.special === "Latest") return xml(Docs.latestDoc(account, now, Number(q.get("max") ?? "100") || 100))
    const mode = q.get("mode")
    if (mode === "liststream") return liststream(m, `/${m.name}`)
    if (mode === "bin") throw jfsFail(404, `${NO_SUCH_PATH}: ${mountpointAbs({ account, device, mountpoint: m })}`)
    return xml(Docs.mountpointDoc(account, device, m, now))
  }

  // ---- below a mountpoint
  const mountpoint = requireMountpoint(account, device, mp)
  if (mountpoint.special) {
    throw jfsFail(
      404,
      `${NO_SUCH_PATH}: Directory /${account.username}/${device.name}/${mountpoint.name}/${rest.join("/")}`
    )
  }
  const loc: Location = { account, device, mountpoint, segments: rest }
  if (isGet) return handleGet(state, req, loc)
  return handlePost(state, req, loc, trailingSlash)
}

// ---------------------------------------------------------------- GET

const handleGet = (state: EmuState, req: JfsRequest, loc: Location): Reply => {
  const r = resolve(loc)
  const mode = req.query.get("mode")
  if (r.node === undefined) throw jfsFail(404, `${NO_SUCH_PATH}: Directory ${r.abs}`)
  switch (mode) {
    case "bin":
      if (r.node.kind !== "file") throw jfsFail(404, `${NO_SUCH_PATH}: ${r.abs}`)
      return download(state, r.node, req.header("range"), req.query.get("revision"))
    case "liststream": {
      if (r.node.kind !== "folder" || r.node.deleted !== undefined) {
        throw jfsFail(404, `${NO_SUCH_PATH}: Directory ${r.abs}`)
      }
      return liststream(r.node, `/${loc.mountpoint.name}/${r.abs.split("/").slice(4).join("/")}`)
    }
    case "enableShare":
      if (r.node.publicURI === undefined) {
        r.node.publicURI = randomHex(16)
        state.touch()
      }
      return xml(itemDoc(state, r.node, r.parentAbs))
    case "disableShare":
      if (r.node.publicURI !== undefined) {
        r.node.publicURI = undefined
        state.touch()
      }
      return xml(itemDoc(state, r.node, r.parentAbs))
    default:
      return xml(itemDoc(state, r.node, r.parentAbs))
  }
}

// ---------------------------------------------------------------- POST

const handlePost = (state: EmuState, req: JfsRequest, loc: Location, trailingSlash: boolean): Reply => {
  const q = req.query
  const now = state.now()
  const account = loc.account

  if (flag(q, "mkDir")) {
    const folder = ensureFolders(state, loc, loc.segments)
    return xml(Docs.folderDoc(folder, resolve(loc).parentAbs, now, false))
  }

  if (flag(q, "dl")) {
    const r = resolve(loc)
    if (r.node === undefined) {
      const ghost = newFile(loc.segments[loc.segments.length - 1]!)
      return xml(Docs.fileDoc(ghost, r.parentAbs, now))
    }
    if (r.node.kind === "folder") {
      // Unconfirmed quirk (aeroftp): dl on a folder removes it without using the trash.
      removeChild(state, r.parent!, r.node)
      afterRemoval(state, account)
      return xml(parentDoc(state, loc))
    }
    trash(r.node, now)
    state.touch()
    return xml(Docs.fileDoc(r.node, r.parentAbs, now))
  }

  if (flag(q, "rm")) {
    const r = resolve(loc)
    if (r.node === undefined || r.node.kind !== "file") throw jfsFail(404, `${NO_SUCH_PATH}: ${r.abs}`)
    removeChild(state, r.parent!, r.node)
    afterRemoval(state, account)
    return xml(parentDoc(state, loc))
  }

  if (flag(q, "dlDir")) {
    const r = resolve(loc)
    if (r.node === undefined || r.node.kind !== "folder") throw jfsFail(404, `${NO_SUCH_PATH}: Directory ${r.abs}`)
    trash(r.node, now)
    state.touch()
    return xml(Docs.folderDoc(r.node, r.parentAbs, now))
  }

  if (flag(q, "rmDir")) {
    const r = resolve(loc)
    if (r.node === undefined || r.node.kind !== "folder") throw jfsFail(404, `${NO_SUCH_PATH}: Directory ${r.abs}`)
    removeChild(state, r.parent!, r.node)
    afterRemoval(state, account)
    return xml(parentDoc(state, loc))
  }

  const cp = q.get("cp")
  const mv = q.get("mv")
  if (cp !== null || mv !== null) return copyOrMove(state, loc, (cp ?? mv)!, cp !== null ? "cp" : "mv")

  const mvDir = q.get("mvDir")
  if (mvDir !== null) return moveFolder(state, loc, mvDir, trailingSlash)

  if (flag(q, "cphash")) return cphash(state, req, loc)

  throw jfsFail(500, MISSING_COMMAND)
}

// ---------------------------------------------------------------- cp / mv (§4.5)

const copyOrMove = (state: EmuState, src: Location, destValue: string, op: "cp" | "mv"): Reply => {
  const now = state.now()
  const r = resolve(src)
  const file = r.node
  if (file === undefined || file.kind !== "file" || file.current === undefined) {
    if (file?.kind === "folder") throw jfsFail(404, `${NO_SUCH_PATH}: ${r.abs}`)
    throw jfsFail(404, `${NO_SUCH_FILE}: Source file ${r.abs} does not exist`)
  }
  const dest = parseDestination(state, src.account, destValue)
  if (dest.segments.length === 0) throw jfsFail(400, `${INVALID_ARGUMENT}: Invalid destination: ${destValue}`)
  const name = dest.segments[dest.segments.length - 1]!
  checkName(name)
  const destParent = ensureFolders(state, dest, dest.segments.slice(0, -1), state.options.lenientParents)
  const destParentAbs = resolve(dest).parentAbs
  const existing = destParent.children.get(key(name))

  // case variant (or identical) path: rename in place
  if (existing === file) {
    if (file.name !== name) {
      file.name = name
      state.touch()
    }
    return xml(Docs.fileDoc(file, destParentAbs, now))
  }
  if (existing?.kind === "folder") throw jfsFail(400, `${UNIQUE_FILE}: A folder exists at ${destValue}`)

  const content = { blob: file.current.blob!, md5: file.current.md5, size: file.current.size }
  const times = { created: file.current.created, modified: file.current.modified }
  let result: FileNode
  if (existing !== undefined) {
    // live or trashed file at the destination: new revision there; cp keeps a trashed mark (quirk #6112)
    addCompletedRevision(state, existing, content, times)
    if (op === "mv") existing.deleted = undefined
    result = existing
  } else if (op === "mv") {
    r.parent!.children.delete(key(file.name))
    file.name = name
    destParent.children.set(key(name), file)
    state.touch()
    return xml(Docs.fileDoc(file, destParentAbs, now))
  } else {
    result = newFile(name)
    addCompletedRevision(state, result, content, times)
    destParent.children.set(key(name), result)
  }
  if (op === "mv") removeChild(state, r.parent!, file)
  return xml(Docs.fileDoc(result, destParentAbs, now))
}

// ---------------------------------------------------------------- mvDir (§4.6)

/** True when `target` is `root` or lies inside it. */
const contains = (root: Node, target: FolderNode): boolean => {
  if (root === target) return true
  if (root.kind !== "folder") return false
  for (const c of root.children.values()) if (contains(c, target)) return true
  return false
}

const moveFolder = (state: EmuState, src: Location, destValue: string, _trailingSlash: boolean): Reply => {
  const r = resolve(src)
  const folder = r.node
  if (folder === undefined || folder.kind !== "folder") throw jfsFail(404, `${NO_SUCH_PATH}: Directory ${r.abs}`)
  const dest = parseDestination(state, src.account, destValue)
  if (dest.segments.length === 0) throw jfsFail(400, `${INVALID_ARGUMENT}: Invalid destination: ${destValue}`)
  const name = dest.segments[dest.segments.length - 1]!
  checkName(name)
  const destParent = ensureFolders(state, dest, dest.segments.slice(0, -1), state.options.lenientParents)
  if (contains(folder, destParent)) throw jfsFail(400, `${INVALID_ARGUMENT}: Cannot move a folder into itself`)
  const existing = destParent.children.get(key(name))
  if (existing !== undefined && existing !== folder) {
    if (existing.deleted === undefined) {
      throw jfsFail(400, `${UNIQUE_FILE}: Destination ${destValue} already exists`)
    }
    // a trashed item at the destination is replaced (removed for good)
    removeChild(state, destParent, existing)
  }
  r.parent!.children.delete(key(folder.name))
  folder.name = name
  destParent.children.set(key(name), folder)
  state.touch()
  return xml(Docs.folderDoc(folder, resolve(dest).parentAbs, state.now()))
}

// ---------------------------------------------------------------- cphash (§4.7)

const timeHeader = (value: string | undefined, current: number | undefined, now: number): number => {
  if (value === undefined || value.trim() === "") return current ?? now
  const ms = parseLenient(value)
  if (ms === undefined) return now // unparseable: replaced by the current time (albertony/jafs)
  if (ms === GO_ZERO) return current ?? now
  return ms
}

const GO_ZERO = parseLenient("0001-01-01T00:00:00Z")!

const cphash = (state: EmuState, req: JfsRequest, loc: Location): Reply => {
  const now = state.now()
  const sizeH = req.header("jsize")
  const md5H = req.header("jmd5")?.trim().toLowerCase()
  if (sizeH === undefined || md5H === undefined || !/^\d+$/.test(sizeH.trim()) || !/^[0-9a-f]{32}$/.test(md5H)) {
    throw jfsFail(400, `${INVALID_ARGUMENT}: cphash needs JSize and JMd5`)
  }
  const size = Number(sizeH.trim())
  const r = resolve(loc)
  if (r.node?.kind === "folder") throw jfsFail(400, `${UNIQUE_FILE}: A folder exists at ${r.abs}`)
  const file = r.node
  const matches = file?.current !== undefined && file.current.md5 === md5H && file.current.size === size
  const created = (cur?: number) => timeHeader(req.header("jcreated"), cur, now)
  const modified = (cur?: number) => timeHeader(req.header("jmodified"), cur, now)

  if (file !== undefined && matches) {
    // case 1 (live) or case 3 (trashed, same content): update times, restore, no new revision
    const cur = file.current!
    cur.created = created(cur.created)
    cur.modified = modified(cur.modified)
    if (file.deleted !== undefined) {
      ensureFolders(state, loc, loc.segments.slice(0, -1))
      file.deleted = undefined
    }
    state.touch()
    return xml(Docs.fileDoc(file, r.parentAbs, now))
  }
  const content = findContent(state, md5H, size)
  if (content === undefined) throw jfsFail(404, `${NO_SUCH_FILE}: ${r.abs}`)
  // case 2 (dedup) or case 3 (trashed, restore with pool content)
  const name = loc.segments[loc.segments.length - 1]!
  const parent = ensureFolders(state, loc, loc.segments.slice(0, -1))
  let target = file
  if (target === undefined) {
    checkName(name)
    target = newFile(name)
    parent.children.set(key(name), target)
  }
  addCompletedRevision(state, target, content, {
    created: created(target.current?.created),
    modified: modified(target.current?.modified)
  })
  target.deleted = undefined
  return xml(Docs.fileDoc(target, resolve(loc).parentAbs, now))
}

// ---------------------------------------------------------------- download (§4.8)

interface ByteRange {
  readonly start: number
  readonly end: number
}

/** Parses a single range; undefined = ignore the header; "unsatisfiable" = 416. */
export const parseRange = (header: string | undefined, total: number): ByteRange | "unsatisfiable" | undefined => {
  // an empty file has no satisfiable range: serve it whole instead of 416 (own choice)
  if (header === undefined || total === 0) return undefined
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header)
  if (m === null) return undefined
  const [, a, b] = m
  if (a === "" && b === "") return undefined
  if (a === "") {
    const n = Number(b)
    if (n === 0) return "unsatisfiable"
    return { start: Math.max(0, total - n), end: total }
  }
  const start = Number(a)
  if (start >= total) return "unsatisfiable"
  const last = b === "" ? total - 1 : Math.min(Number(b), total - 1)
  if (last < start) return "unsatisfiable"
  return { start, end: last + 1 }
}

export const contentReply = (
  state: EmuState,
  rev: { readonly blob?: string | undefined; readonly size: number; readonly mime: string; readonly md5: string },
  rangeHeader: string | undefined,
  jfs = true
): Reply => {
  const total = rev.size
  const range = parseRange(rangeHeader, total)
  if (range === "unsatisfiable") {
    const base = jfs
      ? jfsFail(416, "no.jotta.backup.errors.RequestedRangeNotSatisfiedException").reply
      : jfsFail(416, "RequestedRangeNotSatisfiedException").reply
    return { ...base, headers: { ...base.headers, "content-range": `bytes */${total}` } }
  }
  const start = range?.start ?? 0
  const end = range?.end ?? total
  const body = rev.blob === undefined || end <= start ? Readable.from([]) : state.pool.store.read(rev.blob, start, end)
  const headers: Record<string, string> = {
    "content-type": rev.mime,
    "content-length": String(end - start),
    "accept-ranges": "bytes",
    etag: `"${rev.md5}"`
  }
  if (range !== undefined) headers["content-range"] = `bytes ${start}-${end - 1}/${total}`
  return { status: range !== undefined ? 206 : 200, headers, body }
}

const download = (state: EmuState, file: FileNode, range: string | undefined, revision: string | null): Reply => {
  let rev = file.current
  if (revision !== null) {
    const n = Number(revision)
    rev = [file.current, ...file.revisions].find((x) => x?.number === n)
    if (rev === undefined) throw jfsFail(404, `${NO_SUCH_PATH}: Revision ${revision} of ${file.name}`)
  }
  if (rev === undefined) throw jfsFail(404, NO_SUCH_PATH)
  return contentReply(state, rev, range)
}

// ---------------------------------------------------------------- liststream (§4.9)

const CHUNK = 64 * 1024

function* liststreamChunks(root: FolderNode, rootPath: string): Generator<Buffer> {
  let buf = `${DECLARATION}<liststream>`
  let folders = 0
  let files = 0
  const sorted = (f: FolderNode) =>
    Array.from(f.children.values()).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  // explicit stack of [folder, its full path]
  const stack: Array<readonly [FolderNode, string]> = [[root, rootPath]]
  while (stack.length > 0) {
    const [folder, path] = stack.pop()!
    const escPath = escapeText(path)
    buf += `<folder><path>${escPath}</path></folder>`
    folders++
    const kids = sorted(folder)
    const subfolders: Array<FolderNode> = []
    for (const k of kids) {
      if (k.deleted !== undefined) continue
      if (k.kind === "folder") {
        subfolders.push(k)
        continue
      }
      const c = k.current
      if (c === undefined) continue
      buf +=
        `<file><path>${escPath}</path><filename>${escapeText(k.name)}</filename><size>${c.size}</size>` +
        `<md5>${c.md5}</md5><modified>${rfc3339Millis(c.modified)}</modified>` +
        `<created>${rfc3339Millis(c.created)}</created></file>`
      files++
      if (buf.length >= CHUNK) {
        yield Buffer.from(buf)
        buf = ""
      }
    }
    for (let i = subfolders.length - 1; i >= 0; i--) {
      const s = subfolders[i]!
      stack.push([s, `${path}/${s.name}`])
    }
    if (buf.length >= CHUNK) {
      yield Buffer.from(buf)
      buf = ""
    }
  }
  buf += `<stats><folders>${folders}</folders><files>${files}</files></stats></liststream>`
  yield Buffer.from(buf)
}

const liststream = (root: FolderNode, rootPath: string): Reply => ({
  status: 200,
  headers: { "content-type": XML_TYPE },
  body: Readable.from(liststreamChunks(root, rootPath.replace(/\/$/, "")), { objectMode: false })
})

/** Finds a node by public share id across an account. */
export const findShared = (account: Account, publicURI: string): Node | undefined => {
  const visit = (f: FolderNode): Node | undefined => {
    for (const c of f.children.values()) {
      if (c.publicURI === publicURI) return c
      if (c.kind === "folder") {
        const hit = visit(c)
        if (hit) return hit
      }
    }
    return undefined
  }
  for (const d of account.devices.values()) {
    for (const m of d.mountpoints.values()) {
      const hit = visit(m)
      if (hit) return hit
    }
  }
  return undefined
}

export const md5Hex = (data: Uint8Array): string => Crypto.createHash("md5").update(data).digest("hex")
