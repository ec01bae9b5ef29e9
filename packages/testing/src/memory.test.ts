import { memoryStore } from "@scimkit/core";
import { runProvisioningScenarios, runStoreConformance } from "./index.js";

runStoreConformance({ name: "memory", makeStore: async () => memoryStore() });
runProvisioningScenarios({ name: "memory", makeStore: async () => memoryStore() });
