/** Create, read, replace and delete; uniqueness per tenant and type; version guards. */
import { describe, expect, it } from "vitest";
import { URN } from "@scimkit/core/store";
import { rejectionName, resource, stamp, type Harness } from "../harness.js";

const richAttributes = {
  userName: "Zoë.O'Brien@example.com",
  name: { givenName: "Zoë", familyName: "O'Brien", formatted: 'Zoë "Z" O\'Brien' },
  displayName: 'back\\slash, quote " and newline\nand emoji 🎉',
  active: true,
  emails: [
    { value: "zoe@example.com", type: "work", primary: true },
    { value: "z@example.org", type: "home", primary: false },
  ],
  externalId: "00aa-ff",
  [URN.EnterpriseUser]: { department: "R&D", manager: { value: "m-1" } },
  "urn:example:params:scim:schemas:extension:numbers:2.0:User": {
    score: 4.75,
    big: 1234567890123,
    negative: -0.5,
    zero: 0,
    list: [1, 2, 3],
  },
};

export function resourceSuite(h: Harness): void {
  describe("resources", () => {
    it("reads back a created resource exactly as written", async () => {
      const t = h.tenant("crud");
      const written = resource("User", "u-1", richAttributes, {
        second: 1,
        internal: { passwordHash: "x$y", flags: [true, null] },
        version: 3,
      });
      const returned = await h.write(t, (tx) => tx.createResource(written));
      expect(returned).toEqual(written);
      expect(returned.members).toBeUndefined();
      expect(await h.persisted.resource(t, "User", "u-1")).toEqual(written);
      expect(await h.read(t, (tx) => tx.getResource("User", "u-1"))).toEqual(written);
    });

    it("returns null for an unknown id and for a known id asked for under another type", async () => {
      const t = h.tenant("crud");
      await h.write(t, (tx) => tx.createResource(resource("User", "u-1", { userName: "a" })));
      expect(await h.read(t, (tx) => tx.getResource("User", "nope"))).toBeNull();
      expect(await h.read(t, (tx) => tx.getResource("Group", "u-1"))).toBeNull();
    });

    it("replace swaps attributes, internal data, uniqueKey, lastModified and version, and keeps created", async () => {
      const t = h.tenant("crud");
      const first = resource(
        "User",
        "u-1",
        { userName: "a", title: "old", nickName: "gone" },
        { second: 1, internal: { a: 1 } },
      );
      await h.write(t, (tx) => tx.createResource(first));
      const next = {
        ...first,
        attributes: { userName: "B", title: "new" },
        internal: { b: 2 },
        uniqueKey: "b",
        lastModified: stamp(9),
        version: 2,
      };
      await h.write(t, (tx) => tx.replaceResource(next));
      const stored = await h.persisted.resource(t, "User", "u-1");
      expect(stored).toEqual({ ...next, created: first.created });
      expect(stored?.attributes).not.toHaveProperty("nickName");
    });

    it("delete removes the resource and reports whether there was one", async () => {
      const t = h.tenant("crud");
      await h.write(t, (tx) => tx.createResource(resource("User", "u-1", { userName: "a" })));
      expect(await h.write(t, (tx) => tx.deleteResource("User", "u-1"))).toBe(true);
      expect(await h.persisted.resource(t, "User", "u-1")).toBeNull();
      expect(await h.write(t, (tx) => tx.deleteResource("User", "u-1"))).toBe(false);
    });

    it("existing returns only the ids that exist as the given type, in the order asked", async () => {
      const t = h.tenant("crud");
      await h.write(t, async (tx) => {
        await tx.createResource(resource("User", "u-1", { userName: "a" }));
        await tx.createResource(resource("User", "u-2", { userName: "b" }));
        await tx.createResource(resource("Group", "g-1", { displayName: "G" }));
      });
      expect(await h.read(t, (tx) => tx.existing("User", ["u-2", "g-1", "zz", "u-1"]))).toEqual(["u-2", "u-1"]);
      expect(await h.read(t, (tx) => tx.existing("Group", ["u-1", "g-1"]))).toEqual(["g-1"]);
      expect(await h.read(t, (tx) => tx.existing("User", []))).toEqual([]);
    });
  });

  describe("uniqueness", () => {
    it("rejects a second resource with the same uniqueKey in the same tenant and type, writing nothing", async () => {
      const t = h.tenant("uniq");
      await h.write(t, (tx) => tx.createResource(resource("User", "u-1", { userName: "Alice" })));
      const name = await rejectionName(
        h.write(t, (tx) => tx.createResource(resource("User", "u-2", { userName: "ALICE" }))),
      );
      expect(name).toBe("UniquenessError");
      expect(await h.persisted.resource(t, "User", "u-2")).toBeNull();
    });

    it("rejects a second resource with the same id in the same tenant and type", async () => {
      const t = h.tenant("uniq");
      await h.write(t, (tx) => tx.createResource(resource("User", "u-1", { userName: "a" })));
      expect(
        await rejectionName(h.write(t, (tx) => tx.createResource(resource("User", "u-1", { userName: "b" })))),
      ).toBe("UniquenessError");
      expect((await h.persisted.resource(t, "User", "u-1"))?.attributes).toEqual({ userName: "a" });
    });

    it("allows the same uniqueKey in another tenant and in another type", async () => {
      const a = h.tenant("uniq");
      const b = h.tenant("uniq");
      await h.write(a, (tx) => tx.createResource(resource("User", "u-1", { userName: "same" })));
      await h.write(b, (tx) => tx.createResource(resource("User", "u-1", { userName: "same" })));
      await h.write(a, (tx) =>
        tx.createResource(resource("Group", "g-1", { displayName: "same" }, { uniqueKey: "same" })),
      );
      expect(await h.persisted.resource(b, "User", "u-1")).not.toBeNull();
      expect(await h.persisted.resource(a, "Group", "g-1")).not.toBeNull();
    });

    it("never treats a null uniqueKey as taken", async () => {
      const t = h.tenant("uniq");
      await h.write(t, async (tx) => {
        await tx.createResource(resource("Group", "g-1", { displayName: "x" }, { uniqueKey: null }));
        await tx.createResource(resource("Group", "g-2", { displayName: "x" }, { uniqueKey: null }));
      });
      expect(await h.read(t, (tx) => tx.existing("Group", ["g-1", "g-2"]))).toEqual(["g-1", "g-2"]);
    });

    it("rejects a replace that takes another resource's key, leaving both unchanged", async () => {
      const t = h.tenant("uniq");
      const one = resource("User", "u-1", { userName: "one" });
      await h.write(t, async (tx) => {
        await tx.createResource(one);
        await tx.createResource(resource("User", "u-2", { userName: "two" }));
      });
      const taking = { ...one, attributes: { userName: "TWO" }, uniqueKey: "two", version: 2 };
      expect(await rejectionName(h.write(t, (tx) => tx.replaceResource(taking)))).toBe("UniquenessError");
      expect(await h.persisted.resource(t, "User", "u-1")).toEqual(one);
    });

    it("lets a resource keep its own key on replace, and frees a key on delete and on change", async () => {
      const t = h.tenant("uniq");
      const one = resource("User", "u-1", { userName: "one" });
      const two = resource("User", "u-2", { userName: "two" });
      await h.write(t, async (tx) => {
        await tx.createResource(one);
        await tx.createResource(two);
      });
      await h.write(t, (tx) => tx.replaceResource({ ...one, attributes: { userName: "One", title: "t" }, version: 2 }));
      await h.write(t, (tx) =>
        tx.replaceResource({ ...two, attributes: { userName: "renamed" }, uniqueKey: "renamed", version: 2 }),
      );
      await h.write(t, (tx) => tx.createResource(resource("User", "u-3", { userName: "two" })));
      await h.write(t, (tx) => tx.deleteResource("User", "u-1"));
      await h.write(t, (tx) => tx.createResource(resource("User", "u-4", { userName: "one" })));
      expect(await h.read(t, (tx) => tx.existing("User", ["u-1", "u-2", "u-3", "u-4"]))).toEqual(["u-2", "u-3", "u-4"]);
    });
  });

  describe("versionGuards", () => {
    it("replaces when the expected version matches", async () => {
      const t = h.tenant("ver");
      const first = resource("User", "u-1", { userName: "a" }, { version: 4 });
      await h.write(t, (tx) => tx.createResource(first));
      await h.write(t, (tx) =>
        tx.replaceResource({ ...first, attributes: { userName: "a", title: "x" }, version: 5 }, { expectedVersion: 4 }),
      );
      expect((await h.persisted.resource(t, "User", "u-1"))?.version).toBe(5);
    });

    it("refuses a replace against a stale version with VersionConflictError and writes nothing", async () => {
      const t = h.tenant("ver");
      const first = resource("User", "u-1", { userName: "a" }, { version: 4 });
      await h.write(t, (tx) => tx.createResource(first));
      const stale = { ...first, attributes: { userName: "b" }, uniqueKey: "b", version: 5 };
      expect(await rejectionName(h.write(t, (tx) => tx.replaceResource(stale, { expectedVersion: 3 })))).toBe(
        "VersionConflictError",
      );
      expect(await h.persisted.resource(t, "User", "u-1")).toEqual(first);
    });

    it("refuses a delete against a stale version and keeps the resource", async () => {
      const t = h.tenant("ver");
      await h.write(t, (tx) => tx.createResource(resource("User", "u-1", { userName: "a" }, { version: 2 })));
      expect(await rejectionName(h.write(t, (tx) => tx.deleteResource("User", "u-1", { expectedVersion: 1 })))).toBe(
        "VersionConflictError",
      );
      expect(await h.persisted.resource(t, "User", "u-1")).not.toBeNull();
      expect(await h.write(t, (tx) => tx.deleteResource("User", "u-1", { expectedVersion: 2 }))).toBe(true);
    });

    it("refuses a membership change against a stale group version and changes no member", async () => {
      const t = h.tenant("ver");
      await h.write(t, async (tx) => {
        await tx.createResource(resource("User", "u-1", { userName: "a" }));
        await tx.createResource(resource("User", "u-2", { userName: "b" }));
        await tx.createResource(resource("Group", "g-1", { displayName: "G" }, { version: 7 }));
        await tx.addMembers("g-1", [{ value: "u-1", type: "User" }], { modifiedAt: stamp(5), version: 8 });
      });
      const write = { modifiedAt: stamp(9), version: 9, expectedVersion: 7 };
      expect(
        await rejectionName(h.write(t, (tx) => tx.addMembers("g-1", [{ value: "u-2", type: "User" }], write))),
      ).toBe("VersionConflictError");
      expect(await rejectionName(h.write(t, (tx) => tx.removeMembers("g-1", ["u-1"], write)))).toBe(
        "VersionConflictError",
      );
      expect(await rejectionName(h.write(t, (tx) => tx.replaceMembers("g-1", [], write)))).toBe("VersionConflictError");
      expect(await h.persisted.memberIds(t, "g-1")).toEqual(["u-1"]);
      expect((await h.persisted.resource(t, "Group", "g-1"))?.version).toBe(8);
      await h.write(t, (tx) =>
        tx.addMembers("g-1", [{ value: "u-2", type: "User" }], {
          modifiedAt: stamp(9),
          version: 9,
          expectedVersion: 8,
        }),
      );
      expect([...(await h.persisted.memberIds(t, "g-1"))].sort()).toEqual(["u-1", "u-2"]);
      expect((await h.persisted.resource(t, "Group", "g-1"))?.version).toBe(9);
    });
  });
}
