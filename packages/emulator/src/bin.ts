#!/usr/bin/env node
/**
 * Command line: `fjord-emulator [--port N] [--host H] [--data DIR] [--access-token-ttl SECONDS]
 * [--quota BYTES] [--fault SPEC]... [--account SPEC]... [--login-tokens N]` (the option set of
 * `Cli.ts`, shared with `fjord emulator`). Prints one JSON line `{"url","username","loginToken"}`
 * on stdout, then logs each request to stderr; exits on SIGINT/SIGTERM.
 *
 * @since 0.1.0
 */
import * as Command from "@effect/cli/Command"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Effect from "effect/Effect"
import * as Cli from "./Cli.js"

const run = Command.run(Cli.command, { name: "fjord-emulator", version: "0.1.0" })

NodeRuntime.runMain(run(process.argv).pipe(Effect.provide(NodeContext.layer)), { disableErrorReporting: true })
