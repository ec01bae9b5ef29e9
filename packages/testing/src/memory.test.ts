import { createMemoryStore } from "@scimkit/core";
import { runProvisioningScenarios, runStoreConformance } from "./index.js";

runStoreConformance({ name: "memory", makeStore: async () => createMemoryStore() });
runProvisioningScenarios({ name: "memory", makeStore: async () => createMemoryStore() });
