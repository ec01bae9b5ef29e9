import { fileURLToPath } from "node:url";
import type { NextConfig } from "next";

// In this workspace the scimkit packages are used from their TypeScript sources (no build step), as
// `node --conditions=source` does for src/main.ts. An app using the published packages needs none of this.
const nextAdapterSource = fileURLToPath(new URL("../../packages/next/src/index.ts", import.meta.url));

const config: NextConfig = {
  poweredByHeader: false,
  // Turbopack resolves alias targets relative to this folder; webpack wants an absolute path.
  turbopack: { resolveAlias: { "@scimkit/next": "../../packages/next/src/index.ts" } },
  webpack: (webpackConfig: { resolve: { alias: Record<string, string> } }) => {
    webpackConfig.resolve.alias["@scimkit/next"] = nextAdapterSource;
    return webpackConfig;
  },
};

export default config;
