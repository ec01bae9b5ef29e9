import { mkdir, writeFile } from "node:fs/promises";
import { defineConfig } from "tsup";
import { bundleUi, uiEntry } from "./src/bundle.js";

export default defineConfig({
  entry: { index: "src/index.ts" },
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  sourcemap: true,
  target: "node20",
  // `import.meta.url` in the CommonJS build too: the page's script is read from beside the module.
  shims: true,
  // Only reached when running from sources (no built script beside the module).
  external: ["esbuild"],
  // The settings page's script, built as the API builds it from sources on first request.
  async onSuccess() {
    await mkdir("dist/ui", { recursive: true });
    await writeFile("dist/ui/scimkit-admin.js", await bundleUi(uiEntry(new URL("./src/", import.meta.url))));
  },
});
