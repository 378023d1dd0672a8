/**
 * Where the CLI writes: lines for humans or JSON on stdout, bytes for `cat`, and error lines
 * on stderr. A service so tests can capture the output of an in-process run.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** Writes one line (a newline is added) to stdout. */
  readonly line: (text: string) => Effect.Effect<void>
  /** Writes raw bytes to stdout. */
  readonly bytes: (chunk: Uint8Array) => Effect.Effect<void>
  /** Writes one line to stderr. */
  readonly error: (text: string) => Effect.Effect<void>
  /**
   * Writes one log line to stderr at once. Effect's loggers are synchronous functions, so the
   * CLI's logger (`-v`, `--log-level`) writes through this rather than through `error`.
   */
  readonly log: (text: string) => void
}

/**
 * @since 0.1.0
 * @category tags
 */
export class Output extends Context.Tag("@fjord/cli/Output")<Output, Service>() {}

const writeTo = (stream: NodeJS.WriteStream, data: string | Uint8Array): Effect.Effect<void> =>
  Effect.async<void>((resume) => {
    if (stream.write(data)) resume(Effect.void)
    else stream.once("drain", () => resume(Effect.void))
  })

/** Lines are gathered up to this many characters before one write (see `layerProcess`). */
const LINE_BATCH = 64 * 1024

/**
 * The process's stdout and stderr (honouring back-pressure). When the reader of stdout goes
 * away (`fjord cat … | head`), the process ends quietly with status 0, like other Unix tools,
 * instead of crashing on `EPIPE`.
 *
 * Lines written one after another go out in one write (stdout to a file or a pipe is written
 * synchronously, a system call each: a 100,000-line listing made as many): a line joins a
 * batch that is written when the writing fiber yields (a microtask) or when it reaches 64 KiB;
 * raw bytes and stderr lines first write what is batched, so the order is kept.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerProcess: Layer.Layer<Output> = Layer.effect(
  Output,
  Effect.sync(() => {
    for (const stream of [process.stdout, process.stderr]) {
      stream.on("error", (error: NodeJS.ErrnoException) => {
        if (error.code === "EPIPE") process.exit(0)
        throw error
      })
    }
    let batch = ""
    const take = () => {
      const data = batch
      batch = ""
      return data
    }
    const flush = () => {
      if (batch !== "") process.stdout.write(take())
    }
    return Output.of({
      line: (text) =>
        Effect.suspend(() => {
          if (batch === "") queueMicrotask(flush)
          batch += `${text}\n`
          return batch.length >= LINE_BATCH ? writeTo(process.stdout, take()) : Effect.void
        }),
      bytes: (chunk) =>
        Effect.suspend(() => {
          flush()
          return writeTo(process.stdout, chunk)
        }),
      error: (text) =>
        Effect.suspend(() => {
          flush()
          return writeTo(process.stderr, `${text}\n`)
        }),
      log: (text) => {
        flush()
        process.stderr.write(`${text}\n`)
      }
    })
  })
)

/**
 * What a memory output captured.
 *
 * @since 0.1.0
 * @category models
 */
export interface Captured {
  /** stdout as text (lines and bytes, in order). */
  readonly stdout: () => string
  readonly stderr: () => string
  readonly clear: () => void
}

/**
 * An output kept in memory, for tests.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeMemory = (): { readonly service: Service; readonly captured: Captured } => {
  let out: Array<Uint8Array> = []
  let err: Array<string> = []
  const enc = new TextEncoder()
  const dec = new TextDecoder()
  return {
    service: Output.of({
      line: (text) => Effect.sync(() => void out.push(enc.encode(`${text}\n`))),
      bytes: (chunk) => Effect.sync(() => void out.push(chunk.slice())),
      error: (text) => Effect.sync(() => void err.push(`${text}\n`)),
      log: (text) => void err.push(`${text}\n`)
    }),
    captured: {
      stdout: () => {
        const size = out.reduce((n, c) => n + c.length, 0)
        const all = new Uint8Array(size)
        let o = 0
        for (const c of out) {
          all.set(c, o)
          o += c.length
        }
        return dec.decode(all)
      },
      stderr: () => err.join(""),
      clear: () => {
        out = []
        err = []
      }
    }
  }
}
