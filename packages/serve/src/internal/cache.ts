/**
 * The directory cache of `--dir-cache-time` (rclone's flag): listings and file metadata are
 * kept this long, so a client that lists a folder and then asks for each file (as WebDAV
 * clients do) costs one request. Every write through the server forgets what it changed
 * (the path, its parent and, for a folder, everything below it); changes made elsewhere show
 * after at most the cache time. A cache time of 0 caches nothing.
 */
export interface DirCache<A> {
  readonly ttlMillis: number
  readonly entries: Map<string, { readonly value: A; readonly expires: number }>
}

export const make = <A>(ttlMillis: number): DirCache<A> => ({ ttlMillis, entries: new Map() })

/** The cached value (wrapped: a cached `undefined` is a hit). */
export const get = <A>(cache: DirCache<A>, key: string, now: number): { readonly value: A } | undefined => {
  const hit = cache.entries.get(key)
  if (hit === undefined) return undefined
  if (hit.expires <= now) {
    cache.entries.delete(key)
    return undefined
  }
  return hit
}

export const put = <A>(cache: DirCache<A>, key: string, value: A, now: number) => {
  if (cache.ttlMillis <= 0) return
  cache.entries.set(key, { value, expires: now + cache.ttlMillis })
}

/** Forgets `path`, its parent and everything below `path` (keys are paths). */
export const invalidate = <A>(cache: DirCache<A>, path: string) => {
  const parent = path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : ""
  for (const p of [...cache.entries.keys()]) {
    if (path === "" || p === path || p === parent || p.startsWith(`${path}/`)) cache.entries.delete(p)
  }
}
