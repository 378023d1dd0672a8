/**
 * The configured HTTP client every operation goes through.
 *
 * Built once in {@link make} from an `HttpClient`, the `JottaAuth` service and the
 * `JottaConfig`: each request gets a bearer token from `JottaAuth.accessToken` when it is sent
 * (so a retry carries a fresh token); a 401 invalidates that token and the request is sent once
 * more with a new one; transient failures are retried under the `RetryPolicy` read at request
 * time; failed statuses are mapped to the typed errors of `JottaError` (the XML error document
 * or JSON error body supplies the service's message and reason). The account's internal
 * username, needed in every JFS path, is fetched once (`GET account/v1/customer`) and cached.
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as SynchronizedRef from "effect/SynchronizedRef"
import { type AuthError, JottaAuth } from "./Auth.js"
import * as Errors from "./internal/errors.js"
import * as JfsFast from "./internal/jfsFast.js"
import * as Jfs from "./Jfs.js"
import * as JottaConfig from "./JottaConfig.js"
import * as JottaError from "./JottaError.js"
import * as RetryPolicy from "./RetryPolicy.js"
import * as Xml from "./Xml.js"

/**
 * How one request is sent.
 *
 * @since 0.1.0
 * @category models
 */
export interface RequestOptions {
  /** Operation name for errors, e.g. `"Files.stat"`. */
  readonly operation: string
  /** The raw path the request is about (for errors). */
  readonly path?: string | undefined
  /**
   * `false` for requests with side effects that must not happen twice (allocate, `mv`, `cp`,
   * `mvDir`): they are retried only when they provably never reached the server.
   */
  readonly idempotent?: boolean | undefined
  /** `false`: no retry at all (the upload data POST consumes its body). */
  readonly retry?: boolean | undefined
  /** Failed statuses returned as responses instead of errors (e.g. 404 for `cphash`). */
  readonly accept?: ((status: number) => boolean) | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  readonly config: JottaConfig.Service
  /** The account's internal username (fetched once, then cached). */
  readonly username: Effect.Effect<string, JottaError.JottaError>
  /** The customer document (`GET account/v1/customer`); also fills the username cache. */
  readonly customer: Effect.Effect<Jfs.Customer, JottaError.JottaError>
  /**
   * Sends `request` with authentication, 401 handling, retries and error mapping. The
   * response is returned for any 2xx (and for statuses `accept`ed).
   */
  readonly execute: (
    request: HttpClientRequest.HttpClientRequest,
    options: RequestOptions
  ) => Effect.Effect<HttpClientResponse.HttpClientResponse, JottaError.JottaError>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class JottaClient extends Context.Tag("@fjord/core/JottaClient")<JottaClient, Service>() {}

const always = (): boolean => false

/**
 * Builds the client.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<Service, never, HttpClient.HttpClient | JottaAuth | JottaConfig.JottaConfig> =
  Effect.gen(function* () {
    const http = yield* HttpClient.HttpClient
    const auth = yield* JottaAuth
    const config = yield* JottaConfig.JottaConfig

    // The bearer token is added when each attempt is sent, so retries (401 and transient)
    // carry the token current at that moment.
    const authed = HttpClient.mapRequestEffect(http, (request) =>
      Effect.map(auth.accessToken, (token) => HttpClientRequest.bearerToken(request, token))
    )

    const send = (
      request: HttpClientRequest.HttpClientRequest,
      ctx: Errors.Context
    ): Effect.Effect<HttpClientResponse.HttpClientResponse, JottaError.TransportError | AuthError> =>
      Effect.mapError(authed.execute(request), (e) => (e._tag === "AuthError" ? e : Errors.fromHttpClientError(e, ctx)))

    const failed = (res: HttpClientResponse.HttpClientResponse, ctx: Errors.Context) =>
      Effect.flatMap(Errors.fromResponse(res, ctx), Effect.fail)

    /** The token a request was sent with (to invalidate exactly that one). */
    const tokenOf = (res: HttpClientResponse.HttpClientResponse): Redacted.Redacted<string> | undefined => {
      const header = res.request.headers.authorization
      return header?.startsWith("Bearer ") ? Redacted.make(header.slice(7)) : undefined
    }

    const attempt = (
      request: HttpClientRequest.HttpClientRequest,
      ctx: Errors.Context,
      accept: (status: number) => boolean
    ): Effect.Effect<HttpClientResponse.HttpClientResponse, JottaError.JottaError> =>
      Effect.flatMap(send(request, ctx), (res) => {
        if (res.status < 400 || accept(res.status)) return Effect.succeed(res)
        if (res.status !== 401) return failed(res, ctx)
        // 401: drop the token it was sent with and send once more (with a fresh token).
        const token = tokenOf(res)
        return Effect.zipRight(
          Effect.zipRight(Effect.ignore(res.text), token === undefined ? Effect.void : auth.invalidate(token)),
          Effect.flatMap(send(request, ctx), (again) =>
            again.status < 400 || accept(again.status) ? Effect.succeed(again) : failed(again, ctx)
          )
        )
      })

    const execute = (
      request: HttpClientRequest.HttpClientRequest,
      options: RequestOptions
    ): Effect.Effect<HttpClientResponse.HttpClientResponse, JottaError.JottaError> => {
      const ctx: Errors.Context = { operation: options.operation, path: options.path }
      const once = attempt(request, ctx, options.accept ?? always)
      if (options.retry === false) return once
      return RetryPolicy.retry(once, options.idempotent === false ? RetryPolicy.isUnsent : undefined)
    }

    const fetchCustomer = Effect.flatMap(
      execute(HttpClientRequest.get(`${config.apiRoot}account/v1/customer`), { operation: "Account.userInfo" }),
      decodeJson(Jfs.Customer, { operation: "Account.userInfo" })
    )

    const cache = yield* SynchronizedRef.make(Option.none<string>())
    // Read on every request: once known, the username is served from a plain field.
    let known: Effect.Effect<string> | undefined
    const remember = (name: string) => {
      known = Effect.succeed(name)
    }
    const customer = Effect.tap(fetchCustomer, (c) =>
      Effect.zipRight(
        SynchronizedRef.set(cache, Option.some(c.username)),
        Effect.sync(() => remember(c.username))
      )
    )
    const fetchUsername = SynchronizedRef.modifyEffect(cache, (current) =>
      Option.isSome(current)
        ? Effect.succeed([current.value, current] as const)
        : Effect.map(fetchCustomer, (c) => {
            remember(c.username)
            return [c.username, Option.some(c.username)] as const
          })
    )
    const username = Effect.suspend(() => known ?? fetchUsername)

    return { config, username, customer, execute }
  })

type Decoder = (input: unknown) => Effect.Effect<unknown, ParseResult.ParseError, unknown>

// Compiling a decoder is expensive; build one per schema and reuse it.
const jsonDecoders = new WeakMap<object, Decoder>()
const xmlDecoders = new WeakMap<object, Decoder>()

/** Hand-written decoders from the XML tree for the documents read on every request. */
const fastXml = new Map<object, (tree: unknown) => unknown>([[Jfs.ItemDocument, JfsFast.itemDocument]])

const cached = <A, I, R>(
  cache: WeakMap<object, Decoder>,
  schema: Schema.Schema<A, I, R>,
  build: () => (input: unknown) => Effect.Effect<A, ParseResult.ParseError, R>
): ((input: unknown) => Effect.Effect<A, ParseResult.ParseError, R>) => {
  let decoder = cache.get(schema)
  if (decoder === undefined) {
    decoder = build() as Decoder
    cache.set(schema, decoder)
  }
  return decoder as (input: unknown) => Effect.Effect<A, ParseResult.ParseError, R>
}

const invalid =
  (ctx: { readonly operation: string; readonly path?: string | undefined }, status: number) =>
  (e: ParseResult.ParseError) =>
    new JottaError.InvalidResponse({
      ...(ctx.path === undefined ? { operation: ctx.operation } : ctx),
      status,
      issue: ParseResult.TreeFormatter.formatErrorSync(e),
      cause: e
    })

/**
 * Decodes a JSON response body with `schema`; failures become `InvalidResponse`.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeJson = <A, I, R>(
  schema: Schema.Schema<A, I, R>,
  ctx: { readonly operation: string; readonly path?: string | undefined }
): ((res: HttpClientResponse.HttpClientResponse) => Effect.Effect<A, JottaError.JottaError, R>) => {
  const decode = cached(jsonDecoders, schema, () => Schema.decodeUnknown(Schema.parseJson(schema)))
  return (res) =>
    Effect.flatMap(
      Effect.mapError(res.text, (e) => Errors.fromHttpClientError(e, ctx)),
      (text) => Effect.mapError(decode(text), invalid(ctx, res.status))
    )
}

/**
 * Decodes an XML response body with `schema` (over `Xml.XmlFromString`); failures become
 * `InvalidResponse`. Unknown elements are ignored.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeXml = <A, I>(
  schema: Schema.Schema<A, I>,
  ctx: { readonly operation: string; readonly path?: string | undefined }
): ((res: HttpClientResponse.HttpClientResponse) => Effect.Effect<A, JottaError.JottaError>) => {
  const decode = cached(xmlDecoders, schema, () => {
    // Synchronous schemas: decode to an Either (itself an Effect), without the Effect parser.
    const d = Schema.decodeUnknownEither(Schema.compose(Xml.XmlFromString, schema, { strict: false }))
    const full = (input: unknown) => d(input, { onExcessProperty: "ignore" })
    const fast = fastXml.get(schema)
    if (fast === undefined) return full
    // The common, valid document: one parse, then the hand-written decoder; anything it does
    // not accept goes through the Schema decoder (which reports the issue).
    return (input: unknown) => {
      if (typeof input === "string") {
        let tree: Xml.XmlElement | undefined
        try {
          tree = Xml.parse(input)
        } catch {
          return full(input)
        }
        const a = fast(tree)
        if (a !== undefined) return Either.right(a as A)
      }
      return full(input)
    }
  })
  return (res) =>
    Effect.flatMap(
      Effect.mapError(res.text, (e) => Errors.fromHttpClientError(e, ctx)),
      (text) => Effect.mapError(decode(text), invalid(ctx, res.status))
    )
}

/**
 * The client layer; needs an `HttpClient`, `JottaAuth` and `JottaConfig`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerWithoutConfig: Layer.Layer<
  JottaClient,
  never,
  HttpClient.HttpClient | JottaAuth | JottaConfig.JottaConfig
> = Layer.effect(JottaClient, make)

/**
 * The client layer with its configuration from plain values (production endpoints by
 * default).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: typeof JottaConfig.Options.Encoded = {}
): Layer.Layer<JottaClient | JottaConfig.JottaConfig, ConfigError.ConfigError, HttpClient.HttpClient | JottaAuth> =>
  Layer.provideMerge(layerWithoutConfig, JottaConfig.layer(options))

/**
 * The client layer with its configuration read from `FJORD_*` (see `JottaConfig.config`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  config?: Parameters<typeof JottaConfig.layerConfig>[0]
): Layer.Layer<JottaClient | JottaConfig.JottaConfig, ConfigError.ConfigError, HttpClient.HttpClient | JottaAuth> =>
  Layer.provideMerge(layerWithoutConfig, JottaConfig.layerConfig(config))
