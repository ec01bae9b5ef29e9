/**
 * The example store against scimkit's conformance kit (every block, nothing skipped), the
 * provisioning scenarios end to end, and what the kit cannot see: concurrent units of work.
 */
import { describe, expect, it } from "vitest";
import type { LogEntry, Member, StoreRecord, StoredResource } from "@scimkit/core/store";
import { runProvisioningScenarios, runStoreConformance, type StoreInspector } from "@scimkit/testing";
import { DocumentDb } from "../src/db.js";
import { createDocumentStore } from "../src/store.js";

/** Reads what the store persisted straight from the database, so reads and writes cannot agree on a bug. */
function inspector(db: DocumentDb): StoreInspector {
  const read = <T>(tenantId: string, collection: string, id: string) =>
    db.transaction(tenantId, true, async (s) => s.get<T>(collection, id) ?? null);
  return {
    resource: (tenantId, type, id) => read<StoredResource>(tenantId, `resources/${type}`, id),
    memberIds: (tenantId, groupId) =>
      db.transaction(tenantId, true, async (s) => s.list<Member>(`members/${groupId}`).map((m) => m.value)),
    record: (kind, tenantId, id) => read<StoreRecord>(tenantId, `records/${kind}`, id),
    logEntries: (log, tenantId) =>
      db.transaction(tenantId, true, async (s) => s.list<LogEntry>(`logs/${log}`).sort((a, b) => a.seq - b.seq)),
  };
}

const db = new DocumentDb();
runStoreConformance({ name: "document store", makeStore: async () => createDocumentStore(db), inspect: inspector(db) });
runProvisioningScenarios({ name: "document store", makeStore: async () => createDocumentStore() });

describe("document store: concurrent units of work", () => {
  const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

  it("runs one tenant's writers one after another, and no reader sees a write before its commit", async () => {
    const store = createDocumentStore();
    const order: string[] = [];
    const first = store.transaction("t", async (tx) => {
      await tx.putRecord("kind", { id: "r", data: { n: 1 } });
      await tick();
      expect(await store.transaction("t", (r) => r.getRecord("kind", "r"), { readOnly: true })).toBeNull();
      order.push("first");
    });
    const second = store.transaction("t", async (tx) => {
      order.push(`second saw ${JSON.stringify((await tx.getRecord("kind", "r"))?.data)}`);
    });
    await Promise.all([first, second]);
    expect(order).toEqual(["first", 'second saw {"n":1}']);
  });

  it("lets only one of two tenants writing at the same time take a record key", async () => {
    const store = createDocumentStore();
    const put = (tenantId: string) =>
      store.transaction(tenantId, async (tx) => {
        await tx.putRecord("token", { id: `tok-${tenantId}`, key: "same-hash", data: {} });
        await tick();
      });
    const outcomes = await Promise.allSettled([put("a"), put("b")]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(["fulfilled", "rejected"]);
    expect((await store.findRecordByKey("token", "same-hash"))?.tenantId).toBe("a");
  });
});
