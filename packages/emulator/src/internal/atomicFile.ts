/**
 * Atomic replacement of a small file: the new content goes to a temporary file beside it, is
 * fsynced, renamed over the target, and the directory is fsynced, so after a crash (`kill -9`,
 * power loss) the target holds either the old content or the new, never a mix.
 */
import * as Fs from "node:fs"
import * as Path from "node:path"

export const writeAtomic = (file: string, data: string | Uint8Array): void => {
  const tmp = `${file}.tmp`
  const fd = Fs.openSync(tmp, "w")
  try {
    Fs.writeFileSync(fd, data)
    Fs.fsyncSync(fd)
  } finally {
    Fs.closeSync(fd)
  }
  Fs.renameSync(tmp, file)
  syncDir(Path.dirname(file))
}

/** Makes a rename in `dir` durable (a no-op where directories cannot be opened, e.g. Windows). */
const syncDir = (dir: string): void => {
  let fd: number | undefined
  try {
    fd = Fs.openSync(dir, "r")
    Fs.fsyncSync(fd)
  } catch {
    // not supported on this platform
  } finally {
    if (fd !== undefined) Fs.closeSync(fd)
  }
}
