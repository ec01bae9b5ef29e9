import { defineWorkspace } from "vitest/config";
import { sourceAliases } from "./vitest.shared";

/** One vitest project per workspace member that has tests; all resolve siblings to source. */
export default defineWorkspace([
  {
    resolve: { alias: sourceAliases },
    test: {
      name: "packages",
      include: ["packages/*/src/**/*.test.ts", "packages/*/test/**/*.test.ts"],
      environment: "node",
      testTimeout: 30_000,
      hookTimeout: 60_000,
    },
  },
  {
    resolve: { alias: sourceAliases },
    test: {
      name: "examples",
      include: ["examples/*/test/**/*.test.ts"],
      environment: "node",
      testTimeout: 120_000,
      hookTimeout: 240_000,
      fileParallelism: false,
    },
  },
]);
