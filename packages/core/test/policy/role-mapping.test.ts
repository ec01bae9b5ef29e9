import { describe, expect, it } from "vitest";
import { createMemoryStore, type ScimEvent, type ScimStore } from "../../src/index.js";
import type { StoreTransaction } from "../../src/store/index.js";
import type { RoleChange } from "../../src/policy/index.js";
import {
  addMember,
  createGroup,
  createUser,
  deactivate,
  patchOp,
  policyHarness,
  reactivate,
  removeMember,
  settle,
} from "./support.js";

const roles = [
  { id: "admin", label: "Admin", priority: 10 },
  { id: "editor", label: "Editor", priority: 5 },
  { id: "viewer", label: "Viewer" },
];

describe("group → role mapping", () => {
  it("gives a user the role of the mapped group they are added to", async () => {
    const h = await policyHarness({ roles });
    const ada = await createUser(h.call, "ada@example.com");
    const admins = await createGroup(h.call, "Admins");
    await h.policy.mapGroup(h.tenantId, admins, "admin");
    expect(await h.policy.rolesOf(h.tenantId, ada)).toBeNull();
    expect((await addMember(h.call, admins, ada)).status).toBe(204);
    expect(await h.policy.rolesOf(h.tenantId, ada)).toEqual(["admin"]);
  });

  it("updates the role when the IdP moves the user to another mapped group", async () => {
    const h = await policyHarness({ roles });
    const ada = await createUser(h.call, "ada@example.com");
    const admins = await createGroup(h.call, "Admins", [ada]);
    const viewers = await createGroup(h.call, "Viewers");
    await h.policy.mapGroup(h.tenantId, admins, "admin");
    await h.policy.mapGroup(h.tenantId, viewers, "viewer");
    expect(await h.policy.rolesOf(h.tenantId, ada)).toEqual(["admin"]);
    await removeMember(h.call, admins, ada);
    await addMember(h.call, viewers, ada);
    expect(await h.policy.rolesOf(h.tenantId, ada)).toEqual(["viewer"]);
  });

  it("ignores membership changes of a group no admin has mapped", async () => {
    const seen: RoleChange[] = [];
    const h = await policyHarness({ roles, onRoleChange: (c) => void seen.push(c) });
    const ada = await createUser(h.call, "ada@example.com");
    const pushed = await createGroup(h.call, "Pushed by IdP");
    await addMember(h.call, pushed, ada);
    expect(await h.policy.rolesOf(h.tenantId, ada)).toBeNull();
    expect(seen).toEqual([]);
    expect(await h.policy.listGroups(h.tenantId)).toEqual([
      { id: pushed, displayName: "Pushed by IdP", roleId: null, active: false, mappedAt: null },
    ]);
    expect((await h.server.events.read(h.tenantId)).filter((e) => e.type === "role.changed")).toEqual([]);
  });

  it("activates a group when it is mapped, re-roling its current members, and deactivates it when unmapped", async () => {
    const h = await policyHarness({ roles });
    const ada = await createUser(h.call, "ada@example.com");
    const bob = await createUser(h.call, "bob@example.com");
    const editors = await createGroup(h.call, "Editors", [ada, bob]);
    const changes = await h.policy.mapGroup(h.tenantId, editors, "editor");
    expect(changes.map((c) => [c.userId, c.before, c.after, c.reason])).toEqual([
      [ada, null, ["editor"], "group.mapped"],
      [bob, null, ["editor"], "group.mapped"],
    ]);
    expect(await h.policy.listGroups(h.tenantId)).toEqual([
      { id: editors, displayName: "Editors", roleId: "editor", active: true, mappedAt: h.now().toISOString() },
    ]);
    const undone = await h.policy.unmapGroup(h.tenantId, editors);
    expect(undone.map((c) => [c.userId, c.after, c.reason])).toEqual([
      [ada, null, "group.unmapped"],
      [bob, null, "group.unmapped"],
    ]);
    expect((await h.policy.listGroups(h.tenantId))[0]?.active).toBe(false);
  });

  it("single-role mode keeps the highest-priority role; multi-role mode keeps all of them", async () => {
    for (const [mode, expected] of [
      ["single", ["admin"]],
      ["multi", ["admin", "viewer"]],
    ] as const) {
      const h = await policyHarness({ roles, mode });
      const ada = await createUser(h.call, "ada@example.com");
      const viewers = await createGroup(h.call, "Viewers", [ada]);
      const admins = await createGroup(h.call, "Admins", [ada]);
      await h.policy.mapGroup(h.tenantId, viewers, "viewer");
      await h.policy.mapGroup(h.tenantId, admins, "admin");
      expect(await h.policy.rolesOf(h.tenantId, ada)).toEqual(expected);
    }
  });

  it("gives new and ungrouped users the fallback role, and takes it back when a mapped group grants another", async () => {
    const h = await policyHarness({ roles, fallbackRole: "viewer" });
    const ada = await createUser(h.call, "ada@example.com");
    expect(await h.policy.rolesOf(h.tenantId, ada)).toEqual(["viewer"]);
    const admins = await createGroup(h.call, "Admins");
    await h.policy.mapGroup(h.tenantId, admins, "admin");
    await addMember(h.call, admins, ada);
    expect(await h.policy.rolesOf(h.tenantId, ada)).toEqual(["admin"]);
    await removeMember(h.call, admins, ada);
    expect(await h.policy.rolesOf(h.tenantId, ada)).toEqual(["viewer"]);
  });

  it("recomputes the members of a deleted mapped group from what they had before the delete", async () => {
    const h = await policyHarness({ roles });
    const ada = await createUser(h.call, "ada@example.com");
    const admins = await createGroup(h.call, "Admins", [ada]);
    const viewers = await createGroup(h.call, "Viewers", [ada]);
    await h.policy.mapGroup(h.tenantId, admins, "admin");
    await h.policy.mapGroup(h.tenantId, viewers, "viewer");
    expect((await h.call("DELETE", `/Groups/${admins}`)).status).toBe(204);
    expect(await h.policy.rolesOf(h.tenantId, ada)).toEqual(["viewer"]);
    expect((await h.policy.listGroups(h.tenantId)).map((g) => g.id)).toEqual([viewers]);
    const events = (await h.server.events.read(h.tenantId)).filter((e) => e.type === "role.changed");
    expect(events.at(-1)?.data).toEqual({ roles: ["viewer"], previousRoles: ["admin"], reason: "group.deleted" });
  });

  it("takes roles away on deactivation and gives them back on reactivation", async () => {
    const h = await policyHarness({ roles });
    const ada = await createUser(h.call, "ada@example.com");
    const admins = await createGroup(h.call, "Admins", [ada]);
    await h.policy.mapGroup(h.tenantId, admins, "admin");
    await deactivate(h.call, ada);
    expect(await h.policy.rolesOf(h.tenantId, ada)).toEqual([]);
    await reactivate(h.call, ada);
    expect(await h.policy.rolesOf(h.tenantId, ada)).toEqual(["admin"]);
    const reasons = (await h.server.events.read(h.tenantId))
      .filter((e) => e.type === "role.changed")
      .map((e) => e.data["reason"]);
    expect(reasons).toEqual(["group.mapped", "user.deactivated", "user.reactivated"]);
  });

  it("previews a mapping without applying it", async () => {
    const h = await policyHarness({ roles });
    const ada = await createUser(h.call, "ada@example.com");
    const bob = await createUser(h.call, "bob@example.com");
    const cy = await createUser(h.call, "cy@example.com");
    const admins = await createGroup(h.call, "Admins", [bob]);
    await h.policy.mapGroup(h.tenantId, admins, "admin");
    const editors = await createGroup(h.call, "Editors", [ada, bob, cy]);
    await h.policy.exclude(h.tenantId, cy);
    const before = await h.server.audit(h.tenantId);
    const preview = await h.policy.previewMapping(h.tenantId, editors, "editor");
    expect(preview).toEqual({
      changes: [{ userId: ada, userName: "ada@example.com", before: null, after: ["editor"] }],
      unchanged: 1,
      excluded: [cy],
    });
    expect(await h.policy.rolesOf(h.tenantId, ada)).toBeNull();
    expect((await h.policy.listGroups(h.tenantId)).find((g) => g.id === editors)?.active).toBe(false);
    expect(await h.server.audit(h.tenantId)).toEqual(before);
    const unmapPreview = await h.policy.previewMapping(h.tenantId, admins, null);
    expect(unmapPreview.changes).toEqual([
      { userId: bob, userName: "bob@example.com", before: ["admin"], after: null },
    ]);
  });

  it("re-roles the members an Okta custom-app PUT adds and removes, and ignores nested groups", async () => {
    const h = await policyHarness({ roles });
    const ada = await createUser(h.call, "ada@example.com");
    const bob = await createUser(h.call, "bob@example.com");
    const nested = await createGroup(h.call, "Nested");
    const editors = await createGroup(h.call, "Editors", [ada]);
    await h.policy.mapGroup(h.tenantId, editors, "editor");
    const put = await h.call("PUT", `/Groups/${editors}`, {
      displayName: "Editors",
      members: [{ value: bob }, { value: nested }],
    });
    expect(put.status).toBe(200);
    expect(await h.policy.rolesOf(h.tenantId, ada)).toBeNull();
    expect(await h.policy.rolesOf(h.tenantId, bob)).toEqual(["editor"]);
    expect(await h.policy.rolesOf(h.tenantId, nested)).toBeNull();
  });

  it("reads only the users a membership change touches, never the whole tenant", async () => {
    const reads = { userQueries: 0, groupsOf: [] as string[][] };
    const inner = createMemoryStore();
    const spied: ScimStore = {
      ...inner,
      transaction: (tenantId, work, options) =>
        inner.transaction(
          tenantId,
          (tx) => {
            const wrapped: StoreTransaction = Object.create(tx);
            wrapped.queryResources = (type, query) => {
              if (type === "User") reads.userQueries += 1;
              return tx.queryResources(type, query);
            };
            wrapped.groupsOf = (ids) => {
              reads.groupsOf.push([...ids]);
              return tx.groupsOf(ids);
            };
            return work(wrapped);
          },
          options,
        ),
    };
    const h = await policyHarness({ roles }, { store: spied });
    const users: string[] = [];
    for (let i = 0; i < 20; i++) users.push(await createUser(h.call, `u${i}@example.com`));
    const admins = await createGroup(h.call, "Admins", users.slice(0, 19));
    await h.policy.mapGroup(h.tenantId, admins, "admin");
    reads.userQueries = 0;
    reads.groupsOf = [];
    await addMember(h.call, admins, users[19] ?? "");
    expect(reads).toEqual({ userQueries: 0, groupsOf: [[users[19]]] });
    expect(await h.policy.rolesOf(h.tenantId, users[19] ?? "")).toEqual(["admin"]);
  });

  it("refuses to map to an undeclared role or a group that does not exist", async () => {
    const h = await policyHarness({ roles });
    const g = await createGroup(h.call, "G");
    await expect(h.policy.mapGroup(h.tenantId, g, "owner")).rejects.toThrow(/not declared/);
    await expect(h.policy.mapGroup(h.tenantId, "no-such-group", "admin")).rejects.toThrow(/does not exist/);
  });
});

describe("role change notifications", () => {
  it("calls onRoleChange and delivers role.changed events once, in order, replayable from a cursor", async () => {
    const hooked: RoleChange[] = [];
    const h = await policyHarness({ roles, onRoleChange: (c) => void hooked.push(c) });
    const delivered: ScimEvent[] = [];
    h.subscribe((e) => void delivered.push(e));
    const ada = await createUser(h.call, "ada@example.com");
    const admins = await createGroup(h.call, "Admins");
    const editors = await createGroup(h.call, "Editors");
    await h.policy.mapGroup(h.tenantId, admins, "admin");
    await h.policy.mapGroup(h.tenantId, editors, "editor");
    const cursor = (await h.server.events.read(h.tenantId)).at(-1)?.seq ?? 0;
    await addMember(h.call, editors, ada);
    await addMember(h.call, admins, ada);
    await removeMember(h.call, admins, ada);
    await settle();

    const expected = [
      { before: null, after: ["editor"], reason: "membership.added" },
      { before: ["editor"], after: ["admin"], reason: "membership.added" },
      { before: ["admin"], after: ["editor"], reason: "membership.removed" },
    ];
    expect(hooked.map(({ before, after, reason }) => ({ before, after, reason }))).toEqual(expected);
    expect(hooked.every((c) => c.tenantId === h.tenantId && c.userId === ada)).toBe(true);

    const roleEvents = delivered.filter((e) => e.type === "role.changed");
    expect(
      roleEvents.map((e) => ({ before: e.data["previousRoles"], after: e.data["roles"], reason: e.data["reason"] })),
    ).toEqual(expected);
    expect(
      roleEvents.every((e) => e.resourceId === ada && e.resourceType === "User" && e.directoryId === h.directoryId),
    ).toBe(true);
    expect(new Set(delivered.map((e) => e.seq)).size).toBe(delivered.length);
    expect(delivered.map((e) => e.seq)).toEqual([...delivered.map((e) => e.seq)].sort((a, b) => a - b));

    const replay = await h.server.events.read(h.tenantId, { after: cursor });
    expect(replay.filter((e) => e.type === "role.changed").map((e) => e.seq)).toEqual(roleEvents.map((e) => e.seq));
    // Each cause comes before its effect.
    expect(replay.map((e) => e.type)).toEqual([
      "membership.added",
      "role.changed",
      "membership.added",
      "role.changed",
      "membership.removed",
      "role.changed",
    ]);
  });

  it("rolls the whole request back when an in-transaction onRoleChange throws", async () => {
    const h = await policyHarness({
      roles,
      inTransaction: {
        onRoleChange: () => {
          throw new Error("host database is down");
        },
      },
    });
    const ada = await createUser(h.call, "ada@example.com");
    const admins = await createGroup(h.call, "Admins");
    await h.policy.mapGroup(h.tenantId, admins, "admin");
    const res = await addMember(h.call, admins, ada);
    expect(res.status).toBe(500);
    expect((await h.call("GET", `/Groups/${admins}`)).body.members ?? []).toEqual([]);
    expect(await h.policy.rolesOf(h.tenantId, ada)).toBeNull();
    expect((await h.server.events.read(h.tenantId)).filter((e) => e.type === "membership.added")).toEqual([]);
  });

  it("writes exact audit entries for mapping, role changes and unmapping", async () => {
    const h = await policyHarness({ roles });
    const ada = await createUser(h.call, "ada@example.com");
    const admins = await createGroup(h.call, "Admins", [ada]);
    const from = (await h.server.audit(h.tenantId)).at(-1)?.seq ?? 0;
    await h.policy.mapGroup(h.tenantId, admins, "admin");
    await h.call("PATCH", `/Groups/${admins}`, patchOp({ op: "remove", path: "members", value: [{ value: ada }] }));
    await h.policy.unmapGroup(h.tenantId, admins);
    const entries = (await h.server.audit(h.tenantId, { after: from })).map((e) => ({
      operation: e.operation,
      directoryId: e.directoryId,
      resourceType: e.resourceType,
      resourceId: e.resourceId,
      facts: e.facts,
      outcome: e.outcome,
    }));
    expect(entries).toEqual([
      {
        operation: "policy.group.mapped",
        directoryId: null,
        resourceType: "Group",
        resourceId: admins,
        facts: { roleId: "admin", previousRoleId: null },
        outcome: "success",
      },
      {
        operation: "policy.role.changed",
        directoryId: null,
        resourceType: "User",
        resourceId: ada,
        facts: { before: null, after: ["admin"], reason: "group.mapped" },
        outcome: "success",
      },
      {
        operation: "policy.role.changed",
        directoryId: h.directoryId,
        resourceType: "User",
        resourceId: ada,
        facts: { before: ["admin"], after: null, reason: "membership.removed" },
        outcome: "success",
      },
      {
        operation: "patch Group",
        directoryId: h.directoryId,
        resourceType: "Group",
        resourceId: admins,
        facts: {},
        outcome: "success",
      },
      {
        operation: "policy.group.unmapped",
        directoryId: null,
        resourceType: "Group",
        resourceId: admins,
        facts: { roleId: "admin", reason: "admin" },
        outcome: "success",
      },
    ]);
  });
});
