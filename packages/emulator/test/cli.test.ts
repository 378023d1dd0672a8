import * as ChildProcess from "node:child_process"
import * as Path from "node:path"
import * as Readline from "node:readline"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"

const root = Path.resolve(import.meta.dirname, "../../..")

interface Started {
  readonly line: Record<string, unknown>
  readonly child: ChildProcess.ChildProcess
  readonly stderr: () => string
}

/**
 * The emulator's bin as node itself with tsx's loader, not the tsx executable: that wrapper runs
 * the program in a second process and relays signals to it, and under load a SIGTERM could reach
 * the wrapper's own default handler (exit 143) instead of the emulator's.
 */
const spawnBin = (args: ReadonlyArray<string>) =>
  ChildProcess.spawn(
    process.execPath,
    ["--import", "tsx", "--conditions=@fjord/source", "packages/emulator/src/bin.ts", ...args],
    { cwd: root, stdio: ["ignore", "pipe", "pipe"] }
  )

const spawnEmulator = (args: ReadonlyArray<string>) =>
  Effect.acquireRelease(
    Effect.async<Started, Error>((resume) => {
      const child = spawnBin(args)
      let err = ""
      child.stderr.on("data", (d: Buffer) => {
        err += d.toString()
      })
      const rl = Readline.createInterface({ input: child.stdout })
      rl.once("line", (l) =>
        resume(Effect.succeed({ line: JSON.parse(l) as Record<string, unknown>, child, stderr: () => err }))
      )
      child.once("exit", (code) => resume(Effect.fail(new Error(`exited ${code}: ${err}`))))
    }),
    ({ child }) =>
      Effect.sync(() => {
        if (child.exitCode === null) child.kill("SIGKILL")
      })
  )

/** Polls `check` every 25 ms until it holds or 10 s have passed (the caller asserts afterwards). */
const eventually = (check: () => boolean) =>
  Effect.gen(function* () {
    for (let i = 0; i < 400 && !check(); i++) yield* Effect.sleep("25 millis")
  })

const exitOf = (child: ChildProcess.ChildProcess) =>
  Effect.async<number | null>((resume) => {
    if (child.exitCode !== null) return resume(Effect.succeed(child.exitCode))
    child.once("exit", (code) => resume(Effect.succeed(code)))
  })

describe("CLI (npm run emulator)", () => {
  it.live(
    "prints one JSON line, serves, logs requests to stderr, honours --fault, exits on SIGTERM",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const { line, child, stderr } = yield* spawnEmulator([
            "--port",
            "0",
            "--access-token-ttl",
            "60",
            "--fault",
            "status:503,op=customer"
          ])
          assert.deepStrictEqual(Object.keys(line).sort(), ["loginToken", "url", "username"])
          const url = String(line.url)
          assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/)
          const token = JSON.parse(Buffer.from(String(line.loginToken), "base64url").toString()) as Record<
            string,
            string
          >
          assert.isTrue(token.well_known_link?.startsWith(`${url}/id/`))
          const r = yield* Effect.promise(() => fetch(`${url}/api/account/v1/customer`))
          assert.strictEqual(r.status, 503)
          const disco = yield* Effect.promise(() =>
            fetch(`${url}/id/auth/realms/jottacloud/.well-known/openid-configuration`).then((x) => x.status)
          )
          assert.strictEqual(disco, 200)
          // stderr is written asynchronously: wait (bounded) for the log line instead of a fixed sleep
          yield* eventually(() => stderr().includes("GET /api/account/v1/customer 503"))
          assert.include(stderr(), "GET /api/account/v1/customer 503")
          child.kill("SIGTERM")
          const code = yield* exitOf(child)
          assert.strictEqual(code, 0)
        })
      ),
    20_000
  )

  it.live(
    "takes the shared option set: --quota, --host, extra accounts incl. 2FA, --login-tokens N; logs no password",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const { line, child, stderr } = yield* spawnEmulator([
            "--host",
            "127.0.0.1",
            "--quota",
            "1000",
            "--login-tokens",
            "3",
            "--account",
            "username=bob,password=pw-bob,otp=123456"
          ])
          const tokens = line.loginTokens as Array<string>
          assert.strictEqual(tokens.length, 3)
          assert.strictEqual(new Set(tokens).size, 3)
          assert.strictEqual(tokens[0], line.loginToken)
          const url = String(line.url)
          // every minted token logs in once (the OIDC password grant with its secret)
          for (const t of tokens) {
            const lt = JSON.parse(Buffer.from(t, "base64url").toString()) as Record<string, string>
            const status = yield* Effect.promise(() =>
              fetch(`${url}/id/auth/realms/jottacloud/protocol/openid-connect/token`, {
                method: "POST",
                headers: { "content-type": "application/x-www-form-urlencoded" },
                body: new URLSearchParams({
                  client_id: "jottacli",
                  grant_type: "password",
                  username: lt.username!,
                  password: lt.auth_token!,
                  scope: "openid offline_access"
                })
              }).then((r) => r.status)
            )
            assert.strictEqual(status, 200)
          }
          // the extra account asks for its SMS code (2FA), with the password in the query string
          const legacy = (otp?: string) =>
            Effect.promise(() =>
              fetch(
                `${url}/api/auth/v1/token?grant_type=PASSWORD&username=bob&password=pw-bob&client_id=nibfk8biu12ju7hpqomr8b1e40`,
                { method: "POST", headers: otp === undefined ? {} : { "x-jottacloud-otp": otp } }
              ).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }))
            )
          assert.strictEqual((yield* legacy()).status, 401)
          const ok = yield* legacy("123456")
          assert.strictEqual(ok.status, 200)
          const customer = yield* Effect.promise(() =>
            fetch(`${url}/api/account/v1/customer`, {
              headers: { authorization: `Bearer ${String(ok.body.access_token)}` }
            }).then((r) => r.json() as Promise<Record<string, unknown>>)
          )
          assert.strictEqual(customer.quota, 1000)
          yield* eventually(() => (stderr().match(/POST \/api\/auth\/v1\/token/g) ?? []).length >= 2)
          assert.include(stderr(), "password=<redacted>")
          assert.notInclude(stderr(), "pw-bob")
          child.kill("SIGTERM")
          assert.strictEqual(yield* exitOf(child), 0)
        })
      ),
    20_000
  )

  it.live("refuses a malformed option with a message and exit code 1", () =>
    Effect.gen(function* () {
      const child = spawnBin(["--account", "bogus"])
      let err = ""
      child.stderr.on("data", (d: Buffer) => {
        err += d.toString()
      })
      const code = yield* exitOf(child)
      assert.strictEqual(code, 1)
      assert.include(err, '--account: account "bogus": expected KEY=VALUE')
    })
  )
})
