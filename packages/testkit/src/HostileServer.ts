/**
 * Hostile and broken servers for tests: a loopback `node:http` server with a handler of your
 * own ({@link serve}), the documents a Jottacloud server answers with ({@link fileXml},
 * {@link folderXml}, {@link listStreamXml}), and ready-made misbehaviours that a client must
 * survive with a typed error, bounded memory and time, and nothing written where it should
 * not be: entity expansion, replies far beyond any cap, an `upload_url` on another host,
 * names that climb out of a local target, a stalled socket, escape sequences and megabytes in
 * error text, documents that fail their schema. The SDK's tests (`@fjord/core`) and the CLI's
 * use the same servers.
 *
 * Every server answers the username lookup (`GET /api/account/v1/customer`) with user `u`
 * unless its handler answers it first, so JFS paths are `/jfs/u/Jotta/Archive/…`.
 *
 * @since 0.1.0
 */
import * as Crypto from "node:crypto"
import * as Http from "node:http"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"

/**
 * A request the server saw.
 *
 * @since 0.1.0
 * @category models
 */
export interface Seen {
  readonly method: string
  readonly url: string
  readonly authorization: string | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export type Handler = (req: Http.IncomingMessage, res: Http.ServerResponse) => void

/**
 * A running server: its base URL and the requests it saw.
 *
 * @since 0.1.0
 * @category models
 */
export interface Server {
  readonly url: string
  readonly seen: Array<Seen>
}

/**
 * A loopback server for the scope's lifetime; the customer lookup is answered unless
 * `handler` takes it.
 *
 * @since 0.1.0
 * @category constructors
 */
export const serve = (handler: Handler): Effect.Effect<Server, never, Scope.Scope> =>
  Effect.map(
    Effect.acquireRelease(
      Effect.async<{ server: Http.Server; seen: Array<Seen> }>((resume) => {
        const seen: Array<Seen> = []
        const server = Http.createServer((req, res) => {
          seen.push({ method: req.method ?? "", url: req.url ?? "", authorization: req.headers.authorization })
          if (req.url === "/api/account/v1/customer" && !res.headersSent) {
            // handlers may take the lookup by answering first
            handler(req, res)
            if (!res.headersSent && !res.writableEnded) {
              res.writeHead(200, { "content-type": "application/json" })
              res.end(JSON.stringify({ username: "u" }))
            }
            return
          }
          handler(req, res)
        })
        server.listen(0, "127.0.0.1", () => resume(Effect.succeed({ server, seen })))
      }),
      ({ server }) =>
        Effect.async<void>((resume) => {
          server.closeAllConnections()
          server.close(() => resume(Effect.void))
        })
    ),
    ({ server, seen }) => {
      const address = server.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      return { url: `http://127.0.0.1:${port}`, seen }
    }
  )

/**
 * Whether `req` is for the JFS path `path` below `/u/Jotta/Archive` (`mode` given: with that
 * `mode=`; else without any mode).
 *
 * @since 0.1.0
 * @category requests
 */
export const isJfs = (req: Http.IncomingMessage, path: string, mode?: string): boolean => {
  const [p, q = ""] = (req.url ?? "").split("?")
  if (p !== `/jfs/u/Jotta/Archive/${path}`) return false
  return mode === undefined ? !q.includes("mode=") : q.includes(`mode=${mode}`)
}

/**
 * The MD5 of a string or bytes, in hex.
 *
 * @since 0.1.0
 * @category documents
 */
export const md5Hex = (input: Uint8Array | string): string => Crypto.createHash("md5").update(input).digest("hex")

/**
 * A file's document (§4.2), one completed revision.
 *
 * @since 0.1.0
 * @category documents
 */
export const fileXml = (name: string, size: number, md5: string): string =>
  `<?xml version="1.0" encoding="UTF-8"?><file name="${name}" uuid="1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f"><path>/u/Jotta/Archive</path><abspath>/u/Jotta/Archive</abspath><currentRevision><number>1</number><state>COMPLETED</state><created>2024-03-01-T11:00:00Z</created><modified>2024-03-01-T11:00:00Z</modified><mime>application/octet-stream</mime><size>${size}</size><md5>${md5}</md5><updated>2024-05-01-T18:22:41Z</updated></currentRevision></file>`

/**
 * A folder's document (§4.1) holding `files` one-byte files `f0`, `f1`, ….
 *
 * @since 0.1.0
 * @category documents
 */
export const folderXml = (name: string, files: number): string => {
  let out = `<?xml version="1.0" encoding="UTF-8"?><folder name="${name}"><path>/u/Jotta/Archive</path><abspath>/u/Jotta/Archive</abspath><folders/><files>`
  for (let i = 0; i < files; i++)
    out += `<file name="f${i}"><currentRevision><number>1</number><state>COMPLETED</state><size>1</size><md5>${md5Hex("x")}</md5></currentRevision></file>`
  return `${out}</files></folder>`
}

/**
 * A recursive listing (§4.9) of `root` (below `/Archive`) with files `{ dir, name, content }`
 * (names and folders go in as given: XML text, entity references included).
 *
 * @since 0.1.0
 * @category documents
 */
export const listStreamXml = (
  root: string,
  files: ReadonlyArray<{ readonly dir?: string; readonly name: string; readonly content: string }>
): string => {
  const entries = files
    .map(
      (f) =>
        `<file><path>/Archive/${root}${f.dir === undefined ? "" : `/${f.dir}`}</path><filename>${f.name}</filename><size>${Buffer.byteLength(f.content)}</size><md5>${md5Hex(f.content)}</md5><modified>2024-03-01T11:00:00.000Z</modified><created>2024-03-01T11:00:00.000Z</created></file>`
    )
    .join("")
  return `<?xml version="1.0" encoding="UTF-8"?><liststream><folder><path>/Archive/${root}</path></folder>${entries}<stats><folders>1</folders><files>${files.length}</files></stats></liststream>`
}

/**
 * Answers with an XML document.
 *
 * @since 0.1.0
 * @category replies
 */
export const xml = (res: Http.ServerResponse, body: string, status = 200): void => {
  res.writeHead(status, { "content-type": "text/xml; charset=UTF-8" })
  res.end(body)
}

/**
 * Answers 404 with the service's JFS error document.
 *
 * @since 0.1.0
 * @category replies
 */
export const notFound = (res: Http.ServerResponse): void =>
  xml(res, "<error><code>404</code><message>no.jotta.backup.errors.NoSuchPathException</message></error>", 404)

/**
 * `document` (its XML declaration dropped) behind a "billion laughs" DOCTYPE: ten levels of
 * entities, each ten of the one below, so that `&l10;` in the document is 10¹⁰ characters if
 * expanded.
 *
 * @since 0.1.0
 * @category misbehaviours
 */
export const entityBomb = (document: string): string => {
  const body = document.replace(/^<\?xml[^>]*\?>/, "")
  const root = /^<([A-Za-z]+)/.exec(body)?.[1] ?? "x"
  let dtd = `<!ENTITY l0 "lol">`
  for (let i = 1; i <= 10; i++) dtd += `<!ENTITY l${i} "${`&l${i - 1};`.repeat(10)}">`
  return `<?xml version="1.0"?><!DOCTYPE ${root} [${dtd}]>${body}`
}

/**
 * A folder document whose one file is named `&l10;` behind {@link entityBomb}.
 *
 * @since 0.1.0
 * @category misbehaviours
 */
export const entityExpansionXml: string = entityBomb(
  `<folder name="x"><path>/u/Jotta/Archive</path><abspath>/u/Jotta/Archive</abspath><folders/><files><file name="&l10;"><currentRevision><number>1</number><state>COMPLETED</state><size>1</size><md5>${md5Hex("x")}</md5></currentRevision></file></files></folder>`
)

/**
 * Streams `total` bytes of body after `first` (with back-pressure), with the given status and
 * headers; returns how much was written when the connection closed.
 *
 * @since 0.1.0
 * @category misbehaviours
 */
export const pump = (
  res: Http.ServerResponse,
  options: {
    readonly status: number
    readonly headers: Http.OutgoingHttpHeaders
    readonly first: string
    readonly total: number
    readonly fill?: string | undefined
    readonly last?: string | undefined
    /** Told the total written so far after each write. */
    readonly onWrite?: ((written: number) => void) | undefined
  },
  onClose?: (written: number) => void
): void => {
  res.writeHead(options.status, options.headers)
  const chunk = Buffer.alloc(64 * 1024, options.fill ?? "y")
  const first = Buffer.from(options.first)
  let written = first.length
  res.write(first)
  res.on("close", () => onClose?.(written))
  const next = () => {
    while (written < options.total) {
      written += chunk.length
      options.onWrite?.(written)
      if (!res.write(chunk)) return void res.once("drain", next)
    }
    res.end(options.last ?? "")
  }
  next()
}

/**
 * An error reply of 64 MiB whose first line carries terminal escape sequences, a carriage
 * return and a forged log line.
 *
 * @since 0.1.0
 * @category misbehaviours
 */
export const noisyError = (res: Http.ServerResponse, onClose?: (written: number) => void): void =>
  pump(
    res,
    {
      status: 500,
      headers: { "content-type": "text/plain" },
      first: `\u001b[31mboom\u001b]0;owned\u0007\r\nFAKE LOG LINE ${"z".repeat(1000)}`,
      total: 64 * 1024 * 1024
    },
    onClose
  )

/**
 * A recursive listing of `root` whose first file name never ends (200 MiB of `n`).
 *
 * @since 0.1.0
 * @category misbehaviours
 */
export const endlessName = (res: Http.ServerResponse, root: string, onWrite?: (written: number) => void): void =>
  pump(res, {
    status: 200,
    headers: { "content-type": "text/xml" },
    first: `<?xml version='1.0'?><liststream><folder><path>/Archive/${root}</path></folder><file><path>/Archive/${root}</path><filename>`,
    total: 200 * 1024 * 1024,
    fill: "n",
    last: "</filename></file></liststream>",
    onWrite
  })

/**
 * A server answering an upload's allocation with an `upload_url` on `elsewhere` (another
 * origin); other requests are left to `rest`.
 *
 * @since 0.1.0
 * @category misbehaviours
 */
export const allocateElsewhere =
  (elsewhere: string, rest: Handler = () => {}): Handler =>
  (req, res) => {
    if (req.url !== "/api/files/v1/allocate") return rest(req, res)
    req.resume()
    res.writeHead(200, { "content-type": "application/json" })
    res.end(JSON.stringify({ state: "INCOMPLETE", upload_url: `${elsewhere}/upload/1`, resume_pos: 0 }))
  }

/**
 * Keeps the request open and answers nothing.
 *
 * @since 0.1.0
 * @category misbehaviours
 */
export const stall: Handler = (req) => {
  req.resume()
}

/**
 * Names that would climb out of a local target if joined to it as paths.
 *
 * @since 0.1.0
 * @category misbehaviours
 */
export const escapingNames: ReadonlyArray<string> = [
  "..",
  "../escaped.txt",
  "../../escaped-twice.txt",
  "/absolute.txt",
  "sub/../../../escaped-thrice.txt",
  "..\\windows.txt"
]
