import { fileURLToPath } from "node:url"
import { defineProject } from "vitest/config"

const pkgs = ["core", "auth", "node", "emulator", "cli", "testkit", "web", "serve"] as const
const root = fileURLToPath(new URL(".", import.meta.url))

/**
 * Workspace packages resolve to their TypeScript sources in tests, so no build is needed
 * before `npm test` (the published `exports` point at `dist`).
 */
const alias = pkgs.flatMap((p) => [
  { find: new RegExp(`^@fjord/${p}$`), replacement: `${root}packages/${p}/src/index.ts` },
  { find: new RegExp(`^@fjord/${p}/(.*)$`), replacement: `${root}packages/${p}/src/$1.ts` }
])

export const project = (name: string, dir: string) =>
  defineProject({
    root: `${root}${dir}`,
    resolve: { alias },
    test: {
      name,
      include: ["test/**/*.test.ts"],
      environment: "node",
      testTimeout: 30_000,
      hookTimeout: 30_000
    }
  })
