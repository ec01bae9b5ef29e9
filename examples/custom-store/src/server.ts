/** The store goes where createMemoryStore() would; nothing else about the server changes. */
import { createScimServer } from "@scimkit/core";
import { createDocumentStore } from "./store.js";

export const scim = createScimServer({ store: createDocumentStore() });
