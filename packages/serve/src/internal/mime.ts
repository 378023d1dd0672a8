/**
 * A file's content type: what Jottacloud recorded, else guessed from the name with
 * `mime-types` (the mime-db table Express and the emulator use), else octet-stream.
 */
import * as MimeTypes from "mime-types"
import type { Resource } from "./remote.js"

export const of = (r: Resource): string =>
  r.contentType !== undefined && r.contentType !== ""
    ? r.contentType
    : MimeTypes.lookup(r.name) || "application/octet-stream"
