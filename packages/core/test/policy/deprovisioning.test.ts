import { describe, expect, it } from "vitest";
import { createMemoryStore } from "../../src/index.js";
import type { DeprovisionNotice } from "../../src/policy/index.js";
import { PENDING_DELETE as PENDING_KIND } from "../../src/policy/records.js";
import { createGroup, createUser, DAY, deactivate, patchOp, policyHarness, reactivate } from "./support.js";

const roles = [{ id: "member", label: "Member" }];

describe("deactivation", () => {
  it("soft-deactivates by default: data kept, and reactivation restores the same id and memberships", async () => {
    const notices: DeprovisionNotice[] = [];
    const h = await policyHarness({ roles, onDeprovision: (n) => void notices.push(n) });
    const ada = await createUser(h.call, "ada@example.com");
    const team = await createGroup(h.call, "Team", [ada]);
    await h.policy.mapGroup(h.tenantId, team, "member");

    const off = await deactivate(h.call, ada);
    expect(off.status).toBe(200);
    expect(off.body.active).toBe(false);
    expect((await h.call("GET", `/Users/${ada}`)).body).toMatchObject({
      id: ada,
      active: false,
      groups: [{ value: team }],
    });
    expect(notices).toEqual([{ tenantId: h.tenantId, directoryId: h.directoryId, userId: ada, mode: "deactivate" }]);
    // A plain soft deactivation is explained by the PATCH's own entry; the policy adds none.
    expect((await h.server.audit(h.tenantId, { resourceId: ada })).map((e) => e.operation)).not.toContain(
      "policy.user.deprovisioned",
    );

    const on = await reactivate(h.call, ada);
    expect(on.body).toMatchObject({ id: ada, active: true, groups: [{ value: team }] });
    expect(await h.policy.rolesOf(h.tenantId, ada)).toEqual(["member"]);
    const found = await h.call("GET", `/Users?filter=${encodeURIComponent('userName eq "ada@example.com"')}`);
    expect(found.body.Resources.map((r: { id: string }) => r.id)).toEqual([ada]);
  });

  it('hard-deletes in the same request under "delete" and answers 204', async () => {
    const notices: DeprovisionNotice[] = [];
    const h = await policyHarness({ roles, onDeprovision: (n) => void notices.push(n) });
    await h.policy.setDeprovisioning(h.directoryId, { onDeactivate: "delete" });
    const ada = await createUser(h.call, "ada@example.com");
    const team = await createGroup(h.call, "Team", [ada]);
    const res = await deactivate(h.call, ada);
    expect(res.status).toBe(204);
    expect((await h.call("GET", `/Users/${ada}`)).status).toBe(404);
    expect((await h.call("GET", `/Groups/${team}`)).body.members ?? []).toEqual([]);
    expect(notices.map((n) => n.mode)).toEqual(["delete"]);
    const types = (await h.server.events.read(h.tenantId)).filter((e) => e.resourceId === ada).map((e) => e.type);
    expect(types).toEqual(["user.created", "user.deactivated", "user.deleted"]);
    const audit = (await h.server.audit(h.tenantId, { resourceId: ada })).map((e) => [e.operation, e.status]);
    expect(audit).toEqual([
      ["create User", 201],
      ["policy.user.deprovisioned", 200],
      ["patch User", 200],
      // The request's operation names every change it made; status and diff tell the delete apart.
      ["patch User", 204],
    ]);
  });

  it("applies each directory's own policy, falling back to the configured default", async () => {
    const h = await policyHarness({ roles, deprovisioning: { onDeactivate: "delete" } });
    const other = await h.addDirectory("OneLogin");
    expect(await h.policy.deprovisioning(other.directoryId)).toEqual({ onDeactivate: "delete", onDelete: "hard" });
    await h.policy.setDeprovisioning(h.directoryId, { onDeactivate: "deactivate" });
    const a = await createUser(h.call, "a@example.com");
    const b = await createUser(other.call, "b@example.com");
    expect((await deactivate(h.call, a)).status).toBe(200);
    expect((await deactivate(other.call, b)).status).toBe(204);
    expect((await h.call("GET", `/Users/${a}`)).status).toBe(200);
    expect((await h.call("GET", `/Users/${b}`)).status).toBe(404);
    const set = (await h.server.audit(h.tenantId)).find((e) => e.operation === "policy.deprovisioning.set");
    expect(set).toMatchObject({ directoryId: h.directoryId, facts: { onDeactivate: "deactivate", onDelete: "hard" } });
  });

  it("deletes a user deactivated under a delayed policy only once the sweep runs after N days", async () => {
    const notices: DeprovisionNotice[] = [];
    const h = await policyHarness({
      roles,
      deprovisioning: { onDeactivate: { deactivateThenDeleteAfterDays: 30 } },
      onDeprovision: (n) => void notices.push(n),
    });
    const ada = await createUser(h.call, "ada@example.com");
    const bob = await createUser(h.call, "bob@example.com");
    await deactivate(h.call, ada);
    await deactivate(h.call, bob);
    await reactivate(h.call, bob);

    h.advance(29 * DAY);
    expect(await h.policy.sweep(h.tenantId)).toEqual({ deleted: [], kept: [], failed: [] });
    expect((await h.call("GET", `/Users/${ada}`)).status).toBe(200);

    h.advance(1 * DAY);
    const from = (await h.server.audit(h.tenantId)).at(-1)?.seq ?? 0;
    expect(await h.policy.sweep(h.tenantId)).toEqual({ deleted: [ada], kept: [], failed: [] });
    expect((await h.call("GET", `/Users/${ada}`)).status).toBe(404);
    expect((await h.call("GET", `/Users/${bob}`)).body.active).toBe(true);
    expect(notices.map((n) => [n.userId, n.mode])).toEqual([
      [ada, "deactivate"],
      [bob, "deactivate"],
      [ada, "delete"],
    ]);
    const entries = await h.server.audit(h.tenantId, { after: from });
    expect(entries.map((e) => [e.operation, e.resourceId, e.status, e.facts])).toEqual([
      ["policy.sweep", ada, 204, { deactivatedAt: "2025-01-01T00:00:00.000Z", deleteAfterDays: 30 }],
      ["policy.user.deprovisioned", ada, 200, { mode: "delete", trigger: "sweep" }],
    ]);
    expect(entries[0]?.before).toMatchObject({ userName: "ada@example.com", active: false });
    const deleted = (await h.server.events.read(h.tenantId)).filter((e) => e.type === "user.deleted");
    expect(deleted.map((e) => [e.resourceId, e.directoryId])).toEqual([[ada, h.directoryId]]);
    expect(await h.policy.sweep(h.tenantId)).toEqual({ deleted: [], kept: [], failed: [] });
  });

  it("keeps an excluded user out of the sweep", async () => {
    const h = await policyHarness({ roles, deprovisioning: { onDeactivate: { deactivateThenDeleteAfterDays: 1 } } });
    const ada = await createUser(h.call, "ada@example.com");
    await deactivate(h.call, ada);
    await h.policy.exclude(h.tenantId, ada);
    h.advance(2 * DAY);
    expect(await h.policy.sweep(h.tenantId)).toEqual({
      deleted: [],
      kept: [{ userId: ada, reason: "excluded" }],
      failed: [],
    });
    expect((await h.call("GET", `/Users/${ada}`)).status).toBe(200);
  });

  it("reports a user whose sweep deletion failed and still sweeps the others", async () => {
    let refuse = "";
    const h = await policyHarness({
      roles,
      deprovisioning: { onDeactivate: { deactivateThenDeleteAfterDays: 1 } },
      inTransaction: {
        onDeprovision: (n) => {
          if (n.mode === "delete" && n.userId === refuse) throw new Error("legal hold");
        },
      },
    });
    const ada = await createUser(h.call, "ada@example.com");
    const bob = await createUser(h.call, "bob@example.com");
    await deactivate(h.call, ada);
    await deactivate(h.call, bob);
    refuse = ada;
    h.advance(DAY);
    expect(await h.policy.sweep(h.tenantId)).toEqual({
      deleted: [bob],
      kept: [],
      failed: [{ userId: ada, error: "legal hold" }],
    });
    expect((await h.call("GET", `/Users/${ada}`)).status).toBe(200);
    expect(
      (await h.server.events.read(h.tenantId)).filter((e) => e.type === "user.deleted").map((e) => e.resourceId),
    ).toEqual([bob]);
  });

  it("fails the request and writes nothing when an in-transaction onDeprovision throws", async () => {
    const h = await policyHarness({
      roles,
      inTransaction: {
        onDeprovision: () => {
          throw new Error("host refused");
        },
      },
    });
    const ada = await createUser(h.call, "ada@example.com");
    const before = (await h.server.events.read(h.tenantId)).length;
    const res = await deactivate(h.call, ada);
    expect(res.status).toBe(500);
    expect((await h.call("GET", `/Users/${ada}`)).body.active).toBe(true);
    expect(await h.server.events.read(h.tenantId)).toHaveLength(before);
  });
});

describe("DELETE", () => {
  it("hard-deletes by default", async () => {
    const h = await policyHarness({ roles });
    const ada = await createUser(h.call, "ada@example.com");
    expect((await h.call("DELETE", `/Users/${ada}`)).status).toBe(204);
    expect((await h.call("GET", `/Users/${ada}`)).status).toBe(404);
    expect(await h.policy.listTombstones(h.tenantId)).toEqual([]);
    // A plain hard delete needs no policy entry: the DELETE's own entry says it all.
    const entries = await h.server.audit(h.tenantId, { resourceId: ada });
    expect(entries.map((e) => e.operation)).toEqual(["create User", "delete User"]);
    expect(entries[1]).toMatchObject({ directoryId: h.directoryId, status: 204, after: null });
  });

  it("cancels the pending deletion of a user deleted during its grace period, and only that user's", async () => {
    const store = createMemoryStore();
    const h = await policyHarness(
      { roles, deprovisioning: { onDeactivate: { deactivateThenDeleteAfterDays: 30 } } },
      { store },
    );
    const pending = () =>
      store.transaction(h.tenantId, async (tx) => (await tx.listRecords(PENDING_KIND)).map((r) => r.id), {
        readOnly: true,
      });
    const ada = await createUser(h.call, "ada@example.com");
    const bob = await createUser(h.call, "bob@example.com");
    await deactivate(h.call, ada);
    await deactivate(h.call, bob);
    expect((await pending()).sort()).toEqual([ada, bob].sort());
    expect((await h.call("DELETE", `/Users/${ada}`)).status).toBe(204);
    expect(await pending()).toEqual([bob]);
    // An active user never had a pending deletion, and deleting one leaves bob's.
    const carl = await createUser(h.call, "carl@example.com");
    expect((await h.call("DELETE", `/Users/${carl}`)).status).toBe(204);
    expect(await pending()).toEqual([bob]);
  });

  it("under tombstone keeps a hidden copy and removes the user from GET, list, filter and search", async () => {
    const notices: DeprovisionNotice[] = [];
    const h = await policyHarness({ roles, onDeprovision: (n) => void notices.push(n) });
    await h.policy.setDeprovisioning(h.directoryId, { onDelete: "tombstone" });
    const ada = await createUser(h.call, "ada@example.com");
    const team = await createGroup(h.call, "Team", [ada]);
    expect((await h.call("DELETE", `/Users/${ada}`)).status).toBe(204);

    expect((await h.call("GET", `/Users/${ada}`)).status).toBe(404);
    expect((await h.call("GET", "/Users")).body.totalResults).toBe(0);
    const filtered = await h.call("GET", `/Users?filter=${encodeURIComponent('userName eq "ada@example.com"')}`);
    expect(filtered.body).toMatchObject({ totalResults: 0 });
    const searched = await h.call("POST", "/.search", {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
      filter: 'userName eq "ada@example.com"',
    });
    expect(searched.body.totalResults).toBe(0);
    expect((await h.call("GET", `/Groups/${team}`)).body.members ?? []).toEqual([]);

    expect(await h.policy.listTombstones(h.tenantId)).toEqual([
      {
        id: ada,
        deletedAt: h.now().toISOString(),
        deletedBy: h.directoryId,
        groups: [team],
        attributes: expect.objectContaining({ userName: "ada@example.com" }),
      },
    ]);
    expect(notices.map((n) => n.mode)).toEqual(["tombstone"]);
    const entries = await h.server.audit(h.tenantId, { resourceId: ada });
    expect(entries.slice(-2).map((e) => [e.operation, e.facts])).toEqual([
      ["policy.user.deprovisioned", { mode: "tombstone", trigger: "delete" }],
      ["delete User", {}],
    ]);
    // The userName is free again: the IdP can provision the person anew.
    expect((await h.call("POST", "/Users", { userName: "ada@example.com" })).status).toBe(201);
  });

  it("validates a directory's deprovisioning setting", async () => {
    const h = await policyHarness({ roles });
    await expect(
      h.policy.setDeprovisioning(h.directoryId, { onDeactivate: { deactivateThenDeleteAfterDays: -1 } }),
    ).rejects.toThrow(/days/);
    await expect(h.policy.setDeprovisioning("dir_missing", { onDelete: "hard" })).rejects.toThrow(/does not exist/);
    expect(await h.policy.deprovisioning(h.directoryId)).toEqual({ onDeactivate: "deactivate", onDelete: "hard" });
  });
});

describe("Entra-style deactivation", () => {
  it('treats a string "False" for active as a deactivation', async () => {
    const notices: DeprovisionNotice[] = [];
    const h = await policyHarness({ roles, onDeprovision: (n) => void notices.push(n) });
    const ada = await createUser(h.call, "ada@example.com");
    await h.call("PATCH", `/Users/${ada}`, patchOp({ op: "Replace", path: "active", value: "False" }));
    expect(notices.map((n) => n.mode)).toEqual(["deactivate"]);
  });
});
