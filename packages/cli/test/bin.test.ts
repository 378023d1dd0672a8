// The real executable, spawned through tsx: `fjord emulator` in one process, then
// login → mkdir → copy → ls → cat (and a failing cat) as separate processes, three of them
// at once, with 1-second access tokens (so every process refreshes through the shared file);
// `config create` and named remotes; and the bundle spawned once per command of the CLI's list
// (listings, cat's ranges, rcat from stdin, devices/mountpoints, rmdirs, delete with
// --jottacloud-hard-delete, trash -R) and for the logging flags -v, -q and --log-file.

import * as ChildProcess from "node:child_process"
import * as NodeCrypto from "node:crypto"
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

const spawnWith = (env: Readonly<Record<string, string>>, argv: ReadonlyArray<string>, stdin?: string) =>
  Effect.async<{ code: number | null; stdout: string; stderr: string }>((resume) => {
    const child = ChildProcess.execFile(
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
    if (stdin !== undefined) child.stdin?.end(stdin)
  })

const spawn = (argv: ReadonlyArray<string>) => spawnWith({}, argv)

const fjord = (...args: ReadonlyArray<string>) => spawn([...bin, ...args])

/** The bundled bin that `npm run build` makes (the package's declared `fjord`). */
const bundled = (...args: ReadonlyArray<string>) => spawn([`${root}packages/cli/dist/fjord.mjs`, ...args])

/** The bundled bin with `stdin` as its standard input. */
const bundledWithInput = (stdin: string, ...args: ReadonlyArray<string>) =>
  spawnWith({}, [`${root}packages/cli/dist/fjord.mjs`, ...args], stdin)

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
          assert.strictEqual(missing.code, 3) // rclone's exit code for a path that is not there
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
          // the build primes V8's code cache for the everyday commands and ships it beside the
          // bundle: a first `about` starts from it (V8 accepts it: nothing is written), while a
          // command it does not hold leaves a cache of the user's own, which a later run uses
          const primed = `${root}packages/cli/dist/fjord-main.v8cache`
          assert.isAbove(NodeFs.statSync(primed).size, 100_000)
          const primedCommands = NodeFs.readFileSync(`${primed}.commands`, "utf8").split("\n")
          assert.includeMembers(primedCommands, ["about", "copy", "copyto", "lsf", "sync"])
          const cacheDir = `${dir}/cache`
          const cached = (...args: ReadonlyArray<string>) =>
            spawnWith({ FJORD_CACHE_DIR: cacheDir }, [`${root}packages/cli/dist/fjord.mjs`, ...args])
          const caches = () =>
            NodeFs.existsSync(cacheDir) ? NodeFs.readdirSync(cacheDir).filter((f) => f.endsWith(".v8cache")) : []
          const first = yield* cached("about", "--json", ...c)
          assert.strictEqual(first.code, 0, first.stderr)
          assert.deepStrictEqual(caches(), [])
          const tree = yield* cached("tree", "jotta:", ...c)
          assert.strictEqual(tree.code, 0, tree.stderr)
          const own = caches()
          assert.strictEqual(own.length, 1)
          assert.isAbove(NodeFs.statSync(`${cacheDir}/${own[0]}`).size, 100_000)
          assert.includeMembers(NodeFs.readFileSync(`${cacheDir}/${own[0]}.commands`, "utf8").split("\n"), [
            "about",
            "tree"
          ])
          const [second, treeAgain] = yield* Effect.all([
            cached("about", "--json", ...c),
            cached("tree", "jotta:", ...c)
          ])
          assert.strictEqual(second.stdout, first.stdout)
          assert.strictEqual(treeAgain.stdout, tree.stdout)
          assert.deepStrictEqual(caches(), own)

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

  it.live(
    "each command and flag of the CLI's list, the bundle spawned once per command, three at a time",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const fs = yield* FileSystem.FileSystem
          const dir = yield* fs.makeTempDirectoryScoped({ prefix: "fjord-bin-" })
          const build = yield* spawn([`${root}packages/cli/build.mjs`])
          assert.strictEqual(build.code, 0, build.stderr)
          yield* emulator(dir)
          const c = ["--config-dir", dir]
          const run = (...args: ReadonlyArray<string>) => bundled(...args, ...c)
          const three = { concurrency: 3 } as const
          const ok = (r: { code: number | null; stderr: string }, what: string) =>
            assert.strictEqual(r.code, 0, `${what}: ${r.stderr}`)
          ok(yield* run("login", "--emulator"), "login")

          const note = "hello, fjord\n"
          NodeFs.mkdirSync(`${dir}/up`)
          NodeFs.writeFileSync(`${dir}/up/v.txt`, "v")
          NodeFs.writeFileSync(`${dir}/up/q.txt`, "q")
          const setup = yield* Effect.all(
            [
              bundledWithInput(note, "rcat", "jotta:a/note.txt", ...c),
              run("mkdir", "jotta:a/b/c"),
              run("mkdir", "jotta:empty/x/y"),
              run("touch", "jotta:a/touched.txt"),
              run("touch", "jotta:a/gone.txt"),
              run("devices", "--create", "Phone", "jotta:")
            ],
            three
          )
          for (const [i, r] of setup.entries()) ok(r, `setup ${i}`)

          const [json, files, dirs, size, middle, head, tail, version, about, lsd, devices, mountpoints] =
            yield* Effect.all(
              [
                run("lsjson", "-R", "--hash", "--no-modtime", "jotta:a"),
                run("lsjson", "-R", "--files-only", "jotta:a"),
                run("lsjson", "-R", "--dirs-only", "jotta:a"),
                run("size", "jotta:a"),
                run("cat", "--offset", "7", "--count", "5", "jotta:a/note.txt"),
                run("cat", "--head", "5", "jotta:a/note.txt"),
                run("cat", "--tail", "6", "jotta:a/note.txt"),
                bundled("version"),
                run("about", "--json", "jotta:"),
                run("lsd", "jotta:"),
                run("devices", "jotta:"),
                run("mountpoints", "--create", "Docs", "--device", "Phone", "jotta:")
              ],
              three
            )
          type Entry = { Path: string; IsDir: boolean; Size: number; ModTime?: string; Hashes?: { md5?: string } }
          const entries = JSON.parse(json.stdout) as Array<Entry>
          assert.deepStrictEqual(entries.map((e) => e.Path).sort(), ["b", "b/c", "gone.txt", "note.txt", "touched.txt"])
          const noteEntry = entries.find((e) => e.Path === "note.txt")
          assert.strictEqual(noteEntry?.Size, note.length)
          assert.strictEqual(noteEntry?.Hashes?.md5, NodeCrypto.createHash("md5").update(note).digest("hex"))
          assert.isTrue(entries.every((e) => e.ModTime === undefined))
          const paths = (r: { stdout: string }) =>
            (JSON.parse(r.stdout) as Array<Entry>).map((e) => `${e.Path}${e.IsDir ? "/" : ""}`).sort()
          assert.deepStrictEqual(paths(files), ["gone.txt", "note.txt", "touched.txt"])
          assert.deepStrictEqual(paths(dirs), ["b/", "b/c/"])
          assert.isDefined((JSON.parse(files.stdout) as Array<Entry>)[0]?.ModTime)
          assert.strictEqual(size.stdout, "Total objects: 3 (3)\nTotal size: 13 B (13 Byte)\n", size.stderr)
          assert.strictEqual(middle.stdout, "fjord")
          assert.strictEqual(head.stdout, "hello")
          assert.strictEqual(tail.stdout, "fjord\n")
          assert.match(version.stdout, /^fjord v0\.1\.0\n/)
          assert.strictEqual(JSON.parse(about.stdout).used, note.length)
          assert.deepStrictEqual(
            lsd.stdout.split("\n").map((l) => l.split(" ").at(-1)),
            ["a", "empty", ""],
            lsd.stdout
          )
          assert.include(devices.stdout, "Jotta")
          assert.include(devices.stdout, "Phone")
          ok(mountpoints, "mountpoints --create")

          const [onPhone, rmdirs, soft, hard, verbose, notice, quiet, logged] = yield* Effect.all(
            [
              run("mountpoints", "--device", "Phone", "jotta:"),
              run("rmdirs", "jotta:empty"),
              run("delete", "jotta:a/touched.txt"),
              run("delete", "--jottacloud-hard-delete", "jotta:a/gone.txt"),
              run("-v", "copy", `${dir}/up/v.txt`, "jotta:logs"),
              run("copy", "--dry-run", `${dir}/up`, "jotta:dry"),
              run("copy", "-q", "--dry-run", `${dir}/up`, "jotta:dry"),
              run("copy", "-v", "--log-file", `${dir}/fjord.log`, `${dir}/up`, "jotta:logged")
            ],
            three
          )
          assert.include(onPhone.stdout, "Docs")
          for (const [r, what] of [
            [rmdirs, "rmdirs"],
            [soft, "delete"],
            [hard, "delete --jottacloud-hard-delete"],
            [verbose, "-v"],
            [notice, "--dry-run"],
            [quiet, "-q"],
            [logged, "--log-file"]
          ] as const)
            ok(r, what)
          assert.match(verbose.stderr, /INFO {2}: v\.txt: Copied \(new\)/)
          // NOTICE is shown by default, not with -q
          assert.match(notice.stderr, /NOTICE ?: q\.txt: Skipped copy as --dry-run is set/)
          assert.strictEqual(quiet.stderr, "")
          assert.strictEqual(logged.stderr, "")
          assert.match(NodeFs.readFileSync(`${dir}/fjord.log`, "utf8"), /INFO {2}: q\.txt: Copied \(new\)/)

          const [trash, afterLsd, logs, dry] = yield* Effect.all(
            [run("trash", "-R", "jotta:"), run("lsd", "jotta:"), run("lsf", "jotta:logs"), run("lsf", "jotta:dry")],
            three
          )
          // the soft delete is in the trash, the hard one is not
          assert.include(trash.stdout, "touched.txt", trash.stderr)
          assert.notInclude(trash.stdout, "gone.txt")
          assert.notInclude(afterLsd.stdout, "empty")
          assert.strictEqual(logs.stdout, "v.txt\n")
          // --dry-run made nothing
          assert.strictEqual(dry.code, 3, dry.stdout)
          assert.match(dry.stderr, /not found/)
        })
      ).pipe(Effect.provide(NodeContext.layer)),
    120_000
  )
})
