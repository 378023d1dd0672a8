/**
 * The CLI's version, in one place (`fjord version`, `--version`).
 *
 * @since 0.1.0
 */

/**
 * @since 0.1.0
 * @category constants
 */
export const version = "0.1.0"

/**
 * rclone-style `version` output: the program's version, then the platform it runs on.
 *
 * @since 0.1.0
 * @category constants
 */
export const versionText = (): string =>
  [`fjord v${version}`, `- os/arch: ${process.platform}/${process.arch}`, `- node: ${process.version}`].join("\n")
