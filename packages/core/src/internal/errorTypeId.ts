/**
 * The mark every `JottaError` class carries (`AuthError` included, which lives in `Auth`).
 *
 * @internal
 */
export const TypeId: unique symbol = Symbol.for("@fjord/core/JottaError")

/** @internal */
export type TypeId = typeof TypeId
