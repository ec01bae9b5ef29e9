import { describe, expect, it } from "vitest";
import { adminEntries, harness } from "./harness.js";

describe("groups and roles", () => {
  it("lists the declared roles and the pushed groups with member counts, inactive until mapped", async () => {
    const h = harness();
    await h.seed("acme");
    expect((await h.call("GET", "/roles")).body.items).toEqual([
      { id: "admin", label: "Admin", priority: 10 },
      { id: "member", label: "Member", priority: 0 },
    ]);
    const groups = await h.call("GET", "/groups");
    expect(groups.body.total).toBe(2);
    expect(groups.body.items).toEqual([
      expect.objectContaining({ displayName: "Admins", memberCount: 1, roleId: null, active: false, mappedAt: null }),
      expect.objectContaining({ displayName: "Engineers", memberCount: 2, roleId: null, active: false }),
    ]);
    expect((await h.call("GET", "/groups?q=engi")).body.items.map((g: any) => g.displayName)).toEqual(["Engineers"]);
    expect((await h.call("GET", "/groups?count=1&startIndex=2")).body).toMatchObject({
      total: 2,
      items: [{ displayName: "Engineers" }],
    });
    expect((await h.call("GET", "/groups?count=0")).body.error.issues[0].path).toEqual(["query", "count"]);
  });

  it("previews who gains or loses which role, then maps and unmaps", async () => {
    const h = harness();
    const s = await h.seed("acme");
    const preview = await h.call("GET", `/groups/${s.groups.admins}/role/preview?roleId=admin`);
    expect(preview.body).toEqual({
      groupId: s.groups.admins,
      roleId: "admin",
      changes: [
        {
          userId: s.users.ada,
          userName: "ada@acme.example",
          before: ["member"],
          after: ["admin"],
          gained: ["admin"],
          lost: ["member"],
        },
      ],
      unchanged: 0,
      excluded: [],
    });
    // A preview writes nothing.
    expect((await h.call("GET", `/users/${s.users.ada}`)).body.roles).toEqual(["member"]);
    expect(await adminEntries(h)).toEqual([]);

    const mapped = await h.call("PUT", `/groups/${s.groups.admins}/role`, { body: { roleId: "admin" } });
    expect(mapped.body.group).toMatchObject({
      id: s.groups.admins,
      roleId: "admin",
      roleLabel: "Admin",
      active: true,
      memberCount: 1,
    });
    expect(mapped.body.roleChanges).toEqual([
      { userId: s.users.ada, before: ["member"], after: ["admin"], reason: "group.mapped" },
    ]);
    expect((await h.call("GET", `/users/${s.users.ada}`)).body.roles).toEqual(["admin"]);

    const unmapPreview = await h.call("GET", `/groups/${s.groups.admins}/role/preview`);
    expect(unmapPreview.body.changes).toEqual([
      expect.objectContaining({ userId: s.users.ada, gained: ["member"], lost: ["admin"] }),
    ]);
    const unmapped = await h.call("DELETE", `/groups/${s.groups.admins}/role`);
    expect(unmapped.body.group).toMatchObject({ roleId: null, active: false });
    expect(unmapped.body.roleChanges).toEqual([
      expect.objectContaining({ userId: s.users.ada, after: ["member"], reason: "group.unmapped" }),
    ]);

    // The mapping, and the role changes it made in the same unit of work, name the admin.
    const entries = (await adminEntries(h)).map((e) => ({
      operation: e.operation,
      resourceId: e.resourceId,
      facts: e.facts,
      person: e.person.id,
    }));
    expect(entries).toEqual([
      {
        operation: "policy.role.changed",
        resourceId: s.users.ada,
        facts: expect.objectContaining({ before: ["admin"], after: ["member"] }),
        person: "u_alice",
      },
      {
        operation: "policy.group.unmapped",
        resourceId: s.groups.admins,
        facts: expect.objectContaining({ roleId: "admin" }),
        person: "u_alice",
      },
      {
        operation: "policy.role.changed",
        resourceId: s.users.ada,
        facts: expect.objectContaining({ before: ["member"], after: ["admin"] }),
        person: "u_alice",
      },
      {
        operation: "policy.group.mapped",
        resourceId: s.groups.admins,
        facts: expect.objectContaining({ roleId: "admin", previousRoleId: null }),
        person: "u_alice",
      },
    ]);
  });

  it("refuses an undeclared role with the roles it knows", async () => {
    const h = harness();
    const s = await h.seed("acme");
    const bad = await h.call("PUT", `/groups/${s.groups.admins}/role`, { body: { roleId: "owner" } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues).toEqual([{ path: ["body", "roleId"], message: "must be one of: admin, member" }]);
    expect(
      (await h.call("GET", `/groups/${s.groups.admins}/role/preview?roleId=owner`)).body.error.issues[0].path,
    ).toEqual(["query", "roleId"]);
    expect((await h.call("PUT", `/groups/${s.groups.admins}/role`, { body: {} })).body.error.issues[0].path).toEqual([
      "body",
      "roleId",
    ]);
  });

  it("lists and accepts the roles of the signed-in tenant when roles are declared per tenant", async () => {
    const h = harness(
      {},
      {
        roles: (tenantId) =>
          tenantId === "acme"
            ? [
                { id: "admin", label: "Admin", priority: 10 },
                { id: "member", label: "Member" },
              ]
            : [{ id: "auditor", label: "Auditor" }],
      },
    );
    const s = await h.seed("globex");
    expect((await h.call("GET", "/roles", { tenant: "globex" })).body.items).toEqual([
      { id: "auditor", label: "Auditor", priority: 0 },
    ]);
    expect((await h.call("GET", "/roles")).body.items.map((r: any) => r.id)).toEqual(["admin", "member"]);
    const refused = await h.call("PUT", `/groups/${s.groups.admins}/role`, {
      body: { roleId: "admin" },
      tenant: "globex",
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.issues).toEqual([{ path: ["body", "roleId"], message: "must be one of: auditor" }]);
    const mapped = await h.call("PUT", `/groups/${s.groups.admins}/role`, {
      body: { roleId: "auditor" },
      tenant: "globex",
    });
    expect(mapped.status).toBe(200);
    expect(mapped.body.group).toMatchObject({ roleId: "auditor", roleLabel: "Auditor", active: true });
  });

  it("shows a group with its members", async () => {
    const h = harness();
    const s = await h.seed("acme");
    const g = await h.call("GET", `/groups/${s.groups.engineers}`);
    expect(g.body).toMatchObject({ id: s.groups.engineers, displayName: "Engineers", memberCount: 2, active: false });
    expect(g.body.members.map((m: any) => m.id).sort()).toEqual([s.users.ada, s.users.grace].sort());
  });
});

describe("user browser", () => {
  it("searches users by name or email and shows a user's groups and roles", async () => {
    const h = harness();
    const s = await h.seed("acme");
    const all = await h.call("GET", "/users");
    expect(all.body.total).toBe(3);
    expect(all.body.items.map((u: any) => u.userName)).toEqual([
      "ada@acme.example",
      "grace@acme.example",
      "linus@acme.example",
    ]);
    expect((await h.call("GET", "/users?q=hopper")).body.items.map((u: any) => u.id)).toEqual([s.users.grace]);
    expect((await h.call("GET", "/users?q=LINUS@ACME")).body.items.map((u: any) => u.id)).toEqual([s.users.linus]);
    expect((await h.call("GET", "/users?q=Ada")).body.items.map((u: any) => u.id)).toEqual([s.users.ada]);
    expect((await h.call("GET", '/users?q=a"b')).body).toMatchObject({ items: [], total: 0 });
    expect((await h.call("GET", "/users?count=1&startIndex=3")).body).toMatchObject({
      total: 3,
      items: [{ id: s.users.linus }],
    });

    await h.call("PUT", `/groups/${s.groups.engineers}/role`, { body: { roleId: "admin" } });
    const ada = await h.call("GET", `/users/${s.users.ada}`);
    expect(ada.body).toMatchObject({
      id: s.users.ada,
      userName: "ada@acme.example",
      email: "ada@acme.example",
      active: true,
      roles: ["admin"],
      excluded: false,
      exclusion: null,
    });
    expect(ada.body.name).toEqual({ givenName: "Ada", familyName: "Lovelace", formatted: null });
    expect(ada.body.groups).toEqual(
      expect.arrayContaining([
        { id: s.groups.admins, displayName: "Admins", roleId: null },
        { id: s.groups.engineers, displayName: "Engineers", roleId: "admin" },
      ]),
    );
  });
});

describe("exclusions", () => {
  it("excludes and includes a user, audited; an excluded user keeps their roles", async () => {
    const h = harness();
    const s = await h.seed("acme");
    const ex = await h.call("PUT", `/exclusions/${s.users.grace}`, { body: { note: "break-glass account" } });
    expect(ex.body).toMatchObject({
      userId: s.users.grace,
      userName: "grace@acme.example",
      note: "break-glass account",
      excludedAt: expect.any(String),
    });
    expect((await h.call("GET", "/exclusions")).body.items).toEqual([
      expect.objectContaining({ userId: s.users.grace, note: "break-glass account" }),
    ]);
    expect((await h.call("GET", `/users/${s.users.grace}`)).body).toMatchObject({
      excluded: true,
      exclusion: { note: "break-glass account" },
    });

    // SCIM cannot deactivate an excluded user; the preview lists them as excluded.
    await h.scimCall(s.token, "PATCH", `/Users/${s.users.grace}`, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [{ op: "replace", path: "active", value: false }],
    });
    expect((await h.call("GET", `/users/${s.users.grace}`)).body.active).toBe(true);
    expect((await h.call("GET", `/groups/${s.groups.engineers}/role/preview?roleId=admin`)).body.excluded).toEqual([
      s.users.grace,
    ]);

    const inc = await h.call("DELETE", `/exclusions/${s.users.grace}`);
    expect(inc.body).toMatchObject({ userId: s.users.grace, excluded: false, roleChanges: expect.any(Array) });
    expect((await h.call("GET", "/exclusions")).body.items).toEqual([]);
    expect((await h.call("DELETE", `/exclusions/${s.users.grace}`)).status).toBe(404);
    expect((await h.call("PUT", "/exclusions/no-such-user", { body: {} })).status).toBe(404);
    expect(
      (await h.call("PUT", `/exclusions/${s.users.ada}`, { body: { note: 5 } })).body.error.issues[0].path,
    ).toEqual(["body", "note"]);

    // Only the two changes made are in the trail, naming the admin; the refused calls left nothing.
    const entries = (await adminEntries(h)).map((e) => `${e.operation} ${e.person.id} ${e.resourceId}`);
    expect(entries).toEqual([
      `policy.user.included u_alice ${s.users.grace}`,
      `policy.user.excluded u_alice ${s.users.grace}`,
    ]);
  });
});
