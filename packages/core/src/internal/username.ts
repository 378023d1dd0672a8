/**
 * The account's internal username, needed in every JFS path (§1.3): `GET
 * account/v1/customer` (§3.1) once per client, then cached. The lookup is a request made
 * underneath the caller's operation, so its errors name that operation and its path (from
 * the context `Op.fn` sets); concurrent first uses share one request.
 *
 * @internal
 */
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Effect from "effect/Effect"
import * as Jfs from "../Jfs.js"
import type * as JottaClient from "../JottaClient.js"
import type * as JottaError from "../JottaError.js"
import * as Decode from "./decode.js"

interface Lookup {
  known: string | undefined
  readonly lock: Effect.Semaphore
}

const lookups = new WeakMap<JottaClient.Service, Lookup>()

const lookupOf = (client: JottaClient.Service): Lookup => {
  let lookup = lookups.get(client)
  if (lookup === undefined) {
    lookup = { known: undefined, lock: Effect.unsafeMakeSemaphore(1) }
    lookups.set(client, lookup)
  }
  return lookup
}

const decodeCustomer = Decode.json(Jfs.Customer)

/** The customer document (`GET account/v1/customer`); also fills the username cache. */
export const customer = (client: JottaClient.Service): Effect.Effect<Jfs.Customer, JottaError.JottaError> =>
  Effect.tap(
    Effect.flatMap(
      client.execute(HttpClientRequest.get(`${client.config.apiRoot}account/v1/customer`), { wholeBody: true }),
      (res) => Decode.body(decodeCustomer, res)
    ),
    (c) =>
      Effect.sync(() => {
        lookupOf(client).known = c.username
      })
  )

/** The account's internal username (fetched once per client, then served from memory). */
export const username = (client: JottaClient.Service): Effect.Effect<string, JottaError.JottaError> =>
  Effect.suspend(() => {
    const lookup = lookupOf(client)
    if (lookup.known !== undefined) return Effect.succeed(lookup.known)
    return lookup.lock.withPermits(1)(
      Effect.suspend(() =>
        lookup.known !== undefined ? Effect.succeed(lookup.known) : Effect.map(customer(client), (c) => c.username)
      )
    )
  })
