/**
 * Runs the bundled CLI (`dist/fjord-main.cjs`) with a V8 code cache, the start-up aid that
 * Node 22 has built in (`module.enableCompileCache`) and Node 20 lacks.
 *
 * Without it every run parses the 2 MB bundle and compiles each function it calls afresh,
 * a third of the time `fjord about` takes. The first run of a given bundle on a given Node
 * compiles as usual and, when the process exits, saves V8's cache of everything compiled
 * so far (`Script.createCachedData`); later runs hand that cache to V8, which skips parsing
 * and compiling what it holds. The cache only holds the functions the runs that wrote it
 * called, so it is written again, with everything it had plus what this run compiled, the
 * first time each command runs (the commands it has seen are listed beside it): after
 * `fjord about`, the first `fjord copy` adds the transfer engine. V8 checks that a cache
 * matches the source and its own version and flags and ignores (`cachedDataRejected`) one
 * that does not; the cache is then written anew. Nothing here can fail a run: a cache that
 * cannot be read or written is not used.
 *
 * The build primes a cache (`prime.mjs`: the everyday commands run once against the emulator)
 * and ships it beside the bundle as `fjord-main.v8cache`, with the commands it holds; a user
 * without a cache of their own starts from it, so even the first `fjord about` after an
 * install runs compiled code (when V8 accepts it: the same Node built it). A command it does
 * not hold, or a rejected cache, makes a cache of the user's own as described above.
 *
 * The user's cache lives in `$FJORD_CACHE_DIR`, else `$XDG_CACHE_HOME/fjord`, else `~/.cache/fjord`,
 * named after the bundle's path, size and modification time and the Node version (the files
 * of older builds of the same bundle are removed);
 * `NODE_DISABLE_COMPILE_CACHE=1` (Node 22's switch) turns it off.
 *
 * @internal
 */
import * as Crypto from "node:crypto"
import * as Fs from "node:fs"
import Module from "node:module"
import * as Os from "node:os"
import * as Path from "node:path"
import * as Vm from "node:vm"

const cacheDir = (): string => {
  const own = process.env.FJORD_CACHE_DIR
  if (own !== undefined && own !== "") return own
  const xdg = process.env.XDG_CACHE_HOME
  return Path.join(xdg !== undefined && xdg !== "" ? xdg : Path.join(Os.homedir(), ".cache"), "fjord")
}

const hash = (text: string) => Crypto.createHash("sha256").update(text).digest("hex").slice(0, 12)

/**
 * The cache file of `file` as it is now, under this Node: named after the bundle's path, then
 * its size, time and the Node version (a rebuilt bundle or another Node: a new name, and the
 * files of the bundle's older builds are removed when it is written).
 */
const cacheFile = (file: string, stat: Fs.Stats): { readonly path: string; readonly prefix: string } => {
  const prefix = `fjord-main-${hash(file)}-`
  const name = `${prefix}${hash(`${stat.size}\0${stat.mtimeMs}\0${process.version}\0${process.arch}`)}.v8cache`
  return { path: Path.join(cacheDir(), name), prefix }
}

/** Removes the caches of older builds of the same bundle. */
const removeOlder = (dir: string, prefix: string, keep: string) => {
  try {
    for (const name of Fs.readdirSync(dir)) {
      if (name.startsWith(prefix) && !name.startsWith(keep)) Fs.rmSync(Path.join(dir, name), { force: true })
    }
  } catch {
    // nothing to tidy
  }
}

const readIfThere = (file: string): Buffer | undefined => {
  try {
    return Fs.readFileSync(file)
  } catch {
    return undefined
  }
}

/** The cache `build.mjs` primes by running the everyday commands once, shipped beside the bundle. */
const PRIMED = "fjord-main.v8cache"

/**
 * The command of this run: the first argument shaped like a command name (`lsf`, `md5sum`), so
 * the values of global flags given before it (`--config-dir /path`, `--log-level DEBUG`) are
 * passed over without this launcher loading the flag parser; `""` when there is none.
 */
const commandOf = (args: ReadonlyArray<string>): string => args.find((a) => /^[a-z][a-z0-9-]*$/.test(a)) ?? ""

/** Writes atomically (another fjord may be reading it), or not at all. */
const writeQuietly = (file: string, data: Buffer | string) => {
  try {
    Fs.mkdirSync(Path.dirname(file), { recursive: true, mode: 0o700 })
    const tmp = `${file}.${process.pid}.tmp`
    Fs.writeFileSync(tmp, data, { mode: 0o600 })
    Fs.renameSync(tmp, file)
  } catch {
    // a read-only or full cache directory only costs the next run its head start
  }
}

/**
 * Evaluates the CommonJS bundle `file` as Node's loader would, with the code cache.
 *
 * @internal
 */
export const runBundle = (file: string): void => {
  const source = Fs.readFileSync(file, "utf8")
  const disabled = process.env.NODE_DISABLE_COMPILE_CACHE === "1"
  const stat = Fs.statSync(file)
  const cache = disabled ? undefined : cacheFile(file, stat)
  const cachePath = cache?.path
  const own = cachePath === undefined ? undefined : readIfThere(cachePath)
  // no cache of this user's yet: the one the build primed, beside the bundle
  const from = own !== undefined || disabled ? cachePath : Path.join(Path.dirname(file), PRIMED)
  const cachedData = own ?? (from === undefined ? undefined : readIfThere(from))
  const seen = cachedData === undefined ? [] : (readIfThere(`${from}.commands`)?.toString("utf8").split("\n") ?? [])
  const seenPath = `${cachePath}.commands`
  const command = commandOf(process.argv.slice(2))
  const script = new Vm.Script(Module.wrap(source), {
    filename: file,
    ...(cachedData === undefined ? {} : { cachedData }),
    importModuleDynamically: Vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER
  })
  const stale = cachedData === undefined || script.cachedDataRejected === true
  if (cachePath !== undefined && (stale || !seen.includes(command))) {
    // at exit the functions this run needed are compiled, so the cache holds them too
    process.once("exit", () => {
      writeQuietly(cachePath, script.createCachedData())
      writeQuietly(seenPath, [...(stale ? [] : seen), command].join("\n"))
      if (own === undefined && cache !== undefined) {
        removeOlder(Path.dirname(cachePath), cache.prefix, Path.basename(cachePath))
      }
    })
  }
  const wrapper = script.runInThisContext() as (
    exports: unknown,
    require: NodeJS.Require,
    module: { exports: unknown },
    filename: string,
    dirname: string
  ) => void
  const module = { exports: {} }
  wrapper.call(module.exports, module.exports, Module.createRequire(file), module, file, Path.dirname(file))
}
