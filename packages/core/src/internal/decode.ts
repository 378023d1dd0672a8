/**
 * The decode boundary: reply text → Schema-decoded value, for XML (JFS documents and error
 * documents, §4.0, §7.1) and JSON (the `api` endpoints: customer §3.1, allocate §5.3,
 * purge_trash §4.11, errors §7.2). A document that fails its
 * schema, or is not well-formed, is `InvalidResponse` carrying the formatted issue and naming
 * the caller's operation (read from the context `Op.fn` sets) and path.
 *
 * XML goes through `Xml.XmlFromString` with unknown elements ignored. A hot document may
 * give a `fast` decoder from the `Xml.parse` tree (see `jfsFast.ts` for the figures): it
 * builds what the schema builds or returns `undefined`, and then the schema decides (and
 * reports the issue).
 *
 * Compiling a decoder is expensive: one is built per schema and reused.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as JottaError from "../JottaError.js"
import * as Xml from "../Xml.js"
import * as Op from "./operation.js"

/** Where a document came from (for the error); the operation defaults to the current one. */
export interface Where {
  readonly operation?: string | undefined
  readonly path?: string | undefined
  readonly status?: number | undefined
}

/** Decodes reply text; failures are `InvalidResponse`. */
export type Decoder<A> = (text: string, where?: Where) => Effect.Effect<A, JottaError.InvalidResponse>

type Compiled = (input: unknown) => Either.Either<unknown, ParseResult.ParseError>

const jsonDecoders = new WeakMap<object, Compiled>()
const xmlDecoders = new WeakMap<object, Compiled>()
const fastXmlDecoders = new WeakMap<object, Compiled>()

const cached = (cache: WeakMap<object, Compiled>, schema: object, build: () => Compiled): Compiled => {
  let decoder = cache.get(schema)
  if (decoder === undefined) {
    decoder = build()
    cache.set(schema, decoder)
  }
  return decoder
}

/**
 * The issue of a failed decode in a line: where and what, for the first few leaves of Schema's
 * issue tree (the whole tree, which begins with the schema's type, stays in the cause).
 */
const describe = (e: ParseResult.ParseError): string => {
  const issues = ParseResult.ArrayFormatter.formatErrorSync(e)
  const shown = issues
    .slice(0, 3)
    .map((i) => (i.path.length === 0 ? i.message : `${i.path.map(String).join(".")}: ${i.message}`))
  return `${shown.join("; ")}${issues.length > 3 ? ` (and ${issues.length - 3} more)` : ""}`
}

const run =
  <A>(compiled: Compiled): Decoder<A> =>
  (text, where) =>
    Either.match(compiled(text), {
      onRight: (a) => Effect.succeed(a as A),
      onLeft: (e) =>
        Effect.flatMap(Op.at(where?.path), (current) => {
          const operation = where?.operation ?? current.operation
          return Effect.fail(
            new JottaError.InvalidResponse({
              ...current,
              operation,
              ...(where?.status === undefined ? {} : { status: where.status }),
              issue: describe(e),
              cause: e
            })
          )
        })
    })

/**
 * Options of {@link xml}.
 */
export interface XmlOptions<A> {
  /** Which elements are always arrays (default: `Xml.defaultIsArray`). */
  readonly isArray?: Xml.IsArray | undefined
  /**
   * A hand-written decoder from the `Xml.parse` tree for a hot document: it builds what the
   * schema builds, or returns `undefined` and the schema decides (and reports).
   */
  readonly fast?: ((tree: Xml.XmlElement) => A | undefined) | undefined
}

/** The one XML decoder: `schema` over `Xml.XmlFromString` (the fast path an option). */
export const xml = <A, I>(schema: Schema.Schema<A, I>, options?: XmlOptions<A>): Decoder<A> => {
  const fast = options?.fast
  const isArray = options?.isArray
  const build = (): Compiled => {
    const source = isArray === undefined ? Xml.XmlFromString : Xml.makeXmlFromString({ isArray })
    const d = Schema.decodeUnknownEither(Schema.compose(source, schema, { strict: false }))
    const full: Compiled = (input) => d(input, { onExcessProperty: "ignore" })
    if (fast === undefined) return full
    // The common, valid document: one parse, then the hand-written decoder; anything it does
    // not accept goes through the Schema decoder (which reports the issue).
    return (input) => {
      if (typeof input === "string") {
        let tree: Xml.XmlElement | undefined
        try {
          tree = Xml.parse(input, isArray === undefined ? undefined : { isArray })
        } catch {
          return full(input)
        }
        const a = fast(tree)
        if (a !== undefined) return Either.right(a)
      }
      return full(input)
    }
  }
  // A custom IsArray is a different decoder for the same schema: not cached. A fast decoder
  // belongs to one schema: the compiled pair is cached by it.
  if (isArray !== undefined) return run(build())
  return run(fast === undefined ? cached(xmlDecoders, schema, build) : cached(fastXmlDecoders, fast, build))
}

/** The JSON decoder beside it: `schema` over `Schema.parseJson`. */
export const json = <A, I>(schema: Schema.Schema<A, I>): Decoder<A> =>
  run(cached(jsonDecoders, schema, () => Schema.decodeUnknownEither(Schema.parseJson(schema)) as Compiled))

/** A reply's body read whole (bounded by the client) and decoded, its status in the error. */
export const body = <A>(
  decoder: Decoder<A>,
  res: { readonly status: number; readonly text: Effect.Effect<string, JottaError.JottaError> },
  path?: string | undefined
): Effect.Effect<A, JottaError.JottaError> =>
  Effect.flatMap(res.text, (text) => decoder(text, { path, status: res.status }))
