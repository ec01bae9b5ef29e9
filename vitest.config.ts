/**
 * The root vitest config: the projects come from `vitest.workspace.ts`, which keeps the list (and
 * the source aliases) in one place.
 */
import { defineConfig } from "vitest/config";
import projects from "./vitest.workspace.ts";

export default defineConfig({
  test: { projects },
});
