/**
 * The CLI's log, as rclone's: NOTICE by default, `-v` INFO, `-vv` DEBUG, `-q` ERROR,
 * `--log-level` any of them; lines `2006/01/02 15:04:05 LEVEL : message` on stderr, or
 * appended to `--log-file`. The SDK logs through Effect's logger (token refreshes at DEBUG),
 * so the CLI sets Effect's minimum log level and its logger. Request retries are logged
 * (INFO) by the retry policy the CLI installs, which also makes an endpoint that refuses
 * connections fail at once instead of after a round of retries. Messages carry no secret:
 * errors and the SDK's log lines never hold a token, and annotations are not written.
 */
import * as NodeFs from "node:fs"
import * as RetryPolicy from "@fjord/core/RetryPolicy"
import * as Effect from "effect/Effect"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as GlobalArgs from "./globalArgs.js"
import { clean, describe } from "./help.js"

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

const stamp = (d: Date): string => {
  const p = (n: number) => String(n).padStart(2, "0")
  return `${d.getFullYear()}/${p(d.getMonth() + 1)}/${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`
}

/** Writes one log line where the flags say. */
export const sink =
  (g: GlobalArgs.Globals) =>
  (level: LogLevel.LogLevel, message: string): void => {
    const line = `${stamp(new Date())} ${label(level).padEnd(6)}: ${clean(message)}\n`
    if (Option.isSome(g.logFile)) NodeFs.appendFileSync(g.logFile.value, line)
    else process.stderr.write(line)
  }

const logger = (g: GlobalArgs.Globals) => {
  const write = sink(g)
  return Logger.make(({ logLevel, message }) => {
    const parts = Array.isArray(message) ? message : [message]
    write(logLevel, parts.map((m) => (typeof m === "string" ? m : describe(m))).join(" "))
  })
}

/** Never retried by the CLI: nothing listens there, and waiting will not change that. */
const unreachable = (e: { readonly _tag: string; readonly reason?: unknown }) =>
  e._tag === "TransportError" && (e.reason === "ConnectionRefused" || e.reason === "HostNotFound")

/** The SDK's default retry policy, logging each retry, failing at once on an unreachable endpoint. */
export const retryPolicy: RetryPolicy.Policy = {
  ...RetryPolicy.defaultPolicy,
  isTransient: (e) => !unreachable(e) && RetryPolicy.defaultPolicy.isTransient(e),
  schedule: RetryPolicy.defaultPolicy.schedule.pipe(
    Schedule.tapInput((e) => Effect.logInfo(`${describe(e)}: retrying`))
  )
}

/** Runs `effect` with the log level, logger and retry policy of the flags. */
export const configure =
  (g: GlobalArgs.Globals) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    effect.pipe(
      RetryPolicy.withPolicy(retryPolicy),
      Logger.withMinimumLogLevel(effectLevel(g)),
      Effect.provide(Logger.replace(Logger.defaultLogger, logger(g)))
    )

/** The failure's full detail, logged at DEBUG (-vv): the server's own text, the cause. */
export const detail = (g: GlobalArgs.Globals, error: unknown): Effect.Effect<void> =>
  Effect.sync(() => {
    if (!LogLevel.lessThanEqual(effectLevel(g), LogLevel.Debug)) return
    const e = error as { readonly message?: unknown; readonly description?: unknown; readonly reason?: unknown }
    const more = [e.description, e.reason].filter((x) => typeof x === "string" && x !== "").join(" ")
    sink(g)(
      LogLevel.Debug,
      `${typeof e.message === "string" ? e.message : String(error)}${more === "" ? "" : ` — ${more}`}`
    )
  })
