/**
 * The command-line form of an extra account: `username=NAME,password=PW[,email=ADDR]
 * [,otp=CODE][,name=DISPLAY][,quota=BYTES]` (an `otp` makes the legacy login ask for that SMS
 * code: two-factor authentication).
 */
import type { AccountSeed } from "./state.js"

const KEYS = new Set(["username", "password", "email", "otp", "name", "quota"])

export const parseAccountSpec = (spec: string): AccountSeed => {
  const fields = new Map<string, string>()
  for (const part of spec.split(",")) {
    const eq = part.indexOf("=")
    const k = eq < 0 ? part : part.slice(0, eq)
    if (eq < 0 || !KEYS.has(k)) {
      throw new Error(`account "${spec}": expected KEY=VALUE with KEY one of ${[...KEYS].join(", ")}`)
    }
    fields.set(k, part.slice(eq + 1))
  }
  const username = fields.get("username")
  const password = fields.get("password")
  if (username === undefined || username === "" || password === undefined || password === "") {
    throw new Error(`account "${spec}": username and password are required`)
  }
  const quota = fields.get("quota")
  if (quota !== undefined && !/^-?\d+$/.test(quota)) throw new Error(`account "${spec}": quota is not an integer`)
  return {
    username,
    password,
    email: fields.get("email") ?? `${username}@example.org`,
    otp: fields.get("otp"),
    name: fields.get("name"),
    quotaBytes: quota === undefined ? undefined : Number(quota)
  }
}
