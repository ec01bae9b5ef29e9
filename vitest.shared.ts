/**
 * Shared vitest settings: every workspace package resolves its `@scimkit/*` siblings to their
 * TypeScript sources, so the whole suite runs without a prior build.
 */
import { fileURLToPath } from "node:url";

const src = (path: string) => fileURLToPath(new URL(`./packages/${path}`, import.meta.url));

export const sourceAliases = [
  { find: /^@scimkit\/core\/node$/, replacement: src("core/src/node/index.ts") },
  { find: /^@scimkit\/core$/, replacement: src("core/src/index.ts") },
  { find: /^@scimkit\/testing$/, replacement: src("testing/src/index.ts") },
  { find: /^@scimkit\/postgres$/, replacement: src("postgres/src/index.ts") },
  { find: /^@scimkit\/express$/, replacement: src("express/src/index.ts") },
  { find: /^@scimkit\/koa$/, replacement: src("koa/src/index.ts") },
  { find: /^@scimkit\/next$/, replacement: src("next/src/index.ts") },
];
