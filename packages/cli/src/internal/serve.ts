/**
 * `fjord serve webdav|http` (`commands/serve.ts` declares it): resolves the remote through the
 * SDK layer of the global flags, loads `@fjord/serve`, and serves until interrupted; at `-v`
 * (the global flag) every request is logged on stderr.
 */

import type { AccessEntry } from "@fjord/serve/NodeServe"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import { Output } from "../Output.js"
import { remoteOf, remotePath } from "./common.js"
import { GlobalFlags } from "./globalArgs.js"
import * as Sdk from "./sdk.js"
import { parseDuration } from "./transfer.js"

export interface Args {
  readonly addr: string
  readonly user: Option.Option<string>
  readonly pass: Option.Option<Redacted.Redacted<string>>
  readonly htpasswd: Option.Option<string>
  readonly readOnly: boolean
  readonly dirCacheTime: string
  readonly path: string
}

export const serve = (kind: "webdav" | "http") => (a: Args) => {
  const remote = remoteOf(a.path)
  const root = remotePath(a.path)
  return Effect.gen(function* () {
    const g = yield* GlobalFlags
    const dirCacheMillis = parseDuration(a.dirCacheTime)
    if (dirCacheMillis === undefined) {
      return yield* new Sdk.UsageError({ description: `--dir-cache-time: not a duration: ${a.dirCacheTime}` })
    }
    if (Option.isSome(a.user) !== Option.isSome(a.pass)) {
      return yield* new Sdk.UsageError({ description: "--user and --pass go together" })
    }
    if (Option.isSome(a.user) && Option.isSome(a.htpasswd)) {
      return yield* new Sdk.UsageError({ description: "give --user/--pass or --htpasswd, not both" })
    }
    const [WebDav, HttpIndex, BasicAuth, NodeServe] = yield* Effect.promise(() =>
      Promise.all([
        import("@fjord/serve/WebDav"),
        import("@fjord/serve/HttpIndex"),
        import("@fjord/serve/BasicAuth"),
        import("@fjord/serve/NodeServe")
      ])
    )
    const options = { root, dirCacheTime: dirCacheMillis }
    const app =
      kind === "webdav" ? yield* WebDav.make({ ...options, readOnly: a.readOnly }) : yield* HttpIndex.make(options)
    const check = Option.isSome(a.htpasswd)
      ? Option.some(yield* BasicAuth.htpasswdFile(a.htpasswd.value))
      : Option.isSome(a.user) && Option.isSome(a.pass)
        ? Option.some(BasicAuth.single(a.user.value, a.pass.value))
        : Option.none()
    const output = yield* Output
    const listening = yield* NodeServe.serve(Option.isSome(check) ? BasicAuth.middleware(check.value)(app) : app, {
      addr: a.addr,
      ...(g.verbose >= 1
        ? { accessLog: (e: AccessEntry) => output.error(`${e.method} ${e.url} ${e.status} ${e.millis}ms`) }
        : {})
    })
    const auth = Option.isSome(check) ? "" : " (no authentication)"
    const readOnly = a.readOnly && kind === "webdav" ? ", read-only" : ""
    yield* output.error(
      `fjord serve ${kind}: ${remote}:${root} on ${listening.url}/${auth}${readOnly}   (Ctrl-C stops it)`
    )
    return yield* Effect.never
  }).pipe(Effect.scoped, Sdk.withSdk(remote))
}
