/**
 * Embedding fjord in an Effect HTTP service (`@effect/platform`'s `HttpRouter`, served by
 * `NodeHttpServer`):
 *
 * - `PUT /files/PATH` streams the request body to Jottacloud. Jottacloud's upload first
 *   allocates with the content's MD5 and size, and a retried or resumed upload reads the
 *   content again, so the body is streamed into a scoped temporary file (constant memory,
 *   removed when the request ends) and uploaded from there.
 * - `GET /list/PATH` answers the folder's entries as JSON.
 * - `GET /files/PATH` streams the file; a `Range: bytes=START-END` header gets a `206` with
 *   just those bytes (fetched from Jottacloud as a range, not cut locally).
 * - `NotFound` is `404`; other SDK errors are `502` with the error's tag (never its cause).
 *
 * Run against a fresh embedded emulator:
 * `tsx --conditions=@fjord/source examples/src/HttpService.ts [PORT]`
 *
 * @since 0.1.0
 */

import { createServer } from "node:http"
import { pathToFileURL } from "node:url"
import * as FileSystem from "@effect/platform/FileSystem"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServer from "@effect/platform/HttpServer"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Files from "@fjord/core/Files"
import * as JottaError from "@fjord/core/JottaError"
import * as UploadSource from "@fjord/core/UploadSource"
import * as Emulator from "@fjord/emulator/Emulator"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as Quickstart from "./Quickstart.js"

/** The cloud path after the route's prefix. */
const cloudPath = Effect.map(HttpRouter.params, (params) => decodeURIComponent(params["*"] ?? ""))

/**
 * Parses a single `bytes=START-END` / `bytes=START-` range (END inclusive, as in RFC 9110
 * §14.1.2) into the SDK's half-open range; suffix ranges and lists are not supported.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseRange = (
  header: string | undefined,
  size: number
): Option.Option<{ readonly start: number; readonly end: number }> => {
  const match = header === undefined ? null : /^bytes=(\d+)-(\d*)$/.exec(header.trim())
  if (match === null) return Option.none()
  const start = Number(match[1])
  const end = match[2] === "" ? size : Math.min(size, Number(match[2]) + 1)
  return start < end ? Option.some({ start, end }) : Option.none()
}

const upload = Effect.gen(function* () {
  const path = yield* cloudPath
  const request = yield* HttpServerRequest.HttpServerRequest
  const fs = yield* FileSystem.FileSystem
  const spool = yield* fs.makeTempFileScoped({ prefix: "fjord-upload-" })
  yield* Stream.run(request.stream, fs.sink(spool))
  const source = yield* UploadSource.fromFile(spool)
  const info = yield* (yield* Files.Files).upload(path, source)
  return yield* HttpServerResponse.json({ path: info.path, size: info.size, md5: info.md5 }, { status: 201 })
}).pipe(Effect.scoped)

const list = Effect.gen(function* () {
  const entries = yield* (yield* Files.Files).list(yield* cloudPath)
  return yield* HttpServerResponse.json(
    entries.map((e) =>
      e._tag === "File" ? { type: "file", name: e.name, size: e.size } : { type: "folder", name: e.name }
    )
  )
})

const download = Effect.gen(function* () {
  const path = yield* cloudPath
  const request = yield* HttpServerRequest.HttpServerRequest
  const files = yield* Files.Files
  const info = yield* files.stat(path)
  const headers = { "accept-ranges": "bytes", "content-type": info.contentType ?? "application/octet-stream" }
  return Option.match(parseRange(request.headers.range, info.size), {
    onNone: () => HttpServerResponse.stream(files.download(path), { headers, contentLength: info.size }),
    onSome: (range) =>
      HttpServerResponse.stream(files.download(path, { range }), {
        status: 206,
        contentLength: range.end - range.start,
        headers: { ...headers, "content-range": `bytes ${range.start}-${range.end - 1}/${info.size}` }
      })
  })
})

/** Maps the SDK's errors to statuses; anything else (a broken request body, a spool failure) is `500`. */
const errorResponse = (e: unknown) =>
  !JottaError.isJottaError(e)
    ? HttpServerResponse.json({ error: "Internal" }, { status: 500 })
    : e._tag === "NotFound"
      ? HttpServerResponse.json({ error: "NotFound", path: e.path }, { status: 404 })
      : HttpServerResponse.json({ error: e._tag }, { status: 502 })

/**
 * The service's routes; needs `Files` and a `FileSystem` (for the upload spool).
 *
 * @since 0.1.0
 * @category routers
 */
export const router = HttpRouter.empty.pipe(
  HttpRouter.put("/files/*", upload),
  HttpRouter.get("/files/*", download),
  HttpRouter.get("/list/*", list),
  HttpRouter.get("/list", list),
  HttpRouter.catchAll(errorResponse)
)

/**
 * The service served by `NodeHttpServer` on `port`, over an SDK layer logged in with a login
 * token.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: {
  readonly port: number
  readonly loginToken: string
  readonly endpoint: string
  readonly tokenFile: string
}) =>
  HttpServer.serve(router).pipe(
    HttpServer.withLogAddress,
    Layer.provide(NodeHttpServer.layer(createServer, { port: options.port, host: "127.0.0.1" })),
    Layer.provide(
      Quickstart.layer(options.loginToken, { config: { endpoint: options.endpoint }, tokenFile: options.tokenFile })
    )
  )

const main = Effect.gen(function* () {
  const emu = yield* Emulator.make()
  const fs = yield* FileSystem.FileSystem
  const tokenFile = `${yield* fs.makeTempDirectoryScoped({ prefix: "fjord-example-" })}/token.json`
  const port = Number(process.argv[2] ?? 8080)
  return yield* Layer.launch(layer({ port, loginToken: emu.loginToken, endpoint: emu.url, tokenFile }))
})

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main.pipe(Effect.scoped, Effect.provide(NodeContext.layer), NodeRuntime.runMain)
}
