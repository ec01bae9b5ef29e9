/**
 * The store conformance kit: one vitest suite that checks every operation of scimkit's store
 * contract (resources, uniqueness, version guards, filters, sorting, paging, membership, tenant
 * isolation, rollback, records, logs). A store passes it with a few lines of wiring.
 *
 * @example
 * ```ts
 * // my-store.test.ts
 * import { runStoreConformance } from "@scimkit/testing";
 * import { myStore } from "./my-store.js";
 *
 * runStoreConformance({ name: "my store", makeStore: async () => myStore() });
 * ```
 *
 * @module @scimkit/testing
 */
export { runStoreConformance } from "./run.js";
export { runProvisioningScenarios, type ProvisioningOptions } from "./provisioning.js";
export { runCursorPaging, type CursorPagingOptions } from "./cursor-paging.js";
export { runFeedScenarios, writeFeedEvents, type FeedScenarioOptions } from "./feed.js";
export {
  optionalCapabilities,
  type ConformanceOptions,
  type OptionalCapability,
  type StoreInspector,
} from "./options.js";
export { conformanceExtensions, TEST_EXTENSION } from "./fixtures.js";
