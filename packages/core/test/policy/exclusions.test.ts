import { describe, expect, it } from "vitest";
import type { DeprovisionNotice } from "../../src/policy/index.js";
import { createGroup, createUser, deactivate, patchOp, policyHarness, removeMember, userBody } from "./support.js";

const roles = [
  { id: "admin", label: "Admin", priority: 10 },
  { id: "member", label: "Member" },
];

describe("exclusions", () => {
  it("leaves an excluded admin untouched when the IdP removes them from their group, deactivates and deletes them", async () => {
    const notices: DeprovisionNotice[] = [];
    const h = await policyHarness({ roles, onDeprovision: (n) => void notices.push(n) });
    const owner = await createUser(h.call, "owner@example.com");
    const admins = await createGroup(h.call, "Admins", [owner]);
    await h.policy.mapGroup(h.tenantId, admins, "admin");
    await h.policy.exclude(h.tenantId, owner, "founder account");

    await removeMember(h.call, admins, owner);
    const patched = await deactivate(h.call, owner);
    expect(patched.status).toBe(200);
    expect(patched.body.active).toBe(true);
    expect((await h.call("DELETE", `/Users/${owner}`)).status).toBe(204);

    const read = await h.call("GET", `/Users/${owner}`);
    expect(read.status).toBe(200);
    expect(read.body.active).toBe(true);
    expect(await h.policy.rolesOf(h.tenantId, owner)).toEqual(["admin"]);
    expect(notices).toEqual([]);
    expect(await h.policy.listExclusions(h.tenantId)).toEqual([
      { userId: owner, excludedAt: h.now().toISOString(), note: "founder account" },
    ]);
  });

  it("still applies profile updates to an excluded user, keeping them active, and audits why", async () => {
    const h = await policyHarness({ roles });
    const ada = await createUser(h.call, "ada@example.com");
    await h.policy.exclude(h.tenantId, ada);
    const from = (await h.server.audit(h.tenantId)).at(-1)?.seq ?? 0;
    const put = await h.call("PUT", `/Users/${ada}`, userBody("ada@example.com", { title: "CTO", active: false }));
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ title: "CTO", active: true });
    const stored = await h.call("GET", `/Users/${ada}`);
    expect(stored.body).toMatchObject({ title: "CTO", active: true });
    expect(stored.body.meta.version).toBe(put.body.meta.version);

    const entries = await h.server.audit(h.tenantId, { after: from });
    expect(entries.map((e) => [e.operation, e.facts])).toEqual([
      ["policy.deactivation.blocked", { reason: "excluded" }],
      ["replace User", {}],
    ]);
    expect(entries[1]?.diff).toEqual([{ op: "add", path: "/title", value: "CTO" }]);
    const events = await h.server.events.read(h.tenantId);
    expect(events.map((e) => e.type)).not.toContain("user.deactivated");
  });

  it("ignores a DELETE of an excluded user with 204 and an audit entry saying why", async () => {
    const h = await policyHarness({ roles });
    const ada = await createUser(h.call, "ada@example.com");
    await h.policy.exclude(h.tenantId, ada);
    expect((await h.call("DELETE", `/Users/${ada}`)).status).toBe(204);
    expect((await h.call("GET", `/Users/${ada}`)).status).toBe(200);
    const last = (await h.server.audit(h.tenantId)).at(-1);
    expect(last).toMatchObject({
      operation: "policy.delete.ignored",
      resourceId: ada,
      directoryId: h.directoryId,
      facts: { reason: "excluded" },
    });
    expect((await h.server.events.read(h.tenantId)).map((e) => e.type)).not.toContain("user.deleted");
  });

  it("freezes an excluded user's roles and recomputes them when the exclusion ends", async () => {
    const h = await policyHarness({ roles });
    const ada = await createUser(h.call, "ada@example.com");
    const admins = await createGroup(h.call, "Admins", [ada]);
    await h.policy.mapGroup(h.tenantId, admins, "admin");
    await h.policy.exclude(h.tenantId, ada);
    await removeMember(h.call, admins, ada);
    expect(await h.policy.rolesOf(h.tenantId, ada)).toEqual(["admin"]);
    const changes = await h.policy.include(h.tenantId, ada);
    expect(changes.map((c) => [c.before, c.after, c.reason])).toEqual([[["admin"], null, "user.included"]]);
    expect(await h.policy.listExclusions(h.tenantId)).toEqual([]);
    expect((await h.server.audit(h.tenantId)).map((e) => e.operation).slice(-2)).toEqual([
      "policy.user.included",
      "policy.role.changed",
    ]);
  });

  it("refuses to exclude a user that does not exist", async () => {
    const h = await policyHarness({ roles });
    await expect(h.policy.exclude(h.tenantId, "nobody")).rejects.toThrow(/does not exist/);
  });
});

describe("protectLastAdmin", () => {
  it("never deactivates or deletes the tenant's last active admin, but lets one of two go", async () => {
    const h = await policyHarness({ roles, protectLastAdmin: "admin" });
    const ada = await createUser(h.call, "ada@example.com");
    const bob = await createUser(h.call, "bob@example.com");
    const admins = await createGroup(h.call, "Admins", [ada, bob]);
    await h.policy.mapGroup(h.tenantId, admins, "admin");

    expect((await deactivate(h.call, ada)).body.active).toBe(false);
    expect(await h.policy.rolesOf(h.tenantId, ada)).toEqual([]);

    const kept = await deactivate(h.call, bob);
    expect(kept.status).toBe(200);
    expect(kept.body.active).toBe(true);
    expect((await h.call("DELETE", `/Users/${bob}`)).status).toBe(204);
    expect((await h.call("GET", `/Users/${bob}`)).body.active).toBe(true);
    expect(await h.policy.rolesOf(h.tenantId, bob)).toEqual(["admin"]);
    const reasons = (await h.server.audit(h.tenantId)).filter(
      (e) => e.resourceId === bob && e.operation.startsWith("policy.") && e.operation !== "policy.role.changed",
    );
    expect(reasons.map((e) => [e.operation, e.facts])).toEqual([
      ["policy.deactivation.blocked", { reason: "protectLastAdmin" }],
      ["policy.delete.ignored", { reason: "protectLastAdmin" }],
    ]);
  });

  it("lets the former last admin go once another user holds the role", async () => {
    const h = await policyHarness({ roles, protectLastAdmin: "admin" });
    const ada = await createUser(h.call, "ada@example.com");
    const bob = await createUser(h.call, "bob@example.com");
    const admins = await createGroup(h.call, "Admins", [ada]);
    await h.policy.mapGroup(h.tenantId, admins, "admin");
    expect((await deactivate(h.call, ada)).body.active).toBe(true);
    await h.call("PATCH", `/Groups/${admins}`, patchOp({ op: "add", path: "members", value: [{ value: bob }] }));
    expect((await deactivate(h.call, ada)).body.active).toBe(false);
  });
});
