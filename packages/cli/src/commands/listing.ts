/**
 * The listing commands, in rclone's formats: `ls`, `lsl`, `md5sum` (files, recursive), `lsd`
 * (folders, with dates), `lsf`, `lsjson`, `size`, `tree`, `lsr`. The implementations are in
 * `internal/listing.ts`, loaded when a command runs.
 *
 * @since 0.1.0
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { lazy, optionalRemoteArg } from "../internal/common.js"

const impl = () => import("../internal/listing.js")

const path = optionalRemoteArg("path")

const recursive = Options.boolean("recursive").pipe(
  Options.withAlias("R"),
  Options.withDescription("List everything below the path, not only its entries")
)

const filesCommand = (name: "ls" | "lsl" | "md5sum", description: string) =>
  Command.make(
    name,
    { path },
    lazy(impl, (m) => m.listFiles(name))
  ).pipe(Command.withDescription(description))

const treeCommand = (name: "tree" | "lsr", description: string) =>
  Command.make(
    name,
    { path },
    lazy(impl, (m) => m.tree(name))
  ).pipe(Command.withDescription(description))

/**
 * @since 0.1.0
 * @category commands
 */
export const commands = [
  filesCommand("ls", "List the files below a path (recursive): size and path"),
  filesCommand("lsl", "List the files below a path (recursive): size, modification time and path"),
  Command.make(
    "lsd",
    { path },
    lazy(impl, (m) => m.lsd)
  ).pipe(Command.withDescription("List the folders in a path: -1, modification time, -1, name (rclone's lsd)")),
  Command.make(
    "lsf",
    { recursive, path },
    lazy(impl, (m) => m.lsf)
  ).pipe(Command.withDescription("List names in a path, folders with a trailing /")),
  Command.make(
    "lsjson",
    {
      recursive,
      hash: Options.boolean("hash").pipe(Options.withDescription("Include the MD5 hash of each file (Hashes.md5)")),
      filesOnly: Options.boolean("files-only").pipe(Options.withDescription("Show only files")),
      dirsOnly: Options.boolean("dirs-only").pipe(Options.withDescription("Show only folders")),
      noModtime: Options.boolean("no-modtime").pipe(Options.withDescription("Leave out the modification time")),
      path
    },
    lazy(impl, (m) => m.lsjson)
  ).pipe(Command.withDescription("List the entries in a path as JSON, in rclone lsjson's shape")),
  Command.make(
    "size",
    { path },
    lazy(impl, (m) => m.size)
  ).pipe(Command.withDescription("The number of files below a path and their total size")),
  treeCommand("lsr", "List every path below a path, folders with a trailing /"),
  treeCommand("tree", "Show the tree below a path (one liststream request)"),
  filesCommand("md5sum", "MD5 of every file below a path, in md5sum's format")
] as const
