#!/usr/bin/env node
/**
 * The `fjord` executable. `fjord version` (and `--version`) answer before anything else is
 * loaded; every other command loads the CLI (and with it Effect and the SDK) on demand, so
 * start-up costs only what the command needs. `npm run build` bundles this file and all it
 * imports into one file, `dist/fjord.mjs` (see the package README).
 *
 * @since 0.1.0
 */
import { versionText } from "./version.js"

const args = process.argv.slice(2)
if (args.length === 1 && (args[0] === "version" || args[0] === "--version")) {
  process.stdout.write(`${versionText()}\n`)
} else {
  await import("./main.js")
}
