/**
 * `npm run verify:pack`: what a new user gets from npm. Builds and packs every published
 * package, installs the tarballs into an empty temporary folder with the README's install line,
 * starts an emulator from the packed `@fjord/emulator` (its `fjord-emulator` bin) and runs a
 * ten-line program against it there. Fails (exit 1) on any step; the folder is removed.
 */
import { execFileSync, spawn } from "node:child_process"
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("..", import.meta.url))
const packages = ["core", "auth", "node", "web", "emulator", "serve"]
// `@effect/platform` and `@effect/platform-node` need their ranges: unversioned, npm takes their
// Effect 4 releases (ERESOLVE against effect@^3).
const installLine = [
  "@fjord/core",
  "@fjord/auth",
  "@fjord/node",
  "effect@^3",
  "@effect/platform@^0.97",
  "@effect/platform-node@^0.108"
]
const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, stdio: ["ignore", "inherit", "inherit"] })

const program = `import * as Files from "@fjord/core/Files"
import * as UploadSource from "@fjord/core/UploadSource"
import * as NodeJotta from "@fjord/node/NodeJotta"
import { Effect, Layer, Stream } from "effect"
const [url, token, tokenFile] = process.argv.slice(2)
const Live = Files.layer.pipe(Layer.provideMerge(NodeJotta.layerLoginToken(token, { config: { endpoint: url }, tokenFile })))
const program = Effect.gen(function* () {
  const files = yield* Files.Files
  yield* files.upload("packed/hello.txt", UploadSource.fromUint8Array(new TextEncoder().encode("packed ok\\n")))
  return yield* files.download("packed/hello.txt").pipe(Stream.decodeText(), Stream.mkString)
})
Effect.runPromise(Effect.provide(program, Live)).then((text) => process.stdout.write(text))
`

const dir = mkdtempSync(join(tmpdir(), "fjord-verify-pack-"))
let emulator
try {
  run("npm", ["run", "build"], root)
  const packs = join(dir, "packs")
  mkdirSync(packs)
  for (const p of packages) run("npm", ["pack", "--silent", "--pack-destination", packs, "-w", `packages/${p}`], root)
  const tarballs = readdirSync(packs).map((f) => join(packs, f))
  const app = join(dir, "app")
  mkdirSync(app)
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "fjord-verify-pack", private: true, type: "module" }))
  // the README's install line (resolving @fjord/* to the packed tarballs), plus the packed emulator and web
  run(
    "npm",
    ["install", "--no-audit", "--no-fund", ...tarballs, ...installLine.filter((s) => !s.startsWith("@fjord/"))],
    app
  )
  writeFileSync(join(app, "program.mjs"), program)
  emulator = spawn(join(app, "node_modules", ".bin", "fjord-emulator"), ["--port", "0"], {
    cwd: app,
    stdio: ["ignore", "pipe", "ignore"]
  })
  const started = await new Promise((resolve, reject) => {
    let out = ""
    emulator.stdout.on("data", (c) => {
      out += c
      const line = out.split("\n")[0]
      if (out.includes("\n")) resolve(JSON.parse(line))
    })
    emulator.once("exit", (code) => reject(new Error(`emulator exited with ${code}`)))
  })
  const output = execFileSync("node", ["program.mjs", started.url, started.loginToken, join(dir, "token.json")], {
    cwd: app,
    encoding: "utf8"
  })
  if (output !== "packed ok\n") throw new Error(`the packed program printed ${JSON.stringify(output)}`)
  process.stdout.write(
    `verify:pack ok: ${packages.map((p) => `@fjord/${p}`).join(", ")} installed from tarballs and ran\n`
  )
} catch (e) {
  process.stderr.write(`verify:pack failed: ${e instanceof Error ? e.message : String(e)}\n`)
  process.exitCode = 1
} finally {
  emulator?.kill()
  rmSync(dir, { recursive: true, force: true })
}
