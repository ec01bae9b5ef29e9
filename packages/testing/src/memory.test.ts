import { createMemoryStore } from "@scimkit/core";
import { runCursorPaging, runProvisioningScenarios, runStoreConformance } from "./index.js";

runStoreConformance({ name: "memory", makeStore: async () => createMemoryStore() });
runProvisioningScenarios({ name: "memory", makeStore: async () => createMemoryStore() });
runCursorPaging({ name: "memory", makeStore: async () => createMemoryStore() });
