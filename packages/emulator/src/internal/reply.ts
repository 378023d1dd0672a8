/**
 * Replies as plain data (status, headers, body) and the JFS (XML, §7.1) and API (JSON, §7.2)
 * error bodies. Internal handlers throw `Failure` to answer with an error.
 */
import type { Readable } from "node:stream"
import { escapeText } from "./xml.js"

export interface Reply {
  readonly status: number
  readonly headers: Record<string, string>
  readonly body: string | Uint8Array | Readable | undefined
}

export const HOST = "dn-emu"
export const XML_TYPE = "application/xml; charset=UTF-8"
export const JSON_TYPE = "application/json; charset=UTF-8"

const REASONS: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  416: "Requested Range Not Satisfiable",
  420: "Incomplete Upload",
  429: "Too Many Requests",
  460: "Quota Exceeded",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
  509: "Bandwidth Limit Exceeded"
}

export const reason = (status: number): string => REASONS[status] ?? "Error"

const xId = (): string => String(100_000_000_000 + Math.floor(Math.random() * 899_999_999_999))

export const xml = (body: string, status = 200): Reply => ({ status, headers: { "content-type": XML_TYPE }, body })
export const json = (body: unknown, status = 200): Reply => ({
  status,
  headers: { "content-type": JSON_TYPE },
  body: JSON.stringify(body)
})

export const jfsErrorReply = (status: number, message: string, cause = ""): Reply =>
  xml(
    `<?xml version="1.0" encoding="UTF-8"?>\n<error>\n  <code>${status}</code>\n  <message>${escapeText(message)}</message>\n` +
      `  <reason>${reason(status)}</reason>\n  <cause>${escapeText(cause)}</cause>\n  <hostname>${HOST}</hostname>\n` +
      `  <x-id>${xId()}</x-id>\n</error>\n`,
    status
  )

export const apiErrorReply = (status: number, errorId: string, message: string): Reply =>
  json({ code: status, message, cause: "", error_id: errorId, "x-id": xId() }, status)

export class Failure extends Error {
  constructor(readonly reply: Reply) {
    super(`emulator failure ${reply.status}`)
  }
}

export const jfsFail = (status: number, message: string): Failure => new Failure(jfsErrorReply(status, message))
export const apiFail = (status: number, errorId: string, message: string): Failure =>
  new Failure(apiErrorReply(status, errorId, message))

export const TOKEN_MISMATCH =
  "org.springframework.security.authentication.AuthenticationCredentialsNotFoundException: Token mismatch!"
export const NO_SUCH_PATH = "no.jotta.backup.errors.NoSuchPathException"
export const NO_SUCH_FILE = "no.jotta.backup.errors.NoSuchFileException"
export const INVALID_ARGUMENT = "no.jotta.backup.errors.InvalidArgumentException"
export const UNIQUE_FILE = "no.jotta.backup.errors.UniqueFileException"
export const MISSING_COMMAND = "POST Request is missing multipart content or don't dont have any command parameters"
