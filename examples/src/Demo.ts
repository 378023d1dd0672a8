/**
 * The `npm start` demo: a tour of the SDK against the embedded emulator. Every step is a real
 * HTTP exchange with a Jottacloud-compatible server on loopback.
 *
 * @since 0.1.0
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Account from "@fjord/core/Account"
import * as Files from "@fjord/core/Files"
import * as UploadSource from "@fjord/core/UploadSource"
import * as Emulator from "@fjord/emulator/Emulator"
import * as NodeJotta from "@fjord/node/NodeJotta"
import * as Console from "effect/Console"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"

const encoder = new TextEncoder()

/** What the demo did, for its test to check. */
export interface Summary {
  readonly username: string
  readonly listed: ReadonlyArray<string>
  readonly recursiveCount: number
  readonly downloaded: string
  readonly bigBytes: number
  readonly revisions: ReadonlyArray<number>
  readonly publicDownload: string
  readonly trashed: ReadonlyArray<string>
  readonly purged: { readonly folders: number; readonly files: number }
  readonly dedupBodyBytes: number
}

/** A downloaded byte stream as UTF-8 text. */
const readText = <E, R>(stream: Stream.Stream<Uint8Array, E, R>) => stream.pipe(Stream.decodeText(), Stream.mkString)

/** A deterministic generated body of `size` bytes, produced in 64 KiB chunks (never held whole). */
const generated = (size: number): UploadSource.UploadSource =>
  UploadSource.make({
    size,
    stream: Stream.range(0, Math.ceil(size / 65536) - 1).pipe(
      Stream.map((i) => {
        const n = Math.min(65536, size - i * 65536)
        const chunk = new Uint8Array(n)
        for (let j = 0; j < n; j++) chunk[j] = (i * 31 + j * 7) & 0xff
        return chunk
      })
    )
  })

/**
 * The tour itself; needs the SDK services and the emulator (for its request log).
 *
 * @since 0.1.0
 * @category programs
 */
export const tour = Effect.gen(function* () {
  const emulator = yield* Emulator.Emulator
  const files = yield* Files.Files
  const account = yield* Account.Account

  const user = yield* account.userInfo()
  yield* Console.log(`logged in as ${user.username} <${user.email}>`)

  yield* files.mkdir("demo/reports 2026")
  const hello = yield* files.upload(
    "demo/reports 2026/hello: world?.txt",
    UploadSource.fromUint8Array(encoder.encode("Hello from fjord!\n")),
    { modified: DateTime.unsafeMake("2026-01-02T03:04:05Z") }
  )
  yield* Console.log(`uploaded ${hello.path} (${hello.size} bytes, md5 ${hello.md5})`)

  const big = yield* files.upload("demo/big.bin", generated(8 * 1024 * 1024))
  yield* Console.log(`uploaded ${big.path} (${big.size} bytes) in constant memory`)

  // Same content again, under another name: the server deduplicates, no body is sent.
  yield* emulator.clearRequests
  yield* files.upload("demo/big copy.bin", generated(8 * 1024 * 1024))
  const dedupBodyBytes = (yield* emulator.requests)
    .filter((r) => r.path.includes("upload"))
    .reduce((n, r) => n + r.requestBytes, 0)
  yield* Console.log(`uploaded demo/big copy.bin by deduplication (${dedupBodyBytes} body bytes sent)`)

  const listed = (yield* files.list("demo")).map((e) => `${e._tag === "Folder" ? "d" : "-"} ${e.name}`)
  yield* Console.log(`demo/:\n  ${listed.join("\n  ")}`)

  const recursiveCount = yield* files.listRecursive("").pipe(Stream.runCount)
  yield* Console.log(`recursive listing (liststream): ${recursiveCount} entries`)

  const downloaded = yield* readText(files.download("demo/reports 2026/hello: world?.txt"))
  yield* Console.log(`downloaded: ${JSON.stringify(downloaded)}`)

  // A second revision; the first is kept and can be listed and downloaded.
  yield* files.upload(
    "demo/reports 2026/hello: world?.txt",
    UploadSource.fromUint8Array(encoder.encode("Hello again, revision 2\n"))
  )
  const revisions = (yield* files.revisions("demo/reports 2026/hello: world?.txt")).map((r) => r.number)
  const first = yield* readText(files.downloadRevision("demo/reports 2026/hello: world?.txt", 1))
  yield* Console.log(`revisions: ${revisions.join(", ")}; revision 1 reads ${JSON.stringify(first)}`)

  const link = yield* files.publicLink("demo/reports 2026/hello: world?.txt")
  const publicDownload = yield* Effect.promise(() => fetch(link).then((r) => r.text()))
  yield* Console.log(`public link ${link} serves ${JSON.stringify(publicDownload)}`)

  yield* files.move("demo/big copy.bin", "archive/big moved.bin")
  yield* files.remove("archive/big moved.bin")
  yield* files.purge("demo/reports 2026")
  const trashed = (yield* files.listTrash("")).map((e) => e.name)
  yield* Console.log(`in the trash: ${trashed.join(", ")}`)
  const purged = yield* files.emptyTrash()
  yield* Console.log(`emptied the trash: ${purged.folders} folders, ${purged.files} files`)

  const about = yield* account.about()
  yield* Console.log(`usage: ${about.used} bytes`)

  return {
    username: user.username,
    listed,
    recursiveCount,
    downloaded,
    bigBytes: big.size,
    revisions,
    publicDownload,
    trashed,
    purged,
    dedupBodyBytes
  } satisfies Summary
})

/**
 * Starts an emulator, logs in with a fresh personal login token (the token file lives in a
 * scoped temporary directory) and runs the tour.
 *
 * @since 0.1.0
 * @category programs
 */
export const run = Effect.gen(function* () {
  const emulator = yield* Emulator.make()
  yield* Console.log(`emulator listening on ${emulator.url}`)
  const fs = yield* FileSystem.FileSystem
  const dir = yield* fs.makeTempDirectoryScoped({ prefix: "fjord-demo-" })
  const sdk = Layer.mergeAll(Files.layer, Account.layer).pipe(
    Layer.provideMerge(
      NodeJotta.layerLoginToken(emulator.loginToken, {
        config: { endpoint: emulator.url },
        tokenFile: `${dir}/token.json`
      })
    ),
    Layer.provideMerge(Layer.succeed(Emulator.Emulator, emulator))
  )
  return yield* Effect.provide(tour, sdk)
})
