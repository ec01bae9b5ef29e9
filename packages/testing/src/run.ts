/** The entry point: registers the whole store suite under one `describe`. */
import { describe } from "vitest";
import { createHarness } from "./harness.js";
import type { ConformanceOptions } from "./options.js";
import { filterSuite } from "./suites/filters.js";
import { logsSuite } from "./suites/logs.js";
import { membersSuite } from "./suites/members.js";
import { recordsSuite } from "./suites/records.js";
import { resourceSuite } from "./suites/resources.js";
import { rollbackSuite } from "./suites/rollback.js";
import { sortingSuite } from "./suites/sorting.js";
import { tenancySuite } from "./suites/tenancy.js";

/**
 * Registers the store conformance suite with vitest. Call it at the top level of a test file.
 *
 * @example
 * ```ts
 * runStoreConformance({
 *   name: "postgres",
 *   makeStore: async () => { await migrate(driver); return createPostgresStore({ driver }); },
 *   inspect: sqlInspector(driver),
 *   // Only the push-down capabilities core can take over may be skipped.
 *   skip: { sorting: "sorting is left to core" },
 * });
 * ```
 */
export function runStoreConformance(options: ConformanceOptions): void {
  describe(`store conformance: ${options.name}`, () => {
    const h = createHarness(options);
    resourceSuite(h);
    filterSuite(h, options);
    sortingSuite(h, options);
    membersSuite(h);
    tenancySuite(h);
    rollbackSuite(h);
    recordsSuite(h);
    logsSuite(h);
  });
}
