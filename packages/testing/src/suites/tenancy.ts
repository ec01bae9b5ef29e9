/** Tenant isolation: nothing one tenant wrote is visible to, or changeable by, another. */
import { beforeAll, describe, expect, it } from "vitest";
import { filter } from "../fixtures.js";
import { rejectionName, resource, stamp, type Harness } from "../harness.js";

export function tenancySuite(h: Harness): void {
  describe("tenantIsolation", () => {
    let a = "";
    let b = "";
    let tokenKey = "";
    beforeAll(async () => {
      a = h.tenant("iso-a");
      b = h.tenant("iso-b");
      tokenKey = h.unique("token");
      await h.write(a, async (tx) => {
        await tx.createResource(resource("User", "u-1", { userName: "shared" }, { second: 1 }));
        await tx.createResource(resource("Group", "g-1", { displayName: "G" }, { second: 2 }));
        await tx.addMembers("g-1", [{ value: "u-1", type: "User" }], { modifiedAt: stamp(3), version: 2 });
        await tx.putRecord("directory", { id: "d-1", key: tokenKey, data: { name: "A" } });
        await tx.appendLog("audit", {
          at: stamp(4),
          directoryId: "d-1",
          resourceType: "User",
          resourceId: "u-1",
          data: { op: "create" },
        });
        await tx.appendLog("events", {
          at: stamp(4),
          directoryId: "d-1",
          resourceType: "User",
          resourceId: "u-1",
          data: { type: "user.created" },
        });
      });
    });

    it("hides another tenant's resources from every read", async () => {
      await h.read(b, async (tx) => {
        expect(await tx.getResource("User", "u-1")).toBeNull();
        expect(await tx.getResource("Group", "g-1", { members: true })).toBeNull();
        expect(await tx.queryResources("User", { startIndex: 1, count: 10 })).toEqual({ resources: [], total: 0 });
        expect(
          await tx.queryResources("User", { startIndex: 1, count: 0, filter: filter("User", 'userName eq "shared"') }),
        ).toEqual({ resources: [], total: 0 });
        expect(await tx.existing("User", ["u-1"])).toEqual([]);
      });
    });

    it("hides another tenant's memberships", async () => {
      await h.read(b, async (tx) => {
        expect(await tx.hasMembers("g-1", ["u-1"])).toEqual([]);
        expect((await tx.groupsOf(["u-1"])).get("u-1") ?? []).toEqual([]);
        expect(
          await tx.queryResources("Group", {
            startIndex: 1,
            count: 10,
            filter: filter("Group", 'members.value eq "u-1"'),
          }),
        ).toEqual({ resources: [], total: 0 });
      });
    });

    it("refuses to change or delete another tenant's resources and memberships", async () => {
      expect(await h.write(b, (tx) => tx.deleteResource("User", "u-1"))).toBe(false);
      expect(
        await rejectionName(
          h.write(b, (tx) =>
            tx.addMembers("g-1", [{ value: "u-9", type: "User" }], { modifiedAt: stamp(9), version: 3 }),
          ),
        ),
      ).toBeDefined();
      expect(
        await rejectionName(h.write(b, (tx) => tx.removeMembers("g-1", ["u-1"], { modifiedAt: stamp(9), version: 3 }))),
      ).toBeDefined();
      expect(
        await rejectionName(
          h.write(b, (tx) => tx.replaceResource(resource("User", "u-1", { userName: "hijack" }, { version: 2 }))),
        ),
      ).toBeDefined();
      expect(await h.persisted.resource(a, "User", "u-1")).toEqual(
        resource("User", "u-1", { userName: "shared" }, { second: 1 }),
      );
      expect(await h.persisted.memberIds(a, "g-1")).toEqual(["u-1"]);
    });

    it("keeps resources with the same id in two tenants apart", async () => {
      await h.write(b, (tx) => tx.createResource(resource("User", "u-1", { userName: "other" }, { second: 5 })));
      expect((await h.persisted.resource(b, "User", "u-1"))?.attributes).toEqual({ userName: "other" });
      expect((await h.persisted.resource(a, "User", "u-1"))?.attributes).toEqual({ userName: "shared" });
      // The same id's memberships in the other tenant are not its own.
      expect((await h.read(b, (tx) => tx.getResource("User", "u-1", { groups: true })))?.groups).toEqual([]);
      const page = await h.read(b, (tx) =>
        tx.queryResources("User", { startIndex: 1, count: 10, projection: { groups: true } }),
      );
      expect(page.resources.map((r) => [r.id, r.groups])).toEqual([["u-1", []]]);
      expect(
        (await h.read(a, (tx) => tx.getResource("User", "u-1", { groups: true })))?.groups?.map((m) => m.groupId),
      ).toEqual(["g-1"]);
      await h.write(b, (tx) => tx.deleteResource("User", "u-1"));
      expect(await h.persisted.resource(a, "User", "u-1")).not.toBeNull();
    });

    it("hides another tenant's records and logs", async () => {
      await h.read(b, async (tx) => {
        expect(await tx.getRecord("directory", "d-1")).toBeNull();
        expect(await tx.listRecords("directory")).toEqual([]);
        expect(await tx.readLog("audit", { limit: 100 })).toEqual([]);
        expect(await tx.readLog("events", { limit: 100, resourceId: "u-1" })).toEqual([]);
      });
      expect(await h.write(b, (tx) => tx.deleteRecord("directory", "d-1"))).toBe(false);
      expect(await h.persisted.record("directory", a, "d-1")).not.toBeNull();
      expect(await h.persisted.logEntries("audit", a)).toHaveLength(1);
    });
  });
}
