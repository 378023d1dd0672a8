/**
 * @since 0.1.0
 */
export * as WebContentHasher from "./WebContentHasher.js"
