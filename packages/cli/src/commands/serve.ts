/**
 * `fjord serve webdav REMOTE:path` and `fjord serve http REMOTE:path` (rclone's `serve`):
 * the remote folder over WebDAV (read-write) or as a browsable read-only HTTP index, with
 * rclone's flags `--addr` (default 127.0.0.1:8080), `--user`/`--pass` or `--htpasswd FILE`
 * (bcrypt entries), `--read-only` and `--dir-cache-time`; the global `-v` logs each request.
 * Runs until interrupted. The implementation (`internal/serve.ts`, and the server code of
 * `@fjord/serve` it loads) is loaded when the command runs.
 *
 * @since 0.1.0
 */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { lazy } from "../internal/common.js"

const impl = () => import("../internal/serve.js")

const options = {
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
  path: Args.text({ name: "remote:path" }).pipe(
    Args.withDescription("The folder to serve (default jotta:, the whole mountpoint)"),
    Args.withDefault("jotta:")
  )
}

/**
 * `fjord serve` with its subcommands `webdav` and `http`.
 *
 * @since 0.1.0
 * @category commands
 */
export const command = Command.make("serve").pipe(
  Command.withDescription("Serve a remote folder over WebDAV or HTTP"),
  Command.withSubcommands([
    Command.make(
      "webdav",
      options,
      lazy(impl, (m) => m.serve("webdav"))
    ).pipe(Command.withDescription("Serve a remote folder over WebDAV (class 1 and 2) on --addr")),
    Command.make(
      "http",
      options,
      lazy(impl, (m) => m.serve("http"))
    ).pipe(
      Command.withDescription(
        "Serve a remote folder as a read-only, browsable HTTP index with Range downloads on --addr"
      )
    )
  ])
)
