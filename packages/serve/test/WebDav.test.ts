import * as Crypto from "node:crypto"
import * as Net from "node:net"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { assert, layer } from "@effect/vitest"
import * as Account from "@fjord/core/Account"
import * as Files from "@fjord/core/Files"
import * as UploadSource from "@fjord/core/UploadSource"
import * as NodeServe from "@fjord/serve/NodeServe"
import * as WebDav from "@fjord/serve/WebDav"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { authorization, Env, httpIndex, request, webdav } from "./server.js"

const bytes = (n: number, seed = 1) => {
  const out = new Uint8Array(n)
  let x = seed * 2654435761
  for (let i = 0; i < n; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    out[i] = x & 0xff
  }
  return out
}
const md5 = (b: Uint8Array) => Crypto.createHash("md5").update(b).digest("hex")

/** A body of unknown size (chunked), in 64 KiB pieces. */
const chunked = (b: Uint8Array): RequestInit =>
  ({
    body: new ReadableStream({
      start(controller) {
        for (let i = 0; i < b.length; i += 65536) controller.enqueue(b.subarray(i, i + 65536))
        controller.close()
      }
    }),
    duplex: "half"
  }) as RequestInit

const propfind = (url: string, depth: string, body?: string) =>
  request(url, { method: "PROPFIND", headers: { depth, "content-type": "application/xml" }, ...(body ? { body } : {}) })

layer(Env, { timeout: 60_000 })("WebDav (a real server over loopback, the SDK against the emulator)", (it) => {
  it.scoped("OPTIONS announces class 1 and 2; PROPFIND depth 0 and 1 with the live properties; infinity is 403", () =>
    Effect.gen(function* () {
      const files = yield* Files.Files
      yield* files.upload("dav1/a.txt", UploadSource.fromUint8Array(new TextEncoder().encode("hello")))
      yield* files.mkdir("dav1/sub")
      const url = yield* webdav({ root: "dav1" })
      const opts = yield* request(`${url}/`, { method: "OPTIONS" })
      assert.strictEqual(opts.status, 200)
      assert.strictEqual(opts.headers.get("dav"), "1, 2")
      assert.include(opts.headers.get("allow") ?? "", "PROPFIND")

      const d0 = yield* propfind(`${url}/`, "0")
      assert.strictEqual(d0.status, 207)
      assert.include(d0.text, "<D:collection/>")
      assert.notInclude(d0.text, "a.txt")
      const d1 = yield* propfind(`${url}/`, "1")
      assert.strictEqual(d1.status, 207)
      assert.include(d1.text, "<D:href>/a.txt</D:href>")
      assert.include(d1.text, "<D:href>/sub/</D:href>")
      assert.include(d1.text, "<D:getcontentlength>5</D:getcontentlength>")
      // the quotes of the entity tag are escaped by the XML builder
      assert.include(d1.text, `<D:getetag>&quot;${md5(new TextEncoder().encode("hello"))}&quot;</D:getetag>`)
      assert.include(d1.text, "<D:getcontenttype>text/plain")
      assert.match(d1.text, /<D:getlastmodified>\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT<\/D:getlastmodified>/)
      const inf = yield* propfind(`${url}/`, "infinity")
      assert.strictEqual(inf.status, 403)
      assert.include(inf.text, "propfind-finite-depth")

      const about = yield* (yield* Account.Account).about()
      const quota = yield* propfind(
        `${url}/`,
        "0",
        `<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:prop><d:quota-used-bytes/><d:quota-available-bytes/></d:prop></d:propfind>`
      )
      assert.include(quota.text, `<D:quota-used-bytes>${about.used}</D:quota-used-bytes>`)
      if (about.free !== undefined)
        assert.include(quota.text, `<D:quota-available-bytes>${about.free}</D:quota-available-bytes>`)
      assert.strictEqual((yield* propfind(`${url}/missing`, "0")).status, 404)
    })
  )

  it.scoped("PUT streams known-size and chunked bodies, below and above md5MemoryLimit; GET and HEAD with Range", () =>
    Effect.gen(function* () {
      const files = yield* Files.Files
      yield* files.mkdir("dav2")
      const url = yield* webdav({ root: "dav2", md5MemoryLimit: 1024 * 1024 })
      const small = bytes(1000, 2)
      const big = bytes(3 * 1024 * 1024 + 17, 3)
      const put1 = yield* request(`${url}/small.bin`, { method: "PUT", body: small })
      assert.strictEqual(put1.status, 201)
      assert.strictEqual(put1.headers.get("etag"), `"${md5(small)}"`)
      assert.strictEqual((yield* request(`${url}/big.bin`, { method: "PUT", body: big })).status, 201)
      assert.strictEqual((yield* request(`${url}/chunked.bin`, { method: "PUT", ...chunked(big) })).status, 201)
      assert.strictEqual((yield* request(`${url}/chunked-small.bin`, { method: "PUT", ...chunked(small) })).status, 201)
      // an existing file is replaced: 204
      assert.strictEqual((yield* request(`${url}/small.bin`, { method: "PUT", body: small })).status, 204)
      for (const [name, content] of [
        ["small.bin", small],
        ["big.bin", big],
        ["chunked.bin", big],
        ["chunked-small.bin", small]
      ] as const) {
        const info = yield* files.stat(`dav2/${name}`)
        assert.strictEqual(info.size, content.length, name)
        assert.strictEqual(info.md5, md5(content), name)
        const got = yield* request(`${url}/${name}`)
        assert.strictEqual(got.status, 200)
        assert.strictEqual(md5(got.body), md5(content), name)
      }
      const head = yield* request(`${url}/big.bin`, { method: "HEAD" })
      assert.strictEqual(head.headers.get("content-length"), String(big.length))
      assert.strictEqual(head.headers.get("etag"), `"${md5(big)}"`)
      assert.strictEqual(head.headers.get("accept-ranges"), "bytes")
      const part = yield* request(`${url}/big.bin`, { headers: { range: "bytes=100-199" } })
      assert.strictEqual(part.status, 206)
      assert.strictEqual(part.headers.get("content-range"), `bytes 100-199/${big.length}`)
      assert.deepStrictEqual(part.body, big.subarray(100, 200))
      const tail = yield* request(`${url}/big.bin`, { headers: { range: "bytes=-10" } })
      assert.deepStrictEqual(tail.body, big.subarray(big.length - 10))
      const bad = yield* request(`${url}/big.bin`, { headers: { range: `bytes=${big.length}-` } })
      assert.strictEqual(bad.status, 416)
      assert.strictEqual(bad.headers.get("content-range"), `bytes */${big.length}`)
      // no parent: 409
      assert.strictEqual((yield* request(`${url}/nope/x.bin`, { method: "PUT", body: small })).status, 409)
    })
  )

  it.scoped("DELETE moves to the trash; MKCOL; COPY and MOVE server-side with Overwrite and Depth", () =>
    Effect.gen(function* () {
      const files = yield* Files.Files
      yield* files.upload("dav3/f.txt", UploadSource.fromUint8Array(new TextEncoder().encode("f")))
      yield* files.upload("dav3/dir/inner.txt", UploadSource.fromUint8Array(new TextEncoder().encode("inner")))
      const url = yield* webdav({ root: "dav3" })
      assert.strictEqual((yield* request(`${url}/new`, { method: "MKCOL" })).status, 201)
      assert.strictEqual((yield* request(`${url}/new`, { method: "MKCOL" })).status, 405)
      assert.strictEqual((yield* request(`${url}/a/b`, { method: "MKCOL" })).status, 409)
      assert.strictEqual((yield* request(`${url}/x`, { method: "MKCOL", body: "<x/>" })).status, 415)

      const copy = (from: string, to: string, headers: Record<string, string> = {}) =>
        request(`${url}/${from}`, { method: "COPY", headers: { destination: `${url}/${to}`, ...headers } })
      const move = (from: string, to: string, headers: Record<string, string> = {}) =>
        request(`${url}/${from}`, { method: "MOVE", headers: { destination: `${url}/${to}`, ...headers } })
      assert.strictEqual((yield* copy("f.txt", "g.txt")).status, 201)
      assert.strictEqual((yield* copy("f.txt", "g.txt", { overwrite: "F" })).status, 412)
      assert.strictEqual((yield* copy("f.txt", "g.txt")).status, 204)
      assert.strictEqual((yield* copy("f.txt", "none/g.txt")).status, 409)
      assert.strictEqual((yield* copy("dir", "dir2")).status, 201)
      assert.strictEqual((yield* files.stat("dav3/dir2/inner.txt")).size, 5)
      assert.strictEqual((yield* copy("dir", "dir3", { depth: "0" })).status, 201)
      assert.deepStrictEqual(yield* files.list("dav3/dir3"), [])
      assert.strictEqual((yield* move("g.txt", "h.txt")).status, 201)
      assert.strictEqual((yield* request(`${url}/g.txt`)).status, 404)
      assert.strictEqual((yield* move("dir2", "dir4")).status, 201)
      assert.strictEqual((yield* files.stat("dav3/dir4/inner.txt")).size, 5)
      assert.strictEqual((yield* move("h.txt", "f.txt", { overwrite: "F" })).status, 412)

      assert.strictEqual((yield* request(`${url}/f.txt`, { method: "DELETE" })).status, 204)
      assert.strictEqual((yield* request(`${url}/f.txt`)).status, 404)
      const trash = yield* files.listTrash("dav3")
      assert.isTrue(trash.some((e) => e.name === "f.txt"))
      assert.strictEqual((yield* request(`${url}/dir4`, { method: "DELETE" })).status, 204)
      assert.strictEqual((yield* request(`${url}/dir4`, { method: "DELETE" })).status, 404)
    })
  )

  it.scoped("PROPPATCH sets the modification time; dead properties round-trip; a DOCTYPE is refused", () =>
    Effect.gen(function* () {
      const files = yield* Files.Files
      yield* files.upload("dav4/t.txt", UploadSource.fromUint8Array(new TextEncoder().encode("t")))
      const url = yield* webdav({ root: "dav4" })
      const when = "Wed, 02 Oct 2024 10:20:30 GMT"
      const patch = yield* request(`${url}/t.txt`, {
        method: "PROPPATCH",
        body: `<?xml version="1.0"?><propertyupdate xmlns="DAV:"><set><prop><getlastmodified>${when}</getlastmodified><x:color xmlns:x="urn:test">blue &amp; green</x:color></prop></set></propertyupdate>`
      })
      assert.strictEqual(patch.status, 207)
      assert.include(patch.text, "200 OK")
      const info = yield* files.stat("dav4/t.txt")
      assert.strictEqual(Option.map(info.modified, DateTime.toEpochMillis).pipe(Option.getOrThrow), Date.parse(when))
      const got = yield* propfind(
        `${url}/t.txt`,
        "0",
        `<propfind xmlns="DAV:"><prop><getlastmodified/><color xmlns="urn:test"/><missing xmlns="urn:test"/></prop></propfind>`
      )
      assert.include(got.text, `<D:getlastmodified>${when}</D:getlastmodified>`)
      assert.include(got.text, `<color xmlns="urn:test">blue &amp; green</color>`)
      assert.include(got.text, "404 Not Found")
      // a protected property fails the whole PROPPATCH
      const bad = yield* request(`${url}/t.txt`, {
        method: "PROPPATCH",
        body: `<propertyupdate xmlns="DAV:"><set><prop><getetag>x</getetag><y xmlns="urn:test">1</y></prop></set></propertyupdate>`
      })
      assert.include(bad.text, "403 Forbidden")
      assert.include(bad.text, "424 Failed Dependency")
      const laughs = `<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><propfind xmlns="DAV:"><prop><displayname>&b;</displayname></prop></propfind>`
      assert.strictEqual((yield* propfind(`${url}/t.txt`, "0", laughs)).status, 400)
      assert.strictEqual((yield* propfind(`${url}/t.txt`, "0", "<propfind")).status, 400)
    })
  )

  it.scoped("LOCK and UNLOCK: a locked file refuses writes without its token; the If header carries it", () =>
    Effect.gen(function* () {
      const files = yield* Files.Files
      yield* files.upload("dav5/l.txt", UploadSource.fromUint8Array(new TextEncoder().encode("l")))
      const url = yield* webdav({ root: "dav5" })
      const lock = yield* request(`${url}/l.txt`, {
        method: "LOCK",
        headers: { depth: "0", timeout: "Second-600" },
        body: `<lockinfo xmlns="DAV:"><lockscope><exclusive/></lockscope><locktype><write/></locktype><owner>me</owner></lockinfo>`
      })
      assert.strictEqual(lock.status, 200)
      const token = (lock.headers.get("lock-token") ?? "").slice(1, -1)
      assert.match(token, /^opaquelocktoken:/)
      assert.strictEqual((yield* request(`${url}/l.txt`, { method: "PUT", body: "x" })).status, 423)
      assert.strictEqual((yield* request(`${url}/l.txt`, { method: "DELETE" })).status, 423)
      assert.strictEqual(
        (yield* request(`${url}/l.txt`, { method: "PUT", body: "y", headers: { if: `(<${token}>)` } })).status,
        204
      )
      const other = yield* request(`${url}/l.txt`, {
        method: "LOCK",
        body: `<lockinfo xmlns="DAV:"><lockscope><shared/></lockscope><locktype><write/></locktype></lockinfo>`
      })
      assert.strictEqual(other.status, 423)
      assert.strictEqual(
        (yield* request(`${url}/l.txt`, { method: "UNLOCK", headers: { "lock-token": "<opaquelocktoken:bogus>" } }))
          .status,
        409
      )
      assert.strictEqual(
        (yield* request(`${url}/l.txt`, { method: "UNLOCK", headers: { "lock-token": `<${token}>` } })).status,
        204
      )
      assert.strictEqual((yield* request(`${url}/l.txt`, { method: "DELETE" })).status, 204)
    })
  )

  it.scoped("authentication: 401 without or with wrong credentials, through with the right ones", () =>
    Effect.gen(function* () {
      yield* (yield* Files.Files).mkdir("dav6")
      const url = yield* webdav({ root: "dav6", auth: true })
      const none = yield* propfind(`${url}/`, "0")
      assert.strictEqual(none.status, 401)
      assert.match(none.headers.get("www-authenticate") ?? "", /^Basic realm=/)
      const wrong = yield* request(`${url}/`, {
        method: "PROPFIND",
        headers: { depth: "0", authorization: `Basic ${Buffer.from("anna:nope").toString("base64")}` }
      })
      assert.strictEqual(wrong.status, 401)
      const right = yield* request(`${url}/`, { method: "PROPFIND", headers: { depth: "0", authorization } })
      assert.strictEqual(right.status, 207)
    })
  )

  it.scoped("read-only: every write method is 403 and nothing changes; reads work", () =>
    Effect.gen(function* () {
      const files = yield* Files.Files
      yield* files.upload("dav7/r.txt", UploadSource.fromUint8Array(new TextEncoder().encode("r")))
      const url = yield* webdav({ root: "dav7", readOnly: true })
      for (const method of ["PUT", "DELETE", "MKCOL", "COPY", "MOVE", "PROPPATCH", "LOCK", "UNLOCK"]) {
        const r = yield* request(`${url}/r.txt`, {
          method,
          headers: { destination: `${url}/s.txt` },
          ...(method === "PUT" ? { body: "changed" } : {})
        })
        assert.strictEqual(r.status, 403, method)
      }
      assert.deepStrictEqual(
        (yield* files.list("dav7")).map((e) => e.name),
        ["r.txt"]
      )
      assert.strictEqual((yield* request(`${url}/r.txt`)).text, "r")
    })
  )

  it.scoped("HttpIndex: an HTML index with sizes and dates, downloads with Range, nothing else", () =>
    Effect.gen(function* () {
      const files = yield* Files.Files
      yield* files.upload("web/a <b>.txt", UploadSource.fromUint8Array(bytes(2048, 4)))
      yield* files.mkdir("web/sub")
      const url = yield* httpIndex({ root: "web" })
      const index = yield* request(`${url}/`)
      assert.strictEqual(index.status, 200)
      assert.match(index.headers.get("content-type") ?? "", /^text\/html/)
      assert.include(index.text, `<a href="/a%20%3Cb%3E.txt">a &lt;b&gt;.txt</a>`)
      assert.include(index.text, "2.0 KiB")
      assert.match(index.text, /\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/)
      assert.include(index.text, `<a href="/sub/">sub/</a>`)
      assert.strictEqual((yield* request(`${url}/sub`, { redirect: "manual" })).status, 301)
      const part = yield* request(`${url}/a%20%3Cb%3E.txt`, { headers: { range: "bytes=10-19" } })
      assert.strictEqual(part.status, 206)
      assert.deepStrictEqual(part.body, bytes(2048, 4).subarray(10, 20))
      assert.strictEqual((yield* request(`${url}/a%20%3Cb%3E.txt`, { method: "PUT", body: "x" })).status, 405)
      assert.strictEqual((yield* request(`${url}/missing`)).status, 404)
    })
  )

  it.scoped("mounted in an app's own router under a prefix (the README example): hrefs carry the prefix", () =>
    Effect.gen(function* () {
      yield* (yield* Files.Files).upload("mounted/m.txt", UploadSource.fromUint8Array(new TextEncoder().encode("m")))
      const dav = yield* WebDav.router({ root: "mounted", prefix: "/dav" })
      const app = HttpRouter.empty.pipe(
        HttpRouter.get("/health", HttpServerResponse.text("ok")),
        HttpRouter.concat(dav),
        HttpRouter.toHttpApp
      )
      const { url } = yield* NodeServe.serve(yield* app, { addr: "127.0.0.1:0" })
      assert.strictEqual((yield* request(`${url}/health`)).text, "ok")
      const listing = yield* propfind(`${url}/dav/`, "1")
      assert.strictEqual(listing.status, 207)
      assert.include(listing.text, "<D:href>/dav/</D:href>")
      assert.include(listing.text, "<D:href>/dav/m.txt</D:href>")
      assert.strictEqual((yield* request(`${url}/dav/m.txt`)).text, "m")
      assert.strictEqual((yield* request(`${url}/dav/n.txt`, { method: "PUT", body: "n" })).status, 201)
      assert.strictEqual((yield* request(`${url}/dav/n.txt`)).text, "n")
    })
  )

  it.scoped("--dir-cache-time: listings are kept; writes through the server are seen at once", () =>
    Effect.gen(function* () {
      const files = yield* Files.Files
      yield* files.upload("cached/a.txt", UploadSource.fromUint8Array(new TextEncoder().encode("a")))
      const url = yield* webdav({ root: "cached", dirCacheTime: "1 hour" })
      assert.include((yield* propfind(`${url}/`, "1")).text, "/a.txt<")
      // a change made elsewhere is not seen while the listing is cached
      yield* files.upload("cached/elsewhere.txt", UploadSource.fromUint8Array(new TextEncoder().encode("e")))
      assert.notInclude((yield* propfind(`${url}/`, "1")).text, "/elsewhere.txt<")
      // a write through the server forgets what it changed
      assert.strictEqual((yield* request(`${url}/b.txt`, { method: "PUT", body: "b" })).status, 201)
      const after = (yield* propfind(`${url}/`, "1")).text
      assert.include(after, "/b.txt<")
      assert.include(after, "/elsewhere.txt<")
      assert.strictEqual((yield* request(`${url}/a.txt`, { method: "DELETE" })).status, 204)
      assert.notInclude((yield* propfind(`${url}/`, "1")).text, "/a.txt<")
    })
  )

  it.scoped("listens only on the address given", () =>
    Effect.gen(function* () {
      yield* (yield* Files.Files).mkdir("dav8")
      const url = yield* webdav({ root: "dav8" })
      const port = Number(new URL(url).port)
      const connects = (host: string) =>
        Effect.promise(
          () =>
            new Promise<boolean>((resolve) => {
              const socket = Net.connect({ host, port })
              socket.once("connect", () => {
                socket.destroy()
                resolve(true)
              })
              socket.once("error", () => resolve(false))
            })
        )
      assert.isTrue(yield* connects("127.0.0.1"))
      assert.isFalse(yield* connects("127.0.0.2"))
      assert.isFalse(yield* connects("::1"))
    })
  )
})
