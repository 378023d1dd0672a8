import * as Crypto from "node:crypto"
import type * as Emulator from "@fjord/emulator/Emulator"
import * as Effect from "effect/Effect"

export interface Res {
  readonly status: number
  readonly headers: Headers
  readonly text: string
  readonly bytes: Uint8Array
  readonly json: () => Record<string, unknown>
}

export interface CallInit {
  readonly headers?: Record<string, string>
  readonly body?: string | Uint8Array
  /** false: no Authorization header; string: this bearer token. Default: the handle's token. */
  readonly auth?: boolean | string
}

/** A raw HTTP request against the emulator; fails when the connection breaks. */
export const call = (
  emu: Emulator.Handle,
  method: string,
  path: string,
  init: CallInit = {}
): Effect.Effect<Res, Error> =>
  Effect.tryPromise({
    try: async () => {
      const headers: Record<string, string> = { ...init.headers }
      if (init.auth !== false)
        headers.authorization = `Bearer ${typeof init.auth === "string" ? init.auth : emu.accessToken}`
      const r = await fetch(`${emu.url}${path}`, {
        method,
        headers,
        ...(init.body !== undefined ? { body: init.body } : {})
      })
      const bytes = new Uint8Array(await r.arrayBuffer())
      const text = Buffer.from(bytes).toString("utf8")
      return {
        status: r.status,
        headers: r.headers,
        text,
        bytes,
        json: () => JSON.parse(text) as Record<string, unknown>
      }
    },
    catch: (e) => (e instanceof Error ? e : new Error(String(e)))
  })

/** Like `call` but a broken connection is a defect. */
export const req = (emu: Emulator.Handle, method: string, path: string, init: CallInit = {}) =>
  Effect.orDie(call(emu, method, path, init))

/** Escapes each segment like rclone (Go path escaping, then `+` → `%2B`). */
export const esc = (p: string): string =>
  p
    .split("/")
    .map((s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`))
    .join("/")

/** JFS URL path of a location below Jotta/Archive (raw names, escaped here). */
export const arch = (emu: Emulator.Handle, rel = ""): string =>
  `/jfs/${emu.username}/Jotta/Archive${rel === "" ? "" : `/${esc(rel)}`}`

/** Absolute destination form for cp/mv/mvDir, form-encoded. */
export const dest = (emu: Emulator.Handle, rel: string): string =>
  new URLSearchParams({ x: `/${emu.username}/Jotta/Archive/${rel}` }).toString().slice(2)

export const md5 = (data: string | Uint8Array): string => Crypto.createHash("md5").update(data).digest("hex")

/** Text of the first `<tag>` element (or undefined). */
export const tag = (xml: string, name: string): string | undefined =>
  new RegExp(`<${name}(?:\\s[^>]*)?>([^<]*)</${name}>`).exec(xml)?.[1]

/** Value of an attribute on the root element. */
export const rootAttr = (xml: string, attr: string): string | undefined => {
  const root = /<\?xml[^>]*\?>\s*<([^>]+)>/.exec(xml)?.[1] ?? ""
  return new RegExp(`\\s${attr}="([^"]*)"`).exec(root)?.[1]
}

export const rootName = (xml: string): string | undefined => /<\?xml[^>]*\?>\s*<([\w-]+)/.exec(xml)?.[1]

export interface Allocation {
  readonly name: string
  readonly path: string
  readonly state: string
  readonly upload_id: string
  readonly upload_url: string
  readonly bytes: number
  readonly resume_pos: number
}

export const allocate = (
  emu: Emulator.Handle,
  body: { bytes: number; md5: string; path: string; created?: string; modified?: string },
  token?: string
) =>
  Effect.map(
    req(emu, "POST", "/api/files/v1/allocate", {
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        created: "2024-03-01T12:00:00+01:00",
        modified: "2024-03-01T12:00:00+01:00",
        ...body
      }),
      ...(token !== undefined ? { auth: token } : {})
    }),
    (r) => ({ res: r, alloc: (r.status === 200 ? r.json() : {}) as unknown as Allocation })
  )

/** POSTs bytes to an upload URL (absolute). */
export const postUpload = (
  emu: Emulator.Handle,
  uploadUrl: string,
  body: Uint8Array,
  headers: Record<string, string> = {}
) =>
  req(emu, "POST", uploadUrl.slice(emu.url.length), {
    headers: { "content-type": "application/octet-stream", ...headers },
    body
  })

/** Allocate + upload; path is the raw path below Jotta/Archive. */
export const put = (
  emu: Emulator.Handle,
  rel: string,
  content: string | Uint8Array,
  times: { created?: string; modified?: string } = {}
) =>
  Effect.gen(function* () {
    const data = typeof content === "string" ? Buffer.from(content) : content
    const { res, alloc } = yield* allocate(emu, {
      bytes: data.byteLength,
      md5: md5(data),
      path: `/jfs/Jotta/Archive/${rel}`,
      ...times
    })
    if (res.status !== 200) return yield* Effect.dieMessage(`allocate ${rel}: ${res.status} ${res.text}`)
    if (alloc.state === "COMPLETED") return alloc
    const up = yield* postUpload(emu, alloc.upload_url, data.subarray(alloc.resume_pos))
    if (up.status !== 200) return yield* Effect.dieMessage(`upload ${rel}: ${up.status} ${up.text}`)
    return alloc
  })

/** A unique folder name per test, so tests sharing one emulator do not collide. */
let counter = 0
export const unique = (prefix: string): string => `${prefix}-${Date.now().toString(36)}-${counter++}`

/**
 * rclone's liststream consistency check (§4.9): returns the parsed entries and whether the
 * stats element agrees with the counted folders and files.
 */
export const checkListStream = (xml: string, prefix: string) => {
  const trim = (p: string) => p.replace(prefix, "").replace(/^\//, "")
  const unique = new Set<string>()
  let folders = 0
  let files = 0
  const entries: Array<{ kind: "folder" | "file"; path: string; name?: string }> = []
  let expected: { folders: number; files: number } | undefined
  const re =
    /<folder><path>([^<]*)<\/path><\/folder>|<file><path>([^<]*)<\/path><filename>([^<]*)<\/filename>.*?<\/file>|<stats><folders>(\d+)<\/folders><files>(\d+)<\/files><\/stats>/g
  for (const m of xml.matchAll(re)) {
    if (m[1] !== undefined) {
      const p = trim(m[1])
      unique.add(p)
      folders++
      entries.push({ kind: "folder", path: p })
    } else if (m[2] !== undefined) {
      const p = trim(m[2])
      if (!unique.has(p)) {
        unique.add(p)
        folders++
      }
      files++
      entries.push({ kind: "file", path: p, name: m[3]! })
    } else {
      expected = { folders: Number(m[4]), files: Number(m[5]) }
    }
  }
  return {
    entries,
    actual: { folders, files },
    expected,
    ok: expected !== undefined && expected.folders === folders && expected.files === files
  }
}
