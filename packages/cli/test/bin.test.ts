// The real executable, spawned through tsx: `fjord emulator` in one process, then
// login → mkdir → copy → ls → cat (and a failing cat) as separate processes, three of them
// at once, with 1-second access tokens (so every process refreshes through the shared file).

import * as ChildProcess from "node:child_process"
import * as NodeFs from "node:fs"
import * as NodeUrl from "node:url"
import * as FileSystem from "@effect/platform/FileSystem"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"

const root = NodeUrl.fileURLToPath(new URL("../../../", import.meta.url))
// `node --import tsx` rather than the tsx binary: one process per command instead of two
const tsx = process.execPath
const bin = ["--import", "tsx", "--conditions=@fjord/source", `${root}packages/cli/src/bin.ts`]

const spawnWith = (env: Readonly<Record<string, string>>, argv: ReadonlyArray<string>) =>
  Effect.async<{ code: number | null; stdout: string; stderr: string }>((resume) => {
    ChildProcess.execFile(
      tsx,
      argv,
      { cwd: root, env: { ...process.env, NO_COLOR: "1", ...env } },
      (error, stdout, stderr) =>
        resume(
          Effect.succeed({
            code: error === null ? 0 : typeof error.code === "number" ? error.code : -1,
            stdout,
            stderr
          })
        )
    )
  })

const spawn = (argv: ReadonlyArray<string>) => spawnWith({}, argv)

const fjord = (...args: ReadonlyArray<string>) => spawn([...bin, ...args])

/** The bundled bin that `npm run build` makes (the package's declared `fjord`). */
const bundled = (...args: ReadonlyArray<string>) => spawn([`${root}packages/cli/dist/fjord.mjs`, ...args])

/** `fjord emulator` as a background process; yields its first stdout line, killed with the scope. */
const emulator = (configDir: string) =>
  Effect.acquireRelease(
    Effect.async<{ readonly proc: ChildProcess.ChildProcess; readonly info: { url: string; loginToken: string } }>(
      (resume) => {
        const proc = ChildProcess.spawn(
          tsx,
          [...bin, "emulator", "--config-dir", configDir, "--access-token-ttl", "1"],
          {
            cwd: root,
            stdio: ["ignore", "pipe", "pipe"]
          }
        )
        let buffered = ""
        proc.stdout.setEncoding("utf8")
        proc.stdout.on("data", (chunk: string) => {
          buffered += chunk
          const nl = buffered.indexOf("\n")
          if (nl >= 0) resume(Effect.succeed({ proc, info: JSON.parse(buffered.slice(0, nl)) }))
        })
        proc.on("exit", (code) => resume(Effect.dieMessage(`fjord emulator exited early (${code})`)))
      }
    ),
    ({ proc }) =>
      Effect.async<void>((resume) => {
        if (proc.exitCode !== null) return resume(Effect.void)
        proc.on("exit", () => resume(Effect.void))
        proc.kill("SIGTERM")
      })
  )

describe("fjord bin (spawned)", () => {
  it.live(
    "emulator, then login → mkdir → copy → ls → cat in separate processes",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const fs = yield* FileSystem.FileSystem
          const dir = yield* fs.makeTempDirectoryScoped({ prefix: "fjord-bin-" })
          const { info, proc } = yield* emulator(dir)
          assert.match(info.url, /^http:\/\/127\.0\.0\.1:\d+$/)
          assert.isString(info.loginToken)
          const c = ["--config-dir", dir]

          const login = yield* fjord("login", "--emulator", ...c)
          assert.strictEqual(login.code, 0, login.stderr)
          assert.match(login.stdout, /^Logged in as /)
          assert.strictEqual((yield* fjord("mkdir", "jotta:docs", ...c)).code, 0)
          NodeFs.writeFileSync(`${dir}/note.txt`, "a note\n")
          const copy = yield* fjord("copy", `${dir}/note.txt`, "jotta:docs", ...c)
          assert.strictEqual(copy.code, 0, copy.stderr)
          const [ls, cat, missing] = yield* Effect.all(
            [
              fjord("ls", "jotta:", ...c),
              fjord("cat", "jotta:docs/note.txt", ...c),
              fjord("cat", "jotta:docs/missing.txt", ...c)
            ],
            { concurrency: 3 }
          )
          assert.strictEqual(ls.stdout, "        7 docs/note.txt\n")
          assert.strictEqual(cat.stdout, "a note\n")
          assert.strictEqual(missing.code, 1)
          assert.strictEqual(missing.stdout, "")
          assert.match(missing.stderr, /^fjord: .*not found.*\n$/)
          // with 1-second access tokens every process above refreshed, three of them at once,
          // all through the one token file: the rotation chain is intact
          const after = yield* fjord("lsf", "jotta:docs", ...c)
          assert.strictEqual(after.code, 0, after.stderr)
          assert.strictEqual(after.stdout, "note.txt\n")

          // the bundle (`npm run build`): version without loading the CLI, the rest through it
          const build = yield* spawn([`${root}packages/cli/build.mjs`])
          assert.strictEqual(build.code, 0, build.stderr)
          const version = yield* bundled("version")
          assert.match(version.stdout, /^fjord v0\.1\.0\n- os\/arch: /)
          const [lsf, about] = yield* Effect.all(
            [bundled("lsf", "-R", "jotta:", ...c), bundled("about", "--json", ...c)],
            {
              concurrency: 2
            }
          )
          assert.strictEqual(lsf.stdout, "docs/\ndocs/note.txt\n", lsf.stderr)
          assert.strictEqual(JSON.parse(about.stdout).used, 7)
          // the first run of a bundle leaves V8's code cache; a later run uses it with the same result
          const cacheDir = `${dir}/cache`
          const cached = (...args: ReadonlyArray<string>) =>
            spawnWith({ FJORD_CACHE_DIR: cacheDir }, [`${root}packages/cli/dist/fjord.mjs`, ...args])
          const first = yield* cached("about", "--json", ...c)
          const caches = NodeFs.readdirSync(cacheDir).filter((f) => f.endsWith(".v8cache"))
          assert.strictEqual(caches.length, 1)
          assert.isAbove(NodeFs.statSync(`${cacheDir}/${caches[0]}`).size, 100_000)
          const second = yield* cached("about", "--json", ...c)
          assert.strictEqual(second.code, 0, second.stderr)
          assert.strictEqual(second.stdout, first.stdout)
          assert.deepStrictEqual(
            NodeFs.readdirSync(cacheDir).filter((f) => f.endsWith(".v8cache")),
            caches
          )

          // the emulator stops cleanly on SIGTERM
          const exited = Effect.async<number | null>((resume) => {
            proc.on("exit", (code) => resume(Effect.succeed(code)))
            proc.kill("SIGTERM")
          })
          const code = yield* exited
          assert.notStrictEqual(code, null)
        })
      ).pipe(Effect.provide(NodeContext.layer)),
    150_000
  )

  it.live(
    "config create, then named-remote commands in separate processes, tokens rotated in the config file",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const fs = yield* FileSystem.FileSystem
          const dir = yield* fs.makeTempDirectoryScoped({ prefix: "fjord-bin-" })
          const { info } = yield* emulator(dir)
          const file = `${dir}/rclone.conf`
          const c = ["--config", file]
          const create = yield* fjord(
            "config",
            "create",
            "cloud",
            "jottacloud",
            `config_login_token=${info.loginToken}`,
            `endpoint=${info.url}`,
            ...c
          )
          assert.strictEqual(create.code, 0, create.stderr)
          assert.strictEqual(NodeFs.statSync(file).mode & 0o777, 0o600)
          const tokenOf = () => /^token = (.*)$/m.exec(NodeFs.readFileSync(file, "utf8"))?.[1]
          const first = tokenOf()
          assert.strictEqual((yield* fjord("mkdir", "cloud:a", ...c)).code, 0)
          // 1-second access tokens: three processes refresh at once through the one config file
          yield* Effect.sleep("1100 millis")
          const [b, cc, unknown] = yield* Effect.all(
            [fjord("mkdir", "cloud:b", ...c), fjord("mkdir", "cloud:c", ...c), fjord("lsf", "other:x", ...c)],
            { concurrency: 3 }
          )
          for (const r of [b, cc]) assert.strictEqual(r.code, 0, r.stderr)
          assert.notStrictEqual(tokenOf(), first)
          const after = yield* fjord("lsf", "cloud:", ...c)
          assert.strictEqual(after.stdout, "a/\nb/\nc/\n", after.stderr)
          assert.strictEqual(unknown.code, 1)
          assert.match(unknown.stderr, /^fjord: unknown remote other: .*configured: cloud:/)
        })
      ).pipe(Effect.provide(NodeContext.layer)),
    90_000
  )
})
