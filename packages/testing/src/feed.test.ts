import { createMemoryStore } from "@scimkit/core";
import { runFeedScenarios } from "./index.js";

runFeedScenarios({ name: "memory", makeStore: async () => createMemoryStore({ logRetention: 100_000 }) });
