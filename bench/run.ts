/**
 * `npm run bench`: runs every benchmark module in its own Node process (so peak-memory figures
 * are not polluted by the previous benchmark) and forwards their output. Each benchmark prints
 * one JSON line per result on stdout:
 *
 *   {"name": "...", "value": 123.4, "unit": "MB/s", "baseline": 150.2, "ratio": 0.82}
 *
 * where `baseline` is the reference measured in the same run (a raw node:http transfer, a bare
 * parse of the same bytes, node:crypto over the same file, ...). Pass module names to run a subset:
 * `npm run bench -- liststream`.
 */
import { spawnSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import { benches } from "./benches.js"

const root = fileURLToPath(new URL("..", import.meta.url))
const only = process.argv.slice(2)
const selected = benches.filter((b) => only.length === 0 || only.includes(b.name))
let failed = 0
for (const bench of selected) {
  process.stderr.write(`# bench ${bench.name}: ${bench.description}\n`)
  const result = spawnSync(
    process.execPath,
    ["--expose-gc", "--import", "tsx", "--conditions=@fjord/source", "bench/one.ts", bench.name],
    { cwd: root, stdio: ["ignore", "inherit", "inherit"], env: process.env }
  )
  if (result.status !== 0) {
    failed++
    process.stderr.write(`# bench ${bench.name} failed with status ${result.status}\n`)
  }
}
process.exit(failed === 0 ? 0 : 1)
