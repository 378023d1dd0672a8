/**
 * @since 0.1.0
 */
export * as Cli from "./Cli.js"

/**
 * @since 0.1.0
 */
export * as Output from "./Output.js"

/**
 * @since 0.1.0
 */
export * as RemotePath from "./RemotePath.js"

/**
 * @since 0.1.0
 */
export * as Stdin from "./Stdin.js"
