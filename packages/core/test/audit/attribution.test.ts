import { describe, expect, it } from "vitest";
import { harness, user } from "../support.js";

describe("admin calls attributed to a person", () => {
  it("records the person behind directory, token and policy calls, and reads the trail newest first", async () => {
    const h = await harness({ tenantId: "t-who", policy: { roles: [{ id: "admin", label: "Admin" }] } });
    const grace = { id: "u_42", name: "Grace Hopper", email: "grace@example.com" };
    const dirs = h.server.directories.as(grace);
    const policy = h.server.policy.as(grace);
    const second = await dirs.create({ tenantId: "t-who", name: "Entra" });
    await dirs.rotateToken(second.id, "https://app.example.com/scim/v2");
    const groupId = (await h.call("POST", "/Groups", { displayName: "Admins" })).body.id as string;
    const ada = (await h.call("POST", "/Users", user("ada@example.com"))).body.id as string;
    await policy.mapGroup("t-who", groupId, "admin");
    await policy.exclude("t-who", ada, "CEO");

    const newest = await h.server.audit("t-who", { order: "descending", limit: 4 });
    expect(newest.map((e) => [e.operation, e.person?.email ?? null])).toEqual([
      ["policy.user.excluded", "grace@example.com"],
      ["policy.group.mapped", "grace@example.com"],
      ["create User", null],
      ["create Group", null],
    ]);
    const older = await h.server.audit("t-who", { order: "descending", before: newest.at(-1)?.seq ?? 0, limit: 2 });
    expect(older.map((e) => [e.operation, e.person])).toEqual([
      ["token.minted", grace],
      ["directory.created", grace],
    ]);
    // The unattributed API stays unattributed.
    await h.server.policy.include("t-who", ada);
    expect((await h.server.audit("t-who", { order: "descending", limit: 1 }))[0]?.person).toBeNull();
  });

  it("refuses a person without an id", () => {
    const h = harness({ tenantId: "t-bad" });
    return h.then((x) => expect(() => x.server.policy.as({ id: "" })).toThrow(/person/));
  });
});
