/** Membership as first-class operations: add, remove, replace, point lookups, and the cascade on delete. */
import { beforeEach, expect, it } from "vitest";
import type { Member } from "@scimkit/core";
import { describeCapability, rejectionName, resource, stamp, type Harness } from "../harness.js";
import type { ConformanceOptions } from "../options.js";

const user = (value: string, display?: string): Member => ({ value, type: "User", ...(display !== undefined ? { display } : {}) });
const sorted = (ids: readonly string[]) => [...ids].sort();

export function membersSuite(h: Harness, options: ConformanceOptions): void {
  describeCapability(options, "members", () => {
    let t = "";
    beforeEach(async () => {
      t = h.tenant("members");
      await h.write(t, async (tx) => {
        for (const id of ["u-1", "u-2", "u-3", "u-4"]) await tx.createResource(resource("User", id, { userName: id }));
        await tx.createResource(resource("Group", "g-1", { displayName: "One" }, { version: 1 }));
        await tx.createResource(resource("Group", "g-2", { displayName: "Two" }, { version: 1 }));
      });
    });

    it("adds members, reports the ids added, and bumps the group's version and lastModified", async () => {
      const added = await h.write(t, (tx) => tx.addMembers("g-1", [user("u-1", "One"), user("u-2")], { modifiedAt: stamp(30) }));
      expect(sorted(added)).toEqual(["u-1", "u-2"]);
      expect(sorted(await h.persisted.memberIds(t, "g-1"))).toEqual(["u-1", "u-2"]);
      const group = await h.persisted.resource(t, "Group", "g-1");
      expect(group?.version).toBe(2);
      expect(group?.lastModified).toBe(stamp(30));
      const read = await h.read(t, (tx) => tx.getResource("Group", "g-1", { members: true }));
      expect(read?.members?.find((m) => m.value === "u-1")).toEqual(user("u-1", "One"));
    });

    it("adding an existing member again is a no-op that reports nothing added and keeps the version", async () => {
      await h.write(t, (tx) => tx.addMembers("g-1", [user("u-1")], { modifiedAt: stamp(30) }));
      const again = await h.write(t, (tx) => tx.addMembers("g-1", [user("u-1"), user("u-1")], { modifiedAt: stamp(31) }));
      expect(again).toEqual([]);
      expect(await h.persisted.memberIds(t, "g-1")).toEqual(["u-1"]);
      const group = await h.persisted.resource(t, "Group", "g-1");
      expect(group?.version).toBe(2);
      expect(group?.lastModified).toBe(stamp(30));
    });

    it("adds a member listed twice in one call once", async () => {
      const added = await h.write(t, (tx) => tx.addMembers("g-1", [user("u-3"), user("u-3")], { modifiedAt: stamp(30) }));
      expect(added).toEqual(["u-3"]);
      expect(await h.persisted.memberIds(t, "g-1")).toEqual(["u-3"]);
    });

    it("keeps a group as a member, with its type", async () => {
      await h.write(t, (tx) => tx.addMembers("g-1", [{ value: "g-2", type: "Group", display: "Two" }], { modifiedAt: stamp(30) }));
      const read = await h.read(t, (tx) => tx.getResource("Group", "g-1", { members: true }));
      expect(read?.members).toEqual([{ value: "g-2", type: "Group", display: "Two" }]);
    });

    it("removes only the listed members that are present, and bumps the version once", async () => {
      await h.write(t, (tx) => tx.addMembers("g-1", [user("u-1"), user("u-2"), user("u-3")], { modifiedAt: stamp(30) }));
      const removed = await h.write(t, (tx) => tx.removeMembers("g-1", ["u-2", "u-4", "nobody"], { modifiedAt: stamp(31) }));
      expect(removed).toEqual(["u-2"]);
      expect(sorted(await h.persisted.memberIds(t, "g-1"))).toEqual(["u-1", "u-3"]);
      const group = await h.persisted.resource(t, "Group", "g-1");
      expect([group?.version, group?.lastModified]).toEqual([3, stamp(31)]);
      expect(await h.write(t, (tx) => tx.removeMembers("g-1", ["u-2"], { modifiedAt: stamp(32) }))).toEqual([]);
      expect((await h.persisted.resource(t, "Group", "g-1"))?.version).toBe(3);
    });

    it("replace makes the member list exactly the one given and reports the difference", async () => {
      await h.write(t, (tx) => tx.addMembers("g-1", [user("u-1"), user("u-2")], { modifiedAt: stamp(30) }));
      const diff = await h.write(t, (tx) => tx.replaceMembers("g-1", [user("u-2"), user("u-3"), user("u-4")], { modifiedAt: stamp(31) }));
      expect({ added: sorted(diff.added), removed: sorted(diff.removed) }).toEqual({ added: ["u-3", "u-4"], removed: ["u-1"] });
      expect(sorted(await h.persisted.memberIds(t, "g-1"))).toEqual(["u-2", "u-3", "u-4"]);
      expect((await h.persisted.resource(t, "Group", "g-1"))?.version).toBe(3);
    });

    it("replace with an empty list clears the group; replace with the same list changes nothing", async () => {
      await h.write(t, (tx) => tx.addMembers("g-1", [user("u-1"), user("u-2")], { modifiedAt: stamp(30) }));
      const same = await h.write(t, (tx) => tx.replaceMembers("g-1", [user("u-2"), user("u-1")], { modifiedAt: stamp(31) }));
      expect(same).toEqual({ added: [], removed: [] });
      expect((await h.persisted.resource(t, "Group", "g-1"))?.version).toBe(2);
      const cleared = await h.write(t, (tx) => tx.replaceMembers("g-1", [], { modifiedAt: stamp(32) }));
      expect(sorted(cleared.removed)).toEqual(["u-1", "u-2"]);
      expect(await h.persisted.memberIds(t, "g-1")).toEqual([]);
    });

    it("hasMembers answers which of the given ids are members, in the order asked", async () => {
      await h.write(t, (tx) => tx.addMembers("g-1", [user("u-1"), user("u-3")], { modifiedAt: stamp(30) }));
      expect(await h.read(t, (tx) => tx.hasMembers("g-1", ["u-3", "u-2", "u-1", "ghost"]))).toEqual(["u-3", "u-1"]);
      expect(await h.read(t, (tx) => tx.hasMembers("g-2", ["u-1"]))).toEqual([]);
      expect(await h.read(t, (tx) => tx.hasMembers("g-1", []))).toEqual([]);
    });

    it("groupsOf lists each id's direct groups with their display names, and an empty list for the rest", async () => {
      await h.write(t, async (tx) => {
        await tx.addMembers("g-1", [user("u-1"), user("u-2")], { modifiedAt: stamp(30) });
        await tx.addMembers("g-2", [user("u-1")], { modifiedAt: stamp(30) });
      });
      const groups = await h.read(t, (tx) => tx.groupsOf(["u-1", "u-2", "u-3"]));
      const plain = (id: string) => [...(groups.get(id) ?? [])].map((m) => ({ groupId: m.groupId, display: m.display })).sort((a, b) => a.groupId.localeCompare(b.groupId));
      expect(plain("u-1")).toEqual([{ groupId: "g-1", display: "One" }, { groupId: "g-2", display: "Two" }]);
      expect(plain("u-2")).toEqual([{ groupId: "g-1", display: "One" }]);
      expect(groups.get("u-3")).toEqual([]);
    });

    it("follows one member into a third group and back out of each, one change at a time", async () => {
      const groupIds = async (id: string) => [...((await h.read(t, (tx) => tx.groupsOf([id]))).get(id) ?? [])].map((m) => m.groupId).sort();
      await h.write(t, (tx) => tx.createResource(resource("Group", "g-3", { displayName: "Three" }, { version: 1 })));
      for (const g of ["g-1", "g-2", "g-3"]) await h.write(t, (tx) => tx.addMembers(g, [user("u-1", g === "g-2" ? "Ann" : undefined)], { modifiedAt: stamp(30) }));
      expect(await groupIds("u-1")).toEqual(["g-1", "g-2", "g-3"]);
      await h.write(t, (tx) => tx.removeMembers("g-2", ["u-1"], { modifiedAt: stamp(31) }));
      expect(await groupIds("u-1")).toEqual(["g-1", "g-3"]);
      await h.write(t, (tx) => tx.removeMembers("g-1", ["u-1"], { modifiedAt: stamp(32) }));
      expect(await groupIds("u-1")).toEqual(["g-3"]);
      expect(await h.read(t, (tx) => tx.hasMembers("g-1", ["u-1"]))).toEqual([]);
      // Back into a group it left, now with a display value, which a read returns.
      await h.write(t, (tx) => tx.addMembers("g-2", [user("u-1", "Ann B")], { modifiedAt: stamp(33) }));
      expect(await groupIds("u-1")).toEqual(["g-2", "g-3"]);
      expect((await h.read(t, (tx) => tx.getResource("Group", "g-2", { members: true })))?.members).toEqual([user("u-1", "Ann B")]);
      expect((await h.read(t, (tx) => tx.getResource("Group", "g-3", { members: true })))?.members).toEqual([user("u-1")]);
      await h.write(t, (tx) => tx.removeMembers("g-3", ["u-1"], { modifiedAt: stamp(34) }));
      await h.write(t, (tx) => tx.removeMembers("g-2", ["u-1"], { modifiedAt: stamp(35) }));
      expect(await groupIds("u-1")).toEqual([]);
    });

    it("reads a group without members unless the projection asks for them", async () => {
      await h.write(t, (tx) => tx.addMembers("g-1", [user("u-1")], { modifiedAt: stamp(30) }));
      expect((await h.read(t, (tx) => tx.getResource("Group", "g-1")))?.members).toBeUndefined();
      expect((await h.read(t, (tx) => tx.getResource("Group", "g-2", { members: true })))?.members).toEqual([]);
    });

    it("deleting a member removes it from every group", async () => {
      await h.write(t, async (tx) => {
        await tx.addMembers("g-1", [user("u-1"), user("u-2")], { modifiedAt: stamp(30) });
        await tx.addMembers("g-2", [user("u-1")], { modifiedAt: stamp(30) });
        await tx.deleteResource("User", "u-1");
      });
      expect(await h.persisted.memberIds(t, "g-1")).toEqual(["u-2"]);
      expect(await h.persisted.memberIds(t, "g-2")).toEqual([]);
      expect((await h.read(t, (tx) => tx.groupsOf(["u-1"]))).get("u-1")).toEqual([]);
    });

    it("deleting a group removes its members and its own memberships", async () => {
      await h.write(t, async (tx) => {
        await tx.addMembers("g-1", [user("u-1"), { value: "g-2", type: "Group" }], { modifiedAt: stamp(30) });
        await tx.addMembers("g-2", [user("u-2")], { modifiedAt: stamp(30) });
        await tx.deleteResource("Group", "g-2");
      });
      expect(await h.persisted.memberIds(t, "g-1")).toEqual(["u-1"]);
      expect((await h.read(t, (tx) => tx.groupsOf(["u-2"]))).get("u-2")).toEqual([]);
      // A group created again under the same id starts empty.
      await h.write(t, (tx) => tx.createResource(resource("Group", "g-2", { displayName: "Two again" })));
      expect(await h.persisted.memberIds(t, "g-2")).toEqual([]);
    });

    it("refuses membership changes on a group that does not exist", async () => {
      expect(await rejectionName(h.write(t, (tx) => tx.addMembers("ghost", [user("u-1")], { modifiedAt: stamp(30) })))).toBeDefined();
      expect(await rejectionName(h.write(t, (tx) => tx.removeMembers("ghost", ["u-1"], { modifiedAt: stamp(30) })))).toBeDefined();
      expect(await rejectionName(h.write(t, (tx) => tx.replaceMembers("ghost", [], { modifiedAt: stamp(30) })))).toBeDefined();
    });
  });
}
