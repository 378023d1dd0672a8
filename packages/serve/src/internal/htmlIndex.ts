/**
 * The HTML listing of a folder (the HTTP server's index, and WebDAV's answer to GET on a
 * folder): name, size and modification date of each member, folders first; names escaped
 * with `html-escaper`, links percent-encoded per segment.
 */
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as DateTime from "effect/DateTime"
import * as Option from "effect/Option"
import { escape } from "html-escaper"
import * as Paths from "./paths.js"
import type { Resource } from "./remote.js"

const units = ["B", "KiB", "MiB", "GiB", "TiB"]

/** `1.5 MiB`, as rclone's index shows sizes. */
export const formatSize = (n: number): string => {
  let value = n
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return unit === 0 ? `${n} B` : `${value.toFixed(1)} ${units[unit]}`
}

const formatDate = (r: Resource): string =>
  Option.match(r.modified, {
    onNone: () => "",
    onSome: (d) =>
      DateTime.formatIso(d)
        .replace("T", " ")
        .replace(/\.\d+Z$|Z$/, "")
  })

export const render = (prefix: string, rel: string, members: ReadonlyArray<Resource>): string => {
  const title = `/${rel}`
  const sorted = [...members].sort((a, b) => (a.folder === b.folder ? a.name.localeCompare(b.name) : a.folder ? -1 : 1))
  const rows = sorted.map((m) => {
    const link = escape(Paths.href(prefix, m.rel, m.folder))
    const name = escape(m.name + (m.folder ? "/" : ""))
    const size = m.folder ? "-" : formatSize(m.size)
    return `<tr><td><a href="${link}">${name}</a></td><td class="size">${size}</td><td>${formatDate(m)}</td></tr>`
  })
  const up =
    rel === ""
      ? ""
      : `<tr><td><a href="${escape(Paths.href(prefix, Paths.parent(rel), true))}">../</a></td><td></td><td></td></tr>`
  return `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Index of ${escape(title)}</title>
<style>body{font-family:sans-serif}td{padding:0 1em}.size{text-align:right}</style></head>
<body><h1>Index of ${escape(title)}</h1>
<table><thead><tr><th>Name</th><th>Size</th><th>Modified</th></tr></thead><tbody>
${up}${rows.join("\n")}
</tbody></table></body></html>
`
}

export const response = (prefix: string, rel: string, members: ReadonlyArray<Resource>) =>
  HttpServerResponse.text(render(prefix, rel, members), { contentType: "text/html; charset=utf-8" })
