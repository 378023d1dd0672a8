/**
 * WebDAV class 2 locks (RFC 4918 §6, §7, §9.10, §9.11) and the `If` header (§10.4), kept in
 * the server's memory: Jottacloud has no locks, so they guard what goes through this server
 * only (as rclone's `serve webdav`). Write locks, exclusive or shared, depth 0 or infinity,
 * with a timeout (default and at most one hour).
 */
import * as Crypto from "node:crypto"
import type { Node } from "./xml.js"

export interface Lock {
  readonly token: string
  /** The locked path (a remote-relative path, `""` for the root). */
  root: string
  readonly exclusive: boolean
  readonly infinite: boolean
  readonly owner: ReadonlyArray<Node>
  timeoutSeconds: number
  expires: number
}

export const maxTimeoutSeconds = 3600

/** Does a lock on `root` cover `path`? */
const covers = (lock: Lock, path: string): boolean =>
  lock.root === path || (lock.infinite && (lock.root === "" || path.startsWith(`${lock.root}/`)))

export interface LockTable {
  readonly locks: Map<string, Lock>
}

export const makeTable = (): LockTable => ({ locks: new Map() })

const prune = (table: LockTable, now: number) => {
  for (const [token, lock] of table.locks) if (lock.expires <= now) table.locks.delete(token)
}

/** The live locks covering `path`. */
export const locksOn = (table: LockTable, path: string, now: number): ReadonlyArray<Lock> => {
  prune(table, now)
  return [...table.locks.values()].filter((l) => covers(l, path))
}

/** The live locks on `path` or below it (a move or delete of a folder needs all their tokens). */
export const locksAtOrBelow = (table: LockTable, path: string, now: number): ReadonlyArray<Lock> => {
  prune(table, now)
  return [...table.locks.values()].filter(
    (l) => covers(l, path) || path === "" || l.root === path || l.root.startsWith(`${path}/`)
  )
}

/** Parses `Timeout: Second-N, Infinite`: the first usable value, capped. */
export const parseTimeout = (header: string | undefined): number => {
  for (const part of (header ?? "").split(",")) {
    const t = part.trim()
    const m = /^Second-(\d+)$/i.exec(t)
    if (m !== null) return Math.max(1, Math.min(Number(m[1]), maxTimeoutSeconds))
    if (/^Infinite$/i.test(t)) return maxTimeoutSeconds
  }
  return maxTimeoutSeconds
}

/** Creates a lock, or tells which lock conflicts. */
export const acquire = (
  table: LockTable,
  options: {
    readonly path: string
    readonly exclusive: boolean
    readonly infinite: boolean
    readonly owner: ReadonlyArray<Node>
    readonly timeoutSeconds: number
  },
  now: number
): Lock | undefined => {
  const conflicting = locksAtOrBelow(table, options.path, now).filter(
    (l) =>
      (covers(l, options.path) ||
        (options.infinite && l.root.startsWith(options.path === "" ? "" : `${options.path}/`))) &&
      (l.exclusive || options.exclusive)
  )
  if (conflicting.length > 0) return undefined
  const lock: Lock = {
    token: `opaquelocktoken:${Crypto.randomUUID()}`,
    root: options.path,
    exclusive: options.exclusive,
    infinite: options.infinite,
    owner: options.owner,
    timeoutSeconds: options.timeoutSeconds,
    expires: now + options.timeoutSeconds * 1000
  }
  table.locks.set(lock.token, lock)
  return lock
}

export const refresh = (lock: Lock, timeoutSeconds: number, now: number) => {
  lock.timeoutSeconds = timeoutSeconds
  lock.expires = now + timeoutSeconds * 1000
}

export const release = (table: LockTable, token: string) => table.locks.delete(token)

/** Drops the locks on `path` and below (the resource is gone). */
export const dropBelow = (table: LockTable, path: string) => {
  for (const [token, lock] of table.locks) {
    if (path === "" || lock.root === path || lock.root.startsWith(`${path}/`)) table.locks.delete(token)
  }
}

// ---------------------------------------------------------------------------------------------
// the If header

export interface Condition {
  readonly not: boolean
  readonly kind: "token" | "etag"
  readonly value: string
}

export interface IfList {
  /** The tagged resource's URL path, or undefined for the request URL. */
  readonly resource: string | undefined
  readonly conditions: ReadonlyArray<Condition>
}

/** Parses an `If` header (§10.4); `undefined` when malformed. */
export const parseIf = (header: string): ReadonlyArray<IfList> | undefined => {
  const lists: Array<IfList> = []
  let resource: string | undefined
  let i = 0
  const s = header
  const ws = () => {
    while (i < s.length && /\s/.test(s[i] ?? "")) i++
  }
  while (true) {
    ws()
    if (i >= s.length) break
    const c = s[i]
    if (c === "<") {
      const end = s.indexOf(">", i)
      if (end < 0) return undefined
      resource = s.slice(i + 1, end)
      i = end + 1
      continue
    }
    if (c !== "(") return undefined
    i++
    const conditions: Array<Condition> = []
    while (true) {
      ws()
      if (s[i] === ")") {
        i++
        break
      }
      let not = false
      if (s.slice(i, i + 3).toLowerCase() === "not") {
        not = true
        i += 3
        ws()
      }
      const open = s[i]
      const close = open === "<" ? ">" : open === "[" ? "]" : undefined
      if (close === undefined) return undefined
      const end = s.indexOf(close, i + 1)
      if (end < 0) return undefined
      conditions.push({ not, kind: open === "<" ? "token" : "etag", value: s.slice(i + 1, end) })
      i = end + 1
    }
    if (conditions.length === 0) return undefined
    lists.push({ resource, conditions })
  }
  return lists.length === 0 ? undefined : lists
}

/** The lock tokens named (not negated) anywhere in the header. */
export const submittedTokens = (lists: ReadonlyArray<IfList>): ReadonlySet<string> =>
  new Set(lists.flatMap((l) => l.conditions.filter((c) => c.kind === "token" && !c.not).map((c) => c.value)))
