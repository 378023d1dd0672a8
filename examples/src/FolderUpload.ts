/**
 * Composing transfers in app code: a local folder uploaded with the `Transfer` engine (the
 * same engine behind `fjord copy`), its progress events printed as they stream in, then a
 * public link to one of the uploaded files.
 *
 * Run against a fresh embedded emulator:
 * `tsx --conditions=@fjord/source examples/src/FolderUpload.ts [LOCAL_DIR]`
 *
 * @since 0.1.0
 */

import { pathToFileURL } from "node:url"
import * as FileSystem from "@effect/platform/FileSystem"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Files from "@fjord/core/Files"
import * as Transfer from "@fjord/core/Transfer"
import * as Emulator from "@fjord/emulator/Emulator"
import * as NodeTransfer from "@fjord/node/NodeTransfer"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as Quickstart from "./Quickstart.js"

/**
 * One line per event worth showing (the `Bytes` events carry the running totals).
 *
 * @since 0.1.0
 * @category formatting
 */
export const describeEvent = (event: Transfer.Event): Option.Option<string> => {
  const p = event.progress
  const totals = `${p.filesDone}/${p.filesPlanned} files, ${p.bytesDone}/${p.bytesPlanned} bytes`
  switch (event._tag) {
    case "Started":
      return Option.some(`started ${event.path} (${event.size} bytes)`)
    case "Bytes":
      return Option.some(`  ${totals}`)
    case "Done":
      return Option.some(`done    ${event.path} [${totals}]`)
    case "Failed":
      return Option.some(`failed  ${event.path}: ${event.description}`)
    default:
      return Option.none()
  }
}

/**
 * Uploads `localDir` to `remoteDir`, prints progress, and returns the run's summary and a
 * public link to `remoteDir/linkTo`.
 *
 * @since 0.1.0
 * @category programs
 */
export const uploadAndShare = (localDir: string, remoteDir: string, linkTo: string) =>
  Effect.gen(function* () {
    const destination = yield* Transfer.cloudSide(remoteDir)
    const summary = yield* Transfer.run(NodeTransfer.side(localDir), destination, { mode: "copy" }).pipe(
      Stream.tap((event) => Option.match(describeEvent(event), { onNone: () => Effect.void, onSome: Console.log })),
      Stream.filterMap((event) => (event._tag === "Summary" ? Option.some(event.summary) : Option.none())),
      Stream.runLast,
      Effect.flatten
    )
    const files = yield* Files.Files
    const link = yield* files.publicLink(`${remoteDir}/${linkTo}`)
    yield* Console.log(`${summary.transferred} files, ${summary.bytes} bytes; public link: ${link}`)
    return { summary, link }
  })

const main = Effect.gen(function* () {
  const emu = yield* Emulator.make()
  const localDir = process.argv[2] ?? "examples/src"
  const fs = yield* FileSystem.FileSystem
  const tokenFile = `${yield* fs.makeTempDirectoryScoped({ prefix: "fjord-example-" })}/token.json`
  yield* uploadAndShare(localDir, "uploads", "Quickstart.ts").pipe(
    Effect.provide(Quickstart.layer(emu.loginToken, { config: { endpoint: emu.url }, tokenFile }))
  )
})

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main.pipe(Effect.scoped, Effect.provide(NodeContext.layer), NodeRuntime.runMain)
}
