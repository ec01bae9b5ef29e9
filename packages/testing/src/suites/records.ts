/** Admin records: per tenant and kind, with a `key` unique per kind across all tenants. */
import { describe, expect, it } from "vitest";
import { rejectionName, type Harness } from "../harness.js";

const plain = (r: { id: string; key?: string | null | undefined; data: unknown } | null) =>
  r ? { id: r.id, key: r.key ?? null, data: r.data } : null;

export function recordsSuite(h: Harness): void {
  describe("records", () => {
    it("stores, replaces and deletes a record", async () => {
      const t = h.tenant("rec");
      const key = h.unique("key");
      await h.write(t, (tx) =>
        tx.putRecord("directory", { id: "d-1", key, data: { name: "Okta", nested: { list: [1, "two", null] } } }),
      );
      expect(plain(await h.persisted.record("directory", t, "d-1"))).toEqual({
        id: "d-1",
        key,
        data: { name: "Okta", nested: { list: [1, "two", null] } },
      });
      await h.write(t, (tx) => tx.putRecord("directory", { id: "d-1", key: null, data: { name: "Entra" } }));
      expect(plain(await h.persisted.record("directory", t, "d-1"))).toEqual({
        id: "d-1",
        key: null,
        data: { name: "Entra" },
      });
      expect(plain(await h.read(t, (tx) => tx.getRecord("directory", "d-1")))).toEqual({
        id: "d-1",
        key: null,
        data: { name: "Entra" },
      });
      expect(await h.write(t, (tx) => tx.deleteRecord("directory", "d-1"))).toBe(true);
      expect(await h.persisted.record("directory", t, "d-1")).toBeNull();
      expect(await h.write(t, (tx) => tx.deleteRecord("directory", "d-1"))).toBe(false);
    });

    it("lists the records of one kind in one tenant", async () => {
      const t = h.tenant("rec");
      await h.write(t, async (tx) => {
        await tx.putRecord("token", { id: "t-2", data: { n: 2 } });
        await tx.putRecord("token", { id: "t-1", data: { n: 1 } });
        await tx.putRecord("mapping", { id: "m-1", data: {} });
      });
      const tokens = await h.read(t, (tx) => tx.listRecords("token"));
      expect(tokens.map(plain).sort((x, y) => (x?.id ?? "").localeCompare(y?.id ?? ""))).toEqual([
        { id: "t-1", key: null, data: { n: 1 } },
        { id: "t-2", key: null, data: { n: 2 } },
      ]);
      expect(await h.read(t, (tx) => tx.listRecords("nothing"))).toEqual([]);
      expect(await h.read(t, (tx) => tx.getRecord("mapping", "t-1"))).toBeNull();
    });

    it("keeps a key unique per kind across tenants, and free for other kinds", async () => {
      const a = h.tenant("rec");
      const b = h.tenant("rec");
      const key = h.unique("hash");
      await h.write(a, (tx) => tx.putRecord("token", { id: "t-1", key, data: { n: 1 } }));
      expect(await rejectionName(h.write(b, (tx) => tx.putRecord("token", { id: "t-9", key, data: {} })))).toBe(
        "UniquenessError",
      );
      expect(await rejectionName(h.write(a, (tx) => tx.putRecord("token", { id: "t-2", key, data: {} })))).toBe(
        "UniquenessError",
      );
      expect(await h.persisted.record("token", b, "t-9")).toBeNull();
      await h.write(b, (tx) => tx.putRecord("other-kind", { id: "t-9", key, data: {} }));
      // Writing the holder again with its own key is not a conflict.
      await h.write(a, (tx) => tx.putRecord("token", { id: "t-1", key, data: { n: 2 } }));
      expect((await h.persisted.record("token", a, "t-1"))?.data).toEqual({ n: 2 });
    });

    it("finds a record by key together with its tenant, and forgets a changed or deleted key", async () => {
      const t = h.tenant("rec");
      const key = h.unique("hash");
      const next = h.unique("hash");
      await h.write(t, (tx) => tx.putRecord("token", { id: "t-1", key, data: { scope: "scim" } }));
      const found = await h.store().findRecordByKey("token", key);
      expect(found && { tenantId: found.tenantId, record: plain(found.record) }).toEqual({
        tenantId: t,
        record: { id: "t-1", key, data: { scope: "scim" } },
      });
      expect(await h.store().findRecordByKey("directory", key)).toBeNull();
      await h.write(t, (tx) => tx.putRecord("token", { id: "t-1", key: next, data: {} }));
      expect(await h.store().findRecordByKey("token", key)).toBeNull();
      expect((await h.store().findRecordByKey("token", next))?.record.id).toBe("t-1");
      await h.write(t, (tx) => tx.deleteRecord("token", "t-1"));
      expect(await h.store().findRecordByKey("token", next)).toBeNull();
    });
  });
}
