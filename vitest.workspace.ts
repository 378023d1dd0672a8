import { defineWorkspace } from "vitest/config"
import { project } from "./vitest.shared.js"

export default defineWorkspace([
  project("core", "packages/core"),
  project("auth", "packages/auth"),
  project("node", "packages/node"),
  project("emulator", "packages/emulator"),
  project("cli", "packages/cli"),
  project("testkit", "packages/testkit"),
  project("web", "packages/web"),
  project("serve", "packages/serve"),
  project("examples", "examples")
])
