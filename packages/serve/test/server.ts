// Starting a server over the test kit's emulator SDK, and plain fetch against it.

import type * as HttpApp from "@effect/platform/HttpApp"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as BasicAuth from "@fjord/serve/BasicAuth"
import * as HttpIndex from "@fjord/serve/HttpIndex"
import * as NodeServe from "@fjord/serve/NodeServe"
import * as WebDav from "@fjord/serve/WebDav"
import * as TestKit from "@fjord/testkit/TestKit"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"

export const Env = Layer.mergeAll(TestKit.layer(), NodeContext.layer)

export const user = "anna"
export const pass = "s3cret-pass"
export const authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}`

const listen = (app: HttpApp.Default, auth: boolean) =>
  Effect.map(
    NodeServe.serve(auth ? BasicAuth.middleware(BasicAuth.single(user, Redacted.make(pass)))(app) : app, {
      addr: "127.0.0.1:0"
    }),
    (l) => l.url
  )

/** A WebDAV server on a free loopback port; returns its base URL. */
export const webdav = (options: WebDav.Options & { readonly auth?: boolean } = {}) =>
  Effect.flatMap(WebDav.make({ dirCacheTime: 0, ...options }), (app) => listen(app, options.auth ?? false))

/** An HTTP index server on a free loopback port. */
export const httpIndex = (options: HttpIndex.Options = {}) =>
  Effect.flatMap(HttpIndex.make({ dirCacheTime: 0, ...options }), (app) => listen(app, false))

export const request = (url: string, init: RequestInit = {}) =>
  Effect.promise(async () => {
    const res = await fetch(url, init)
    const body = new Uint8Array(await res.arrayBuffer())
    return { status: res.status, headers: res.headers, body, text: new TextDecoder().decode(body) }
  })
