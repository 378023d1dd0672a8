/**
 * @since 0.1.0
 */
export * as Account from "./Account.js"

/**
 * @since 0.1.0
 */
export * as Auth from "./Auth.js"

/**
 * @since 0.1.0
 */
export * as ContentHasher from "./ContentHasher.js"

/**
 * @since 0.1.0
 */
export * as Files from "./Files.js"

/**
 * @since 0.1.0
 */
export * as Filter from "./Filter.js"

/**
 * @since 0.1.0
 */
export * as Jfs from "./Jfs.js"

/**
 * @since 0.1.0
 */
export * as JfsTime from "./JfsTime.js"

/**
 * @since 0.1.0
 */
export * as JottaClient from "./JottaClient.js"

/**
 * @since 0.1.0
 */
export * as JottaConfig from "./JottaConfig.js"

/**
 * @since 0.1.0
 */
export * as JottaError from "./JottaError.js"

/**
 * @since 0.1.0
 */
export * as JottaPath from "./JottaPath.js"

/**
 * @since 0.1.0
 */
export * as ListStream from "./ListStream.js"

/**
 * @since 0.1.0
 */
export * as Metrics from "./Metrics.js"

/**
 * @since 0.1.0
 */
export * as Name from "./Name.js"

/**
 * @since 0.1.0
 */
export * as RetryPolicy from "./RetryPolicy.js"

/**
 * @since 0.1.0
 */
export * as Transfer from "./Transfer.js"

/**
 * @since 0.1.0
 */
export * as UploadSource from "./UploadSource.js"

/**
 * @since 0.1.0
 */
export * as Xml from "./Xml.js"
