/**
 * @since 0.1.0
 */
export * as HostileServer from "./HostileServer.js"
/**
 * @since 0.1.0
 */
export * as TestKit from "./TestKit.js"
