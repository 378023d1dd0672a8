/**
 * Test-only model of what rclone's Jottacloud backend puts on the wire and how it reads the
 * replies, written from rclone's sources (backend/jottacloud, lib/rest, lib/oauthutil,
 * golang.org/x/oauth2, Go's net/url, net/http, encoding/xml and encoding/json). No rclone code
 * is copied; these are re-statements of the rules those sources follow.
 */
import * as Net from "node:net"
import * as Effect from "effect/Effect"

// ---------------------------------------------------------------- Go net/url

const hex2 = (b: number): string => `%${b.toString(16).toUpperCase().padStart(2, "0")}`

/** Go `shouldEscape(c, encodePath)`: true when the byte must be escaped in a path. */
const shouldEscapePath = (b: number): boolean => {
  if (b >= 0x80) return true
  const c = String.fromCharCode(b)
  return !/[A-Za-z0-9\-_.~$&+,/:;=@]/.test(c)
}

/** Go `url.URL{Path: s}.String()` (rest.URLPathEscape) for paths whose first segment has no colon. */
export const goPathEscape = (s: string): string => {
  let out = ""
  for (const b of Buffer.from(s, "utf8")) out += shouldEscapePath(b) ? hex2(b) : String.fromCharCode(b)
  return out
}

/** rclone's `urlPathEscape`: Go path escaping, then every `+` as `%2B`. */
export const rclonePathEscape = (s: string): string => goPathEscape(s).replaceAll("+", "%2B")

/** Go `url.QueryEscape`. */
export const goQueryEscape = (s: string): string => {
  let out = ""
  for (const b of Buffer.from(s, "utf8")) {
    const c = String.fromCharCode(b)
    if (b < 0x80 && /[A-Za-z0-9\-_.~]/.test(c)) out += c
    else if (c === " ") out += "+"
    else out += hex2(b)
  }
  return out
}

/** Go `url.Values.Encode()`: keys sorted, `k=v` joined with `&`. */
export const goValues = (params: Readonly<Record<string, string>>): string =>
  Object.keys(params)
    .sort()
    .map((k) => `${goQueryEscape(k)}=${goQueryEscape(params[k]!)}`)
    .join("&")

/** Go `validEncoded(s, encodePath)`. */
const validEncoded = (s: string): boolean => {
  for (const b of Buffer.from(s, "utf8")) {
    if ("!$&'()*+,;=:@[]%".includes(String.fromCharCode(b)) && b < 0x80) continue
    if (shouldEscapePath(b)) return false
  }
  return true
}

/**
 * The request path Go's http client sends for an *unescaped* path given to rest.Opts.Path
 * (rclone's mvDir source): url.Parse keeps it as RawPath when that is a valid encoding,
 * otherwise EscapedPath re-escapes the decoded path. Inputs here hold no `%`, `?` or `#`.
 */
export const goSentPath = (raw: string): string => {
  if (goPathEscape(raw) === raw) return raw
  return validEncoded(raw) ? raw : goPathEscape(raw)
}

// ---------------------------------------------------------------- Go encoding/json

/** Go `json.Marshal` of a flat object of strings and integers (HTML-safe escaping). */
export const goJson = (obj: Readonly<Record<string, string | number>>): string =>
  JSON.stringify(obj).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)

type JsonType = "string" | "int" | "bool" | "[]string" | "any"

/**
 * Checks a JSON reply against a Go struct the way `json.Unmarshal` would: a present field of
 * the wrong type is an error (null leaves the zero value); unknown fields are ignored.
 */
export const goJsonDecode = (text: string, spec: Readonly<Record<string, JsonType>>): Record<string, unknown> => {
  const v: unknown = JSON.parse(text)
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new Error(`not a JSON object: ${text}`)
  const o = v as Record<string, unknown>
  for (const [k, t] of Object.entries(spec)) {
    const x = o[k]
    if (x === undefined || x === null || t === "any") continue
    const ok =
      t === "string"
        ? typeof x === "string"
        : t === "int"
          ? typeof x === "number" && Number.isInteger(x)
          : t === "bool"
            ? typeof x === "boolean"
            : Array.isArray(x) && x.every((e) => typeof e === "string")
    if (!ok) throw new Error(`json: cannot unmarshal ${JSON.stringify(x)} into field ${k} of type ${t}`)
  }
  return o
}

// ---------------------------------------------------------------- raw HTTP (Go net/http client shape)

export interface RawResponse {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: Buffer
  readonly text: string
}

export interface RawRequest {
  readonly method: string
  /** Request target exactly as sent (escaped path + query). */
  readonly target: string
  /** Headers as rclone sets them; names are canonicalised and sorted like Go's Header.Write. */
  readonly headers?: Readonly<Record<string, string>>
  readonly body?: Uint8Array
  /** Declared Content-Length when it differs from the body sent (a broken upload). */
  readonly contentLength?: number
  /** Destroy the socket right after writing the body (no reply is awaited). */
  readonly abort?: boolean
}

/** Go `textproto.CanonicalMIMEHeaderKey`. */
export const canonicalHeader = (k: string): string =>
  k
    .split("-")
    .map((p) => (p === "" ? p : p[0]!.toUpperCase() + p.slice(1).toLowerCase()))
    .join("-")

export const USER_AGENT = "rclone/v1.75.0"

/**
 * Serialises a request like Go's `Request.write`: request line, Host, User-Agent,
 * Content-Length (always for POST, else when there is a body), the other headers sorted by
 * canonical name, then the transport's `Accept-Encoding: gzip` (not with Range, not for HEAD).
 */
export const goRequestBytes = (host: string, r: RawRequest): Buffer => {
  const body = r.body ?? new Uint8Array(0)
  const lines = [`${r.method} ${r.target} HTTP/1.1`, `Host: ${host}`, `User-Agent: ${USER_AGENT}`]
  const len = r.contentLength ?? body.byteLength
  if (r.method === "POST" || r.method === "PUT" || r.method === "PATCH" || len > 0) lines.push(`Content-Length: ${len}`)
  const hs = Object.entries(r.headers ?? {}).map(([k, v]) => [canonicalHeader(k), v] as const)
  hs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  for (const [k, v] of hs) lines.push(`${k}: ${v}`)
  if (r.method !== "HEAD" && !hs.some(([k]) => k === "Range")) lines.push("Accept-Encoding: gzip")
  return Buffer.concat([Buffer.from(`${lines.join("\r\n")}\r\n\r\n`, "latin1"), body])
}

const parseResponse = (buf: Buffer, ended: boolean, method: string): RawResponse | undefined => {
  const end = buf.indexOf("\r\n\r\n")
  if (end < 0) return undefined
  const head = buf.subarray(0, end).toString("latin1").split("\r\n")
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head[0] ?? "")?.[1] ?? Number.NaN)
  const headers: Record<string, string> = {}
  for (const line of head.slice(1)) {
    const i = line.indexOf(":")
    const k = line.slice(0, i).trim().toLowerCase()
    const v = line.slice(i + 1).trim()
    headers[k] = headers[k] === undefined ? v : `${headers[k]}, ${v}`
  }
  const rest = buf.subarray(end + 4)
  const done = (body: Buffer): RawResponse => ({ status, headers, body, text: body.toString("utf8") })
  if (method === "HEAD" || status === 204 || status === 304) return done(Buffer.alloc(0))
  if (headers["content-length"] !== undefined) {
    const n = Number(headers["content-length"])
    return rest.byteLength >= n ? done(rest.subarray(0, n)) : undefined
  }
  if (/chunked/i.test(headers["transfer-encoding"] ?? "")) {
    const parts: Array<Buffer> = []
    let i = 0
    for (;;) {
      const nl = rest.indexOf("\r\n", i)
      if (nl < 0) return undefined
      const size = Number.parseInt(rest.subarray(i, nl).toString("latin1"), 16)
      if (size === 0) return rest.indexOf("\r\n", nl + 2) >= 0 ? done(Buffer.concat(parts)) : undefined
      if (rest.byteLength < nl + 2 + size + 2) return undefined
      parts.push(rest.subarray(nl + 2, nl + 2 + size))
      i = nl + 2 + size + 2
    }
  }
  return ended ? done(rest) : undefined
}

/** Sends exactly the bytes of `goRequestBytes` over a fresh TCP connection and reads one reply. */
export const rawHttp = (baseUrl: string, r: RawRequest): Effect.Effect<RawResponse> =>
  Effect.async<RawResponse>((resume) => {
    const u = new URL(baseUrl)
    const socket = Net.connect({ host: u.hostname, port: Number(u.port) })
    let buf = Buffer.alloc(0)
    let settled = false
    const settle = (res: RawResponse) => {
      if (settled) return
      settled = true
      socket.destroy()
      resume(Effect.succeed(res))
    }
    socket.on("connect", () => {
      socket.write(goRequestBytes(u.host, r), () => {
        if (r.abort) setTimeout(() => settle({ status: 0, headers: {}, body: Buffer.alloc(0), text: "" }), 30)
      })
    })
    socket.on("data", (d: Buffer) => {
      buf = Buffer.concat([buf, d])
      const res = parseResponse(buf, false, r.method)
      if (res !== undefined) settle(res)
    })
    socket.on("end", () => {
      const res = parseResponse(buf, true, r.method)
      settle(res ?? { status: 0, headers: {}, body: buf, text: buf.toString("utf8") })
    })
    socket.on("error", (e) => {
      if (!settled) {
        settled = true
        resume(Effect.die(e))
      }
    })
    return Effect.sync(() => socket.destroy())
  })

// ---------------------------------------------------------------- a small XML reader (well-formedness checked)

export interface XNode {
  readonly name: string
  readonly attrs: Readonly<Record<string, string>>
  readonly children: ReadonlyArray<XNode>
  /** Concatenated character data directly inside this element. */
  readonly text: string
}

const decodeEntities = (s: string): string =>
  s.replace(/&(#x[0-9a-fA-F]+|#\d+|lt|gt|amp|quot|apos);/g, (_, e: string) =>
    e === "lt"
      ? "<"
      : e === "gt"
        ? ">"
        : e === "amp"
          ? "&"
          : e === "quot"
            ? '"'
            : e === "apos"
              ? "'"
              : String.fromCodePoint(e.startsWith("#x") ? Number.parseInt(e.slice(2), 16) : Number(e.slice(1)))
  )

/** True when the text holds a character outside XML 1.0's Char production. */
const hasIllegalXmlChar = (s: string): boolean => {
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k)
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0xfffe || c === 0xffff) return true
  }
  return false
}

/** Parses a document into a tree; throws on any well-formedness error Go's decoder would report. */
export const parseXml = (doc: string): XNode => {
  let i = 0
  const fail = (msg: string): never => {
    throw new Error(`XML syntax error at ${i}: ${msg}`)
  }
  const skipMisc = () => {
    for (;;) {
      while (i < doc.length && /\s/.test(doc[i]!)) i++
      if (doc.startsWith("<?", i)) i = doc.indexOf("?>", i) + 2 || fail("unterminated PI")
      else if (doc.startsWith("<!--", i)) i = doc.indexOf("-->", i) + 3 || fail("unterminated comment")
      else return
    }
  }
  const element = (): XNode => {
    if (doc[i] !== "<") fail("expected element")
    const m = /^<([A-Za-z_][\w.:-]*)/.exec(doc.slice(i, i + 200)) ?? fail("bad element name")
    const name = m[1]!
    i += m[0].length
    const attrs: Record<string, string> = {}
    for (;;) {
      while (/\s/.test(doc[i] ?? "")) i++
      if (doc.startsWith("/>", i)) {
        i += 2
        return { name, attrs, children: [], text: "" }
      }
      if (doc[i] === ">") {
        i++
        break
      }
      const a = /^([A-Za-z_][\w.:-]*)\s*=\s*("([^"<]*)"|'([^'<]*)')/.exec(doc.slice(i)) ?? fail("bad attribute")
      if (attrs[a[1]!] !== undefined) fail("duplicate attribute")
      attrs[a[1]!] = decodeEntities(a[3] ?? a[4] ?? "")
      i += a[0].length
    }
    const children: Array<XNode> = []
    let text = ""
    for (;;) {
      if (i >= doc.length) fail(`unexpected EOF in <${name}>`)
      if (doc.startsWith("</", i)) {
        const close = /^<\/([A-Za-z_][\w.:-]*)\s*>/.exec(doc.slice(i, i + 200)) ?? fail("bad end tag")
        if (close[1] !== name) fail(`element <${name}> closed by </${close[1]}>`)
        i += close[0].length
        return { name, attrs, children, text }
      }
      if (doc.startsWith("<!--", i)) {
        i = doc.indexOf("-->", i) + 3 || fail("unterminated comment")
        continue
      }
      if (doc[i] === "<") {
        children.push(element())
        continue
      }
      const next = doc.indexOf("<", i)
      const raw = doc.slice(i, next < 0 ? doc.length : next)
      if (/&(?!(#x[0-9a-fA-F]+|#\d+|lt|gt|amp|quot|apos);)/.test(raw)) fail("invalid entity")
      // characters outside XML 1.0's Char production make Go's decoder fail
      if (hasIllegalXmlChar(raw)) fail("illegal character code")
      text += decodeEntities(raw)
      i = next < 0 ? doc.length : next
    }
  }
  skipMisc()
  const root = element()
  skipMisc()
  if (i < doc.length) fail("content after the root element")
  return root
}

/** Nodes matched by a Go struct tag path `a>b>c` (every match, document order). */
export const xmlAll = (n: XNode, path: string): Array<XNode> => {
  let level: Array<XNode> = [n]
  for (const step of path.split(">")) level = level.flatMap((x) => x.children.filter((c) => c.name === step))
  return level
}

/** Text of a scalar field (the last match wins in Go; "" when absent). */
export const xmlText = (n: XNode, path: string): string => xmlAll(n, path).at(-1)?.text ?? ""

// ---------------------------------------------------------------- Go scalar decoding

export const goInt = (s: string): number => {
  if (s.length === 0) return 0
  const t = s.trim()
  if (!/^[+-]?\d+$/.test(t)) throw new Error(`strconv.ParseInt: parsing ${JSON.stringify(t)}: invalid syntax`)
  return Number(t)
}

export const goBool = (s: string): boolean => {
  if (s.length === 0) return false
  const t = s.trim()
  if (["1", "t", "T", "TRUE", "true", "True"].includes(t)) return true
  if (["0", "f", "F", "FALSE", "false", "False"].includes(t)) return false
  throw new Error(`strconv.ParseBool: parsing ${JSON.stringify(t)}: invalid syntax`)
}

const timeFrom = (m: RegExpExecArray, offset: string): number => {
  const [, y, mo, d, h, mi, s, frac] = m
  let ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s))
  if (frac !== undefined) ms += Number(frac.slice(1, 4).padEnd(3, "0"))
  if (offset !== "Z") {
    const sign = offset.startsWith("-") ? -1 : 1
    const digits = offset.slice(1).replace(":", "")
    ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4))) * 60_000
  }
  return ms
}

/** api.JottaTime: Go layout `2006-01-02-T15:04:05Z0700` (a fraction is accepted when parsing). Zero → undefined. */
export const jottaTime = (s: string): number | undefined => {
  if (s === "") return undefined
  const m = /^(\d{4})-(\d{2})-(\d{2})-T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{4})$/.exec(s)
  if (m === null) throw new Error(`parsing time ${JSON.stringify(s)} as "2006-01-02-T15:04:05Z0700"`)
  return timeFrom(m, m[8]!)
}

/** api.Rfc3339Time: Go layout time.RFC3339 (`Z` or `±hh:mm`). */
export const rfc3339Time = (s: string): number | undefined => {
  if (s === "") return undefined
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.exec(s)
  if (m === null) throw new Error(`parsing time ${JSON.stringify(s)} as RFC3339`)
  return timeFrom(m, m[8]!)
}

const pad = (n: number, w = 2) => String(Math.abs(n)).padStart(w, "0")

/** Formats like Go's api.JottaTime.String() for a time in a zone `offsetMinutes` east of UTC. */
export const jottaTimeString = (ms: number, offsetMinutes = 0): string => {
  const d = new Date(ms + offsetMinutes * 60_000)
  const zone =
    offsetMinutes === 0
      ? "Z"
      : `${offsetMinutes < 0 ? "-" : "+"}${pad(Math.trunc(Math.abs(offsetMinutes) / 60))}${pad(Math.abs(offsetMinutes) % 60)}`
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}-T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}${zone}`
}

/** Formats like Go's api.Rfc3339Time.String() (time.RFC3339, no fraction). */
export const rfc3339String = (ms: number, offsetMinutes = 0): string => {
  const d = new Date(ms + offsetMinutes * 60_000)
  const zone =
    offsetMinutes === 0
      ? "Z"
      : `${offsetMinutes < 0 ? "-" : "+"}${pad(Math.trunc(Math.abs(offsetMinutes) / 60))}:${pad(Math.abs(offsetMinutes) % 60)}`
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}${zone}`
}

/** Go's zero time.Time as api.JottaTime prints it. */
export const GO_ZERO_JOTTA = "0001-01-01-T00:00:00Z"

// ---------------------------------------------------------------- rclone's api/types.go structs

export interface JottaFile {
  readonly xmlName: string
  readonly name: string
  readonly deleted: boolean
  readonly publicURI: string
  readonly publicSharePath: string
  readonly state: string
  readonly createdAt: number | undefined
  readonly modifiedAt: number | undefined
  readonly updatedAt: number | undefined
  readonly size: number
  readonly mimeType: string
  readonly md5: string
}

export const decodeJottaFile = (n: XNode): JottaFile => ({
  xmlName: n.name,
  name: n.attrs.name ?? "",
  deleted: n.attrs.deleted !== undefined,
  publicURI: xmlText(n, "publicURI"),
  publicSharePath: xmlText(n, "publicSharePath"),
  state: xmlText(n, "currentRevision>state"),
  createdAt: jottaTime(xmlText(n, "currentRevision>created")),
  modifiedAt: jottaTime(xmlText(n, "currentRevision>modified")),
  updatedAt: jottaTime(xmlText(n, "currentRevision>updated")),
  size: goInt(xmlText(n, "currentRevision>size")),
  mimeType: xmlText(n, "currentRevision>mime"),
  md5: xmlText(n, "currentRevision>md5")
})

export interface JottaFolder {
  readonly xmlName: string
  readonly name: string
  readonly deleted: boolean
  readonly path: string
  readonly modifiedAt: number | undefined
  readonly folders: ReadonlyArray<JottaFolder>
  readonly files: ReadonlyArray<JottaFile>
}

export const decodeJottaFolder = (n: XNode): JottaFolder => {
  jottaTime(xmlText(n, "created"))
  jottaTime(xmlText(n, "updated"))
  return {
    xmlName: n.name,
    name: n.attrs.name ?? "",
    deleted: n.attrs.deleted !== undefined,
    path: xmlText(n, "path"),
    modifiedAt: jottaTime(xmlText(n, "modified")),
    folders: xmlAll(n, "folders>folder").map(decodeJottaFolder),
    files: xmlAll(n, "files>file").map(decodeJottaFile)
  }
}

export interface JottaMountPoint {
  readonly name: string
  readonly size: number
  readonly device: string
}

export const decodeJottaMountPoint = (n: XNode): JottaMountPoint => {
  xmlAll(n, "folders>folder").map(decodeJottaFolder)
  xmlAll(n, "files>file").map(decodeJottaFile)
  return { name: xmlText(n, "name"), size: goInt(xmlText(n, "size")), device: xmlText(n, "device") }
}

export interface JottaDevice {
  readonly name: string
  readonly type: string
  readonly size: number
  readonly user: string
  readonly mountPoints: ReadonlyArray<JottaMountPoint>
}

export const decodeJottaDevice = (n: XNode): JottaDevice => ({
  name: xmlText(n, "name"),
  type: xmlText(n, "type"),
  size: goInt(xmlText(n, "size")),
  user: xmlText(n, "user"),
  mountPoints: xmlAll(n, "mountPoints>mountPoint").map(decodeJottaMountPoint)
})

export interface DriveInfo {
  readonly username: string
  readonly capacity: number
  readonly usage: number
  readonly devices: ReadonlyArray<JottaDevice>
}

export const decodeDriveInfo = (n: XNode): DriveInfo => {
  for (const b of ["locked", "read-locked", "write-locked", "quota-write-locked", "enable-sync", "enable-foldershare"])
    goBool(xmlText(n, b))
  goInt(xmlText(n, "max-devices"))
  goInt(xmlText(n, "max-mobile-devices"))
  return {
    username: xmlText(n, "username"),
    capacity: goInt(xmlText(n, "capacity")),
    usage: goInt(xmlText(n, "usage")),
    devices: xmlAll(n, "devices>device").map(decodeJottaDevice)
  }
}

/** rclone's errorHandler: api.Error from the XML body, falling back to the HTTP status. */
export const decodeApiError = (res: RawResponse): { readonly statusCode: number; readonly message: string } => {
  let code = 0
  let message = ""
  try {
    const n = parseXml(res.text)
    code = goInt(xmlText(n, "code"))
    message = xmlText(n, "message")
  } catch {
    // rclone logs "Couldn't decode error response" and falls back
  }
  return { statusCode: code === 0 ? res.status : code, message: message === "" ? String(res.status) : message }
}

// ---------------------------------------------------------------- rclone's parseListRStream

export interface ListREntry {
  readonly kind: "dir" | "object"
  readonly remote: string
  readonly size?: number
  readonly md5?: string
  readonly modTime?: number | undefined
  readonly createTime?: number | undefined
}

/**
 * rclone's liststream reader: reacts to `file`, `folder` and `stats` elements wherever they
 * appear, strips the prefix `/<mountpoint>/<root>` and a leading `/`, counts folders (a
 * file's parent not seen before counts too) and files, and fails on any mismatch with stats.
 * Paths stay wire paths here (rclone would decode names afterwards).
 */
export const parseListRStream = (doc: string, pathPrefix: string): Array<ListREntry> => {
  const root = parseXml(doc)
  const expected = { folders: 0, files: 0 }
  const actual = { folders: 0, files: 0 }
  const unique = new Set<string>()
  const out: Array<ListREntry> = []
  const trim = (p: string) => (p.startsWith(pathPrefix) ? p.slice(pathPrefix.length) : p).replace(/^\//, "")
  const handle = (n: XNode): boolean => {
    if (n.name === "file") {
      const p = trim(xmlText(n, "path"))
      actual.files++
      if (!unique.has(p)) {
        unique.add(p)
        actual.folders++
        out.push({ kind: "dir", remote: p })
      }
      const name = xmlText(n, "filename")
      out.push({
        kind: "object",
        remote: p === "" ? name : `${p}/${name}`,
        size: goInt(xmlText(n, "size")),
        md5: xmlText(n, "md5"),
        modTime: rfc3339Time(xmlText(n, "modified")),
        createTime: rfc3339Time(xmlText(n, "created"))
      })
      return true
    }
    if (n.name === "folder") {
      const p = trim(xmlText(n, "path"))
      unique.add(p)
      actual.folders++
      out.push({ kind: "dir", remote: p })
      return true
    }
    if (n.name === "stats") {
      expected.folders = goInt(xmlText(n, "folders"))
      expected.files = goInt(xmlText(n, "files"))
      return true
    }
    return false
  }
  const visit = (n: XNode): void => {
    if (handle(n)) return
    for (const c of n.children) visit(c)
  }
  visit(root)
  if (expected.folders !== actual.folders || expected.files !== actual.files) {
    throw new Error(
      `invalid result from listStream: expected[${JSON.stringify(expected)}] != actual[${JSON.stringify(actual)}]`
    )
  }
  return out
}

// ---------------------------------------------------------------- rclone's name encoding (subset)

/**
 * rclone's default Jottacloud encoding for valid UTF-8 names that need no quoting:
 * control characters and DEL to the Control Pictures block, `/ " * : < > ? | %` to their
 * fullwidth twins, whole-name `.`/`..` to fullwidth full stops.
 */
export const jottaEncode = (raw: string): string => {
  if (raw === ".") return "\uFF0E"
  if (raw === "..") return "\uFF0E\uFF0E"
  let out = ""
  for (const ch of raw) {
    const c = ch.codePointAt(0)!
    if (c < 0x20) out += String.fromCodePoint(0x2400 + c)
    else if (c === 0x7f) out += "\u2421"
    else if ('/"*:<>?|%'.includes(ch)) out += String.fromCodePoint(0xff00 + c - 0x20)
    else out += ch
  }
  return out
}
