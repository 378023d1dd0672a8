/** rclone's `ls` size column. */
export const padSize = (n: number, width = 9): string => String(n).padStart(width, " ")

/** `2006-01-02 15:04:05.000000000` like rclone's lsl (UTC). */
export const lslTime = (date: Date | undefined): string => {
  if (date === undefined) return "                             "
  const iso = date.toISOString() // 2006-01-02T15:04:05.000Z
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}.${iso.slice(20, 23)}000000`
}

/** `2006-01-02 15:04:05` like rclone's lsd. */
export const lsdTime = (date: Date | undefined): string => {
  if (date === undefined) return "                   "
  const iso = date.toISOString()
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`
}

/** A human size: 1.5 KiB, 3 MiB… */
export const human = (n: number): string => {
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"]
  let v = n
  let u = 0
  while (Math.abs(v) >= 1024 && u < units.length - 1) {
    v /= 1024
    u++
  }
  return u === 0 ? `${v} B` : `${v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0)} ${units[u]}`
}
