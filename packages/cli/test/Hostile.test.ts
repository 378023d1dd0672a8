/**
 * Hostile servers through the real CLI (in-process, `fjord --config F … h:…` with a named remote
 * whose endpoint is a loopback server of `@fjord/testkit/HostileServer`, the servers the SDK's
 * own hostile tests use): each ends in a clean, capped error line (or a transfer's report),
 * never shows the token, and writes nothing outside a local target.
 */
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { assert, layer } from "@effect/vitest"
import {
  allocateElsewhere,
  endlessName,
  entityBomb,
  entityExpansionXml,
  escapingNames,
  fileXml,
  folderXml,
  isJfs,
  listStreamXml,
  md5Hex,
  noisyError,
  notFound,
  serve,
  stall,
  xml
} from "@fjord/testkit/HostileServer"
import * as Effect from "effect/Effect"
import { fjord, type Result } from "./fjord.js"

const TOKEN = "eyJhbGciOiJSUzI1NiJ9.aG9zdGlsZS1jbGktc2VjcmV0.c2lnbmF0dXJl"
const REFRESH = "refresh-eyJzZWNyZXQiOiJkby1ub3Qtc2hvdyJ9"

const tempDir = Effect.acquireRelease(
  Effect.sync(() => NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "fjord-hostile-cli-"))),
  (dir) => Effect.sync(() => NodeFs.rmSync(dir, { recursive: true, force: true }))
)

/** A config file with remote `h:` on the server at `url` (a token valid for decades). */
const remoteOn = (url: string) =>
  Effect.map(tempDir, (dir) => {
    const conf = NodePath.join(dir, "fjord.conf")
    NodeFs.writeFileSync(
      conf,
      `[h]
type = jottacloud
configVersion = 1
client_id = jottacli
client_secret =
tokenURL = ${url}/auth/token
token = {"access_token":"${TOKEN}","token_type":"Bearer","refresh_token":"${REFRESH}","expiry":"2099-01-01T00:00:00Z"}
username = u
endpoint = ${url}
`
    )
    return {
      dir,
      run: (...args: ReadonlyArray<string>) => fjord("--config", conf, "--config-dir", dir, ...args)
    }
  })

/** Sets environment variables for the scope. */
const env = (vars: Record<string, string>) =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const before = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]))
      Object.assign(process.env, vars)
      return before
    }),
    (before) =>
      Effect.sync(() => {
        for (const [k, v] of Object.entries(before)) {
          if (v === undefined) delete process.env[k]
          else process.env[k] = v
        }
      })
  )

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
const controls = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/

/** No secret anywhere, no control character, every line capped. */
const clean = (r: Result) => {
  const all = r.stdout + r.stderr
  for (const secret of [TOKEN, REFRESH, TOKEN.slice(0, 24)]) assert.notInclude(all, secret)
  assert.notMatch(all, controls, "no control characters (escape sequences; rclone's summary has tabs)")
  for (const line of all.split("\n")) assert.isBelow(line.length, 500, `a line of ${line.length} characters`)
}

/** Exit 1 and exactly one `fjord: …` line on stderr. */
const oneErrorLine = (r: Result, pattern: RegExp) => {
  clean(r)
  assert.strictEqual(r.exitCode, 1, r.stderr)
  const lines = r.stderr.trimEnd().split("\n")
  assert.strictEqual(lines.length, 1, r.stderr)
  assert.match(lines[0] ?? "", /^fjord: /)
  assert.match(lines[0] ?? "", pattern)
}

/** Every file below `dir`, relative. */
const tree = (dir: string): Array<string> =>
  (NodeFs.readdirSync(dir, { recursive: true, encoding: "utf8" }) as Array<string>).sort()

layer(NodeContext.layer, { excludeTestServices: true, timeout: 60_000 })("hostile servers through the CLI", (it) => {
  it.scoped("entity expansion: a listing with a DOCTYPE is refused in one line", () =>
    Effect.gen(function* () {
      const server = yield* serve((req, res) => {
        if (isJfs(req, "bomb")) return xml(res, entityExpansionXml)
        if (isJfs(req, "bomb", "liststream"))
          return xml(res, entityBomb(listStreamXml("bomb", [{ name: "&l10;", content: "x" }])))
      })
      const { run } = yield* remoteOn(server.url)
      oneErrorLine(yield* run("lsf", "h:bomb"), /DOCTYPE/)
      oneErrorLine(yield* run("ls", "h:bomb"), /DOCTYPE/)
    })
  )

  it.scoped("huge replies: a listing past FJORD_MAX_RESPONSE_SIZE, a liststream name without end", () =>
    Effect.gen(function* () {
      let streamed = 0
      const server = yield* serve((req, res) => {
        if (isJfs(req, "big")) return xml(res, folderXml("big", 2000))
        if (isJfs(req, "tree", "liststream")) endlessName(res, "tree", (n) => (streamed = n))
      })
      const { run } = yield* remoteOn(server.url)
      yield* env({ FJORD_MAX_RESPONSE_SIZE: "64K" })
      oneErrorLine(yield* run("lsf", "h:big"), /larger than the 65536-byte limit/)
      oneErrorLine(yield* run("ls", "h:tree"), /tag boundary/)
      assert.isBelow(streamed, 50 * 1024 * 1024, "the liststream was dropped early")
    })
  )

  it.scoped("an upload_url on another host: refused, nothing (nor the token) goes there", () =>
    Effect.gen(function* () {
      const elsewhere = yield* serve((req, res) => {
        req.resume()
        res.end("{}")
      })
      const server = yield* serve(
        allocateElsewhere(elsewhere.url, (req, res) => {
          if (req.url === "/api/account/v1/customer") return
          if (isJfs(req, "up")) return xml(res, folderXml("up", 0))
          if (isJfs(req, "up", "liststream")) return xml(res, listStreamXml("up", []))
          notFound(res)
        })
      )
      const { dir, run } = yield* remoteOn(server.url)
      NodeFs.writeFileSync(`${dir}/local.txt`, "local content")
      const r = yield* run("copy", `${dir}/local.txt`, "h:up", "--retries", "1")
      clean(r)
      assert.strictEqual(r.exitCode, 1, r.stderr)
      assert.match(r.stderr, /refusing to send the request to http:\/\/127\.0\.0\.1:\d+/)
      assert.deepStrictEqual(elsewhere.seen, [])
    })
  )

  it.scoped(
    "names that would climb out of a local target: the listing is refused, nothing is written, no request goes elsewhere",
    () =>
      Effect.gen(function* () {
        const content = "hostile content"
        const files = escapingNames.map((name) => ({ name, content }))
        const server = yield* serve((req, res) => {
          const [path = "", query = ""] = (req.url ?? "").split("?")
          if (path.startsWith("/api/")) return
          if (!path.startsWith("/jfs/u/Jotta/Archive/evil")) return notFound(res)
          if (query.includes("mode=liststream")) return xml(res, listStreamXml("evil", files))
          if (query.includes("mode=bin")) {
            res.writeHead(200, { "content-type": "application/octet-stream", "content-length": String(content.length) })
            return void res.end(content)
          }
          if (path === "/jfs/u/Jotta/Archive/evil") return xml(res, folderXml("evil", 0))
          const name = decodeURIComponent(path.split("/").pop() ?? "")
          xml(res, fileXml(name.replace(/[<&"]/g, "_"), content.length, md5Hex(content)))
        })
        const { dir, run } = yield* remoteOn(server.url)
        const target = NodePath.join(dir, "out", "a", "b", "target")
        NodeFs.mkdirSync(target, { recursive: true })
        const r = yield* run("copy", "h:evil", target)
        clean(r)
        assert.strictEqual(r.exitCode, 1)
        assert.match(r.stderr, /names an entry/)
        assert.deepStrictEqual(tree(NodePath.join(dir, "out")), ["a", "a/b", "a/b/target"], "nothing written")
        assert.deepStrictEqual(NodeFs.readdirSync(dir).sort(), ["fjord.conf", "out"])
        assert.deepStrictEqual(
          server.seen
            .filter(
              (x) =>
                !x.url.startsWith("/jfs/u/Jotta/Archive/evil?") &&
                x.url !== "/jfs/u/Jotta/Archive/evil" &&
                x.url !== "/api/account/v1/customer"
            )
            .map((x) => x.url),
          [],
          "no request for a path the listing made up"
        )
      })
  )

  it.scoped("a stalled socket: a Timeout after FJORD_TIMEOUT, one clean line", () =>
    Effect.gen(function* () {
      const server = yield* serve(stall)
      const { dir, run } = yield* remoteOn(server.url)
      yield* env({ FJORD_CONNECT_TIMEOUT: "200ms", FJORD_TIMEOUT: "300ms" })
      const r = yield* run("copy", "h:x.txt", `${dir}/got`, "--low-level-retries", "1", "--retries", "1")
      clean(r)
      assert.strictEqual(r.exitCode, 1)
      assert.match(r.stderr, /no response within 500ms/)
      assert.isFalse(NodeFs.existsSync(`${dir}/got`))
    })
  )

  it.scoped("escape sequences and megabytes in error text: the terminal gets one cleaned, capped line", () =>
    Effect.gen(function* () {
      const sent: Array<number> = []
      const server = yield* serve((req, res) => {
        if ((req.url ?? "").startsWith("/jfs/")) noisyError(res, (n) => sent.push(n))
      })
      const { dir, run } = yield* remoteOn(server.url)
      const r = yield* run("copy", "h:x.txt", `${dir}/got`, "--low-level-retries", "1", "--retries", "1")
      clean(r)
      assert.strictEqual(r.exitCode, 1)
      const line = r.stderr.split("\n").find((l) => l.includes("boom")) ?? ""
      assert.include(line, "FAKE LOG LINE", "the forged log line stays on the error's own line")
      assert.notMatch(r.stderr, /^FAKE LOG LINE/m)
      yield* Effect.sleep("50 millis")
      for (const n of sent) assert.isBelow(n, 16 * 1024 * 1024, `an attempt read ${n} bytes`)
    })
  )

  it.scoped("a reply that fails its schema: one line, InvalidResponse, for a listing and a file", () =>
    Effect.gen(function* () {
      const server = yield* serve((req, res) => {
        if (isJfs(req, "bad.txt"))
          return xml(res, `<file name="bad.txt"><currentRevision><size>many</size></currentRevision></file>`)
        if (isJfs(req, "badfolder")) return xml(res, `<folder><files><file/></files></folder>`)
      })
      const { run } = yield* remoteOn(server.url)
      oneErrorLine(yield* run("lsf", "h:badfolder"), /invalid response/)
      oneErrorLine(yield* run("cat", "h:bad.txt"), /invalid response/)
    })
  )
})
