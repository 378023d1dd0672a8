/**
 * The trash and revision commands: `trash` (what is trashed, `-R` below every folder),
 * `restore`, `cleanup`, `revisions`. Implementations in `internal/trash.ts`, loaded when a
 * command runs.
 *
 * @since 0.1.0
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { lazy, optionalRemoteArg, remoteArg, remoteOnlyArg } from "../internal/common.js"

const impl = () => import("../internal/trash.js")

/**
 * @since 0.1.0
 * @category commands
 */
export const commands = [
  Command.make(
    "trash",
    {
      recursive: Options.boolean("recursive").pipe(
        Options.withAlias("R"),
        Options.withDescription("Also what is trashed in every folder below the path")
      ),
      path: optionalRemoteArg("path")
    },
    lazy(impl, (m) => m.trash)
  ).pipe(Command.withDescription("List what is in the trash in a path: size, deletion time, path")),
  Command.make(
    "restore",
    { path: remoteArg("path") },
    lazy(impl, (m) => m.restore)
  ).pipe(Command.withDescription("Restore a trashed file to its original path")),
  Command.make(
    "cleanup",
    { remote: remoteOnlyArg },
    lazy(impl, (m) => m.cleanup)
  ).pipe(Command.withDescription("Empty the trash")),
  Command.make(
    "revisions",
    {
      restore: Options.integer("restore").pipe(
        Options.withDescription("Make this older revision current again (as a new revision)"),
        Options.optional
      ),
      path: remoteArg("path")
    },
    lazy(impl, (m) => m.revisions)
  ).pipe(Command.withDescription("List the revisions of a file, current first"))
] as const
