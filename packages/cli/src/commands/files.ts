/**
 * The file commands: `mkdir`, `cat` (with rclone's `--head`, `--tail`, `--offset`, `--count`),
 * `delete` (`rm`, `deletefile`), `rmdir`, `purge`, `rmdirs`, `touch`, `rcat`, `link`.
 * Implementations in `internal/files.ts`, loaded when a command runs.
 *
 * @since 0.1.0
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { lazy, remoteArg } from "../internal/common.js"

const impl = () => import("../internal/files.js")

const path = remoteArg("path")

/** rclone's `deletefile`; `rm` is its alias here (one file, as `rm` without `-r`). */
const deleteFile = (name: "deletefile" | "rm") =>
  Command.make(
    name,
    { path },
    lazy(impl, (m) => m.remove)
  ).pipe(Command.withDescription("Delete a file (to the trash; for good with --jottacloud-hard-delete)"))

const bytes = (name: string, description: string) =>
  Options.integer(name).pipe(Options.withDescription(description), Options.optional)

/**
 * @since 0.1.0
 * @category commands
 */
export const commands = [
  Command.make(
    "mkdir",
    { path },
    lazy(impl, (m) => m.mkdir)
  ).pipe(Command.withDescription("Create a folder (and its parents)")),
  Command.make(
    "cat",
    {
      revision: Options.integer("revision").pipe(
        Options.withDescription("Write this older revision of the file instead (see fjord revisions)"),
        Options.optional
      ),
      head: bytes("head", "Only the first N bytes"),
      tail: bytes("tail", "Only the last N bytes"),
      offset: Options.integer("offset").pipe(
        Options.withDescription("Start at this byte; a negative one counts from the end"),
        Options.withDefault(0)
      ),
      count: Options.integer("count").pipe(
        Options.withDescription("Write at most N bytes (-1: to the end)"),
        Options.withDefault(-1)
      ),
      path
    },
    lazy(impl, (m) => m.cat)
  ).pipe(
    Command.withDescription(
      "Write a file's content to stdout; fails (exit 1) when the bytes do not match the file's size and MD5"
    )
  ),
  deleteFile("deletefile"),
  deleteFile("rm"),
  Command.make(
    "rmdir",
    { path },
    lazy(impl, (m) => m.rmdir)
  ).pipe(Command.withDescription("Remove an empty folder")),
  Command.make(
    "purge",
    { path },
    lazy(impl, (m) => m.purge)
  ).pipe(Command.withDescription("Remove a folder and all its contents")),
  Command.make(
    "rmdirs",
    {
      leaveRoot: Options.boolean("leave-root").pipe(Options.withDescription("Keep the path itself even when empty")),
      path
    },
    lazy(impl, (m) => m.rmdirs)
  ).pipe(Command.withDescription("Remove the empty folders below a path (and the path, when empty)")),
  Command.make(
    "touch",
    {
      noCreate: Options.boolean("no-create").pipe(
        Options.withAlias("C"),
        Options.withDescription("Do not create the file when it does not exist")
      ),
      timestamp: Options.text("timestamp").pipe(
        Options.withAlias("t"),
        Options.withDescription("Set this time instead of now (RFC 3339, e.g. 2006-01-02T15:04:05Z)"),
        Options.optional
      ),
      path
    },
    lazy(impl, (m) => m.touch)
  ).pipe(Command.withDescription("Set a file's modification time to now, creating an empty file if needed")),
  Command.make(
    "rcat",
    { path },
    lazy(impl, (m) => m.rcat)
  ).pipe(
    Command.withDescription(
      "Store standard input as a file (spooled to a temporary file beyond --jottacloud-md5-memory-limit)"
    )
  ),
  Command.make(
    "link",
    {
      remove: Options.boolean("remove").pipe(Options.withDescription("Stop sharing instead")),
      path
    },
    lazy(impl, (m) => m.link)
  ).pipe(Command.withDescription("Share a file or folder and print its public link (--remove to stop)"))
] as const
