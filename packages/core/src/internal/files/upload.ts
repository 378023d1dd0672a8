/**
 * Uploads (§5): the source's MD5 (given, or hashed with the `ContentHasher`, checking the
 * source yields exactly its declared size, §5.6), then allocate (`POST files/v1/allocate`,
 * JSON, §5.2); a `COMPLETED` reply means the service already holds the content (dedup, §5.7),
 * else the data is POSTed to `upload_url` from `resume_pos` (§5.3, §5.4). A broken attempt
 * restarts the whole sequence under the retry policy, and the next allocation reports how far
 * the server got (logged at INFO with the path and the offset). The stored file is then read back (§4.2) and its size and MD5 checked.
 *
 * With `noVersions` the existing file is deleted for good first (rclone's `--jottacloud-no-versions`).
 * Allocate is not idempotent and the data POST consumes its body: neither is retried by the
 * client on its own.
 *
 * @internal
 */
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Clock from "effect/Clock"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type { Md5 } from "../../ContentHasher.js"
import type { Path, UploadOptions } from "../../Files.js"
import * as Jfs from "../../Jfs.js"
import * as JfsTime from "../../JfsTime.js"
import * as JottaError from "../../JottaError.js"
import * as RetryPolicy from "../../RetryPolicy.js"
import * as UploadSource from "../../UploadSource.js"
import * as Decode from "../decode.js"
import type * as Loc from "../location.js"
import { at, command, execute, type FilesContext, op, resolve, rootRefused } from "./context.js"
import { statLoc } from "./item.js"

const decodeAllocate = Decode.json(Jfs.AllocateReply)

const uploadFailed = (
  loc: Loc.Location,
  reason: JottaError.UploadFailed["reason"],
  description: string,
  cause?: unknown
): Effect.Effect<never, JottaError.UploadFailed> =>
  Effect.flatMap(at(loc), (where) =>
    Effect.fail(
      new JottaError.UploadFailed({ ...where, reason, description, ...(cause === undefined ? {} : { cause }) })
    )
  )

/** Hashes the source, checking that it yields exactly its declared size. */
const hashChecked = (
  ctx: FilesContext,
  source: UploadSource.UploadSource,
  loc: Loc.Location
): Effect.Effect<Md5, JottaError.UploadFailed> =>
  Effect.suspend(() => {
    let seen = 0
    const counted = Stream.mapChunks(source.stream, (chunk) => {
      for (const c of chunk) seen += c.length
      return chunk
    })
    return Effect.flatMap(
      Effect.catchAll(ctx.hasher.md5(counted), (e) => uploadFailed(loc, "Source", e.message, e)),
      (md5) =>
        seen === source.size
          ? Effect.succeed(md5)
          : uploadFailed(loc, "SizeMismatch", `the source yielded ${seen} bytes, declared ${source.size}`)
    )
  })

/** `Files.upload`: uploads a file (dedup, resume); returns the stored file's metadata. */
export const upload = (ctx: FilesContext) =>
  op("Files.upload")(function* (path: Path, source: UploadSource.UploadSource, options?: UploadOptions) {
    const { config } = ctx
    const loc = yield* resolve(ctx, path)
    yield* Effect.annotateCurrentSpan({ path: loc.display, bytes: source.size })
    if (loc.isRoot) return yield* rootRefused(loc, "no file name")
    const md5: Md5 = Option.isSome(source.md5) ? source.md5.value : yield* hashChecked(ctx, source, loc)
    if (config.noVersions) {
      const res = yield* execute(ctx, command(loc.url, { rm: "true" }), loc, { accept: (s) => s === 404 })
      yield* res.discard
    }
    const modified = options?.modified ?? DateTime.unsafeMake(yield* Clock.currentTimeMillis)
    const created = options?.created ?? modified
    const body = {
      bytes: source.size,
      created: JfsTime.formatRfc3339(created),
      md5,
      modified: JfsTime.formatRfc3339(modified),
      path: loc.allocate
    }
    const allocate = Effect.flatMap(
      execute(
        ctx,
        HttpClientRequest.bodyUnsafeJson(HttpClientRequest.post(`${config.apiRoot}files/v1/allocate`), body),
        loc,
        { idempotent: false, retry: false }
      ),
      (res) => Decode.body(decodeAllocate, res, loc.display)
    )
    const sendData = (reply: Jfs.AllocateReply) =>
      Effect.gen(function* () {
        if (reply.uploadUrl === undefined) {
          return yield* new JottaError.InvalidResponse({
            ...(yield* at(loc)),
            issue: "allocate reply without upload_url"
          })
        }
        const from = Math.max(0, Math.min(reply.resumePos, source.size))
        // visible at the CLI's -v: the server kept part of an earlier attempt (§5.4)
        if (from > 0) yield* Effect.logInfo(`${loc.display}: resuming the upload at byte ${from} of ${source.size}`)
        const rest = UploadSource.skip(source, from)
        let request = HttpClientRequest.post(reply.uploadUrl)
        if (from > 0) request = HttpClientRequest.setHeader(request, "range", `bytes=${from}-${source.size - 1}`)
        request =
          rest.size === 0
            ? HttpClientRequest.setHeader(request, "content-type", "application/octet-stream")
            : HttpClientRequest.bodyStream(request, rest.stream, {
                contentType: "application/octet-stream",
                contentLength: rest.size
              })
        const res = yield* execute(ctx, request, loc, { retry: false })
        yield* res.discard
      })
    // allocate → (dedup | send from resume_pos); a broken attempt restarts the whole sequence,
    // and the next allocation reports how far the server got.
    const sequence = Effect.flatMap(allocate, (reply) => (reply.state === "COMPLETED" ? Effect.void : sendData(reply)))
    yield* RetryPolicy.retry(sequence)
    const { info } = yield* statLoc(ctx, loc, false)
    if (info.size !== source.size) {
      return yield* uploadFailed(loc, "SizeMismatch", `stored ${info.size} bytes, expected ${source.size}`)
    }
    if (info.md5 !== undefined && info.md5 !== md5) {
      return yield* uploadFailed(loc, "Md5Mismatch", `stored MD5 ${info.md5}, expected ${md5}`)
    }
    return info
  })
