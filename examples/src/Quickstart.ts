/**
 * The program the root README opens with: upload, list, download, and a typed `NotFound`.
 * `layer` is the one-line Node composition it runs under (a personal login token, exchanged
 * once and kept in a token file).
 *
 * @since 0.1.0
 */
import * as Files from "@fjord/core/Files"
import * as UploadSource from "@fjord/core/UploadSource"
import * as NodeJotta from "@fjord/node/NodeJotta"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"

/**
 * @since 0.1.0
 * @category programs
 */
export const program = Effect.gen(function* () {
  const files = yield* Files.Files
  const hello = new TextEncoder().encode("Hello, Jottacloud!\n")
  yield* files.upload("notes/hello.txt", UploadSource.fromUint8Array(hello))
  const names = (yield* files.list("notes")).map((entry) => entry.name)
  const text = yield* files.download("notes/hello.txt").pipe(Stream.decodeText(), Stream.mkString)
  const missing = yield* files.stat("notes/missing.txt").pipe(
    Effect.as("there"),
    Effect.catchTag("NotFound", (e) => Effect.succeed(`no such file: ${e.path}`))
  )
  return { names, text, missing }
})

/**
 * @since 0.1.0
 * @category layers
 */
export const layer = (loginToken: string, options?: NodeJotta.ClientOptions) =>
  Files.layer.pipe(Layer.provideMerge(NodeJotta.layerLoginToken(loginToken, options)))
