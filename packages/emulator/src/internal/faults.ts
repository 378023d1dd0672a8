/**
 * Fault injection: fault descriptions, the `--fault SPEC` syntax, operation names of requests,
 * and per-request selection of the faults that fire.
 */

/** Which requests a fault applies to. Every given field must match. */
export interface FaultMatch {
  /** HTTP method, e.g. "POST". */
  readonly method?: string | undefined
  /** Glob on the raw request path (no query); `*` matches any run of characters. */
  readonly path?: string | undefined
  /** Operation name (see `operationOf`), or a group: "jfs", "api", "identity". */
  readonly op?: string | undefined
  /** How many matching requests fire the fault (default 1; Infinity = every one). */
  readonly times?: number | undefined
  /** Let this many matching requests through first (default 0). */
  readonly after?: number | undefined
  /** Fire on each matching request with this probability (default 1); a miss consumes nothing. */
  readonly probability?: number | undefined
}

export type Fault =
  | (FaultMatch & { readonly _tag: "Status"; readonly status: number; readonly retryAfter?: number | undefined })
  | (FaultMatch & { readonly _tag: "Delay"; readonly millis: number })
  | (FaultMatch & { readonly _tag: "CutRequest"; readonly afterBytes: number })
  | (FaultMatch & { readonly _tag: "CutResponse"; readonly afterBytes: number })
  | (FaultMatch & { readonly _tag: "Truncate"; readonly bytes: number })
  | (FaultMatch & { readonly _tag: "Corrupt" })
  | (FaultMatch & { readonly _tag: "LostReply" })
  | (FaultMatch & { readonly _tag: "ExpireTokens" })

const JFS_COMMANDS = ["mkDir", "dl", "rm", "dlDir", "rmDir", "cp", "mv", "mvDir", "cphash"] as const

/** Names the operation of a request (used by fault matching and the request log). */
export const operationOf = (method: string, path: string, query: URLSearchParams): string => {
  if (path === "/jfs" || path.startsWith("/jfs/")) {
    if (method === "POST") {
      for (const c of JFS_COMMANDS) if (query.has(c)) return c
      if (query.has("type")) return "createDevice"
      return "post"
    }
    const mode = query.get("mode")
    if (mode === "bin") return "download"
    if (mode === "liststream" || mode === "enableShare" || mode === "disableShare") return mode
    return "get"
  }
  if (path === "/api/account/v1/customer") return "customer"
  if (path === "/api/files/v1/allocate") return "allocate"
  if (path === "/api/files/v1/purge_trash") return "purgeTrash"
  if (path.startsWith("/upload/")) return "upload"
  if (path.startsWith("/www/opin/io/downloadPublic/")) return "publicDownload"
  if (path === "/api/auth/v1/token" || path.endsWith("/protocol/openid-connect/token")) return "token"
  if (path === "/api/auth/v1/register") return "register"
  if (path.endsWith("/protocol/openid-connect/auth")) return "authorize"
  if (path.endsWith("/.well-known/openid-configuration")) return "discovery"
  return "other"
}

export const groupOf = (path: string): string =>
  path.startsWith("/jfs")
    ? "jfs"
    : path.startsWith("/id/") || path.startsWith("/api/auth/")
      ? "identity"
      : path.startsWith("/api/") || path.startsWith("/upload/")
        ? "api"
        : "www"

const globToRegExp = (glob: string): RegExp =>
  new RegExp(`^${glob.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`)

export const matches = (f: FaultMatch, method: string, path: string, op: string): boolean =>
  (f.method === undefined || f.method.toUpperCase() === method.toUpperCase()) &&
  (f.path === undefined || globToRegExp(f.path).test(path)) &&
  (f.op === undefined || f.op === op || f.op === groupOf(path))

interface Armed {
  readonly fault: Fault
  remaining: number
  skip: number
}

/** The faults currently armed. */
export class FaultTable {
  private armed: Array<Armed> = []

  add(fault: Fault): void {
    this.armed.push({ fault, remaining: fault.times ?? 1, skip: fault.after ?? 0 })
  }

  clear(): void {
    this.armed = []
  }

  /** Faults that fire for this request (each consumes one of its `times`). */
  take(method: string, path: string, op: string): Array<Fault> {
    const out: Array<Fault> = []
    for (const a of this.armed) {
      if (a.remaining <= 0 || !matches(a.fault, method, path, op)) continue
      if (a.skip > 0) {
        a.skip--
        continue
      }
      if (a.fault.probability !== undefined && Math.random() >= a.fault.probability) continue
      a.remaining--
      out.push(a.fault)
    }
    this.armed = this.armed.filter((a) => a.remaining > 0)
    return out
  }
}

const KINDS: Record<string, Fault["_tag"]> = {
  status: "Status",
  delay: "Delay",
  "cut-request": "CutRequest",
  "cut-response": "CutResponse",
  truncate: "Truncate",
  corrupt: "Corrupt",
  "lost-reply": "LostReply",
  "expire-tokens": "ExpireTokens"
}

/**
 * Parses a CLI fault spec: `KIND[:ARG][,KEY=VALUE]...`, e.g. `status:503,op=download,times=2`,
 * `status:429,retry-after=2`, `cut-response:100,op=download`, `delay:500,path=/jfs/*`,
 * `lost-reply,op=mv`, `expire-tokens,op=customer,after=1`. Keys: op, method, path, times
 * (a number or `inf`), after, retry-after, probability (0…1, e.g. `status:503,times=inf,probability=0.2`).
 */
export const parseSpec = (spec: string): Fault => {
  const [head = "", ...pairs] = spec.split(",")
  const [kindName = "", arg] = head.split(":")
  const tag = KINDS[kindName.trim()]
  if (tag === undefined) throw new Error(`unknown fault kind '${kindName}' in '${spec}'`)
  const m: { -readonly [K in keyof FaultMatch]: FaultMatch[K] } & { retryAfter?: number } = {}
  const num = (v: string, what: string): number => {
    if (v === "inf" || v === "always") return Number.POSITIVE_INFINITY
    const n = Number(v)
    if (!Number.isFinite(n) || n < 0) throw new Error(`invalid ${what} '${v}' in '${spec}'`)
    return n
  }
  for (const p of pairs) {
    const i = p.indexOf("=")
    if (i < 0) throw new Error(`expected key=value, got '${p}' in '${spec}'`)
    const k = p.slice(0, i).trim()
    const v = p.slice(i + 1).trim()
    switch (k) {
      case "op":
        m.op = v
        break
      case "method":
        m.method = v.toUpperCase()
        break
      case "path":
        m.path = v
        break
      case "times":
        m.times = num(v, "times")
        break
      case "after":
        m.after = num(v, "after")
        break
      case "retry-after":
        m.retryAfter = num(v, "retry-after")
        break
      case "probability": {
        const n = num(v, "probability")
        if (n > 1) throw new Error(`invalid probability '${v}' in '${spec}'`)
        m.probability = n
        break
      }
      default:
        throw new Error(`unknown key '${k}' in '${spec}'`)
    }
  }
  const needArg = (what: string): number => {
    if (arg === undefined) throw new Error(`${kindName} needs :${what} in '${spec}'`)
    return num(arg, what)
  }
  switch (tag) {
    case "Status": {
      const status = needArg("status")
      return { _tag: tag, ...m, status, ...(status === 429 && m.retryAfter === undefined ? { retryAfter: 1 } : {}) }
    }
    case "Delay":
      return { _tag: tag, ...m, millis: needArg("millis") }
    case "CutRequest":
    case "CutResponse":
      return { _tag: tag, ...m, afterBytes: needArg("bytes") }
    case "Truncate":
      return { _tag: tag, ...m, bytes: needArg("bytes") }
    default:
      return { _tag: tag, ...m }
  }
}
