/**
 * Shared by the listing and trash implementations: entries as JSON (rclone's lsjson item),
 * times, paths relative to the listed folder, and the files below a path.
 */
import * as Files from "@fjord/core/Files"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as RemotePath from "../RemotePath.js"

export const time = (t: Option.Option<DateTime.Utc>): Date | undefined =>
  Option.getOrUndefined(Option.map(t, DateTime.toDateUtc))

export const iso = (t: Option.Option<DateTime.Utc>): string | null =>
  Option.getOrNull(Option.map(t, (d) => DateTime.formatIso(d)))

export const relativeTo = (base: string, path: string): string =>
  base === "" ? path : path.startsWith(`${base}/`) ? path.slice(base.length + 1) : path === base ? "" : path

export const entryJson = (base: string, e: Files.Entry) =>
  e._tag === "File"
    ? {
        Path: relativeTo(base, e.path),
        Name: e.name,
        Size: e.size,
        MimeType: e.contentType ?? null,
        ModTime: iso(e.modified),
        IsDir: false,
        Hashes: { md5: e.md5 ?? null }
      }
    : { Path: relativeTo(base, e.path), Name: e.name, Size: -1, ModTime: iso(e.modified), IsDir: true }

/** The files below `path` (recursive); a file path yields that file. */
export const walkFiles = (path: string): Stream.Stream<Files.FileInfo, unknown, Files.Files> =>
  Stream.unwrap(
    Effect.map(Files.Files, (files) =>
      files.listRecursive(path).pipe(
        Stream.filterMap((e) => (e._tag === "File" ? Option.some(e) : Option.none())),
        Stream.catchTags({
          NotAFile: () => Stream.fromEffect(files.stat(path)),
          NotFound: (e) =>
            Stream.fromEffect(
              files.stat(path).pipe(
                Effect.catchTag("NotFound", () => Effect.fail(e)),
                Effect.catchTag("IsADirectory", () => Effect.fail(e))
              )
            )
        })
      )
    )
  )

/** The folder a listing's paths are relative to: the path itself, or a single file's folder. */
export const displayBase = (path: string, single: Files.FileInfo) =>
  single.path === path ? RemotePath.dirname(path) : path
