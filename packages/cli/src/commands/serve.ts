/**
 * `fjord serve webdav REMOTE:path` and `fjord serve http REMOTE:path` (rclone's `serve`):
 * the remote folder over WebDAV (read-write) or as a browsable read-only HTTP index, with
 * rclone's flags `--addr` (default 127.0.0.1:8080), `--user`/`--pass` or `--htpasswd FILE`
 * (bcrypt entries), `--read-only`, `--dir-cache-time` and `-v` (an access log line per
 * request on stderr). Runs until interrupted.
 *
 * The server code (`@fjord/serve`) is loaded by the command itself, so the other commands
 * start without it.
 *
 * @since 0.1.0
 */
import { Args, Command, Options } from "@effect/cli"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Sdk from "../internal/sdk.js"
import { Output } from "../Output.js"
import * as RemotePath from "../RemotePath.js"
import { type GlobalOptions, parseDuration } from "./transfer.js"

const serveOptions = {
  addr: Options.text("addr").pipe(
    Options.withDescription("IP:port or :port to listen on (default 127.0.0.1:8080; port 0 picks a free one)"),
    Options.withDefault("127.0.0.1:8080")
  ),
  user: Options.text("user").pipe(Options.withDescription("User name for authentication"), Options.optional),
  pass: Options.redacted("pass").pipe(Options.withDescription("Password for authentication"), Options.optional),
  htpasswd: Options.text("htpasswd").pipe(
    Options.withDescription("An htpasswd file of bcrypt entries (htpasswd -B) for authentication"),
    Options.optional
  ),
  readOnly: Options.boolean("read-only").pipe(Options.withDescription("Refuse every write (403)")),
  dirCacheTime: Options.text("dir-cache-time").pipe(
    Options.withDescription("How long listings are cached, e.g. 30s, 5m (default 5m)"),
    Options.withDefault("5m")
  ),
  verbose: Options.boolean("verbose").pipe(
    Options.withAlias("v"),
    Options.withDescription("Print an access log line per request on stderr")
  )
}

type Kind = "webdav" | "http"

const descriptions: Record<Kind, string> = {
  webdav: "Serve a remote folder over WebDAV (class 1 and 2) on --addr",
  http: "Serve a remote folder as a read-only, browsable HTTP index with Range downloads on --addr"
}

const serveCommand = (kind: Kind, globals: GlobalOptions) =>
  Command.make(
    kind,
    {
      ...globals,
      ...serveOptions,
      path: Args.text({ name: "remote:path" }).pipe(
        Args.withDescription("The folder to serve (default jotta:, the whole mountpoint)"),
        Args.withDefault("jotta:")
      )
    },
    (a) => {
      const loc = RemotePath.parse(a.path)
      const remote = loc._tag === "Remote" ? loc.remote : RemotePath.remoteName
      const root = loc._tag === "Remote" ? loc.path : RemotePath.normalize(loc.path)
      return Effect.gen(function* () {
        const dirCacheMillis = parseDuration(a.dirCacheTime)
        if (dirCacheMillis === undefined) {
          return yield* new Sdk.UsageError({ description: `--dir-cache-time: not a duration: ${a.dirCacheTime}` })
        }
        if (Option.isSome(a.user) !== Option.isSome(a.pass)) {
          return yield* new Sdk.UsageError({ description: "--user and --pass go together" })
        }
        if (Option.isSome(a.user) && Option.isSome(a.htpasswd)) {
          return yield* new Sdk.UsageError({ description: "give --user/--pass or --htpasswd, not both" })
        }
        // loaded on demand: the other commands start faster without the server code
        const [WebDav, HttpIndex, BasicAuth, NodeServe] = yield* Effect.promise(() =>
          Promise.all([
            import("@fjord/serve/WebDav"),
            import("@fjord/serve/HttpIndex"),
            import("@fjord/serve/BasicAuth"),
            import("@fjord/serve/NodeServe")
          ])
        )
        const options = { root, dirCacheTime: dirCacheMillis }
        const app =
          kind === "webdav" ? yield* WebDav.make({ ...options, readOnly: a.readOnly }) : yield* HttpIndex.make(options)
        const check = Option.isSome(a.htpasswd)
          ? Option.some(yield* BasicAuth.htpasswdFile(a.htpasswd.value))
          : Option.isSome(a.user) && Option.isSome(a.pass)
            ? Option.some(BasicAuth.single(a.user.value, a.pass.value))
            : Option.none()
        const output = yield* Output
        const listening = yield* NodeServe.serve(Option.isSome(check) ? BasicAuth.middleware(check.value)(app) : app, {
          addr: a.addr,
          ...(a.verbose
            ? {
                accessLog: (e: { method: string; url: string; status: number; millis: number }) =>
                  output.error(`${e.method} ${e.url} ${e.status} ${e.millis}ms`)
              }
            : {})
        })
        const auth = Option.isSome(check) ? "" : " (no authentication)"
        yield* output.error(
          `fjord serve ${kind}: ${remote}:${root} on ${listening.url}/${auth}${a.readOnly && kind === "webdav" ? ", read-only" : ""}   (Ctrl-C stops it)`
        )
        return yield* Effect.never
      }).pipe(Effect.scoped, Sdk.withSdk(a, remote))
    }
  ).pipe(Command.withDescription(descriptions[kind]))

/**
 * `fjord serve` with its subcommands `webdav` and `http`.
 *
 * @since 0.1.0
 * @category commands
 */
export const command = (globals: GlobalOptions) =>
  Command.make("serve").pipe(
    Command.withDescription("Serve a remote folder over WebDAV or HTTP"),
    Command.withSubcommands([serveCommand("webdav", globals), serveCommand("http", globals)])
  )
