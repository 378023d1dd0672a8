/**
 * Global flags anywhere on the line. `@effect/cli` reads a command's options only after the
 * command's name, so `fjord --config F ls remote:` would fail with "Invalid subcommand"; the
 * global flags written before the first command word are moved to the end of the line, where
 * every command that declares them reads them (rclone accepts them anywhere).
 */

/** The global flags that take a value (`--flag VALUE` or `--flag=VALUE`). */
const withValue: ReadonlySet<string> = new Set(["--config", "--config-dir", "--endpoint", "--device", "--mountpoint"])

/** The global flags without a value. */
const switches: ReadonlySet<string> = new Set(["--hard-delete", "--json"])

/**
 * The arguments with the global flags before the command moved behind the rest. When
 * anything else comes before the command (`--help`, `--version`, an unknown flag), the line
 * is left as it is, so its meaning is unchanged.
 */
export const hoist = (args: ReadonlyArray<string>): ReadonlyArray<string> => {
  const moved: Array<string> = []
  let i = 0
  while (i < args.length) {
    const arg = args[i] ?? ""
    const name = arg.includes("=") ? arg.slice(0, arg.indexOf("=")) : arg
    if (withValue.has(name)) {
      if (name !== arg) {
        moved.push(arg)
        i += 1
      } else {
        if (i + 1 >= args.length) break
        moved.push(arg, args[i + 1] ?? "")
        i += 2
      }
    } else if (switches.has(arg)) {
      moved.push(arg)
      i += 1
    } else {
      break
    }
  }
  const next = args[i]
  return moved.length === 0 || next === undefined || next.startsWith("-") ? args : [...args.slice(i), ...moved]
}
