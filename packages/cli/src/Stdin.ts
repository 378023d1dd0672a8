/**
 * What the CLI reads as its standard input (`fjord rcat`): the process's stdin by default; a
 * test provides its own bytes.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Stream from "effect/Stream"

/**
 * The bytes of standard input, read once.
 *
 * @since 0.1.0
 * @category tags
 */
export class Stdin extends Context.Reference<Stdin>()("@fjord/cli/Stdin", {
  defaultValue: (): Stream.Stream<Uint8Array, Error> =>
    Stream.fromAsyncIterable(process.stdin as AsyncIterable<Uint8Array>, (e) =>
      e instanceof Error ? e : new Error(String(e))
    )
}) {}
