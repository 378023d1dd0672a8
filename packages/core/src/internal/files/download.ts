/**
 * Downloads (`GET <file>?mode=bin`, optional `Range`, §4.8), verified as they stream against
 * the file's size and MD5 (from `path` when it is a `FileInfo` of the current revision, else
 * from the file's document, §4.2):
 *
 * - a request without `Range` must be answered 200 with a matching `Content-Length` (when
 *   sent); a ranged one (a caller's range, or a resume) 206 with `Content-Range` for exactly
 *   the bytes asked for, else `DownloadFailed` (`RangeMismatch`): nothing is ever spliced onto
 *   bytes it does not continue (rclone accepts any 2xx, §4.8; the emulator answers 206);
 * - the first byte beyond the expected end fails the stream at once (`SizeMismatch`), so does
 *   a body that ends short; a whole-file download checks the MD5 at the end (hashed alongside
 *   by the `ContentHasher`, in constant memory).
 *
 * When the body breaks off (connection reset, idle timeout) it is resumed with a `Range`
 * request from the first missing byte, under the retry policy; failures of the request itself
 * are retried by the client as usual.
 *
 * @internal
 */
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import type { Md5 } from "../../ContentHasher.js"
import type { DownloadOptions, FileInfo, Path } from "../../Files.js"
import type { Response } from "../../JottaClient.js"
import * as JottaError from "../../JottaError.js"
import * as RetryPolicy from "../../RetryPolicy.js"
import * as Loc from "../location.js"
import * as Op from "../operation.js"
import { at, execute, type FilesContext, notFound, resolveAnnotated } from "./context.js"
import { revisionsOf } from "./entries.js"
import { fileDoc } from "./item.js"

const rangeHeader = (range: NonNullable<DownloadOptions["range"]>): string =>
  range.end === undefined ? `bytes=${range.start}-` : `bytes=${range.start}-${Math.max(range.start, range.end - 1)}`

const isFileInfo = (path: Path): path is FileInfo =>
  typeof path === "object" && "_tag" in path && path._tag === "File" && "size" in path

/** Why a 206 reply does not carry bytes `from`..`end - 1` of a `size`-byte file (undefined: it does). */
const rangeProblem = (res: Response, from: number, end: number, size: number): string | undefined => {
  if (res.status !== 206) return `a range request was answered with HTTP ${res.status}, not 206`
  const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec((res.headers["content-range"] ?? "").trim())
  if (m === null)
    return `a range reply without a valid Content-Range (${JSON.stringify(res.headers["content-range"] ?? "")})`
  if (Number(m[1]) !== from || Number(m[2]) !== end - 1 || (m[3] !== "*" && Number(m[3]) !== size)) {
    return `Content-Range ${m[0]} does not match the bytes asked for (${from}-${end - 1}/${size})`
  }
  const length = res.headers["content-length"]
  if (length !== undefined && Number(length) !== end - from) {
    return `Content-Length ${length} does not match the range (${end - from} bytes)`
  }
  return undefined
}

/** Why a reply to a request without `Range` does not carry the whole `size`-byte file. */
const wholeProblem = (res: Response, size: number): string | undefined => {
  if (res.status === 206) return "a request without Range was answered with 206"
  const length = res.headers["content-length"]
  if (length !== undefined && Number(length) !== size) {
    return `Content-Length ${length}, expected ${size}`
  }
  return undefined
}

/** The size and MD5 a download of `loc` (revision `revision`, default the current one) must deliver. */
const expectedContent = (
  ctx: FilesContext,
  loc: Loc.Location,
  path: Path,
  revision: number | undefined
): Effect.Effect<{ readonly size: number; readonly md5: Md5 | undefined }, JottaError.JottaError> => {
  if (revision === undefined && isFileInfo(path)) return Effect.succeed({ size: path.size, md5: path.md5 })
  return Effect.flatMap(fileDoc(ctx, loc), (file) => {
    if (revision === undefined) {
      const rev = file.currentRevision
      if (rev === undefined) return notFound(loc, "no completed revision")
      return Effect.succeed({ size: rev.size ?? 0, md5: rev.md5 })
    }
    const rev = revisionsOf(file).find((r) => r.number === revision)
    if (rev === undefined) return notFound(loc, `no revision ${revision}`)
    return Effect.succeed({ size: rev.size ?? 0, md5: rev.md5 })
  })
}

/** The verified content of `path` (of revision `revision` when given), run under the caller's operation. */
export const content = (
  ctx: FilesContext,
  path: Path,
  revision: number | undefined,
  options?: DownloadOptions
): Stream.Stream<Uint8Array, JottaError.JottaError> =>
  Stream.unwrapScoped(
    Effect.gen(function* () {
      const loc = yield* resolveAnnotated(ctx, path)
      const expected = yield* expectedContent(ctx, loc, path, revision)
      const policy = yield* RetryPolicy.RetryPolicy
      const where = yield* at(loc)
      const size = expected.size
      const start = options?.range?.start ?? 0
      const end = Math.min(options?.range?.end ?? size, size)
      if (start >= end) return Stream.empty
      const failed = (reason: JottaError.DownloadFailedReason, description: string) =>
        new JottaError.DownloadFailed({ ...where, reason, description })
      let delivered = 0
      let bodyBroke = false
      const open = Stream.suspend(() => {
        const from = start + delivered
        let request = HttpClientRequest.get(loc.url).pipe(HttpClientRequest.setUrlParam("mode", "bin"))
        if (revision !== undefined) request = HttpClientRequest.setUrlParam(request, "revision", String(revision))
        const ranged = from > 0 || options?.range?.end !== undefined
        if (ranged) {
          request = HttpClientRequest.setHeader(
            request,
            "range",
            rangeHeader({ start: from, end: options?.range?.end })
          )
        }
        return Stream.unwrap(
          Effect.flatMap(execute(ctx, request, loc), (res) => {
            bodyBroke = false
            const problem = ranged ? rangeProblem(res, from, end, size) : wholeProblem(res, size)
            if (problem !== undefined) {
              return Effect.zipRight(
                res.discard,
                Effect.fail(failed(ranged ? "RangeMismatch" : "SizeMismatch", problem))
              )
            }
            return Effect.succeed(
              Stream.mapError(res.stream, (e) => {
                bodyBroke = true
                return e
              })
            )
          })
        )
      })
      const resumable = Schedule.intersect(
        policy.schedule,
        Schedule.recurWhile((e: JottaError.JottaError) => bodyBroke && policy.isTransient(e))
      )
      const want = end - start
      const counted = open.pipe(
        Stream.retry(resumable),
        Stream.mapChunksEffect((chunk) => {
          for (const c of chunk) delivered += c.length
          return delivered > want
            ? Effect.fail(failed("SizeMismatch", `the body runs past the expected ${want} bytes`))
            : Effect.succeed(chunk)
        }),
        Stream.ensuring(Effect.suspend(() => Effect.annotateCurrentSpan("bytes", delivered)))
      )
      const lengthChecked = Effect.suspend(() =>
        delivered === want
          ? Effect.void
          : Effect.fail(failed("SizeMismatch", `the body ended after ${delivered} of ${want} bytes`))
      )
      const md5 = expected.md5
      if (start !== 0 || end !== size || md5 === undefined) {
        return Stream.concat(counted, Stream.drain(Stream.fromEffect(lengthChecked)))
      }
      // The whole file: hashed as its chunks pass by, the digest checked after the last one.
      const hash = yield* ctx.hasher.incremental
      const md5Checked = Effect.gen(function* () {
        yield* lengthChecked
        const got = hash.digest()
        if (got !== md5) return yield* failed("Md5Mismatch", `received MD5 ${got}, expected ${md5}`)
      })
      return Stream.concat(
        Stream.mapChunks(counted, (chunk) => {
          for (const c of chunk) hash.update(c)
          return chunk
        }),
        Stream.drain(Stream.fromEffect(md5Checked))
      )
    })
  )

/** `Files.download`: the content of a file (or a byte range of it). */
export const download =
  (ctx: FilesContext) =>
  (path: Path, options?: DownloadOptions): Stream.Stream<Uint8Array, JottaError.JottaError> =>
    content(ctx, path, undefined, options).pipe(Op.stream("Files.download", Loc.displayUnknown(path)))
