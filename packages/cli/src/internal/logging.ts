/**
 * The CLI's log, as rclone's: NOTICE by default, `-v` INFO, `-vv` DEBUG, `-q` ERROR,
 * `--log-level` any of them; lines `2006/01/02 15:04:05 LEVEL : message` on stderr, or
 * appended to `--log-file`. The SDK logs through Effect's logger (token refreshes at DEBUG),
 * so the CLI sets Effect's minimum log level and its logger, which writes to `--log-file` or
 * else through the `Output` service. Request retries are logged (INFO) by the one retry policy
 * the CLI installs (`--low-level-retries N` sets its attempts), which also makes an endpoint
 * that refuses connections fail at once instead of after a round of retries. Messages carry no secret:
 * errors and the SDK's log lines never hold a token, and annotations are not written.
 */
import * as NodeFs from "node:fs"
import * as RetryPolicy from "@fjord/core/RetryPolicy"
import * as Effect from "effect/Effect"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as Output from "../Output.js"
import * as GlobalArgs from "./globalArgs.js"
import { clean, describe } from "./help.js"
import * as Progress from "./progress.js"

const effectLevel = (g: GlobalArgs.Globals): LogLevel.LogLevel => {
  switch (GlobalArgs.logLevel(g)) {
    case "ALL":
      return LogLevel.All
    case "DEBUG":
      return LogLevel.Debug
    case "INFO":
      return LogLevel.Info
    case "NOTICE":
    case "WARNING":
      return LogLevel.Warning
    case "ERROR":
      return LogLevel.Error
    case "NONE":
      return LogLevel.None
  }
}

const label = (level: LogLevel.LogLevel): string =>
  level._tag === "Warning" ? "NOTICE" : level._tag === "Fatal" ? "ERROR" : level.label

/** A log line as rclone writes it: `2006/01/02 15:04:05 INFO  : message` (local time). */
export const format = (level: LogLevel.LogLevel, message: string, at: Date = new Date()): string =>
  Progress.logLine(label(level), clean(message), at)

/**
 * Writes one formatted line where the flags say: appended to `--log-file`, else through the
 * `Output` service (stderr; captured by in-process tests). Synchronous, for Effect's logger.
 */
export const emit =
  (g: GlobalArgs.Globals, output: Output.Service) =>
  (line: string): void => {
    if (Option.isSome(g.logFile)) NodeFs.appendFileSync(g.logFile.value, `${line}\n`)
    else output.log(line)
  }

/** Writes one log line at `level` where the flags say (see {@link emit}). */
export const sink = (g: GlobalArgs.Globals, output: Output.Service) => {
  const put = emit(g, output)
  return (level: LogLevel.LogLevel, message: string): void => put(format(level, message))
}

/** Logs one line at `level` where the flags say, if the flags' level lets it through. */
export const write = (
  level: LogLevel.LogLevel,
  message: string
): Effect.Effect<void, never, GlobalArgs.GlobalFlags | Output.Output> =>
  Effect.flatMap(GlobalArgs.GlobalFlags, (g) =>
    LogLevel.greaterThanEqual(level, effectLevel(g))
      ? Effect.flatMap(Output.Output, (o) => Effect.sync(() => sink(g, o)(level, message)))
      : Effect.void
  )

const logger = (g: GlobalArgs.Globals, output: Output.Service) => {
  const put = sink(g, output)
  return Logger.make(({ logLevel, message }) => {
    const parts = Array.isArray(message) ? message : [message]
    put(logLevel, parts.map((m) => (typeof m === "string" ? m : describe(m))).join(" "))
  })
}

/** Never retried by the CLI: nothing listens there, and waiting will not change that. */
const unreachable = (e: { readonly _tag: string; readonly reason?: unknown }) =>
  e._tag === "TransportError" && (e.reason === "ConnectionRefused" || e.reason === "HostNotFound")

/**
 * The CLI's one retry policy: the SDK's default (or `--low-level-retries N` attempts, same
 * backoff), a log line (INFO) for each retry it makes, and an unreachable endpoint failing
 * at once.
 */
export const retryPolicy = (attempts: Option.Option<number>): RetryPolicy.Policy => {
  const base = Option.match(attempts, {
    onNone: () => RetryPolicy.defaultPolicy,
    onSome: (n) => RetryPolicy.make({ maxAttempts: n })
  })
  return {
    ...base,
    isTransient: (e) => !unreachable(e) && base.isTransient(e),
    // the error is passed through so that only a retry that will happen is logged
    schedule: Schedule.passthrough(base.schedule).pipe(
      Schedule.onDecision((e, decision) =>
        decision._tag === "Continue" ? Effect.logInfo(`${describe(e)}: retrying`) : Effect.void
      )
    )
  }
}

/** Runs `effect` with the log level, logger and retry policy of the flags. */
export const configure =
  (g: GlobalArgs.Globals) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R | Output.Output> =>
    Effect.flatMap(Output.Output, (output) =>
      effect.pipe(
        RetryPolicy.withPolicy(retryPolicy(g.lowLevelRetries)),
        Logger.withMinimumLogLevel(effectLevel(g)),
        Effect.provide(Logger.replace(Logger.defaultLogger, logger(g, output)))
      )
    )

/** The failure's full detail, logged at DEBUG (-vv): the server's own text, the cause. */
export const detail = (error: unknown): Effect.Effect<void, never, GlobalArgs.GlobalFlags | Output.Output> => {
  const e = error as { readonly message?: unknown; readonly description?: unknown; readonly reason?: unknown }
  const more = [e.description, e.reason].filter((x) => typeof x === "string" && x !== "").join(" ")
  return write(
    LogLevel.Debug,
    `${typeof e.message === "string" ? e.message : String(error)}${more === "" ? "" : ` — ${more}`}`
  )
}
