/**
 * Runs the bundled CLI (`dist/fjord-main.cjs`) with a V8 code cache, the start-up aid that
 * Node 22 has built in (`module.enableCompileCache`) and Node 20 lacks.
 *
 * Without it every run parses the 2.5 MB bundle and compiles each function it calls afresh,
 * a third of the time `fjord about` takes. The first run of a given bundle on a given Node
 * compiles as usual and, when the process exits, saves V8's cache of everything compiled
 * so far (`Script.createCachedData`); later runs hand that cache to V8, which skips parsing
 * and compiling what it holds. V8 checks that a cache matches the source and its own version
 * and flags and ignores (`cachedDataRejected`) one that does not; the cache is then written
 * anew. Nothing here can fail a run: a cache that cannot be read or written is not used.
 *
 * The cache lives in `$FJORD_CACHE_DIR`, else `$XDG_CACHE_HOME/fjord`, else `~/.cache/fjord`,
 * named after the bundle's size and modification time and the Node version;
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

/** The cache file of `file` as it is now, under this Node (a new bundle or Node: a new name). */
const cacheFile = (file: string, stat: Fs.Stats): string => {
  const key = Crypto.createHash("sha256")
    .update(`${file}\0${stat.size}\0${stat.mtimeMs}\0${process.version}\0${process.arch}`)
    .digest("hex")
    .slice(0, 16)
  return Path.join(cacheDir(), `fjord-main-${key}.v8cache`)
}

const readIfThere = (file: string): Buffer | undefined => {
  try {
    return Fs.readFileSync(file)
  } catch {
    return undefined
  }
}

/** Writes atomically (another fjord may be reading it), or not at all. */
const writeQuietly = (file: string, data: Buffer) => {
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
  const cachePath = disabled ? undefined : cacheFile(file, stat)
  const cachedData = cachePath === undefined ? undefined : readIfThere(cachePath)
  const script = new Vm.Script(Module.wrap(source), {
    filename: file,
    ...(cachedData === undefined ? {} : { cachedData }),
    importModuleDynamically: Vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER
  })
  if (cachePath !== undefined && (cachedData === undefined || script.cachedDataRejected === true)) {
    // at exit the functions this run needed are compiled, so the cache holds them too
    process.once("exit", () => writeQuietly(cachePath, script.createCachedData()))
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
