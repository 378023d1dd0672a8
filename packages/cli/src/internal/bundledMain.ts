/**
 * What `import("./main.js")` in `bin.ts` becomes in the built executable (`build.mjs`
 * substitutes this module): the bundled CLI next to the launcher, run with the code cache.
 *
 * @internal
 */
import * as Url from "node:url"
import * as CompileCache from "./compileCache.js"

CompileCache.runBundle(Url.fileURLToPath(new URL("./fjord-main.cjs", import.meta.url)))
