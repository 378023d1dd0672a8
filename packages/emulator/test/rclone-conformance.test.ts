/**
 * rclone conformance: every request rclone's Jottacloud backend makes, sent byte for byte as
 * rclone (Go's net/http, lib/rest, golang.org/x/oauth2) would send it against the production
 * hosts, with the replies read the way rclone's api/types.go structs and code paths read them.
 * See test/rclone-wire.ts for the client-side rules.
 */
import { assert, it, layer } from "@effect/vitest"
import * as Emulator from "@fjord/emulator/Emulator"
import * as Effect from "effect/Effect"
import { md5, unique } from "./helpers.js"
import {
  decodeApiError,
  decodeDriveInfo,
  decodeJottaDevice,
  decodeJottaFile,
  decodeJottaFolder,
  decodeJottaMountPoint,
  GO_ZERO_JOTTA,
  goJson,
  goJsonDecode,
  goQueryEscape,
  goSentPath,
  goValues,
  jottaEncode,
  jottaTimeString,
  parseListRStream,
  parseXml,
  type RawResponse,
  rawHttp,
  rclonePathEscape,
  rfc3339String
} from "./rclone-wire.js"

// ---------------------------------------------------------------- rclone's requests

const bearer = (emu: Emulator.Handle) => `Bearer ${emu.accessToken}`
const enc = (rawPath: string) => rawPath.split("/").map(jottaEncode).join("/")

/** f.filePath(): `<user>/Jotta/Archive/<wire path>`, rclone-escaped. */
const filePath = (emu: Emulator.Handle, wire: string) =>
  rclonePathEscape([emu.username, "Jotta", "Archive", wire].filter((s) => s !== "").join("/"))

/** f.filePathRaw(dest, true): the absolute form used as cp/mv/mvDir parameter. */
const absPath = (emu: Emulator.Handle, wire: string) => `/${emu.username}/Jotta/Archive/${wire}`

/** A request carrying rclone's Bearer token (the handle's, unless `token` is given). */
const authed = (
  emu: Emulator.Handle,
  method: string,
  target: string,
  extra: { readonly headers?: Record<string, string>; readonly body?: Uint8Array; readonly token?: string } = {}
) =>
  rawHttp(emu.url, {
    method,
    target,
    headers: {
      Authorization: extra.token !== undefined ? `Bearer ${extra.token}` : bearer(emu),
      ...extra.headers
    },
    ...(extra.body !== undefined ? { body: extra.body } : {})
  })

/** A jfsSrv call: root https://jfs.jottacloud.com/jfs/ + escaped path (+ sorted parameters). */
const jfs = (
  emu: Emulator.Handle,
  method: string,
  escapedPath: string,
  params?: Record<string, string>,
  headers: Record<string, string> = {}
) =>
  authed(emu, method, `/jfs/${escapedPath}${params && Object.keys(params).length > 0 ? `?${goValues(params)}` : ""}`, {
    headers
  })

/** DirMove: POST to the source folder as Go sends it (trailing slash) with mvDir=<absolute destination>. */
const dirMove = (emu: Emulator.Handle, srcWire: string, dstWire: string) =>
  authed(
    emu,
    "POST",
    `/jfs/${goSentPath(`${emu.username}/Jotta/Archive/${srcWire}/`)}?${goValues({ mvDir: absPath(emu, dstWire) })}`
  )

/** The public link download (directLink), fetched without credentials. */
const downloadPublic = (emu: Emulator.Handle, publicURI: string) =>
  rawHttp(emu.url, { method: "GET", target: `/www/opin/io/downloadPublic/${emu.username}/${publicURI}` })

const FORM = { "Content-Type": "application/x-www-form-urlencoded" } as const

/** Legacy login: the PASSWORD grant with everything in the query (and optional extra headers). */
const legacyPasswordLogin = (
  emu: Emulator.Handle,
  q: { client_id: string; client_secret: string; password: string; username: string },
  headers: Record<string, string> = {}
) =>
  rawHttp(emu.url, {
    method: "POST",
    target: `/api/auth/v1/token?${goValues({
      client_id: q.client_id,
      client_secret: q.client_secret,
      grant_type: "PASSWORD",
      password: q.password,
      username: q.username
    })}`,
    headers: { ...FORM, ...headers }
  })

/** Legacy refresh: Basic id:secret (query-escaped), grant type upper-cased by grantTypeFilter. */
const legacyRefresh = (emu: Emulator.Handle, clientId: string, clientSecret: string, refreshToken: string) =>
  rawHttp(emu.url, {
    method: "POST",
    target: "/api/auth/v1/token",
    headers: {
      Authorization: `Basic ${Buffer.from(`${goQueryEscape(clientId)}:${goQueryEscape(clientSecret)}`).toString("base64")}`,
      ...FORM
    },
    body: Buffer.from(`grant_type=REFRESH_TOKEN&refresh_token=${goQueryEscape(refreshToken)}`)
  })

/** POST /api/files/v1/allocate with the Go JSON of an api.AllocateFileRequest. */
const allocate = (
  emu: Emulator.Handle,
  req: { bytes: number; created: string; md5: string; modified: string; path: string }
) =>
  authed(emu, "POST", "/api/files/v1/allocate", {
    headers: { "Content-Type": "application/json" },
    body: Buffer.from(
      goJson({ bytes: req.bytes, created: req.created, md5: req.md5, modified: req.modified, path: req.path })
    )
  })

const xmlOk = (r: RawResponse) => {
  assert.isTrue(r.status >= 200 && r.status <= 299, `status ${r.status}: ${r.text}`)
  return parseXml(r.text)
}

/** CallXML into api.JottaFile. */
const asFile = (r: RawResponse) => decodeJottaFile(xmlOk(r))
/** CallXML into api.JottaFolder. */
const asFolder = (r: RawResponse) => decodeJottaFolder(xmlOk(r))

/** Fs.List on a decoded folder: names of valid dirs and objects (wire names). */
const listEntries = (f: ReturnType<typeof decodeJottaFolder>) => ({
  dirs: f.folders.filter((d) => !d.deleted).map((d) => d.name),
  objects: f.files.filter((x) => x.state === "COMPLETED" && !x.deleted).map((x) => x.name)
})

const T0 = Date.parse("2001-05-06T04:05:06Z")

interface Uploaded {
  readonly allocate: Record<string, unknown>
  readonly upload?: Record<string, unknown>
}

const ALLOCATE_RESPONSE = {
  name: "string",
  path: "string",
  state: "string",
  upload_id: "string",
  upload_url: "string",
  bytes: "int",
  resume_pos: "int"
} as const
const UPLOAD_RESPONSE = { path: "string", content_id: "string", bytes: "int", md5: "string", modified: "int" } as const

/** The allocate request exactly as Object.Update sends it (Go JSON of api.AllocateFileRequest). */
const allocateRequest = (
  emu: Emulator.Handle,
  wire: string,
  data: Uint8Array,
  t: { modified: string; created?: string }
) =>
  allocate(emu, {
    bytes: data.byteLength,
    created: t.created ?? t.modified,
    md5: md5(data),
    modified: t.modified,
    path: `/jfs/Jotta/Archive/${wire}`
  })

/** The data POST to the upload URL: octet-stream, Content-Length = remaining, Range on resume. */
const uploadRequest = (
  emu: Emulator.Handle,
  alloc: Record<string, unknown>,
  data: Uint8Array,
  extra: { abortAfter?: number } = {}
) => {
  const url = new URL(String(alloc.upload_url))
  assert.strictEqual(url.origin, emu.url)
  const pos = Number(alloc.resume_pos)
  const size = data.byteLength
  const headers: Record<string, string> = {
    Authorization: bearer(emu),
    "Content-Type": "application/octet-stream"
  }
  if (pos !== 0) headers.Range = `bytes=${pos}-${size - 1}`
  const rest = data.subarray(pos)
  return rawHttp(emu.url, {
    method: "POST",
    target: url.pathname + url.search,
    headers,
    ...(extra.abortAfter !== undefined
      ? { body: rest.subarray(0, extra.abortAfter), contentLength: rest.byteLength, abort: true }
      : { body: rest })
  })
}

/** Object.Update: allocate, then (unless COMPLETED) the upload POST. */
const rcPut = (emu: Emulator.Handle, wire: string, data: Uint8Array, modified = T0, offsetMinutes = 60) =>
  Effect.gen(function* () {
    const a = yield* allocateRequest(emu, wire, data, { modified: rfc3339String(modified, offsetMinutes) })
    assert.strictEqual(a.status, 200, a.text)
    const allocate = goJsonDecode(a.text, ALLOCATE_RESPONSE)
    if (allocate.state === "COMPLETED") return { allocate } satisfies Uploaded
    const u = yield* uploadRequest(emu, allocate, data)
    assert.isTrue(u.status >= 200 && u.status <= 299, `upload ${u.status}: ${u.text}`)
    return { allocate, upload: goJsonDecode(u.text, UPLOAD_RESPONSE) } satisfies Uploaded
  })

/** readMetaDataForPath + validFile. */
const readMeta = (emu: Emulator.Handle, wire: string) =>
  Effect.map(jfs(emu, "GET", filePath(emu, wire)), (r) => ({ res: r, file: r.status === 200 ? asFile(r) : undefined }))

/** fstests' file2 path (raw) and its wire form. */
const FILE2_DIR = "hello? sausage/êé/Hello, 世界/ \" ' @ < > & ? + ≠"

// ---------------------------------------------------------------- tests

it("the wire helpers reproduce the protocol's escaping examples (§1.5)", () => {
  assert.strictEqual(
    rclonePathEscape("abc123/Jotta/Archive/Notepad++/a&b;c=d @x$.txt"),
    "abc123/Jotta/Archive/Notepad%2B%2B/a&b;c=d%20@x$.txt"
  )
  assert.strictEqual(
    rclonePathEscape(`abc123/Jotta/Archive/${enc("100% done (v2)!/it's #1*.txt")}`),
    "abc123/Jotta/Archive/100%EF%BC%85%20done%20%28v2%29%21/it%27s%20%231%EF%BC%8A.txt"
  )
  assert.strictEqual(
    `?mv=${goQueryEscape(`/abc123/Jotta/Archive/new dir/${enc("a+b:c.txt")}`)}`,
    "?mv=%2Fabc123%2FJotta%2FArchive%2Fnew+dir%2Fa%2Bb%EF%BC%9Ac.txt"
  )
  assert.strictEqual(goSentPath("u/Jotta/Archive/a(b)+c/"), "u/Jotta/Archive/a(b)+c/")
  assert.strictEqual(goSentPath("u/Jotta/Archive/a (b)+c/"), "u/Jotta/Archive/a%20%28b%29+c/")
  assert.strictEqual(goJson({ bytes: 1, path: "/jfs/a & <b>" }), '{"bytes":1,"path":"/jfs/a \\u0026 \\u003cb\\u003e"}')
})

layer(Emulator.layer())("rclone conformance", (it) => {
  // ------------------------------------------------------------ authentication

  it.effect("standard login: discovery, password grant (form body), refresh with Basic jottacli:, stale reuse", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const token = yield* emu.newLoginToken()
      // base64.RawURLEncoding: no padding, URL alphabet
      assert.notMatch(token, /[=+/]/)
      const login = goJsonDecode(Buffer.from(token, "base64url").toString("utf8"), {
        username: "string",
        realm: "string",
        well_known_link: "string",
        auth_token: "string"
      })
      const wk = new URL(String(login.well_known_link))
      assert.strictEqual(wk.origin, emu.url)
      const d = yield* rawHttp(emu.url, { method: "GET", target: wk.pathname })
      assert.strictEqual(d.status, 200)
      const known = goJsonDecode(d.text, {
        issuer: "string",
        authorization_endpoint: "string",
        token_endpoint: "string",
        token_introspection_endpoint: "string",
        userinfo_endpoint: "string",
        end_session_endpoint: "string",
        jwks_uri: "string",
        check_session_iframe: "string",
        grant_types_supported: "[]string",
        response_types_supported: "[]string",
        subject_types_supported: "[]string",
        id_token_signing_alg_values_supported: "[]string",
        userinfo_signing_alg_values_supported: "[]string",
        request_object_signing_alg_values_supported: "[]string",
        response_modes_supported: "[]string",
        registration_endpoint: "string",
        token_endpoint_auth_methods_supported: "[]string",
        token_endpoint_auth_signing_alg_values_supported: "[]string",
        claims_supported: "[]string",
        claim_types_supported: "[]string",
        claims_parameter_supported: "bool",
        scopes_supported: "[]string",
        request_parameter_supported: "bool",
        request_uri_parameter_supported: "bool",
        code_challenge_methods_supported: "[]string",
        tls_client_certificate_bound_access_tokens: "bool",
        introspection_endpoint: "string"
      })
      const tokenUrl = new URL(String(known.token_endpoint))
      assert.strictEqual(tokenUrl.origin, emu.url)
      const TOKEN_JSON = {
        access_token: "string",
        expires_in: "int",
        refresh_expires_in: "int",
        refresh_token: "string",
        token_type: "string",
        id_token: "string",
        "not-before-policy": "int",
        session_state: "string",
        scope: "string"
      } as const
      // doTokenAuth: plain client, form body, no Authorization
      const body = goValues({
        client_id: "jottacli",
        grant_type: "password",
        password: String(login.auth_token),
        scope: "openid offline_access",
        username: String(login.username)
      })
      assert.include(body, "scope=openid+offline_access")
      const t = yield* rawHttp(emu.url, {
        method: "POST",
        target: tokenUrl.pathname,
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: Buffer.from(body)
      })
      assert.strictEqual(t.status, 200, t.text)
      const tok = goJsonDecode(t.text, TOKEN_JSON)
      assert.isAbove(Number(tok.expires_in), 0)
      assert.strictEqual(String(tok.token_type).toLowerCase(), "bearer")
      // the token works as oauth2.Transport sends it
      const c = yield* authed(emu, "GET", "/api/account/v1/customer", { token: String(tok.access_token) })
      assert.strictEqual(c.status, 200)

      // x/oauth2 refresh, AuthStyleAutoDetect tries the header first: Basic base64(QueryEscape(id):)
      const refresh = (rt: string, style: "header" | "params") =>
        rawHttp(emu.url, {
          method: "POST",
          target: tokenUrl.pathname,
          headers: {
            "Content-Type": "application/x-www-form-urlencoded",
            ...(style === "header" ? { Authorization: `Basic ${Buffer.from("jottacli:").toString("base64")}` } : {})
          },
          body: Buffer.from(
            goValues({
              grant_type: "refresh_token",
              refresh_token: rt,
              ...(style === "params" ? { client_id: "jottacli" } : {})
            })
          )
        })
      const r1 = yield* refresh(String(tok.refresh_token), "header")
      assert.strictEqual(r1.status, 200, r1.text)
      assert.match(r1.headers["content-type"] ?? "", /^application\/json/)
      const tok2 = goJsonDecode(r1.text, TOKEN_JSON)
      assert.isAbove(String(tok2.access_token).length, 0)
      assert.notStrictEqual(tok2.refresh_token, tok.refresh_token)
      // reusing the rotated token: x/oauth2 gets a RetrieveError for both auth styles
      const stale = yield* refresh(String(tok.refresh_token), "header")
      assert.strictEqual(stale.status, 400)
      assert.deepInclude(goJsonDecode(stale.text, { error: "string", error_description: "string" }), {
        error: "invalid_grant",
        error_description: "Stale token"
      })
      const staleParams = yield* refresh(String(tok2.refresh_token), "params")
      assert.strictEqual(staleParams.status, 400)
    })
  )

  it.effect("traditional login: rclone's AuthCodeURL is approved; code exchange with Basic desktop: and no PKCE", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const d = yield* rawHttp(emu.url, {
        method: "GET",
        target: "/id/auth/realms/jottacloud/.well-known/openid-configuration"
      })
      const known = goJsonDecode(d.text, { authorization_endpoint: "string", token_endpoint: "string" })
      const state = "s".repeat(20)
      const redirect = "http://localhost:53682/"
      const authUrl = `${known.authorization_endpoint}?${goValues({
        access_type: "offline",
        client_id: "desktop",
        redirect_uri: redirect,
        response_type: "code",
        scope: "openid jotta-default offline_access",
        state
      })}`
      const au = new URL(authUrl)
      const a = yield* rawHttp(emu.url, { method: "GET", target: au.pathname + au.search })
      assert.strictEqual(a.status, 302, a.text)
      const loc = new URL(a.headers.location ?? "")
      assert.strictEqual(`${loc.origin}${loc.pathname}`, redirect)
      assert.strictEqual(loc.searchParams.get("state"), state)
      const code = loc.searchParams.get("code") ?? ""
      const tu = new URL(String(known.token_endpoint))
      const t = yield* rawHttp(emu.url, {
        method: "POST",
        target: tu.pathname,
        headers: {
          Authorization: `Basic ${Buffer.from("desktop:").toString("base64")}`,
          "Content-Type": "application/x-www-form-urlencoded"
        },
        body: Buffer.from(goValues({ code, grant_type: "authorization_code", redirect_uri: redirect }))
      })
      assert.strictEqual(t.status, 200, t.text)
      const tok = goJsonDecode(t.text, { access_token: "string", refresh_token: "string", expires_in: "int" })
      assert.isAbove(String(tok.refresh_token).length, 0)
    })
  )

  it.effect("legacy login: register, PASSWORD grant in the query, REFRESH_TOKEN with Basic id:secret", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const reg = yield* rawHttp(emu.url, {
        method: "POST",
        target: `/api/auth/v1/register?${goValues({ device_id: "rclone-abcdefghijklmnopqrstu" })}`,
        headers: {
          Authorization: "Bearer c2xrZmpoYWRsZmFramhkc2xma2phaHNkbGZramhhc2xkZmtqaGFzZGxrZmpobGtq",
          "Content-Type": "application/x-www-form-urlencoded"
        }
      })
      assert.strictEqual(reg.status, 200, reg.text)
      const client = goJsonDecode(reg.text, { client_id: "string", client_secret: "string" })
      const TOKEN = {
        access_token: "string",
        refresh_token: "string",
        token_type: "string",
        expires_in: "int"
      } as const
      const t = yield* legacyPasswordLogin(emu, {
        client_id: String(client.client_id),
        client_secret: String(client.client_secret),
        password: emu.password,
        username: emu.email
      })
      assert.strictEqual(t.status, 200, t.text)
      const tok = goJsonDecode(t.text, TOKEN)
      // oauth2.Token.Type() turns "bearer" into "Bearer"
      assert.strictEqual(String(tok.token_type).toLowerCase(), "bearer")
      // grantTypeFilter upper-cases the grant type in the body
      const r = yield* legacyRefresh(
        emu,
        String(client.client_id),
        String(client.client_secret),
        String(tok.refresh_token)
      )
      assert.strictEqual(r.status, 200, r.text)
      const tok2 = goJsonDecode(r.text, TOKEN)
      const j = yield* authed(emu, "GET", `/jfs/${emu.username}`, { token: String(tok2.access_token) })
      assert.strictEqual(j.status, 200)
    })
  )

  // ------------------------------------------------------------ account

  it.effect("customer, drive info and device info decode into rclone's structs (NewFs, config, About, UserInfo)", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const c = yield* authed(emu, "GET", "/api/account/v1/customer")
      assert.strictEqual(c.status, 200)
      const cust = goJsonDecode(c.text, {
        username: "string",
        email: "string",
        name: "string",
        country_code: "string",
        language_code: "string",
        customer_group_code: "string",
        brand_code: "string",
        account_type: "string",
        subscription_type: "string",
        usage: "int",
        quota: "int",
        business_usage: "int",
        business_quota: "int",
        write_locked: "bool",
        read_locked: "bool",
        locked_cause: "any",
        web_hash: "string",
        android_hash: "string",
        ios_hash: "string"
      })
      assert.strictEqual(cust.username, emu.username)
      // getDriveInfo: Path is the bare username (not escaped)
      const before = decodeDriveInfo(xmlOk(yield* jfs(emu, "GET", emu.username)))
      assert.strictEqual(before.username, emu.username)
      assert.strictEqual(before.capacity, -1) // About: Total/Free only when capacity > 0
      assert.include(
        before.devices.map((d) => d.name),
        "Jotta"
      )
      const dev = decodeJottaDevice(xmlOk(yield* jfs(emu, "GET", rclonePathEscape(`${emu.username}/Jotta`))))
      assert.strictEqual(dev.name, "Jotta")
      assert.includeMembers(
        dev.mountPoints.map((m) => m.name),
        ["Archive", "Shared", "Sync"]
      )
      // About: usage follows uploads
      const data = Buffer.from(`about ${unique("x")}`)
      yield* rcPut(emu, `${unique("about")}/f.bin`, data)
      const after = decodeDriveInfo(xmlOk(yield* jfs(emu, "GET", emu.username)))
      assert.strictEqual(after.usage, before.usage + data.byteLength)
    })
  )

  it.effect("config creates a device (type=WORKSTATION) and a mountpoint (bare POST) as rclone does", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const device = `rclone dev+${unique("d")}`
      const d = yield* jfs(emu, "POST", rclonePathEscape(`${emu.username}/${device}`), { type: "WORKSTATION" })
      const dev = decodeJottaDevice(xmlOk(d))
      assert.strictEqual(dev.name, device)
      assert.strictEqual(dev.type, "WORKSTATION")
      const m = yield* jfs(emu, "POST", rclonePathEscape(`${emu.username}/${device}/My mp`))
      const mp = decodeJottaMountPoint(xmlOk(m))
      assert.strictEqual(mp.name, "My mp")
      const again = decodeJottaDevice(xmlOk(yield* jfs(emu, "GET", rclonePathEscape(`${emu.username}/${device}`))))
      assert.deepStrictEqual(
        again.mountPoints.map((x) => x.name),
        ["My mp"]
      )
      // and files work there (allocate path /jfs/<device>/<mountpoint>/…)
      const data = Buffer.from("on a device")
      const a = yield* allocate(emu, {
        bytes: data.byteLength,
        created: rfc3339String(T0),
        md5: md5(data),
        modified: rfc3339String(T0),
        path: `/jfs/${device}/My mp/x.txt`
      })
      assert.strictEqual(a.status, 200, a.text)
    })
  )

  // ------------------------------------------------------------ files and folders

  it.effect("mkDir, List and NewObject on fstests' file2 path: escaping, folder/file/mountPoint documents", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const root = unique("fs")
      const dir = `${root}/${enc(FILE2_DIR)}`
      assert.include(
        filePath(emu, dir),
        "/%20%EF%BC%82%20%27%20@%20%EF%BC%9C%20%EF%BC%9E%20&%20%EF%BC%9F%20%2B%20%E2%89%A0"
      )
      const mk = yield* jfs(emu, "POST", filePath(emu, dir), { mkDir: "true" })
      asFolder(mk)
      const data = Buffer.from("file2 contents")
      yield* rcPut(emu, `${dir}/z.txt`, data)
      yield* rcPut(emu, `${root}/file name.txt`, Buffer.from("file1"))
      // List of the root and of each level
      const top = listEntries(asFolder(yield* jfs(emu, "GET", filePath(emu, root))))
      assert.deepStrictEqual(top, { dirs: [jottaEncode("hello? sausage")], objects: ["file name.txt"] })
      const deepest = asFolder(yield* jfs(emu, "GET", filePath(emu, dir)))
      assert.strictEqual(deepest.xmlName, "folder")
      assert.isFalse(deepest.deleted)
      assert.deepStrictEqual(listEntries(deepest), { dirs: [], objects: ["z.txt"] })
      const f = deepest.files[0]!
      assert.strictEqual(f.size, data.byteLength)
      assert.strictEqual(f.md5, md5(data))
      assert.strictEqual(f.modifiedAt, T0)
      assert.strictEqual(f.createdAt, T0)
      assert.strictEqual(f.mimeType, "text/plain")
      // NewObject: file → "file", folder → ErrorIsDir, mountpoint root → ErrorNotAFile (token renewer)
      const meta = yield* readMeta(emu, `${dir}/z.txt`)
      assert.strictEqual(meta.file?.xmlName, "file")
      assert.strictEqual(meta.file?.state, "COMPLETED")
      assert.isDefined(meta.file?.updatedAt)
      assert.strictEqual((yield* readMeta(emu, dir)).file?.xmlName, "folder")
      assert.strictEqual((yield* readMeta(emu, "")).file?.xmlName, "mountPoint")
      // List of the mountpoint root decodes as a JottaFolder too
      const mp = asFolder(yield* jfs(emu, "GET", filePath(emu, "")))
      assert.include(listEntries(mp).dirs, root)
    })
  )

  it.effect("not found: List, NewObject, rm and liststream answer 404 with an XML error whose code is 404", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const base = unique("nf")
      for (const r of [
        yield* jfs(emu, "GET", filePath(emu, `${base}/potato`)),
        yield* jfs(emu, "GET", filePath(emu, `${base}/directory/not/found/potato`)),
        yield* jfs(emu, "POST", filePath(emu, `${base}/potato`), { rm: "true" }),
        yield* jfs(emu, "GET", filePath(emu, base), { mode: "liststream" }),
        yield* jfs(emu, "POST", filePath(emu, base), { rmDir: "true" })
      ]) {
        assert.strictEqual(r.status, 404)
        const e = decodeApiError(r)
        assert.strictEqual(e.statusCode, 404)
        assert.isAbove(e.message.length, 0)
      }
      // soft delete of a missing path succeeds (remove(hard=false))
      const dl = yield* jfs(emu, "POST", filePath(emu, `${base}/potato`), { dl: "true" })
      assert.strictEqual(dl.status, 200)
    })
  )

  it.effect("upload: allocate body as Go marshals it (+hh:mm, no fraction, \\u0026), POST, metadata read back", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const wire = `${unique("up")}/${enc("a & b <c>.html")}`
      const data = Buffer.from("<html></html>")
      const created = Date.parse("2009-05-06T04:05:06Z") // fstests' btime, truncated by the format
      const modified = Date.parse("2010-06-07T08:09:07Z")
      const a = yield* allocateRequest(emu, wire, data, {
        created: rfc3339String(created, 120),
        modified: rfc3339String(modified, -330)
      })
      assert.strictEqual(a.status, 200, a.text)
      const alloc = goJsonDecode(a.text, ALLOCATE_RESPONSE)
      assert.strictEqual(alloc.state, "INCOMPLETE")
      assert.strictEqual(alloc.resume_pos, 0)
      const u = yield* uploadRequest(emu, alloc, data)
      assert.strictEqual(u.status, 200, u.text)
      const up = goJsonDecode(u.text, UPLOAD_RESPONSE)
      assert.strictEqual(up.md5, md5(data))
      assert.strictEqual(up.bytes, data.byteLength)
      const meta = yield* readMeta(emu, wire)
      assert.strictEqual(meta.file?.state, "COMPLETED")
      assert.strictEqual(meta.file?.createdAt, created)
      assert.strictEqual(meta.file?.modifiedAt, modified)
      assert.strictEqual(meta.file?.mimeType, "text/html")
      assert.strictEqual(meta.file?.name, jottaEncode("a & b <c>.html"))
      // same content again: COMPLETED, no upload (rclone then only re-reads the metadata)
      const again = yield* allocateRequest(emu, wire, data, { modified: rfc3339String(modified + 1000) })
      assert.strictEqual(goJsonDecode(again.text, ALLOCATE_RESPONSE).state, "COMPLETED")
      assert.strictEqual((yield* readMeta(emu, wire)).file?.modifiedAt, modified + 1000)
    })
  )

  it.effect("upload resume: broken POST, allocate again gives resume_pos, POST with Range; empty remainder", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const base = unique("resume")
      const data = Buffer.from(`resumable ${base} `.repeat(40))
      const t = { modified: rfc3339String(T0) }
      const a1 = goJsonDecode((yield* allocateRequest(emu, `${base}/r.bin`, data, t)).text, ALLOCATE_RESPONSE)
      yield* uploadRequest(emu, a1, data, { abortAfter: 100 })
      const a2 = goJsonDecode((yield* allocateRequest(emu, `${base}/r.bin`, data, t)).text, ALLOCATE_RESPONSE)
      assert.strictEqual(a2.state, "INCOMPLETE")
      assert.strictEqual(a2.resume_pos, 100)
      // not listed while incomplete (validFile)
      const mid = yield* readMeta(emu, `${base}/r.bin`)
      assert.notStrictEqual(mid.file?.state, "COMPLETED")
      const u = yield* uploadRequest(emu, a2, data)
      assert.strictEqual(u.status, 200, u.text)
      assert.strictEqual((yield* readMeta(emu, `${base}/r.bin`)).file?.md5, md5(data))

      // every byte arrived but the connection broke before the reply: rclone's next POST has
      // Content-Length 0, no body and `Range: bytes=<size>-<size-1>`
      const data2 = Buffer.from(`all bytes ${base}`)
      const b1 = goJsonDecode((yield* allocateRequest(emu, `${base}/s.bin`, data2, t)).text, ALLOCATE_RESPONSE)
      yield* emu.inject({ _tag: "CutRequest", afterBytes: data2.byteLength, op: "upload" })
      yield* uploadRequest(emu, b1, data2)
      const b2 = goJsonDecode((yield* allocateRequest(emu, `${base}/s.bin`, data2, t)).text, ALLOCATE_RESPONSE)
      assert.strictEqual(b2.state, "INCOMPLETE")
      assert.strictEqual(b2.resume_pos, data2.byteLength)
      const u2 = yield* uploadRequest(emu, b2, data2)
      assert.strictEqual(u2.status, 200, u2.text)
      goJsonDecode(u2.text, UPLOAD_RESPONSE)
      assert.strictEqual((yield* readMeta(emu, `${base}/s.bin`)).file?.state, "COMPLETED")
    })
  )

  it.effect(
    "unknown size (FsPutUnknownSize): allocate with bytes -1 is refused with a JSON error, nothing is created",
    () =>
      Effect.gen(function* () {
        const emu = yield* Emulator.Emulator
        const wire = `${unique("unknown")}/unknown-size-put.txt`
        const data = Buffer.from("x".repeat(100))
        const r = yield* allocate(emu, {
          bytes: -1,
          created: rfc3339String(T0),
          md5: md5(data),
          modified: rfc3339String(T0),
          path: `/jfs/Jotta/Archive/${wire}`
        })
        assert.strictEqual(r.status, 400) // rclone reports the error (fstests only demand no panic)
        JSON.parse(r.text)
        assert.strictEqual((yield* readMeta(emu, wire)).res.status, 404)
      })
  )

  it.effect("zero-length file (FsPutZeroLength): allocate answers COMPLETED; download is empty", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const wire = `${unique("zero")}/zero-length-file`
      const r = yield* rcPut(emu, wire, new Uint8Array(0), Date.parse("2001-02-03T04:05:06Z"))
      assert.strictEqual(r.allocate.state, "COMPLETED")
      const meta = yield* readMeta(emu, wire)
      assert.strictEqual(meta.file?.size, 0)
      assert.strictEqual(meta.file?.modifiedAt, Date.parse("2001-02-03T04:05:06Z"))
      const dl = yield* jfs(emu, "GET", filePath(emu, wire), { mode: "bin" })
      assert.strictEqual(dl.status, 200)
      assert.strictEqual(dl.body.byteLength, 0)
    })
  )

  it.effect("Open: mode=bin, with the Range forms rclone's RangeOption writes", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const wire = `${unique("dl")}/${enc("data (1).bin")}`
      const data = Buffer.from("0123456789abcdef")
      yield* rcPut(emu, wire, data)
      const get = (range?: string) =>
        jfs(emu, "GET", filePath(emu, wire), { mode: "bin" }, range !== undefined ? { Range: range } : {})
      const whole = yield* get()
      assert.strictEqual(whole.status, 200)
      assert.strictEqual(whole.text, data.toString())
      for (const [range, want] of [
        ["bytes=2-5", "2345"],
        ["bytes=10-", "abcdef"],
        ["bytes=-3", "def"],
        ["bytes=0-15", data.toString()]
      ] as const) {
        const r = yield* get(range)
        assert.isTrue(r.status === 206 || r.status === 200, `${range}: ${r.status}`)
        assert.strictEqual(r.text, want, range)
      }
      const bad = yield* get("bytes=16-")
      assert.strictEqual(bad.status, 416)
      assert.strictEqual(decodeApiError(bad).statusCode, 416)
    })
  )

  it.effect("Remove and Purge: dl/rm, dlDir/rmDir; a trashed folder lists with deleted (ErrorDirNotFound)", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const base = unique("rm")
      yield* rcPut(emu, `${base}/dirToPurge/fileToPurge.txt`, Buffer.from("purge me"))
      yield* rcPut(emu, `${base}/soft.txt`, Buffer.from("soft"))
      yield* rcPut(emu, `${base}/hard.txt`, Buffer.from("hard"))
      assert.strictEqual((yield* jfs(emu, "POST", filePath(emu, `${base}/soft.txt`), { dl: "true" })).status, 200)
      assert.strictEqual((yield* jfs(emu, "POST", filePath(emu, `${base}/hard.txt`), { rm: "true" })).status, 200)
      // Purge: List first, then dlDir (NoResponse)
      asFolder(yield* jfs(emu, "GET", filePath(emu, `${base}/dirToPurge`)))
      const p = yield* jfs(emu, "POST", filePath(emu, `${base}/dirToPurge`), { dlDir: "true" })
      assert.strictEqual(p.status, 200)
      const gone = asFolder(yield* jfs(emu, "GET", filePath(emu, `${base}/dirToPurge`)))
      assert.isTrue(gone.deleted) // validFolder false → ErrorDirNotFound
      assert.deepStrictEqual(listEntries(asFolder(yield* jfs(emu, "GET", filePath(emu, base)))), {
        dirs: [],
        objects: []
      })
      const soft = yield* readMeta(emu, `${base}/soft.txt`)
      assert.isTrue(soft.file?.deleted) // readMetaData → validFile false → ErrorObjectNotFound
      assert.strictEqual(soft.file?.state, "COMPLETED") // trashed_only mode: valid, and it opens at its path
      const trashedOpen = yield* jfs(emu, "GET", filePath(emu, `${base}/soft.txt`), { mode: "bin" })
      assert.strictEqual(trashedOpen.text, "soft")
      assert.strictEqual((yield* readMeta(emu, `${base}/hard.txt`)).res.status, 404)
      // Rmdir of an empty dir (hard_delete): rmDir
      yield* jfs(emu, "POST", filePath(emu, `${base}/empty`), { mkDir: "true" })
      assert.deepStrictEqual(listEntries(asFolder(yield* jfs(emu, "GET", filePath(emu, `${base}/empty`)))), {
        dirs: [],
        objects: []
      })
      assert.strictEqual((yield* jfs(emu, "POST", filePath(emu, `${base}/empty`), { rmDir: "true" })).status, 200)
      assert.strictEqual((yield* jfs(emu, "GET", filePath(emu, `${base}/empty`))).status, 404)
    })
  )

  it.effect("Copy and Move: mkDir parent, then cp/mv with the form-encoded absolute destination", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const base = unique("cpmv")
      const src = `${base}/${enc("file name.txt")}`
      const data = Buffer.from("copy me")
      yield* rcPut(emu, src, data)
      const dstDir = `${base}/${enc("new dir+x/ä")}`
      // Copy: mkParentDir then cp
      asFolder(yield* jfs(emu, "POST", filePath(emu, dstDir), { mkDir: "true" }))
      const cp = yield* jfs(emu, "POST", filePath(emu, src), { cp: absPath(emu, `${dstDir}/copy: 1.txt`) })
      const cpInfo = asFile(cp)
      assert.isFalse(cpInfo.deleted)
      assert.strictEqual(cpInfo.state, "COMPLETED")
      assert.strictEqual(cpInfo.name, "copy: 1.txt")
      assert.strictEqual(cpInfo.md5, md5(data))
      assert.strictEqual(cpInfo.modifiedAt, T0)
      // Move
      const mv = yield* jfs(emu, "POST", filePath(emu, src), { mv: absPath(emu, `${dstDir}/moved & done.txt`) })
      const mvInfo = asFile(mv)
      assert.isFalse(mvInfo.deleted)
      assert.strictEqual(mvInfo.state, "COMPLETED")
      assert.strictEqual(mvInfo.size, data.byteLength)
      assert.strictEqual((yield* readMeta(emu, src)).res.status, 404)
      assert.deepStrictEqual(listEntries(asFolder(yield* jfs(emu, "GET", filePath(emu, dstDir)))).objects, [
        "copy: 1.txt",
        "moved & done.txt"
      ])
      // Move onto a trashed file: the reply must be a live file (Move has no repair step)
      yield* rcPut(emu, `${dstDir}/gone.txt`, Buffer.from("gone"))
      yield* jfs(emu, "POST", filePath(emu, `${dstDir}/gone.txt`), { dl: "true" })
      const over = asFile(
        yield* jfs(emu, "POST", filePath(emu, `${dstDir}/copy: 1.txt`), { mv: absPath(emu, `${dstDir}/gone.txt`) })
      )
      assert.isFalse(over.deleted)
      assert.strictEqual(over.state, "COMPLETED")
      assert.strictEqual(over.md5, md5(data))
      yield* jfs(emu, "POST", filePath(emu, `${dstDir}/gone.txt`), { mv: absPath(emu, `${dstDir}/copy: 1.txt`) })
      // with --metadata rclone follows with cphash carrying btime/mtime
      const btime = Date.parse("2009-05-06T04:05:06Z")
      const ch = yield* jfs(
        emu,
        "POST",
        filePath(emu, `${dstDir}/moved & done.txt`),
        { cphash: "true" },
        {
          JSize: String(mvInfo.size),
          JMd5: mvInfo.md5,
          JCreated: jottaTimeString(btime),
          JModified: jottaTimeString(T0 + 3_600_000, 60)
        }
      )
      const chInfo = asFile(ch)
      assert.strictEqual(chInfo.createdAt, btime)
      assert.strictEqual(chInfo.modifiedAt, T0 + 3_600_000)
    })
  )

  it.effect("Copy onto a trashed file (#6112): reply deleted + COMPLETED; cphash with Go zero times restores it", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const base = unique("cptrash")
      yield* rcPut(emu, `${base}/src.txt`, Buffer.from("new content"), T0)
      yield* rcPut(emu, `${base}/dst.txt`, Buffer.from("old content"), T0 - 86_400_000)
      yield* jfs(emu, "POST", filePath(emu, `${base}/dst.txt`), { dl: "true" })
      asFolder(yield* jfs(emu, "POST", filePath(emu, base), { mkDir: "true" }))
      const info = asFile(
        yield* jfs(emu, "POST", filePath(emu, `${base}/src.txt`), { cp: absPath(emu, `${base}/dst.txt`) })
      )
      assert.isTrue(info.deleted)
      assert.strictEqual(info.state, "COMPLETED")
      // createOrUpdate(remote, zero, zero, info.Size, info.MD5)
      const r = yield* jfs(
        emu,
        "POST",
        filePath(emu, `${base}/dst.txt`),
        { cphash: "true" },
        { JSize: String(info.size), JMd5: info.md5, JCreated: GO_ZERO_JOTTA, JModified: GO_ZERO_JOTTA }
      )
      const restored = asFile(r)
      assert.isFalse(restored.deleted)
      assert.strictEqual(restored.state, "COMPLETED")
      assert.strictEqual(restored.md5, md5(Buffer.from("new content")))
      assert.strictEqual(restored.modifiedAt, T0) // zero time keeps the copied value
      assert.deepStrictEqual(listEntries(asFolder(yield* jfs(emu, "GET", filePath(emu, base)))).objects, [
        "dst.txt",
        "src.txt"
      ])
    })
  )

  it.effect("SetModTime: cphash with a +hhmm JModified; whole seconds stored; size/md5 mismatch → 404", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const wire = `${unique("mtime")}/f.txt`
      const data = Buffer.from("mod time")
      yield* rcPut(emu, wire, data)
      const o = (yield* readMeta(emu, wire)).file!
      const want = Date.parse("2011-12-25T12:59:59Z")
      const r = yield* jfs(
        emu,
        "POST",
        filePath(emu, wire),
        { cphash: "true" },
        {
          JSize: String(o.size),
          JMd5: o.md5,
          JCreated: jottaTimeString(o.createdAt!),
          JModified: jottaTimeString(want, 60) // time.Local = +01:00, fraction dropped by the format
        }
      )
      assert.strictEqual(asFile(r).modifiedAt, want)
      const after = (yield* readMeta(emu, wire)).file!
      assert.strictEqual(after.modifiedAt, want)
      assert.strictEqual(after.createdAt, o.createdAt)
      const miss = yield* jfs(
        emu,
        "POST",
        filePath(emu, wire),
        { cphash: "true" },
        { JSize: "3", JMd5: md5(Buffer.from(unique("nope"))), JCreated: GO_ZERO_JOTTA, JModified: GO_ZERO_JOTTA }
      )
      assert.strictEqual(decodeApiError(miss).statusCode, 404)
    })
  )

  it.effect("DirMove: unescaped source with trailing slash as Go sends it, fstests' move and move back", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const root = unique("rclone-test")
      const newRoot = unique("rclone-test-new")
      const dir2 = `${root}/${enc(FILE2_DIR)}`
      yield* jfs(emu, "POST", filePath(emu, dir2), { mkDir: "true" })
      yield* rcPut(emu, `${dir2}/z.txt`, Buffer.from("file2"))
      yield* rcPut(emu, `${root}/file name.txt`, Buffer.from("file1"))
      // DirMove first lists the destination: 404 means free
      const target = `${newRoot}/new_name/sub_new_name`
      assert.strictEqual((yield* jfs(emu, "GET", filePath(emu, target))).status, 404)
      const r = yield* dirMove(emu, root, target)
      xmlOk(r) // CallXML decodes the reply into a JottaFile
      assert.strictEqual((yield* jfs(emu, "GET", filePath(emu, root))).status, 404)
      const moved = yield* jfs(emu, "GET", filePath(emu, `${target}/${enc(FILE2_DIR)}`))
      assert.deepStrictEqual(listEntries(asFolder(moved)).objects, ["z.txt"])
      // move it back
      xmlOk(yield* dirMove(emu, `${newRoot}/new_name/sub_new_name`, root))
      assert.deepStrictEqual(listEntries(asFolder(yield* jfs(emu, "GET", filePath(emu, root)))), {
        dirs: [jottaEncode("hello? sausage")],
        objects: ["file name.txt"]
      })
      // a source that Go re-escapes (space, non-ASCII) and one it sends verbatim (parentheses)
      yield* jfs(emu, "POST", filePath(emu, `${root}/a b ø`), { mkDir: "true" })
      assert.include(goSentPath(`${emu.username}/Jotta/Archive/${root}/a b ø/`), "a%20b%20%C3%B8/")
      xmlOk(yield* dirMove(emu, `${root}/a b ø`, `${root}/c(d)`))
      assert.strictEqual(
        goSentPath(`${emu.username}/Jotta/Archive/${root}/c(d)/`),
        `${emu.username}/Jotta/Archive/${root}/c(d)/`
      )
      xmlOk(yield* dirMove(emu, `${root}/c(d)`, `${root}/e`))
      assert.include(listEntries(asFolder(yield* jfs(emu, "GET", filePath(emu, root)))).dirs, "e")
      // a trashed destination counts as free for rclone (List gives a deleted folder)
      yield* jfs(emu, "POST", filePath(emu, `${root}/old`), { mkDir: "true" })
      yield* jfs(emu, "POST", filePath(emu, `${root}/old`), { dlDir: "true" })
      assert.isTrue(asFolder(yield* jfs(emu, "GET", filePath(emu, `${root}/old`))).deleted)
      xmlOk(yield* dirMove(emu, `${root}/e`, `${root}/old`))
      assert.isFalse(asFolder(yield* jfs(emu, "GET", filePath(emu, `${root}/old`))).deleted)
    })
  )

  it.effect(
    "DirMove of a source holding '+': Go leaves it literal, the server refuses it (§1.6) with a decodable 400",
    () =>
      Effect.gen(function* () {
        const emu = yield* Emulator.Emulator
        const root = unique("plus")
        yield* jfs(emu, "POST", filePath(emu, `${root}/C++ src`), { mkDir: "true" })
        const sent = goSentPath(`${emu.username}/Jotta/Archive/${root}/C++ src/`)
        assert.include(sent, "/C++%20src/")
        const r = yield* dirMove(emu, `${root}/C++ src`, `${root}/moved`)
        assert.strictEqual(r.status, 400)
        const e = decodeApiError(r)
        assert.strictEqual(e.statusCode, 400) // not in rclone's retry list: reported at once
        assert.include(e.message, "Unable to validate decoded path")
        // nothing moved
        assert.deepStrictEqual(listEntries(asFolder(yield* jfs(emu, "GET", filePath(emu, root)))).dirs, ["C++ src"])
      })
  )

  it.effect(
    "retryable statuses (429, 5xx, 509) and an expired token come with XML errors whose code is the status",
    () =>
      Effect.gen(function* () {
        const emu = yield* Emulator.Emulator
        const base = unique("retry")
        yield* jfs(emu, "POST", filePath(emu, base), { mkDir: "true" })
        for (const status of [429, 500, 502, 503, 504, 509]) {
          yield* emu.inject({ _tag: "Status", status, op: "get" })
          const r = yield* jfs(emu, "GET", filePath(emu, base))
          assert.strictEqual(r.status, status)
          assert.strictEqual(decodeApiError(r).statusCode, status)
          // the pacer's retry then succeeds
          asFolder(yield* jfs(emu, "GET", filePath(emu, base)))
        }
        const expired = yield* authed(emu, "GET", `/jfs/${filePath(emu, base)}`, { token: "not-a-token" })
        assert.strictEqual(expired.status, 401)
        assert.strictEqual(decodeApiError(expired).statusCode, 401)
      })
  )

  it.effect("keep-alive: idle connections are kept longer than rclone's 60 s idle timeout", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const r = yield* jfs(emu, "GET", emu.username)
      assert.strictEqual(r.status, 200)
      assert.notStrictEqual(r.headers.connection, "close")
      const timeout = Number(/timeout=(\d+)/.exec(r.headers["keep-alive"] ?? "")?.[1])
      assert.isAbove(timeout, 60)
    })
  )

  it.effect("ListR: liststream passes rclone's consistency check at the mountpoint, below it and for a subdir", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const root = `${unique("listr")}/${enc("sub root+")}`
      const dir2 = enc(FILE2_DIR)
      yield* rcPut(emu, `${root}/file name.txt`, Buffer.from("file1"))
      yield* rcPut(emu, `${root}/${dir2}/z.txt`, Buffer.from("file2"))
      yield* jfs(emu, "POST", filePath(emu, `${root}/empty dir`), { mkDir: "true" })
      yield* rcPut(emu, `${root}/trashed.txt`, Buffer.from("trashed"))
      yield* jfs(emu, "POST", filePath(emu, `${root}/trashed.txt`), { dl: "true" })
      const pending = Buffer.from(`pending ${root}`)
      yield* allocateRequest(emu, `${root}/pending.txt`, pending, { modified: rfc3339String(T0) })

      // Fs root = `root` (below the mountpoint); ListR(dir="")
      const prefix = `/Archive/${root}`
      const all = parseListRStream((yield* jfs(emu, "GET", filePath(emu, root), { mode: "liststream" })).text, prefix)
      const listed = all.filter((e) => e.remote !== "")
      assert.deepStrictEqual(
        listed
          .filter((e) => e.kind === "dir")
          .map((e) => e.remote)
          .sort(),
        ["empty dir", "hello？ sausage", "hello？ sausage/êé", "hello？ sausage/êé/Hello, 世界", dir2].sort()
      )
      const objects = listed.filter((e) => e.kind === "object")
      assert.deepStrictEqual(objects.map((e) => e.remote).sort(), ["file name.txt", `${dir2}/z.txt`].sort())
      const z = objects.find((e) => e.remote === `${dir2}/z.txt`)!
      assert.strictEqual(z.md5, md5(Buffer.from("file2")))
      assert.strictEqual(z.size, 5)
      assert.strictEqual(z.modTime, T0)
      assert.strictEqual(z.createTime, T0)

      // ListR(dir = first level): same prefix (the Fs root), rclone skips the entry equal to dir
      const sub = parseListRStream(
        (yield* jfs(emu, "GET", filePath(emu, `${root}/${enc("hello? sausage")}`), { mode: "liststream" })).text,
        prefix
      )
      assert.isTrue(sub.some((e) => e.remote === "hello？ sausage"))
      assert.isTrue(sub.some((e) => e.remote === `${dir2}/z.txt`))
      assert.isFalse(sub.some((e) => e.remote === "file name.txt"))

      // Fs root = mountpoint: prefix /Archive
      const mp = parseListRStream((yield* jfs(emu, "GET", filePath(emu, ""), { mode: "liststream" })).text, "/Archive")
      assert.isTrue(mp.some((e) => e.kind === "object" && e.remote === `${root}/${dir2}/z.txt`))
    })
  )

  it.effect("PublicLink: enableShare on a file and a folder, the direct link downloads, disableShare clears", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const base = unique("share")
      const data = Buffer.from("shared bytes")
      yield* rcPut(emu, `${base}/${enc("file name.txt")}`, data)
      const missing = yield* jfs(emu, "GET", filePath(emu, `${base}/file name.txt_does_not_exist`), {
        mode: "enableShare"
      })
      assert.strictEqual(decodeApiError(missing).statusCode, 404)
      const share = asFile(yield* jfs(emu, "GET", filePath(emu, `${base}/file name.txt`), { mode: "enableShare" }))
      assert.isAbove(share.publicURI.length, 0)
      assert.isAbove(share.publicSharePath.length, 0)
      // directLink = wwwURL + opin/io/downloadPublic/<user>/<publicURI>, fetched by anyone
      const dl = yield* downloadPublic(emu, share.publicURI)
      assert.strictEqual(dl.status, 200)
      assert.strictEqual(dl.text, data.toString())
      const again = asFile(yield* jfs(emu, "GET", filePath(emu, `${base}/file name.txt`), { mode: "enableShare" }))
      assert.isAbove(again.publicURI.length, 0)
      // a folder: decoded into JottaFile as well
      const folder = asFile(yield* jfs(emu, "GET", filePath(emu, base), { mode: "enableShare" }))
      assert.isAbove(folder.publicURI.length, 0)
      assert.notStrictEqual(folder.publicURI, share.publicURI)
      const un = asFile(yield* jfs(emu, "GET", filePath(emu, `${base}/file name.txt`), { mode: "disableShare" }))
      assert.strictEqual(un.publicURI, "")
      const after = yield* downloadPublic(emu, share.publicURI)
      assert.strictEqual(after.status, 404)
    })
  )

  it.effect("CleanUp: purge_trash (bare POST) answers api.TrashResponse", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const base = unique("purge")
      yield* rcPut(emu, `${base}/t.txt`, Buffer.from("trash"))
      yield* jfs(emu, "POST", filePath(emu, `${base}/t.txt`), { dl: "true" })
      const r = yield* authed(emu, "POST", "/api/files/v1/purge_trash")
      assert.strictEqual(r.status, 200, r.text)
      const counts = goJsonDecode(r.text, { folders: "int", files: "int" })
      assert.isAtLeast(Number(counts.files), 1)
      assert.strictEqual((yield* readMeta(emu, `${base}/t.txt`)).res.status, 404)
    })
  )

  it.effect("FsEncoding: every fstests name is stored and listed back unchanged (dir and file, List and ListR)", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const root = unique("encoding")
      const raws = [
        "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0A\x0B\x0C\x0D\x0E\x0F\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1A\x1B\x1C\x1D\x1E\x1F\x7F",
        ".",
        "..",
        "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~",
        " leading space",
        "~leading tilde",
        "\rleading CR",
        "\nleading LF",
        "\tleading HT",
        "\vleading VT",
        ".leading dot",
        "trailing space ",
        "trailing CR\r",
        "trailing LF\n",
        "trailing HT\t",
        "trailing VT\v",
        "trailing dot.",
        "test%46.txt"
      ]
      // rclone's encoder output for "invalid utf-8\xFE" (vectors/name-encoding.json)
      const wires = [...raws.map(jottaEncode), "invalid utf-8\u201BFE"]
      assert.strictEqual(wires[3], "!＂#$％&'()＊+,-.／：;＜=＞？@[\\]^_`{｜}~")
      for (const w of wires) {
        const dir = `${root}/${w}`
        asFolder(yield* jfs(emu, "POST", filePath(emu, dir), { mkDir: "true" }))
        yield* rcPut(emu, `${dir}/${w}`, Buffer.from(w))
        const listing = listEntries(asFolder(yield* jfs(emu, "GET", filePath(emu, dir))))
        assert.deepStrictEqual(listing, { dirs: [], objects: [w] }, JSON.stringify(w))
        const meta = yield* readMeta(emu, `${dir}/${w}`)
        assert.strictEqual(meta.file?.name, w)
      }
      const top = listEntries(asFolder(yield* jfs(emu, "GET", filePath(emu, root))))
      assert.sameMembers(top.dirs, wires)
      const streamed = parseListRStream(
        (yield* jfs(emu, "GET", filePath(emu, root), { mode: "liststream" })).text,
        `/Archive/${root}`
      )
      assert.sameMembers(
        streamed.filter((e) => e.kind === "object").map((e) => e.remote),
        wires.map((w) => `${w}/${w}`)
      )
    })
  )

  it.effect(
    "case-insensitive: NewObject with an upper-cased path finds the file; listings keep the stored spelling",
    () =>
      Effect.gen(function* () {
        const emu = yield* Emulator.Emulator
        const root = unique("case")
        const dir2 = enc(FILE2_DIR)
        const data = Buffer.from("file2 case")
        yield* rcPut(emu, `${root}/${dir2}/z.txt`, data)
        const upper = `${root}/${dir2}/z.txt`.replace(/[a-z]/g, (c) => c.toUpperCase())
        const meta = yield* readMeta(emu, upper)
        assert.strictEqual(meta.res.status, 200)
        assert.strictEqual(meta.file?.md5, md5(data))
        assert.strictEqual(meta.file?.name, "z.txt")
        // an upload to a case variant overwrites the same entry
        yield* rcPut(emu, upper, Buffer.from("new"))
        const listing = listEntries(asFolder(yield* jfs(emu, "GET", filePath(emu, `${root}/${dir2}`))))
        assert.deepStrictEqual(listing.objects, ["z.txt"])
        assert.strictEqual((yield* readMeta(emu, `${root}/${dir2}/z.txt`)).file?.md5, md5(Buffer.from("new")))
      })
  )
})

it.scoped("legacy login with SMS 2FA: first reply carries X-JottaCloud-OTP: required; SMS, then the code works", () =>
  Effect.gen(function* () {
    const emu = yield* Emulator.make({
      accounts: [{ username: "otpuser1x", email: "otp@example.org", password: "pw-otp", otp: "123456" }]
    })
    const login = (code?: string) =>
      legacyPasswordLogin(
        emu,
        {
          client_id: "nibfk8biu12ju7hpqomr8b1e40",
          client_secret: "not-checked",
          password: "pw-otp",
          username: "otp@example.org"
        },
        code !== undefined ? { "X-Jottacloud-Otp": code } : {}
      )
    const first = yield* login()
    assert.isTrue(first.status < 200 || first.status > 299)
    assert.strictEqual(first.headers["x-jottacloud-otp"], "required; SMS")
    const second = yield* login("123-456".replaceAll("-", ""))
    assert.strictEqual(second.status, 200, second.text)
    const tok = goJsonDecode(second.text, { access_token: "string", refresh_token: "string", expires_in: "int" })
    // refresh with rclone's built-in client id (Basic, secret as configured) and REFRESH_TOKEN
    const r = yield* legacyRefresh(emu, "nibfk8biu12ju7hpqomr8b1e40", "not-checked", String(tok.refresh_token))
    assert.strictEqual(r.status, 200, r.text)
    goJsonDecode(r.text, { access_token: "string", refresh_token: "string", expires_in: "int" })
  })
)
