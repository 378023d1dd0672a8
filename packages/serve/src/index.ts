/**
 * @since 0.1.0
 */

/**
 * @since 0.1.0
 */
export * as BasicAuth from "./BasicAuth.js"

/**
 * @since 0.1.0
 */
export * as HttpIndex from "./HttpIndex.js"

/**
 * @since 0.1.0
 */
export * as NodeServe from "./NodeServe.js"

/**
 * @since 0.1.0
 */
export * as WebDav from "./WebDav.js"
