import { describe, expect, it } from "vitest";
import { harness } from "./harness.js";

describe("activity log", () => {
  it("lists newest first with who did what: the IdP's changes with their difference, admins' calls by person", async () => {
    const h = harness();
    const s = await h.seed("acme");
    await h.scimCall(s.token, "PATCH", `/Users/${s.users.ada}`, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [{ op: "replace", path: "name.familyName", value: "King" }],
    });
    await h.call("PATCH", `/connections/${s.connectionId}`, { body: { name: "Okta (prod)" }, actor: "u_carol" });

    const { items, nextBefore } = (await h.call("GET", "/activity")).body;
    expect(nextBefore).toBeNull();
    const seqs = items.map((e: any) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    const [admin, ...rest] = items;
    expect(admin).toMatchObject({
      operation: "directory.updated",
      actor: { type: "admin", id: "u_carol", name: "Person u_carol", email: "u_carol@example.com" },
      connectionId: s.connectionId,
      facts: { fields: "name" },
    });
    const rename = rest.find((e: any) => e.operation === "patch User");
    expect(rename).toMatchObject({
      resourceType: "User",
      resourceId: s.users.ada,
      actor: { type: "connection", connectionId: s.connectionId },
    });
    expect(rename.diff).toEqual([expect.objectContaining({ op: "replace", path: "/name/familyName", value: "King" })]);
    expect(rename.before.name.familyName).toBe("Lovelace");
    expect(rename.after.name.familyName).toBe("King");
    // A call the host made itself, with no person (the seed's `scim.directories.create`), is the system's.
    expect(rest.find((e: any) => e.operation === "directory.created").actor).toEqual({ type: "system" });
  });

  it("filters by connection, user, group, operation and time, and pages with before", async () => {
    let clock = Date.parse("2030-01-01T00:00:00Z");
    const h = harness({ now: () => new Date(clock) });
    const s = await h.seed("acme");
    const other = await h.call("POST", "/connections", { body: { name: "Entra", idp: "entra" } });
    const tick = () => (clock += 60_000);
    tick();
    await h.call("PUT", `/exclusions/${s.users.grace}`, { body: {} });
    tick();
    await h.call("PUT", `/groups/${s.groups.admins}/role`, { body: { roleId: "admin" } });
    tick();
    await h.call("PATCH", `/connections/${other.body.id}`, { body: { enabled: false } });

    const byConnection = (await h.call("GET", `/activity?connectionId=${other.body.id}`)).body.items;
    expect(byConnection.length).toBeGreaterThan(0);
    expect(byConnection.every((e: any) => e.connectionId === other.body.id)).toBe(true);

    const byUser = (await h.call("GET", `/activity?userId=${s.users.grace}`)).body.items;
    expect(byUser[0].operation).toBe("policy.user.excluded");
    // Her creation, and the fallback role it gave her, in one unit of work.
    expect(byUser.map((e: any) => e.operation).sort()).toEqual([
      "create User",
      "policy.role.changed",
      "policy.user.excluded",
    ]);
    expect(byUser[0].actor).toMatchObject({ type: "admin", id: "u_alice" });
    expect(byUser.every((e: any) => e.resourceId === s.users.grace)).toBe(true);

    const byGroup = (await h.call("GET", `/activity?groupId=${s.groups.admins}`)).body.items.map(
      (e: any) => e.operation,
    );
    expect(byGroup).toEqual(["policy.group.mapped", "create Group"]);
    expect(byGroup).toContain("create Group");

    const policy = (await h.call("GET", "/activity?operation=policy.*")).body.items;
    // The admin's changes, then the fallback role each pushed user got, in the IdP's requests.
    expect(policy.map((e: any) => `${e.operation} ${e.actor.type}`)).toEqual([
      "policy.role.changed admin",
      "policy.group.mapped admin",
      "policy.user.excluded admin",
      "policy.role.changed connection",
      "policy.role.changed connection",
      "policy.role.changed connection",
    ]);
    const directory = (await h.call("GET", "/activity?operation=directory.*")).body.items;
    expect(directory.map((e: any) => `${e.operation} ${e.actor.type}`)).toEqual([
      "directory.updated admin",
      "directory.created admin",
      "directory.created system",
    ]);
    const two = (await h.call("GET", "/activity?operation=policy.group.mapped,policy.user.excluded")).body.items.map(
      (e: any) => e.operation,
    );
    expect(two).toEqual(["policy.group.mapped", "policy.user.excluded"]);
    // An operation filter reads on past entries that do not match, and pages like any other.
    const firstPolicy = (await h.call("GET", "/activity?operation=policy.*&limit=1")).body;
    expect(firstPolicy.items.map((e: any) => e.operation)).toEqual(["policy.role.changed"]);
    const nextPolicy = (await h.call("GET", `/activity?operation=policy.*&limit=5&before=${firstPolicy.nextBefore}`))
      .body;
    expect(nextPolicy).toMatchObject({ nextBefore: null });
    expect(nextPolicy.items.map((e: any) => e.seq)).toEqual(policy.slice(1).map((e: any) => e.seq));

    // Time: entries carry the server's clock.
    const window = (await h.call("GET", "/activity?from=2030-01-01T00:01:00Z&to=2030-01-01T00:03:00Z")).body.items;
    expect(window.map((e: any) => e.operation)).toEqual([
      "policy.role.changed",
      "policy.group.mapped",
      "policy.user.excluded",
    ]);

    // Paging: newest first, `before` continues where the page stopped.
    const p1 = (await h.call("GET", "/activity?limit=3")).body;
    expect(p1.items).toHaveLength(3);
    expect(p1.nextBefore).toBe(p1.items[2].seq);
    const p2 = (await h.call("GET", `/activity?limit=3&before=${p1.nextBefore}`)).body;
    expect(p2.items[0].seq).toBeLessThan(p1.items[2].seq);
    const everything = (await h.call("GET", "/activity?limit=200")).body.items;
    expect([...p1.items, ...p2.items].map((e: any) => e.seq)).toEqual(everything.slice(0, 6).map((e: any) => e.seq));
  });

  it("keeps a deleted user's history readable", async () => {
    const h = harness();
    const s = await h.seed("acme");
    await h.scimCall(s.token, "DELETE", `/Users/${s.users.linus}`);
    const items = (await h.call("GET", `/activity?userId=${s.users.linus}`)).body.items.map((e: any) => e.operation);
    expect(items[0]).toBe("delete User");
    expect(items).toContain("create User");
    const scimOnly = (await h.call("GET", `/activity?userId=${s.users.linus}&operation=create User,delete User`)).body
      .items;
    expect(scimOnly.map((e: any) => e.operation)).toEqual(["delete User", "create User"]);
    expect(scimOnly[0].before).toMatchObject({ userName: "linus@acme.example" });
    expect((await h.call("GET", "/activity?userId=never-existed")).status).toBe(404);
  });

  it("validates its filters", async () => {
    const h = harness();
    const bad = await h.call("GET", "/activity?from=yesterday&limit=1000&operation=a;b&colour=red");
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues.map((i: any) => i.path.join("."))).toEqual(
      expect.arrayContaining(["query.from", "query.limit", "query.operation", "query"]),
    );
    const both = await h.call("GET", "/activity?userId=a&groupId=b");
    expect(both.body.error.code).toBe("invalid_input");
  });
});
