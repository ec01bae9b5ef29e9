/** Units of work: a throw inside `transaction` leaves nothing behind; a return commits everything. */
import { describe, expect, it } from "vitest";
import { resource, stamp, type Harness } from "../harness.js";

class Abort extends Error {
  override readonly name = "Abort";
}

export function rollbackSuite(h: Harness): void {
  describe("rollback", () => {
    it("commits every write of a unit of work that resolves, and returns its value", async () => {
      const t = h.tenant("tx");
      const value = await h.write(t, async (tx) => {
        await tx.createResource(resource("User", "u-1", { userName: "a" }));
        await tx.putRecord("kind", { id: "r-1", data: { n: 1 } });
        return 42;
      });
      expect(value).toBe(42);
      expect(await h.persisted.resource(t, "User", "u-1")).not.toBeNull();
      expect(await h.persisted.record("kind", t, "r-1")).not.toBeNull();
    });

    it("leaves no resource, member, record or log entry of a unit of work that throws", async () => {
      const t = h.tenant("tx");
      await h.write(t, async (tx) => {
        await tx.createResource(resource("User", "u-0", { userName: "kept" }));
        await tx.createResource(resource("Group", "g-0", { displayName: "Kept" }));
      });
      const failing = h.write(t, async (tx) => {
        await tx.createResource(resource("User", "u-1", { userName: "a" }));
        await tx.createResource(resource("Group", "g-1", { displayName: "G" }));
        await tx.addMembers("g-1", [{ value: "u-1", type: "User" }], { modifiedAt: stamp(5), version: 2 });
        await tx.addMembers("g-0", [{ value: "u-0", type: "User" }], { modifiedAt: stamp(5), version: 2 });
        await tx.putRecord("kind", { id: "r-1", key: h.unique("k"), data: { n: 1 } });
        await tx.appendLog("audit", {
          at: stamp(5),
          directoryId: null,
          resourceType: "User",
          resourceId: "u-1",
          data: {},
        });
        await tx.appendLog("events", {
          at: stamp(5),
          directoryId: null,
          resourceType: "User",
          resourceId: "u-1",
          data: {},
        });
        throw new Abort("stop");
      });
      await expect(failing).rejects.toThrow("stop");
      expect(await h.persisted.resource(t, "User", "u-1")).toBeNull();
      expect(await h.persisted.resource(t, "Group", "g-1")).toBeNull();
      expect(await h.persisted.memberIds(t, "g-0")).toEqual([]);
      expect((await h.persisted.resource(t, "Group", "g-0"))?.version).toBe(1);
      expect(await h.persisted.record("kind", t, "r-1")).toBeNull();
      expect(await h.persisted.logEntries("audit", t)).toEqual([]);
      expect(await h.persisted.logEntries("events", t)).toEqual([]);
    });

    it("restores replaced and deleted resources, with their memberships, when the unit of work throws", async () => {
      const t = h.tenant("tx");
      const original = resource("User", "u-1", { userName: "a", title: "before" }, { second: 1 });
      await h.write(t, async (tx) => {
        await tx.createResource(original);
        await tx.createResource(resource("User", "u-2", { userName: "b" }, { second: 2 }));
        await tx.createResource(resource("Group", "g-1", { displayName: "G" }, { second: 3 }));
        await tx.addMembers(
          "g-1",
          [
            { value: "u-1", type: "User" },
            { value: "u-2", type: "User" },
          ],
          { modifiedAt: stamp(4), version: 2 },
        );
        await tx.putRecord("kind", { id: "r-1", data: { n: 1 } });
      });
      const failing = h.write(t, async (tx) => {
        await tx.replaceResource({ ...original, attributes: { userName: "a", title: "after" }, version: 2 });
        await tx.deleteResource("User", "u-2");
        await tx.removeMembers("g-1", ["u-1"], { modifiedAt: stamp(6), version: 3 });
        await tx.putRecord("kind", { id: "r-1", data: { n: 2 } });
        await tx.deleteRecord("kind", "r-1");
        throw new Abort("stop");
      });
      await expect(failing).rejects.toThrow("stop");
      expect(await h.persisted.resource(t, "User", "u-1")).toEqual(original);
      expect(await h.persisted.resource(t, "User", "u-2")).not.toBeNull();
      expect([...(await h.persisted.memberIds(t, "g-1"))].sort()).toEqual(["u-1", "u-2"]);
      expect((await h.persisted.resource(t, "Group", "g-1"))?.version).toBe(2);
      expect((await h.persisted.record("kind", t, "r-1"))?.data).toEqual({ n: 1 });
      // Ordering after a rollback is still created, then id.
      const all = await h.read(t, (tx) => tx.queryResources("User", { startIndex: 1, count: 10 }));
      expect(all.resources.map((r) => r.id)).toEqual(["u-1", "u-2"]);
    });

    it("lets a read-only unit of work see committed data", async () => {
      const t = h.tenant("tx");
      await h.write(t, (tx) => tx.createResource(resource("User", "u-1", { userName: "a" })));
      expect(await h.read(t, async (tx) => (await tx.getResource("User", "u-1"))?.id)).toBe("u-1");
    });
  });
}
