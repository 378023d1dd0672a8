/**
 * Dead properties (RFC 4918 §4.2, §9.2): properties a client sets with PROPPATCH that the
 * server only stores. Jottacloud has no place for them, so they live in the server's memory
 * for its lifetime, keyed by path; they follow MOVE and COPY and go with DELETE. The one
 * live property PROPPATCH can change is the modification time (`getlastmodified`, or
 * Windows' `Win32LastModifiedTime`), written to Jottacloud.
 */
import type { Node } from "./xml.js"

export interface DeadProp {
  readonly ns: string
  readonly local: string
  readonly value: ReadonlyArray<Node>
}

export type DeadProps = Map<string, Map<string, DeadProp>>

export const make = (): DeadProps => new Map()

export const key = (ns: string, local: string) => `{${ns}}${local}`

export const get = (store: DeadProps, path: string): ReadonlyArray<DeadProp> => [...(store.get(path)?.values() ?? [])]

export const set = (store: DeadProps, path: string, prop: DeadProp) => {
  let props = store.get(path)
  if (props === undefined) {
    props = new Map()
    store.set(path, props)
  }
  props.set(key(prop.ns, prop.local), prop)
}

export const remove = (store: DeadProps, path: string, ns: string, local: string) => {
  store.get(path)?.delete(key(ns, local))
}

const below = (path: string, p: string) => path === "" || p === path || p.startsWith(`${path}/`)

/** Forgets the properties of `path` and everything below it. */
export const drop = (store: DeadProps, path: string) => {
  for (const p of [...store.keys()]) if (below(path, p)) store.delete(p)
}

/** Copies (or moves) the properties of `from` and below to `to`. */
export const copy = (store: DeadProps, from: string, to: string, move: boolean) => {
  drop(store, to)
  for (const [p, props] of [...store.entries()]) {
    if (!below(from, p)) continue
    const target = to + p.slice(from.length)
    store.set(target, new Map(props))
    if (move) store.delete(p)
  }
}
