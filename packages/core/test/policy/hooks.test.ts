import { describe, expect, it } from "vitest";
import type { PolicyHarness } from "./support.js";
import { addMember, createGroup, createUser, deactivate, policyHarness } from "./support.js";

const roles = [
  { id: "admin", label: "Admin" },
  { id: "member", label: "Member" },
];

describe("host hooks and the commit", () => {
  it("runs onRoleChange and onDeprovision after commit: each sees its change committed", async () => {
    let h: PolicyHarness | undefined;
    const seen: unknown[] = [];
    h = await policyHarness({
      roles,
      fallbackRole: "member",
      // A read from the hook is a unit of work of its own: it sees the change only once committed.
      onRoleChange: async (c) =>
        void seen.push({ hook: "role", roles: await h?.policy.rolesOf(c.tenantId, c.userId), after: c.after }),
      onDeprovision: async (n) =>
        void seen.push({ hook: "deprovision", active: (await h?.call("GET", `/Users/${n.userId}`))?.body.active }),
    });
    const ada = await createUser(h.call, "ada@example.com");
    const admins = await createGroup(h.call, "Admins");
    await h.policy.mapGroup(h.tenantId, admins, "admin");
    await addMember(h.call, admins, ada);
    await deactivate(h.call, ada);
    expect(seen).toEqual([
      { hook: "role", roles: ["member"], after: ["member"] },
      { hook: "role", roles: ["admin"], after: ["admin"] },
      { hook: "deprovision", active: false },
      { hook: "role", roles: [], after: [] },
    ]);
  });

  it("never fails or undoes a committed request when an after-commit hook throws, and logs it", async () => {
    const h = await policyHarness({
      roles,
      fallbackRole: "member",
      onRoleChange: () => {
        throw new Error("webhook down: token=hunter2");
      },
    });
    const res = await h.call("POST", "/Users", {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
      userName: "bob@example.com",
    });
    expect(res.status).toBe(201);
    expect(await h.policy.rolesOf(h.tenantId, res.body.id)).toEqual(["member"]);
    expect(h.logs.join("\n")).toContain("a host hook failed after commit");
  });

  it("runs in-transaction hooks inside the unit of work: what they write through its transaction commits with the change", async () => {
    const h = await policyHarness({
      roles,
      fallbackRole: "member",
      inTransaction: {
        onRoleChange: (c, tx) =>
          tx.putRecord("host.roles", { id: c.userId, data: { roles: c.after === null ? null : [...c.after] } }),
      },
    });
    const id = await createUser(h.call, "cy@example.com");
    const mirrored = await h.server.store.transaction(h.tenantId, (tx) => tx.getRecord("host.roles", id), {
      readOnly: true,
    });
    expect(mirrored?.data).toEqual({ roles: ["member"] });
  });
});
