// The CLI on a real terminal for the tests: `fjord args…` (sources, through tsx) in a tmux pane
// of a tmux server on a socket of the test's own, in its temporary folder (never another tmux
// server), killed with the scope; the pane read with capture-pane, keys sent with send-keys.
import * as ChildProcess from "node:child_process"
import * as NodeUrl from "node:url"
import * as Effect from "effect/Effect"

/** The repository's root. */
export const root = NodeUrl.fileURLToPath(new URL("../../../", import.meta.url))

const quote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`

/** Runs tmux on `socket`. */
const tmux = (socket: string, ...args: ReadonlyArray<string>) =>
  Effect.async<string>((resume) => {
    ChildProcess.execFile("tmux", ["-S", socket, ...args], (error, stdout, stderr) =>
      resume(error === null ? Effect.succeed(stdout) : Effect.dieMessage(`tmux ${args[0]}: ${stderr}`))
    )
  })

/**
 * `fjord args…` in a 120×30 pane on the tmux socket `socket`; when it ends the pane shows
 * `EXIT=<code>` (and stays). The server is killed when the scope closes.
 */
export const open = (socket: string, args: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const command = [
      `cd ${quote(root)} &&`,
      `${quote(process.execPath)} --import tsx --conditions=@fjord/source packages/cli/src/bin.ts`,
      `${args.map(quote).join(" ")};`,
      "echo EXIT=$?; sleep 120"
    ].join(" ")
    yield* Effect.acquireRelease(tmux(socket, "new-session", "-d", "-s", "p", "-x", "120", "-y", "30", command), () =>
      Effect.ignore(tmux(socket, "kill-server"))
    )
    /** What the pane shows now. */
    const screen = tmux(socket, "capture-pane", "-p", "-t", "p")
    /** Everything the pane has shown, its scrollback included, wrapped lines joined. */
    const history = tmux(socket, "capture-pane", "-p", "-J", "-S", "-", "-t", "p")
    /** Reads with `read` until `ok` holds (every 100 ms, at most `ms`); the last reading. */
    const until = (read: Effect.Effect<string>, ok: (s: string) => boolean, ms: number) =>
      Effect.gen(function* () {
        const deadline = Date.now() + ms
        for (;;) {
          const s = yield* read
          if (ok(s) || Date.now() > deadline) return s
          yield* Effect.sleep("100 millis")
        }
      })
    /** Types `text` literally, then Enter. */
    const type = (text: string) =>
      Effect.zipRight(tmux(socket, "send-keys", "-t", "p", "-l", text), tmux(socket, "send-keys", "-t", "p", "Enter"))
    return { screen, history, until, type }
  })
