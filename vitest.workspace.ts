/**
 * One vitest project per kind of workspace member that has tests. Every `@scimkit/*` sibling
 * resolves to its TypeScript sources, so the whole suite runs without a prior build.
 *
 * The list is the root `vitest.config.ts`'s `test.projects`: vitest reads it from there, and this
 * file is not loaded as a workspace file on its own (that form is deprecated).
 */
import { fileURLToPath } from "node:url";
import type { TestProjectConfiguration } from "vitest/config";

const src = (path: string) => fileURLToPath(new URL(`./packages/${path}`, import.meta.url));

const sourceAliases = [
  { find: /^@scimkit\/core\/node$/, replacement: src("core/src/node/index.ts") },
  { find: /^@scimkit\/core\/store$/, replacement: src("core/src/store/index.ts") },
  { find: /^@scimkit\/core$/, replacement: src("core/src/index.ts") },
  { find: /^@scimkit\/testing$/, replacement: src("testing/src/index.ts") },
  { find: /^@scimkit\/postgres$/, replacement: src("postgres/src/index.ts") },
  { find: /^@scimkit\/express$/, replacement: src("express/src/index.ts") },
  { find: /^@scimkit\/koa$/, replacement: src("koa/src/index.ts") },
  { find: /^@scimkit\/next$/, replacement: src("next/src/index.ts") },
  { find: /^@scimkit\/admin$/, replacement: src("admin/src/index.ts") },
  { find: /^@scimkit\/fastify$/, replacement: src("fastify/src/index.ts") },
  { find: /^@scimkit\/hono$/, replacement: src("hono/src/index.ts") },
  { find: /^@scimkit\/nestjs$/, replacement: src("nestjs/src/index.ts") },
  { find: /^@scimkit\/webhooks$/, replacement: src("webhooks/src/index.ts") },
];

const projects: TestProjectConfiguration[] = [
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
];

export default projects;
