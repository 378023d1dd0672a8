// Primes the bundle's V8 code cache (see build.mjs): every command below runs once, in its
// own process, against `fjord emulator`, with its cache in a scratch directory; the cache
// they leave is moved to dist/fjord-main.v8cache and the commands it holds to
// dist/fjord-main.v8cache.commands.
import { spawn, spawnSync } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"

/** The commands primed, in order (each is one process); `D` is a local scratch folder. */
const commands = (D) => [
  ["about"],
  ["about", "--json"],
  ["mkdir", "jotta:prime"],
  ["copy", `${D}/tree`, "jotta:prime/tree", "--transfers", "4"],
  ["copy", `${D}/tree`, "jotta:prime/tree", "--transfers", "4"],
  ["sync", `${D}/tree`, "jotta:prime/mirror", "-v"],
  ["check", `${D}/tree`, "jotta:prime/tree"],
  ["lsf", "-R", "jotta:prime"],
  ["ls", "jotta:prime"],
  ["lsl", "jotta:prime"],
  ["lsd", "jotta:"],
  ["lsjson", "-R", "jotta:prime/tree"],
  ["size", "jotta:prime"],
  ["md5sum", "jotta:prime/tree"],
  ["cat", "jotta:prime/tree/a.txt"],
  ["copyto", `${D}/big.bin`, "jotta:prime/big.bin"],
  ["copyto", "jotta:prime/big.bin", `${D}/down/big.bin`],
  ["copy", "jotta:prime/tree", `${D}/down/tree`, "--transfers", "4"],
  ["moveto", "jotta:prime/big.bin", "jotta:prime/moved.bin"],
  ["move", "jotta:prime/mirror", "jotta:prime/moved"],
  ["deletefile", "jotta:prime/moved.bin"],
  ["purge", "jotta:prime/moved"],
  ["purge", "jotta:prime"]
]

const scratchTree = (D) => {
  Fs.mkdirSync(`${D}/tree/sub`, { recursive: true })
  Fs.mkdirSync(`${D}/down`, { recursive: true })
  for (let i = 0; i < 8; i++) Fs.writeFileSync(`${D}/tree/${i === 0 ? "a" : `f${i}`}.txt`, `file ${i}\n`)
  Fs.writeFileSync(`${D}/tree/sub/b.txt`, "nested\n")
  Fs.writeFileSync(`${D}/big.bin`, Buffer.alloc(3 * 1024 * 1024, 7))
}

/** Starts `fjord emulator` (without a code cache of its own) and resolves once it listens. */
const startEmulator = (bin, configDir) =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, "emulator", "--port", "0", "--config-dir", configDir], {
      env: { ...process.env, NODE_DISABLE_COMPILE_CACHE: "1" },
      stdio: ["ignore", "pipe", "ignore"]
    })
    let out = ""
    const timer = setTimeout(() => reject(new Error("the emulator did not start")), 20_000)
    child.stdout.on("data", (d) => {
      out += d
      if (out.includes("\n")) {
        clearTimeout(timer)
        resolve(child)
      }
    })
    child.once("exit", () => reject(new Error("the emulator exited")))
  })

/** @param {string} dist */
export const run = async (dist) => {
  const bin = Path.join(dist, "fjord.mjs")
  const target = Path.join(dist, "fjord-main.v8cache")
  for (const f of [target, `${target}.commands`]) Fs.rmSync(f, { force: true })
  const D = Fs.mkdtempSync(Path.join(Os.tmpdir(), "fjord-prime-"))
  let emulator
  try {
    scratchTree(D)
    const cacheDir = `${D}/cache`
    const configDir = `${D}/config`
    emulator = await startEmulator(bin, configDir)
    const fjord = (args) => {
      const r = spawnSync(process.execPath, [bin, ...args, "--config-dir", configDir], {
        env: { ...process.env, FJORD_CACHE_DIR: cacheDir, NODE_DISABLE_COMPILE_CACHE: "" },
        stdio: ["ignore", "ignore", "pipe"],
        timeout: 60_000
      })
      if (r.status !== 0) throw new Error(`fjord ${args.join(" ")}: ${r.stderr}`)
    }
    fjord(["login", "--emulator"])
    for (const args of commands(D)) fjord(args)
    const made = Fs.readdirSync(cacheDir).find((f) => f.endsWith(".v8cache"))
    if (made === undefined) throw new Error("no cache was written")
    Fs.copyFileSync(Path.join(cacheDir, made), target)
    Fs.copyFileSync(Path.join(cacheDir, `${made}.commands`), `${target}.commands`)
    for (const f of [target, `${target}.commands`]) Fs.chmodSync(f, 0o644)
  } catch (e) {
    console.warn(`build: the code cache was not primed (${e instanceof Error ? e.message : e})`)
  } finally {
    emulator?.kill()
    Fs.rmSync(D, { recursive: true, force: true })
  }
}
