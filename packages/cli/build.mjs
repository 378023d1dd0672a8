// Bundles the `fjord` executable (see the package README, "Start-up"):
// - dist/fjord.mjs, the bin: a launcher of a few lines that answers `fjord version` itself and
//   otherwise imports
// - dist/fjord-main.mjs: the whole CLI (Effect, @effect/cli, the SDK) in one file, so Node
//   reads one file instead of resolving hundreds of modules, most of the start-up time.
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

/** The launcher's `import("./main.js")` becomes the bundled program next to it. */
const mainBesideLauncher = {
  name: "main-beside-launcher",
  setup(build) {
    build.onResolve({ filter: /^\.\/main\.js$/ }, () => ({ path: "./fjord-main.mjs", external: true }))
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
    outfile: here("./dist/fjord-main.mjs"),
    // CommonJS dependencies bundled into an ES module still call require()
    banner: {
      js: "import { createRequire as __fjordRequire } from 'node:module'; const require = __fjordRequire(import.meta.url);"
    }
  })
])
