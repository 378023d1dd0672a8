/**
 * @since 0.1.0
 */
export * as AuthPolicy from "./AuthPolicy.js"
/**
 * @since 0.1.0
 */
export * as Legacy from "./Legacy.js"
/**
 * @since 0.1.0
 */
export * as LoginToken from "./LoginToken.js"
/**
 * @since 0.1.0
 */
export * as OAuthClient from "./OAuthClient.js"
/**
 * @since 0.1.0
 */
export * as RedirectCatcher from "./RedirectCatcher.js"
/**
 * @since 0.1.0
 */
export * as RefreshingAuth from "./RefreshingAuth.js"
/**
 * @since 0.1.0
 */
export * as SavedToken from "./SavedToken.js"
/**
 * @since 0.1.0
 */
export * as StaticAuth from "./StaticAuth.js"
/**
 * @since 0.1.0
 */
export * as TokenSet from "./TokenSet.js"
/**
 * @since 0.1.0
 */
export * as TokenStore from "./TokenStore.js"
/**
 * @since 0.1.0
 */
export * as TwoFactorPrompt from "./TwoFactorPrompt.js"
/**
 * @since 0.1.0
 */
export * as WhiteLabel from "./WhiteLabel.js"
