import { memoryStore } from "@scimkit/core";
import { runStoreConformance } from "./index.js";

runStoreConformance({ name: "memory", makeStore: async () => memoryStore() });
