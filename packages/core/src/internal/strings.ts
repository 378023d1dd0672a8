/**
 * String helpers.
 *
 * @internal
 */

/**
 * A copy of `s` that does not keep its parent string alive. saxes hands out slices of its
 * input, and V8 represents slices of 13 or more characters as views on the parent string, so
 * keeping one short value could retain a whole decoded chunk or response body.
 */
export const own = (s: string): string => (s.length < 13 ? s : ` ${s}`.slice(1))
