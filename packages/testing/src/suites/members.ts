/**
 * Membership as first-class operations: add, remove, replace, point lookups, the cascade on delete,
 * and the groups a read returns when `projection.groups` asks for them. Core owns versions: a
 * membership change carries the group's next `version` and `lastModified`, and the store sets
 * them as given when the change changes something (it never bumps a version itself).
 */
import { beforeEach, describe, expect, it } from "vitest";
import type { Member, Membership, MembershipWrite } from "@scimkit/core/store";
import { rejectionName, resource, stamp, type Harness } from "../harness.js";

const user = (value: string, display?: string): Member => ({
  value,
  type: "User",
  ...(display !== undefined ? { display } : {}),
});
const sorted = (ids: readonly string[]) => [...ids].sort();
/** A membership write at second `second` that sets the group's version to `version`. */
const at = (second: number, version: number): MembershipWrite => ({ modifiedAt: stamp(second), version });
/** Memberships as plain data in group id order, so stores may return them in any order. */
const plain = (list: readonly Membership[] | undefined) =>
  list === undefined
    ? undefined
    : [...list]
        .map((m) => ({ groupId: m.groupId, display: m.display }))
        .sort((a, b) => a.groupId.localeCompare(b.groupId));

export function membersSuite(h: Harness): void {
  describe("members", () => {
    let t = "";
    beforeEach(async () => {
      t = h.tenant("members");
      await h.write(t, async (tx) => {
        for (const id of ["u-1", "u-2", "u-3", "u-4"]) await tx.createResource(resource("User", id, { userName: id }));
        await tx.createResource(resource("Group", "g-1", { displayName: "One" }, { version: 1 }));
        await tx.createResource(resource("Group", "g-2", { displayName: "Two" }, { version: 1 }));
      });
    });
    const version = async (groupId: string) => {
      const group = await h.persisted.resource(t, "Group", groupId);
      return [group?.version, group?.lastModified];
    };

    it("adds members, reports the ids added, and sets the group's version and lastModified to the ones given", async () => {
      const added = await h.write(t, (tx) => tx.addMembers("g-1", [user("u-1", "One"), user("u-2")], at(30, 5)));
      expect(sorted(added)).toEqual(["u-1", "u-2"]);
      expect(sorted(await h.persisted.memberIds(t, "g-1"))).toEqual(["u-1", "u-2"]);
      // 5, not 2: the store sets the version core computed, it does not bump the stored one.
      expect(await version("g-1")).toEqual([5, stamp(30)]);
      const read = await h.read(t, (tx) => tx.getResource("Group", "g-1", { members: true }));
      expect(read?.members?.find((m) => m.value === "u-1")).toEqual(user("u-1", "One"));
    });

    it("adding an existing member again is a no-op that reports nothing added and keeps the version", async () => {
      await h.write(t, (tx) => tx.addMembers("g-1", [user("u-1")], at(30, 2)));
      const again = await h.write(t, (tx) => tx.addMembers("g-1", [user("u-1"), user("u-1")], at(31, 3)));
      expect(again).toEqual([]);
      expect(await h.persisted.memberIds(t, "g-1")).toEqual(["u-1"]);
      expect(await version("g-1")).toEqual([2, stamp(30)]);
    });

    it("adds a member listed twice in one call once", async () => {
      const added = await h.write(t, (tx) => tx.addMembers("g-1", [user("u-3"), user("u-3")], at(30, 2)));
      expect(added).toEqual(["u-3"]);
      expect(await h.persisted.memberIds(t, "g-1")).toEqual(["u-3"]);
    });

    it("keeps a group as a member, with its type", async () => {
      await h.write(t, (tx) => tx.addMembers("g-1", [{ value: "g-2", type: "Group", display: "Two" }], at(30, 2)));
      const read = await h.read(t, (tx) => tx.getResource("Group", "g-1", { members: true }));
      expect(read?.members).toEqual([{ value: "g-2", type: "Group", display: "Two" }]);
    });

    it("removes only the listed members that are present, and sets the version given once", async () => {
      await h.write(t, (tx) => tx.addMembers("g-1", [user("u-1"), user("u-2"), user("u-3")], at(30, 2)));
      const removed = await h.write(t, (tx) => tx.removeMembers("g-1", ["u-2", "u-4", "nobody"], at(31, 7)));
      expect(removed).toEqual(["u-2"]);
      expect(sorted(await h.persisted.memberIds(t, "g-1"))).toEqual(["u-1", "u-3"]);
      expect(await version("g-1")).toEqual([7, stamp(31)]);
      expect(await h.write(t, (tx) => tx.removeMembers("g-1", ["u-2"], at(32, 8)))).toEqual([]);
      expect(await version("g-1")).toEqual([7, stamp(31)]);
    });

    it("sets the same version on every change of one unit of work, as core does for a multi-operation PATCH", async () => {
      await h.write(t, async (tx) => {
        await tx.addMembers("g-1", [user("u-1"), user("u-2")], at(30, 2));
        await tx.removeMembers("g-1", ["u-1"], at(30, 2));
        await tx.addMembers("g-1", [user("u-3")], at(30, 2));
      });
      expect(sorted(await h.persisted.memberIds(t, "g-1"))).toEqual(["u-2", "u-3"]);
      expect(await version("g-1")).toEqual([2, stamp(30)]);
    });

    it("replace makes the member list exactly the one given, reports the difference and sets the version given", async () => {
      await h.write(t, (tx) => tx.addMembers("g-1", [user("u-1"), user("u-2")], at(30, 2)));
      const diff = await h.write(t, (tx) =>
        tx.replaceMembers("g-1", [user("u-2"), user("u-3"), user("u-4")], at(31, 4)),
      );
      expect({ added: sorted(diff.added), removed: sorted(diff.removed) }).toEqual({
        added: ["u-3", "u-4"],
        removed: ["u-1"],
      });
      expect(sorted(await h.persisted.memberIds(t, "g-1"))).toEqual(["u-2", "u-3", "u-4"]);
      expect(await version("g-1")).toEqual([4, stamp(31)]);
    });

    it("replace that only adds, or only removes, sets the version given", async () => {
      const added = await h.write(t, (tx) => tx.replaceMembers("g-1", [user("u-1")], at(31, 3)));
      expect(added).toEqual({ added: ["u-1"], removed: [] });
      expect(await version("g-1")).toEqual([3, stamp(31)]);
      const removed = await h.write(t, (tx) => tx.replaceMembers("g-1", [], at(32, 4)));
      expect(removed).toEqual({ added: [], removed: ["u-1"] });
      expect(await version("g-1")).toEqual([4, stamp(32)]);
    });

    it("replace with an empty list clears the group; replace with the same list changes nothing", async () => {
      await h.write(t, (tx) => tx.addMembers("g-1", [user("u-1"), user("u-2")], at(30, 2)));
      const same = await h.write(t, (tx) => tx.replaceMembers("g-1", [user("u-2"), user("u-1")], at(31, 3)));
      expect(same).toEqual({ added: [], removed: [] });
      expect(await version("g-1")).toEqual([2, stamp(30)]);
      const cleared = await h.write(t, (tx) => tx.replaceMembers("g-1", [], at(32, 3)));
      expect(sorted(cleared.removed)).toEqual(["u-1", "u-2"]);
      expect(await h.persisted.memberIds(t, "g-1")).toEqual([]);
    });

    it("hasMembers answers which of the given ids are members, in the order asked", async () => {
      await h.write(t, (tx) => tx.addMembers("g-1", [user("u-1"), user("u-3")], at(30, 2)));
      expect(await h.read(t, (tx) => tx.hasMembers("g-1", ["u-3", "u-2", "u-1", "ghost"]))).toEqual(["u-3", "u-1"]);
      expect(await h.read(t, (tx) => tx.hasMembers("g-2", ["u-1"]))).toEqual([]);
      expect(await h.read(t, (tx) => tx.hasMembers("g-1", []))).toEqual([]);
    });

    it("groupsOf lists each id's direct groups with their display names, and an empty list for the rest", async () => {
      await h.write(t, async (tx) => {
        await tx.addMembers("g-1", [user("u-1"), user("u-2")], at(30, 2));
        await tx.addMembers("g-2", [user("u-1")], at(30, 2));
      });
      const groups = await h.read(t, (tx) => tx.groupsOf(["u-1", "u-2", "u-3"]));
      expect(plain(groups.get("u-1"))).toEqual([
        { groupId: "g-1", display: "One" },
        { groupId: "g-2", display: "Two" },
      ]);
      expect(plain(groups.get("u-2"))).toEqual([{ groupId: "g-1", display: "One" }]);
      expect(groups.get("u-3")).toEqual([]);
      expect((await h.read(t, (tx) => tx.groupsOf([]))).size).toBe(0);
    });

    it("follows one member into a third group and back out of each, one change at a time", async () => {
      const groupIds = async (id: string) =>
        [...((await h.read(t, (tx) => tx.groupsOf([id]))).get(id) ?? [])].map((m) => m.groupId).sort();
      await h.write(t, (tx) => tx.createResource(resource("Group", "g-3", { displayName: "Three" }, { version: 1 })));
      for (const g of ["g-1", "g-2", "g-3"])
        await h.write(t, (tx) => tx.addMembers(g, [user("u-1", g === "g-2" ? "Ann" : undefined)], at(30, 2)));
      expect(await groupIds("u-1")).toEqual(["g-1", "g-2", "g-3"]);
      await h.write(t, (tx) => tx.removeMembers("g-2", ["u-1"], at(31, 3)));
      expect(await groupIds("u-1")).toEqual(["g-1", "g-3"]);
      await h.write(t, (tx) => tx.removeMembers("g-1", ["u-1"], at(32, 3)));
      expect(await groupIds("u-1")).toEqual(["g-3"]);
      expect(await h.read(t, (tx) => tx.hasMembers("g-1", ["u-1"]))).toEqual([]);
      // Back into a group it left, now with a display value, which a read returns.
      await h.write(t, (tx) => tx.addMembers("g-2", [user("u-1", "Ann B")], at(33, 4)));
      expect(await groupIds("u-1")).toEqual(["g-2", "g-3"]);
      expect((await h.read(t, (tx) => tx.getResource("Group", "g-2", { members: true })))?.members).toEqual([
        user("u-1", "Ann B"),
      ]);
      expect((await h.read(t, (tx) => tx.getResource("Group", "g-3", { members: true })))?.members).toEqual([
        user("u-1"),
      ]);
      await h.write(t, (tx) => tx.removeMembers("g-3", ["u-1"], at(34, 3)));
      await h.write(t, (tx) => tx.removeMembers("g-2", ["u-1"], at(35, 5)));
      expect(await groupIds("u-1")).toEqual([]);
    });

    it("reads a group without members unless the projection asks for them", async () => {
      await h.write(t, (tx) => tx.addMembers("g-1", [user("u-1")], at(30, 2)));
      expect((await h.read(t, (tx) => tx.getResource("Group", "g-1")))?.members).toBeUndefined();
      expect((await h.read(t, (tx) => tx.getResource("Group", "g-2", { members: true })))?.members).toEqual([]);
    });

    it("deleting a member removes it from every group", async () => {
      await h.write(t, async (tx) => {
        await tx.addMembers("g-1", [user("u-1"), user("u-2")], at(30, 2));
        await tx.addMembers("g-2", [user("u-1")], at(30, 2));
        await tx.deleteResource("User", "u-1");
      });
      expect(await h.persisted.memberIds(t, "g-1")).toEqual(["u-2"]);
      expect(await h.persisted.memberIds(t, "g-2")).toEqual([]);
      expect((await h.read(t, (tx) => tx.groupsOf(["u-1"]))).get("u-1")).toEqual([]);
    });

    it("deleting a group removes its members and its own memberships", async () => {
      await h.write(t, async (tx) => {
        await tx.addMembers("g-1", [user("u-1"), { value: "g-2", type: "Group" }], at(30, 2));
        await tx.addMembers("g-2", [user("u-2")], at(30, 2));
        await tx.deleteResource("Group", "g-2");
      });
      expect(await h.persisted.memberIds(t, "g-1")).toEqual(["u-1"]);
      expect((await h.read(t, (tx) => tx.groupsOf(["u-2"]))).get("u-2")).toEqual([]);
      expect((await h.read(t, (tx) => tx.getResource("User", "u-2", { groups: true })))?.groups).toEqual([]);
      // A group created again under the same id starts empty.
      await h.write(t, (tx) => tx.createResource(resource("Group", "g-2", { displayName: "Two again" })));
      expect(await h.persisted.memberIds(t, "g-2")).toEqual([]);
    });

    it("refuses membership changes on a group that does not exist", async () => {
      expect(await rejectionName(h.write(t, (tx) => tx.addMembers("ghost", [user("u-1")], at(30, 2))))).toBeDefined();
      expect(await rejectionName(h.write(t, (tx) => tx.removeMembers("ghost", ["u-1"], at(30, 2))))).toBeDefined();
      expect(await rejectionName(h.write(t, (tx) => tx.replaceMembers("ghost", [], at(30, 2))))).toBeDefined();
    });
  });

  describe("projection.groups", () => {
    let t = "";
    beforeEach(async () => {
      t = h.tenant("groups");
      await h.write(t, async (tx) => {
        for (const [id, second] of [
          ["u-1", 1],
          ["u-2", 2],
          ["u-3", 3],
        ] as const) {
          await tx.createResource(resource("User", id, { userName: id }, { second }));
        }
        await tx.createResource(resource("Group", "g-1", { displayName: "One" }, { second: 4 }));
        await tx.createResource(resource("Group", "g-2", { displayName: "Two" }, { second: 5 }));
        await tx.createResource(resource("Group", "g-3", {}, { second: 6, uniqueKey: null }));
        await tx.addMembers("g-1", [user("u-1"), user("u-2")], at(10, 2));
        await tx.addMembers("g-2", [user("u-1"), { value: "g-1", type: "Group" }], at(10, 2));
        await tx.addMembers("g-3", [user("u-2")], at(10, 2));
      });
    });

    it("getResource returns a user's direct groups with their display names, in the same read", async () => {
      const one = await h.read(t, (tx) => tx.getResource("User", "u-1", { groups: true }));
      expect(plain(one?.groups)).toEqual([
        { groupId: "g-1", display: "One" },
        { groupId: "g-2", display: "Two" },
      ]);
      // A group without a displayName has no display value.
      const two = await h.read(t, (tx) => tx.getResource("User", "u-2", { groups: true }));
      expect(plain(two?.groups)).toEqual([
        { groupId: "g-1", display: "One" },
        { groupId: "g-3", display: undefined },
      ]);
      expect((await h.read(t, (tx) => tx.getResource("User", "u-3", { groups: true })))?.groups).toEqual([]);
    });

    it("matches groupsOf, and leaves the rest of the resource as a plain read returns it", async () => {
      const [withGroups, without, groups] = await h.read(t, async (tx) => [
        await tx.getResource("User", "u-1", { groups: true }),
        await tx.getResource("User", "u-1"),
        await tx.groupsOf(["u-1"]),
      ]);
      expect(plain(withGroups?.groups)).toEqual(plain(groups.get("u-1")));
      expect(without?.groups).toBeUndefined();
      const { groups: _groups, ...rest } = withGroups ?? { groups: undefined };
      expect(rest).toEqual(without);
    });

    it("queryResources returns each user of the page with its groups", async () => {
      const page = await h.read(t, (tx) =>
        tx.queryResources("User", { startIndex: 2, count: 2, projection: { groups: true } }),
      );
      expect(page.total).toBe(3);
      expect(page.resources.map((r) => [r.id, plain(r.groups)])).toEqual([
        [
          "u-2",
          [
            { groupId: "g-1", display: "One" },
            { groupId: "g-3", display: undefined },
          ],
        ],
        ["u-3", []],
      ]);
      const plainPage = await h.read(t, (tx) => tx.queryResources("User", { startIndex: 1, count: 3 }));
      expect(plainPage.resources.every((r) => r.groups === undefined)).toBe(true);
    });

    it("follows membership changes and deletions", async () => {
      await h.write(t, async (tx) => {
        await tx.removeMembers("g-1", ["u-1"], at(11, 3));
        await tx.deleteResource("Group", "g-2");
        await tx.addMembers("g-3", [user("u-1")], at(11, 3));
      });
      const one = await h.read(t, (tx) => tx.getResource("User", "u-1", { groups: true }));
      expect(plain(one?.groups)).toEqual([{ groupId: "g-3", display: undefined }]);
    });
  });
}
