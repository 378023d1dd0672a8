/**
 * The WebDAV server (RFC 4918, class 1 and 2; quota properties of RFC 4331) over a remote
 * folder. Each method is a top-level handler; `app` dispatches on the method.
 *
 * PUT bodies: Jottacloud's allocate step needs the content's MD5 and size before the first
 * byte is sent, and a request body can be read only once. So the body is read exactly once,
 * inside the request, into `NodeFiles.spool` (memory up to `md5_memory_limit`, a scoped
 * temporary file beyond, hashed while written), and the upload reads the spool.
 *
 * Handlers run interruptibly: the platform's server runs a plain `HttpApp` uninterruptibly
 * (its router re-enables interruption for routes, not for mounted apps), so a client that
 * goes away would not stop the work, and an operation that races two effects internally
 * could not stop the loser.
 */
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as HttpApp from "@effect/platform/HttpApp"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import type * as Account from "@fjord/core/Account"
import type * as Files from "@fjord/core/Files"
import * as JottaConfig from "@fjord/core/JottaConfig"
import type * as JottaError from "@fjord/core/JottaError"
import * as NodeFiles from "@fjord/node/NodeFiles"
import * as Clock from "effect/Clock"
import type * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as HtmlIndex from "./htmlIndex.js"
import * as Locks from "./locks.js"
import * as Mime from "./mime.js"
import * as Paths from "./paths.js"
import * as Props from "./props.js"
import * as Remote from "./remote.js"
import * as Xml from "./xml.js"

export interface Config {
  readonly root: string
  readonly prefix: string
  readonly readOnly: boolean
  readonly dirCacheMillis: number
  readonly md5MemoryLimit: number | undefined
}

interface Server {
  readonly config: Config
  readonly remote: Remote.Remote
  readonly locks: Locks.LockTable
  readonly props: Props.DeadProps
  readonly md5MemoryLimit: number
  readonly hardDelete: boolean
}

/** An answer decided before the end of a handler (an error status, mostly). */
class Answer extends Data.TaggedError("Answer")<{ readonly status: number; readonly body?: string }> {}

type Handled<A> = Effect.Effect<
  A,
  Answer | JottaError.JottaError | NodeFiles.LocalFileError,
  HttpServerRequest.HttpServerRequest | FileSystem.FileSystem
>

const answer = (status: number, body?: string) => new Answer(body === undefined ? { status } : { status, body })

const writeMethods: ReadonlySet<string> = new Set([
  "PUT",
  "DELETE",
  "MKCOL",
  "COPY",
  "MOVE",
  "PROPPATCH",
  "LOCK",
  "UNLOCK"
])

const allow = "OPTIONS, GET, HEAD, PUT, DELETE, MKCOL, COPY, MOVE, PROPFIND, PROPPATCH, LOCK, UNLOCK"

const xmlResponse = (status: number, body: string, headers?: Record<string, string>) =>
  HttpServerResponse.text(body, {
    status,
    contentType: "application/xml; charset=utf-8",
    ...(headers ? { headers } : {})
  })

// ---------------------------------------------------------------------------------------------
// request helpers

const requestPath = (server: Server): Handled<string> =>
  Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) => {
    const rel = Paths.fromUrl(server.config.prefix, request.url)
    return rel === undefined ? Effect.fail(answer(400, "bad request path")) : Effect.succeed(rel)
  })

/** The request body as text, at most `Xml.maxBodyBytes`. */
const bodyText: Handled<string> = Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) =>
  request.stream.pipe(
    Stream.mapError(() => answer(400, "cannot read the request body")),
    Stream.runFold({ size: 0, chunks: [] as Array<Uint8Array> }, (acc, chunk) => {
      acc.size += chunk.length
      if (acc.size <= Xml.maxBodyBytes) acc.chunks.push(chunk)
      return acc
    }),
    Effect.flatMap((acc) =>
      acc.size > Xml.maxBodyBytes
        ? Effect.fail(answer(413, "request body too large"))
        : Effect.succeed(Buffer.concat(acc.chunks).toString("utf8"))
    )
  )
)

/** The body parsed as XML; `undefined` for an empty body, 400 for a malformed one. */
const bodyXml: Handled<Xml.Element | undefined> = Effect.flatMap(bodyText, (text) => {
  if (text.trim() === "") return Effect.succeed(undefined)
  const doc = Xml.parse(text)
  return doc === undefined ? Effect.fail(answer(400, "malformed XML request body")) : Effect.succeed(doc)
})

const header = (name: string): Effect.Effect<string | undefined, never, HttpServerRequest.HttpServerRequest> =>
  Effect.map(HttpServerRequest.HttpServerRequest, (r) => r.headers[name])

const mustExist = (server: Server, rel: string): Handled<Remote.Resource> =>
  Effect.flatMap(Remote.lookup(server.remote, rel), (r) =>
    r === undefined ? Effect.fail(answer(404)) : Effect.succeed(r)
  )

/** The parent of `rel` must be an existing folder (409 otherwise, RFC 4918 §9.7.1). */
const parentMustExist = (server: Server, rel: string): Handled<void> =>
  Effect.flatMap(Remote.lookup(server.remote, Paths.parent(rel)), (p) =>
    p?.folder === true ? Effect.void : Effect.fail(answer(409, "parent folder does not exist"))
  )

// ---------------------------------------------------------------------------------------------
// If header and locks

/** Evaluates the `If` header (412 when false, 400 when malformed); returns the submitted tokens. */
const checkIf = (server: Server, rel: string): Handled<ReadonlySet<string>> =>
  Effect.gen(function* () {
    const ifHeader = yield* header("if")
    if (ifHeader === undefined) return new Set<string>()
    const lists = Locks.parseIf(ifHeader)
    if (lists === undefined) return yield* answer(400, "malformed If header")
    const now = yield* Clock.currentTimeMillis
    let anyTrue = false
    for (const list of lists) {
      const target = list.resource === undefined ? rel : Paths.fromUrl(server.config.prefix, list.resource)
      if (target === undefined) continue
      const resource = yield* Remote.lookup(server.remote, target)
      const tokens = new Set(Locks.locksOn(server.locks, target, now).map((l) => l.token))
      const tag = resource === undefined ? undefined : Remote.etag(resource)
      const holds = list.conditions.every((c) => {
        const matches = c.kind === "token" ? tokens.has(c.value) : tag !== undefined && c.value === tag
        return c.not ? !matches : matches
      })
      if (holds) {
        anyTrue = true
        break
      }
    }
    if (!anyTrue) return yield* answer(412, "If header precondition failed")
    return Locks.submittedTokens(lists)
  })

/** 423 unless every lock on the paths (and below, for `deep`) has its token submitted. */
const checkLocks = (
  server: Server,
  tokens: ReadonlySet<string>,
  paths: ReadonlyArray<{ readonly rel: string; readonly deep: boolean }>
): Handled<void> =>
  Effect.flatMap(Clock.currentTimeMillis, (now) => {
    for (const p of paths) {
      const locks = p.deep ? Locks.locksAtOrBelow(server.locks, p.rel, now) : Locks.locksOn(server.locks, p.rel, now)
      const roots = new Set(locks.map((l) => l.root))
      for (const root of roots) {
        const here = locks.filter((l) => l.root === root)
        if (!here.some((l) => tokens.has(l.token))) return Effect.fail(answer(423, "resource is locked"))
      }
    }
    return Effect.void
  })

// ---------------------------------------------------------------------------------------------
// properties

const davProps = [
  "resourcetype",
  "displayname",
  "getlastmodified",
  "getcontentlength",
  "getcontenttype",
  "getetag",
  "supportedlock",
  "lockdiscovery",
  "quota-available-bytes",
  "quota-used-bytes"
] as const

/** Not returned by `allprop` (RFC 4331 §3: the quota properties only when asked for). */
const notInAllprop: ReadonlySet<string> = new Set(["quota-available-bytes", "quota-used-bytes"])

const activeLock = (server: Server, lock: Locks.Lock, now: number): Xml.Out =>
  Xml.d(
    "activelock",
    Xml.d("locktype", Xml.d("write")),
    Xml.d("lockscope", Xml.d(lock.exclusive ? "exclusive" : "shared")),
    Xml.d("depth", lock.infinite ? "infinity" : "0"),
    ...(lock.owner.length > 0 ? [Xml.d("owner", Xml.raw(lock.owner))] : []),
    Xml.d("timeout", `Second-${Math.max(0, Math.round((lock.expires - now) / 1000))}`),
    Xml.d("locktoken", Xml.d("href", lock.token)),
    Xml.d("lockroot", Xml.d("href", Paths.href(server.config.prefix, lock.root, false)))
  )

/** A live property's value, or `undefined` when the resource has none. */
const liveProp = (
  server: Server,
  r: Remote.Resource,
  name: (typeof davProps)[number],
  now: number
): Handled<Xml.Out | undefined> => {
  switch (name) {
    case "resourcetype":
      return Effect.succeed(r.folder ? Xml.d("resourcetype", Xml.d("collection")) : Xml.d("resourcetype"))
    case "displayname":
      return Effect.succeed(Xml.d("displayname", r.name))
    case "getlastmodified": {
      const date = Remote.httpDate(r.modified)
      return Effect.succeed(date === undefined ? undefined : Xml.d("getlastmodified", date))
    }
    case "getcontentlength":
      return Effect.succeed(r.folder ? undefined : Xml.d("getcontentlength", String(r.size)))
    case "getcontenttype":
      return Effect.succeed(r.folder ? undefined : Xml.d("getcontenttype", Mime.of(r)))
    case "getetag": {
      const tag = Remote.etag(r)
      return Effect.succeed(tag === undefined ? undefined : Xml.d("getetag", tag))
    }
    case "supportedlock":
      return Effect.succeed(
        Xml.d(
          "supportedlock",
          ...["exclusive", "shared"].map((scope) =>
            Xml.d("lockentry", Xml.d("lockscope", Xml.d(scope)), Xml.d("locktype", Xml.d("write")))
          )
        )
      )
    case "lockdiscovery":
      return Effect.succeed(
        Xml.d("lockdiscovery", ...Locks.locksOn(server.locks, r.rel, now).map((l) => activeLock(server, l, now)))
      )
    case "quota-available-bytes":
      return Effect.map(Remote.about(server.remote), (a) =>
        a.free === undefined ? undefined : Xml.d("quota-available-bytes", String(a.free))
      )
    case "quota-used-bytes":
      return Effect.map(Remote.about(server.remote), (a) => Xml.d("quota-used-bytes", String(a.used)))
  }
}

type Request =
  | { readonly _tag: "AllProp"; readonly include: ReadonlyArray<Xml.Element> }
  | { readonly _tag: "PropName" }
  | { readonly _tag: "Prop"; readonly names: ReadonlyArray<Xml.Element> }

const propstat = (status: string, props: ReadonlyArray<Xml.Out>): Xml.Out =>
  Xml.d("propstat", Xml.d("prop", ...props), Xml.d("status", `HTTP/1.1 ${status}`))

const responseFor = (server: Server, r: Remote.Resource, req: Request, now: number): Handled<Xml.Out> =>
  Effect.gen(function* () {
    const href = Xml.d("href", Paths.href(server.config.prefix, r.rel, r.folder))
    const dead = Props.get(server.props, r.rel)
    if (req._tag === "PropName") {
      const names: Array<Xml.Out> = []
      for (const name of davProps) {
        if ((yield* liveProp(server, r, name, now)) !== undefined) names.push(Xml.d(name))
      }
      for (const p of dead) names.push(Xml.el(p.ns, p.local))
      return Xml.d("response", href, propstat("200 OK", names))
    }
    const found: Array<Xml.Out> = []
    const missing: Array<Xml.Out> = []
    const wanted =
      req._tag === "Prop"
        ? req.names
        : [
            ...davProps
              .filter((n) => !notInAllprop.has(n))
              .map((local) => ({ ns: Xml.DAV, local, attrs: [], children: [] })),
            ...dead.map((p) => ({ ns: p.ns, local: p.local, attrs: [], children: [] })),
            ...req.include
          ]
    const seen = new Set<string>()
    for (const name of wanted) {
      const key = Props.key(name.ns, name.local)
      if (seen.has(key)) continue
      seen.add(key)
      const live =
        name.ns === Xml.DAV && (davProps as ReadonlyArray<string>).includes(name.local)
          ? yield* liveProp(server, r, name.local as (typeof davProps)[number], now)
          : undefined
      const deadValue = dead.find((p) => p.ns === name.ns && p.local === name.local)
      if (live !== undefined) found.push(live)
      else if (deadValue !== undefined) found.push(Xml.el(name.ns, name.local, [Xml.raw(deadValue.value)]))
      else missing.push(Xml.el(name.ns, name.local))
    }
    return Xml.d(
      "response",
      href,
      ...(found.length > 0 || missing.length === 0 ? [propstat("200 OK", found)] : []),
      ...(missing.length > 0 ? [propstat("404 Not Found", missing)] : [])
    )
  })

// ---------------------------------------------------------------------------------------------
// handlers

const options = (_server: Server): Handled<HttpServerResponse.HttpServerResponse> =>
  Effect.succeed(
    HttpServerResponse.empty({
      status: 200,
      headers: { dav: "1, 2", allow, "ms-author-via": "DAV", "accept-ranges": "bytes", "content-length": "0" }
    })
  )

const get = (server: Server): Handled<HttpServerResponse.HttpServerResponse> =>
  Effect.gen(function* () {
    const rel = yield* requestPath(server)
    const r = yield* mustExist(server, rel)
    if (r.folder) {
      const members = yield* Remote.list(server.remote, rel)
      return HtmlIndex.response(server.config.prefix, rel, members)
    }
    return yield* Remote.download(server.remote, r, Mime.of(r))
  })

const put = (server: Server): Handled<HttpServerResponse.HttpServerResponse> =>
  Effect.gen(function* () {
    const rel = yield* requestPath(server)
    if (rel === "") return yield* answer(405, "cannot PUT the root folder")
    const existing = yield* Remote.lookup(server.remote, rel)
    if (existing?.folder === true) return yield* answer(405, "a folder exists at this path")
    yield* parentMustExist(server, rel)
    const tokens = yield* checkIf(server, rel)
    yield* checkLocks(server, tokens, [{ rel, deep: false }])
    const request = yield* HttpServerRequest.HttpServerRequest
    const mtime = Number(request.headers["x-oc-mtime"])
    const modified = Number.isFinite(mtime) && mtime > 0 ? DateTime.unsafeMake(mtime * 1000) : undefined
    // the body is read once, here, within this request: spooled and hashed, then uploaded
    const info = yield* Effect.scoped(
      Effect.flatMap(NodeFiles.spool(request.stream, server.md5MemoryLimit), (source) =>
        server.remote.files.upload(Remote.path(server.remote, rel), source, modified === undefined ? {} : { modified })
      )
    ).pipe(Effect.ensuring(Remote.changed(server.remote, rel)))
    return HttpServerResponse.empty({
      status: existing === undefined ? 201 : 204,
      headers: info.md5 === undefined ? {} : { etag: `"${info.md5}"` }
    })
  }).pipe(Effect.catchTag("RequestError", () => Effect.fail(answer(400, "cannot read the request body"))))

const remove = (server: Server): Handled<HttpServerResponse.HttpServerResponse> =>
  Effect.gen(function* () {
    const rel = yield* requestPath(server)
    if (rel === "") return yield* answer(403, "cannot delete the root folder")
    const r = yield* mustExist(server, rel)
    const tokens = yield* checkIf(server, rel)
    yield* checkLocks(server, tokens, [{ rel, deep: r.folder }])
    yield* deleteResource(server, r)
    return HttpServerResponse.empty({ status: 204 })
  })

const deleteResource = (server: Server, r: Remote.Resource): Handled<void> =>
  Effect.gen(function* () {
    const path = Remote.path(server.remote, r.rel)
    yield* (r.folder ? server.remote.files.purge(path) : server.remote.files.remove(path)).pipe(
      Effect.ensuring(Remote.changed(server.remote, r.rel))
    )
    Props.drop(server.props, r.rel)
    Locks.dropBelow(server.locks, r.rel)
  })

/**
 * Removes a COPY or MOVE destination that is overwritten. A folder in the trash still holds
 * its name for files (the service refuses a file where a trashed folder is, §8), so a folder
 * replaced by a file is first renamed to `NAME (replaced DATE)` and then trashed under that
 * name; with hard delete it is simply deleted.
 */
const replaced = (server: Server, existing: Remote.Resource, byFolder: boolean): Handled<void> =>
  Effect.gen(function* () {
    if (!existing.folder || byFolder || server.hardDelete) return yield* deleteResource(server, existing)
    const stamp = new Date(yield* Clock.currentTimeMillis).toISOString().replace(/:/g, "-")
    const aside = `${existing.rel} (replaced ${stamp})`
    yield* server.remote.files
      .moveDir(Remote.path(server.remote, existing.rel), Remote.path(server.remote, aside))
      .pipe(Effect.ensuring(Remote.changed(server.remote, existing.rel)))
    Props.drop(server.props, existing.rel)
    Locks.dropBelow(server.locks, existing.rel)
    yield* deleteResource(server, { ...existing, rel: aside })
  })

const mkcol = (server: Server): Handled<HttpServerResponse.HttpServerResponse> =>
  Effect.gen(function* () {
    const rel = yield* requestPath(server)
    const body = yield* bodyText
    if (body.length > 0) return yield* answer(415, "MKCOL with a body is not supported")
    if ((yield* Remote.lookup(server.remote, rel)) !== undefined) return yield* answer(405, "already exists")
    yield* parentMustExist(server, rel)
    const tokens = yield* checkIf(server, rel)
    yield* checkLocks(server, tokens, [{ rel, deep: false }])
    yield* server.remote.files
      .mkdir(Remote.path(server.remote, rel))
      .pipe(Effect.ensuring(Remote.changed(server.remote, rel)))
    return HttpServerResponse.empty({ status: 201 })
  })

const copyOrMove = (server: Server, move: boolean): Handled<HttpServerResponse.HttpServerResponse> =>
  Effect.gen(function* () {
    const rel = yield* requestPath(server)
    const destination = yield* header("destination")
    if (destination === undefined) return yield* answer(400, "no Destination header")
    const dest = Paths.fromUrl(server.config.prefix, destination)
    if (dest === undefined) return yield* answer(502, "Destination is not on this server")
    const overwrite = ((yield* header("overwrite")) ?? "T").trim().toUpperCase() !== "F"
    const depth = ((yield* header("depth")) ?? "infinity").trim().toLowerCase()
    const src = yield* mustExist(server, rel)
    if (rel === "" || dest === "") return yield* answer(403, "cannot copy or move the root folder")
    if (dest === rel || (src.folder && Paths.isWithin(dest, rel))) {
      return yield* answer(403, "source and destination overlap")
    }
    if (src.folder && depth !== "infinity" && (move || depth !== "0")) return yield* answer(400, "bad Depth")
    yield* parentMustExist(server, dest)
    const existing = yield* Remote.lookup(server.remote, dest)
    if (existing !== undefined && !overwrite) return yield* answer(412, "destination exists")
    const tokens = yield* checkIf(server, rel)
    yield* checkLocks(server, tokens, [...(move ? [{ rel, deep: src.folder }] : []), { rel: dest, deep: true }])
    if (existing !== undefined) yield* replaced(server, existing, src.folder)
    const from = Remote.path(server.remote, rel)
    const to = Remote.path(server.remote, dest)
    const files = server.remote.files
    const work = src.folder
      ? move
        ? files.moveDir(from, to)
        : Effect.zipRight(files.mkdir(to), depth === "0" ? Effect.void : copyTree(server, from, to))
      : move
        ? files.move(from, to)
        : files.copy(from, to)
    yield* work.pipe(
      Effect.ensuring(Effect.zipRight(Remote.changed(server.remote, rel), Remote.changed(server.remote, dest)))
    )
    if (!src.folder || depth !== "0") Props.copy(server.props, rel, dest, move)
    if (move) Locks.dropBelow(server.locks, rel)
    return HttpServerResponse.empty({ status: existing === undefined ? 201 : 204 })
  })

/** Server-side copy of every folder and file below `from` into `to`. */
const copyTree = (server: Server, from: string, to: string): Handled<void> =>
  server.remote.files.listRecursive(from).pipe(
    Stream.runForEach((e) => {
      const suffix = e.path.slice(from.length)
      return e._tag === "Folder" ? server.remote.files.mkdir(to + suffix) : server.remote.files.copy(e, to + suffix)
    })
  )

const propfind = (server: Server): Handled<HttpServerResponse.HttpServerResponse> =>
  Effect.gen(function* () {
    const rel = yield* requestPath(server)
    const depth = ((yield* header("depth")) ?? "infinity").trim().toLowerCase()
    if (depth !== "0" && depth !== "1") {
      return xmlResponse(403, Xml.document(Xml.d("error", Xml.d("propfind-finite-depth"))))
    }
    const doc = yield* bodyXml
    let req: Request = { _tag: "AllProp", include: [] }
    if (doc !== undefined) {
      if (!Xml.is(doc, Xml.DAV, "propfind")) return yield* answer(400, "expected a propfind element")
      const prop = Xml.child(doc, Xml.DAV, "prop")
      if (prop !== undefined) req = { _tag: "Prop", names: Xml.elements(prop) }
      else if (Xml.child(doc, Xml.DAV, "propname") !== undefined) req = { _tag: "PropName" }
      else if (Xml.child(doc, Xml.DAV, "allprop") !== undefined) {
        const include = Xml.child(doc, Xml.DAV, "include")
        req = { _tag: "AllProp", include: include === undefined ? [] : Xml.elements(include) }
      } else return yield* answer(400, "expected prop, propname or allprop")
    }
    const r = yield* mustExist(server, rel)
    const now = yield* Clock.currentTimeMillis
    const resources = r.folder && depth === "1" ? [r, ...(yield* Remote.list(server.remote, rel))] : [r]
    const responses: Array<Xml.Out> = []
    for (const each of resources) responses.push(yield* responseFor(server, each, req, now))
    return xmlResponse(207, Xml.document(Xml.d("multistatus", ...responses)))
  })

const msNamespace = "urn:schemas-microsoft-com:"

/** The live properties PROPPATCH can set: the modification time, as an HTTP date. */
const isModTime = (e: Xml.Element) =>
  (e.ns === Xml.DAV && e.local === "getlastmodified") || (e.ns === msNamespace && e.local === "Win32LastModifiedTime")

const proppatch = (server: Server): Handled<HttpServerResponse.HttpServerResponse> =>
  Effect.gen(function* () {
    const rel = yield* requestPath(server)
    const doc = yield* bodyXml
    if (doc === undefined || !Xml.is(doc, Xml.DAV, "propertyupdate")) {
      return yield* answer(400, "expected a propertyupdate element")
    }
    const r = yield* mustExist(server, rel)
    const tokens = yield* checkIf(server, rel)
    yield* checkLocks(server, tokens, [{ rel, deep: false }])
    const ops: Array<{ readonly set: boolean; readonly prop: Xml.Element }> = []
    for (const op of Xml.elements(doc)) {
      const set = Xml.is(op, Xml.DAV, "set")
      if (!set && !Xml.is(op, Xml.DAV, "remove")) continue
      for (const prop of Xml.elements(op).filter((p) => Xml.is(p, Xml.DAV, "prop"))) {
        for (const e of Xml.elements(prop)) ops.push({ set, prop: e })
      }
    }
    // validate first: a PROPPATCH is all or nothing (RFC 4918 §9.2)
    const failures = new Map<Xml.Element, string>()
    const modTimes: Array<Date> = []
    for (const { set, prop } of ops) {
      if (isModTime(prop)) {
        const date = new Date(Xml.text(prop).trim())
        if (!set || r.folder || Number.isNaN(date.getTime())) failures.set(prop, "409 Conflict")
        else modTimes.push(date)
      } else if (prop.ns === Xml.DAV) {
        failures.set(prop, "403 Forbidden")
      }
    }
    const statusOf = (prop: Xml.Element) =>
      failures.get(prop) ?? (failures.size > 0 ? "424 Failed Dependency" : "200 OK")
    if (failures.size === 0) {
      for (const date of modTimes) {
        yield* server.remote.files
          .setModTime(Remote.path(server.remote, rel), DateTime.unsafeFromDate(date))
          .pipe(Effect.ensuring(Remote.changed(server.remote, rel)))
      }
      for (const { set, prop } of ops) {
        if (isModTime(prop) || prop.ns === Xml.DAV) continue
        if (set) Props.set(server.props, rel, { ns: prop.ns, local: prop.local, value: prop.children })
        else Props.remove(server.props, rel, prop.ns, prop.local)
      }
    }
    const byStatus = new Map<string, Array<Xml.Out>>()
    for (const { prop } of ops) {
      const status = statusOf(prop)
      byStatus.set(status, [...(byStatus.get(status) ?? []), Xml.el(prop.ns, prop.local)])
    }
    const href = Xml.d("href", Paths.href(server.config.prefix, rel, r.folder))
    const propstats = [...byStatus.entries()].map(([status, props]) => propstat(status, props))
    return xmlResponse(207, Xml.document(Xml.d("multistatus", Xml.d("response", href, ...propstats))))
  })

const lockResponse = (server: Server, lock: Locks.Lock, status: number, now: number) =>
  xmlResponse(status, Xml.document(Xml.d("prop", Xml.d("lockdiscovery", activeLock(server, lock, now)))), {
    "lock-token": `<${lock.token}>`
  })

const lock = (server: Server): Handled<HttpServerResponse.HttpServerResponse> =>
  Effect.gen(function* () {
    const rel = yield* requestPath(server)
    const doc = yield* bodyXml
    const timeout = Locks.parseTimeout(yield* header("timeout"))
    const now = yield* Clock.currentTimeMillis
    if (doc === undefined) {
      // a refresh: the If header names the lock
      const tokens = yield* checkIf(server, rel)
      const held = Locks.locksOn(server.locks, rel, now).find((l) => tokens.has(l.token))
      if (held === undefined) return yield* answer(412, "no lock to refresh")
      Locks.refresh(held, timeout, now)
      return lockResponse(server, held, 200, now)
    }
    if (!Xml.is(doc, Xml.DAV, "lockinfo")) return yield* answer(400, "expected a lockinfo element")
    const scope = Xml.child(doc, Xml.DAV, "lockscope")
    const exclusive = scope !== undefined && Xml.child(scope, Xml.DAV, "exclusive") !== undefined
    const shared = scope !== undefined && Xml.child(scope, Xml.DAV, "shared") !== undefined
    const type = Xml.child(doc, Xml.DAV, "locktype")
    if ((!exclusive && !shared) || type === undefined || Xml.child(type, Xml.DAV, "write") === undefined) {
      return yield* answer(400, "expected a write lock, exclusive or shared")
    }
    const depth = ((yield* header("depth")) ?? "infinity").trim().toLowerCase()
    if (depth !== "0" && depth !== "infinity") return yield* answer(400, "bad Depth")
    const owner = Xml.child(doc, Xml.DAV, "owner")
    // a new lock conflicts only with locks of an incompatible scope (checked by acquire)
    yield* checkIf(server, rel)
    const existing = yield* Remote.lookup(server.remote, rel)
    const acquired = Locks.acquire(
      server.locks,
      { path: rel, exclusive, infinite: depth === "infinity", owner: owner?.children ?? [], timeoutSeconds: timeout },
      now
    )
    if (acquired === undefined) return yield* answer(423, "resource is locked")
    if (existing === undefined) {
      // locking an unmapped URL creates an empty resource (RFC 4918 §7.3)
      yield* parentMustExist(server, rel).pipe(
        Effect.tapError(() => Effect.sync(() => Locks.release(server.locks, acquired.token)))
      )
      yield* server.remote.files
        .upload(Remote.path(server.remote, rel), { size: 0, stream: Stream.empty, md5: Option.none() })
        .pipe(Effect.ensuring(Remote.changed(server.remote, rel)))
      return lockResponse(server, acquired, 201, now)
    }
    return lockResponse(server, acquired, 200, now)
  })

const unlock = (server: Server): Handled<HttpServerResponse.HttpServerResponse> =>
  Effect.gen(function* () {
    const rel = yield* requestPath(server)
    const raw = ((yield* header("lock-token")) ?? "").trim()
    const token = raw.startsWith("<") && raw.endsWith(">") ? raw.slice(1, -1) : raw
    const now = yield* Clock.currentTimeMillis
    const held = Locks.locksOn(server.locks, rel, now).find((l) => l.token === token)
    if (held === undefined) {
      return xmlResponse(409, Xml.document(Xml.d("error", Xml.d("lock-token-matches-request-uri"))))
    }
    Locks.release(server.locks, token)
    return HttpServerResponse.empty({ status: 204 })
  })

// ---------------------------------------------------------------------------------------------
// the app

/** The HTTP status of a failure from the cloud. */
export const statusOf = (e: JottaError.JottaError | NodeFiles.LocalFileError): number => {
  switch (e._tag) {
    case "NotFound":
      return 404
    case "IsADirectory":
    case "NotAFile":
    case "AlreadyExists":
    case "DirectoryNotEmpty":
      return 409
    case "InvalidName":
      return 400
    case "QuotaExceeded":
      return 507
    case "RateLimited":
      return 503
    case "LocalFileError":
      return 500
    default:
      return 502
  }
}

const handlers: Record<string, (server: Server) => Handled<HttpServerResponse.HttpServerResponse>> = {
  OPTIONS: options,
  GET: get,
  HEAD: get,
  PUT: put,
  DELETE: remove,
  MKCOL: mkcol,
  COPY: (s) => copyOrMove(s, false),
  MOVE: (s) => copyOrMove(s, true),
  PROPFIND: propfind,
  PROPPATCH: proppatch,
  LOCK: lock,
  UNLOCK: unlock
}

/** The server as an `HttpApp`; its state (locks, dead properties, cache) lives in the app. */
export const make = (
  config: Config,
  services: {
    readonly files: Files.Service
    readonly account: Account.Service
    readonly context: Context.Context<FileSystem.FileSystem>
    readonly md5MemoryLimit: number
    readonly hardDelete: boolean
  }
): HttpApp.Default => {
  const server: Server = {
    config,
    remote: Remote.make({
      files: services.files,
      account: services.account,
      root: config.root,
      dirCacheMillis: config.dirCacheMillis
    }),
    locks: Locks.makeTable(),
    props: Props.make(),
    md5MemoryLimit: config.md5MemoryLimit ?? services.md5MemoryLimit,
    hardDelete: services.hardDelete
  }
  return Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) => {
    const method = request.method.toUpperCase()
    const handler = handlers[method]
    if (handler === undefined) {
      return Effect.succeed(HttpServerResponse.empty({ status: 405, headers: { allow } }))
    }
    if (config.readOnly && writeMethods.has(method)) {
      return Effect.succeed(HttpServerResponse.text("read-only server", { status: 403 }))
    }
    return handler(server).pipe(
      Effect.interruptible,
      Effect.catchAll((e) =>
        Effect.succeed(
          e._tag === "Answer"
            ? HttpServerResponse.text(e.body ?? "", { status: e.status })
            : HttpServerResponse.text(e.message, { status: statusOf(e) })
        )
      ),
      Effect.provide(services.context)
    )
  })
}

/** The configured client's `md5MemoryLimit` (rclone's `md5_memory_limit`) and `hardDelete`. */
export const clientSettings: Effect.Effect<{ readonly md5MemoryLimit: number; readonly hardDelete: boolean }> =
  Effect.map(
    Effect.serviceOption(JottaConfig.JottaConfig),
    Option.match({
      onNone: () => ({ md5MemoryLimit: JottaConfig.tenMebibytes, hardDelete: false }),
      onSome: (c) => ({ md5MemoryLimit: c.md5MemoryLimit, hardDelete: c.hardDelete })
    })
  )
