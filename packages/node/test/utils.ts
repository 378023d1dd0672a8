// Helpers shared by the node package's tests.
import * as ChildProcess from "node:child_process"
import * as NodeUrl from "node:url"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"

/** A temporary directory removed when the scope closes. */
export const tempDir = (prefix: string) =>
  Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped({ prefix }))

/** A `token.json` path in a fresh temporary directory (removed with the scope). */
export const tempTokenFile = (prefix: string) =>
  Effect.map(tempDir(prefix), (dir) => ({ dir, file: `${dir}/token.json` }))

const root = NodeUrl.fileURLToPath(new URL("../../../", import.meta.url))

export interface ProcessResult {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Runs `test/fixtures/<fixture>` in a child process through tsx; killed on interruption. */
export const runFixture = (fixture: string, args: ReadonlyArray<string>) =>
  Effect.async<ProcessResult>((resume) => {
    const p = ChildProcess.execFile(
      `${root}node_modules/.bin/tsx`,
      ["--conditions=@fjord/source", `${root}packages/node/test/fixtures/${fixture}`, ...args],
      { cwd: root },
      (error, stdout, stderr) =>
        resume(Effect.succeed({ code: error === null ? 0 : (p.exitCode ?? -1), stdout, stderr }))
    )
    return Effect.sync(() => p.kill())
  })
