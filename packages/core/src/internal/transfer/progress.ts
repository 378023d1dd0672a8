/**
 * Progress as data: counts planned and done, the bytes of the files in flight, the current
 * rate (over the last few seconds) and the ETA. The engine owns one tracker per run and puts
 * a snapshot on every event.
 *
 * @internal
 */

/** A file being sent. @internal */
export interface InFlight {
  readonly path: string
  readonly size: number
  readonly bytes: number
  /** This file's bytes per second over the last seconds. */
  readonly rate: number
  /** Seconds left for this file at its rate, when it can be told. */
  readonly etaSeconds: number | undefined
}

/** A snapshot. @internal */
export interface Progress {
  /** Whether the source is still being listed (the planned totals still grow). */
  readonly listing: boolean
  readonly filesPlanned: number
  readonly filesDone: number
  readonly bytesPlanned: number
  /** Bytes of finished files plus what the files in flight have sent so far. */
  readonly bytesDone: number
  readonly checks: number
  readonly errors: number
  /** Files deleted (a sync's extraneous files, a move's sources). */
  readonly deleted: number
  /** Folders removed. */
  readonly deletedDirs: number
  /** Files moved (rclone's "Renamed"). */
  readonly renamed: number
  readonly elapsedMs: number
  /** Bytes per second over the last seconds. */
  readonly rate: number
  /** Seconds left at the current rate, when it can be told. */
  readonly etaSeconds: number | undefined
  readonly inFlight: ReadonlyArray<InFlight>
  /** Files whose content hashes are being compared, oldest first (rclone's "Checking:"). */
  readonly checking: ReadonlyArray<string>
}

const WINDOW_MS = 5000

/** A rate over the last `WINDOW_MS`: (time, bytes) samples at least 250 ms apart. */
class Rate {
  private readonly samples: Array<readonly [number, number]> = []
  /** Records `done` bytes at time `t`; the bytes per second since the window's first sample. */
  at(t: number, done: number): number {
    const last = this.samples[this.samples.length - 1]
    if (last === undefined || t - last[0] >= 250) this.samples.push([t, done])
    while (this.samples.length > 2 && t - this.samples[0]![0] > WINDOW_MS) this.samples.shift()
    const first = this.samples[0]!
    const span = t - first[0]
    return span > 0 ? ((done - first[1]) * 1000) / span : 0
  }
}

const etaOf = (left: number, rate: number): number | undefined => (left <= 0 ? 0 : rate > 0 ? left / rate : undefined)

/** @internal */
export class Tracker {
  listing = true
  filesPlanned = 0
  filesDone = 0
  bytesPlanned = 0
  bytesFinished = 0
  checks = 0
  errors = 0
  deleted = 0
  deletedDirs = 0
  renamed = 0
  readonly inFlight = new Map<string, { size: number; bytes: number; rate: Rate }>()
  /** Hash comparisons under way (insertion order: oldest first). */
  readonly checking = new Set<string>()
  private readonly rate = new Rate()
  constructor(
    private readonly now: () => number,
    private readonly started: number = now()
  ) {}

  get bytesDone(): number {
    let n = this.bytesFinished
    for (const f of this.inFlight.values()) n += f.bytes
    return n
  }

  start(path: string, size: number): void {
    const rate = new Rate()
    rate.at(this.now(), 0)
    this.inFlight.set(path, { size, bytes: 0, rate })
  }
  /** A new read of the file starts (a retry or resume counts from 0 again). */
  restart(path: string): void {
    const f = this.inFlight.get(path)
    if (f !== undefined) {
      f.bytes = 0
      f.rate = new Rate()
      f.rate.at(this.now(), 0)
    }
  }
  add(path: string, n: number): void {
    const f = this.inFlight.get(path)
    if (f !== undefined) f.bytes += n
  }
  /** The file left the in-flight set; `sent` counts it as done. */
  finish(path: string, sent: boolean): void {
    const f = this.inFlight.get(path)
    this.inFlight.delete(path)
    if (sent && f !== undefined) {
      this.filesDone++
      this.bytesFinished += f.size
    }
  }

  snapshot(): Progress {
    const t = this.now()
    const done = this.bytesDone
    const rate = this.rate.at(t, done)
    return {
      listing: this.listing,
      filesPlanned: this.filesPlanned,
      filesDone: this.filesDone,
      bytesPlanned: this.bytesPlanned,
      bytesDone: done,
      checks: this.checks,
      errors: this.errors,
      deleted: this.deleted,
      deletedDirs: this.deletedDirs,
      renamed: this.renamed,
      elapsedMs: t - this.started,
      rate,
      etaSeconds: etaOf(this.bytesPlanned - done, rate),
      inFlight: Array.from(this.inFlight, ([path, f]) => {
        const r = f.rate.at(t, f.bytes)
        return { path, size: f.size, bytes: f.bytes, rate: r, etaSeconds: etaOf(f.size - f.bytes, r) }
      }),
      // as rclone, a file being sent is shown once, under Transferring
      checking: Array.from(this.checking).filter((path) => !this.inFlight.has(path))
    }
  }
}
