/**
 * @since 0.1.0
 */
export * as Auth from "./Auth.js"
