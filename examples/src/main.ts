/**
 * Entry point of `npm start`.
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Effect from "effect/Effect"
import * as Demo from "./Demo.js"

Demo.run.pipe(Effect.scoped, Effect.provide(NodeContext.layer), NodeRuntime.runMain)
