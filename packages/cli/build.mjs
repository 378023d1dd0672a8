// Bundles the `fjord` executable (see the package README, "Start-up"):
// - dist/fjord.mjs, the bin: a launcher of a few lines that answers `fjord version` itself and
//   otherwise runs
// - dist/fjord-main.cjs: the whole CLI (Effect, @effect/cli, the SDK) in one file, so Node
//   reads one file instead of resolving hundreds of modules, most of the start-up time. It is
//   CommonJS so that the launcher can run it as a `vm.Script` with V8's code cache
//   (src/internal/compileCache.ts), which Node 20 offers for scripts only.
import * as esbuild from "esbuild"

const here = (path) => new URL(path, import.meta.url).pathname

const common = {
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  conditions: ["@fjord/source"],
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: "warning"
}

/** The launcher's `import("./main.js")` becomes the runner of the bundled program next to it. */
const mainBesideLauncher = {
  name: "main-beside-launcher",
  setup(build) {
    build.onResolve({ filter: /^\.\/main\.js$/ }, () => ({ path: here("./src/internal/bundledMain.ts") }))
  }
}

await Promise.all([
  esbuild.build({
    ...common,
    entryPoints: [here("./src/bin.ts")],
    outfile: here("./dist/fjord.mjs"),
    plugins: [mainBesideLauncher]
  }),
  esbuild.build({
    ...common,
    entryPoints: [here("./src/main.ts")],
    outfile: here("./dist/fjord-main.cjs"),
    format: "cjs"
  })
])

// Primes V8's code cache for the bundle (src/internal/compileCache.ts): runs the everyday
// commands once against the emulator in the bundle, each adding the functions it compiled to
// the cache, and ships the result beside the bundle (dist/fjord-main.v8cache), so even the
// first run of a command after an install or a build starts from compiled code. A priming
// that fails leaves no cache (runs then compile as before and write their own); the build
// does not fail for it.
await import("./prime.mjs").then((prime) => prime.run(here("./dist")))
