/**
 * JSON decoding that keeps Schema's issue without the secrets a reply carries.
 *
 * Token, discovery and registration replies hold access tokens, refresh tokens and client
 * secrets, and a `ParseError` (like `JSON.parse`'s message) quotes the input. So the issue
 * kept in an `AuthError` lists where and how decoding failed (the path of each failing
 * element and the kind of issue: `Missing`, `Type`, `Refinement`, …), never a value.
 *
 * @internal
 */
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"

/** Where and how decoding failed, without any value from the input. */
export class DecodeIssue extends Error {
  constructor(readonly issue: string) {
    super(issue)
    this.name = "DecodeIssue"
  }
}

const describe = (error: ParseResult.ParseError): string => {
  const issues = ParseResult.ArrayFormatter.formatErrorSync(error)
  const parts = issues.map((i) => `${i.path.length === 0 ? "(root)" : i.path.map(String).join(".")}: ${i._tag}`)
  return parts.length === 0 ? "not valid" : [...new Set(parts)].slice(0, 10).join("; ")
}

/** A decoder of JSON text into `A`, failing with a {@link DecodeIssue}. */
export const json = <A, I>(schema: Schema.Schema<A, I>): ((text: string) => Either.Either<A, DecodeIssue>) => {
  const decode = Schema.decodeUnknownEither(Schema.parseJson(schema))
  return (text) =>
    Either.mapLeft(
      decode(text),
      (e) =>
        // parseJson fails with a Transformation issue at the root when the text is not JSON
        new DecodeIssue(describe(e) === "(root): Transformation" ? "not JSON" : describe(e))
    )
}
