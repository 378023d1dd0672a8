/**
 * @since 0.1.0
 */
export * as NodeContentHasher from "./NodeContentHasher.js"
/**
 * @since 0.1.0
 */
export * as NodeFiles from "./NodeFiles.js"
/**
 * @since 0.1.0
 */
export * as NodeHttpClient from "./NodeHttpClient.js"
/**
 * @since 0.1.0
 */
export * as NodeJotta from "./NodeJotta.js"
/**
 * @since 0.1.0
 */
export * as NodeRedirectCatcher from "./NodeRedirectCatcher.js"
/**
 * @since 0.1.0
 */
export * as NodeSdk from "./NodeSdk.js"
/**
 * @since 0.1.0
 */
export * as NodeTokenStore from "./NodeTokenStore.js"
export * as NodeTransfer from "./NodeTransfer.js"
/**
 * @since 0.1.0
 */
export * as UndiciHttpClient from "./UndiciHttpClient.js"
