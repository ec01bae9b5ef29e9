import { defineConfig } from "tsup";

export default defineConfig({
  entry: { index: "src/index.ts" },
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  sourcemap: true,
  target: "node20",
  // The suite registers tests with the host's own vitest instance; bundling a copy would register nothing.
  external: ["vitest", "@scimkit/core"],
});
