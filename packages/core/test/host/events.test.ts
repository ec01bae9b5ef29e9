import { describe, expect, it } from "vitest";
import type { ScimEvent } from "../../src/index.js";
import { harness, user } from "../support.js";

const patchOp = (...ops: unknown[]) => ({
  schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
  Operations: ops,
});
const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

type Of<T extends ScimEvent["type"]> = Extract<ScimEvent, { type: T }>;
const only = <T extends ScimEvent["type"]>(events: readonly ScimEvent[], type: T): Of<T>[] =>
  events.filter((e): e is Of<T> => e.type === type);

describe("event payloads", () => {
  it("carry the user as it is after each change, the paths changed, the actor's token and an idempotency key", async () => {
    const h = await harness({
      tenantId: "t-pay",
      policy: { roles: [{ id: "member", label: "Member" }], fallbackRole: "member" },
    });
    const id = (
      await h.call(
        "POST",
        "/Users",
        user("ada@example.com", { externalId: "okta-1", [ENTERPRISE]: { department: "R&D" } }),
      )
    ).body.id as string;
    await h.call("PATCH", `/Users/${id}`, patchOp({ op: "replace", path: "name.givenName", value: "Augusta" }));
    await h.call("PATCH", `/Users/${id}`, patchOp({ op: "replace", value: { active: false } }));
    await h.call("DELETE", `/Users/${id}`);
    const events = await h.server.events.read("t-pay");

    const [created] = only(events, "user.created");
    expect(created?.user).toEqual({
      id,
      externalId: "okta-1",
      userName: "ada@example.com",
      email: "ada@example.com",
      name: { givenName: "Ada", familyName: "Lovelace", formatted: null },
      displayName: null,
      active: true,
      roles: ["member"],
      attributes: expect.objectContaining({ userName: "ada@example.com", [ENTERPRISE]: { department: "R&D" } }),
      directoryId: h.directoryId,
    });
    expect(created?.changed).toEqual(expect.arrayContaining(["userName", "name", "emails", "externalId", "active"]));
    expect(created?.tokenId).toMatch(/^tok_/);
    expect(created?.directoryId).toBe(h.directoryId);

    const [updated] = only(events, "user.updated");
    expect(updated?.changed).toEqual(["name.givenName"]);
    expect(updated?.user.name.givenName).toBe("Augusta");

    const [deactivated] = only(events, "user.deactivated");
    expect(deactivated?.changed).toEqual(["active"]);
    expect(deactivated?.user).toMatchObject({ active: false, roles: [] });

    const [deleted] = only(events, "user.deleted");
    expect(deleted?.user).toMatchObject({
      id,
      userName: "ada@example.com",
      active: false,
      name: { givenName: "Augusta" },
    });

    // Ids are unique and stable: a replay reads the very ids delivered.
    const ids = events.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect((await h.server.events.read("t-pay")).map((e) => e.id)).toEqual(ids);
  });

  it("carry the group, its renames and its membership changes by id", async () => {
    const h = await harness({ tenantId: "t-grp" });
    const seen: ScimEvent[] = [];
    h.server.events.subscribe((e) => void seen.push(e));
    const ada = (await h.call("POST", "/Users", user("ada@example.com"))).body.id as string;
    const g = (await h.call("POST", "/Groups", { displayName: "Eng", externalId: "g-1" })).body.id as string;
    await h.call(
      "PATCH",
      `/Groups/${g}`,
      patchOp(
        { op: "replace", path: "displayName", value: "Engineering" },
        { op: "add", path: "members", value: [{ value: ada }] },
      ),
    );
    await h.call("PATCH", `/Groups/${g}`, patchOp({ op: "remove", path: `members[value eq "${ada}"]` }));
    await h.call("DELETE", `/Groups/${g}`);
    await new Promise((r) => setTimeout(r, 10));
    expect(only(seen, "group.created")[0]?.group).toEqual({
      id: g,
      externalId: "g-1",
      displayName: "Eng",
      attributes: { displayName: "Eng", externalId: "g-1" },
      directoryId: h.directoryId,
    });
    expect(only(seen, "group.updated").map((e) => [e.group.displayName, e.changed])).toEqual([
      ["Engineering", ["displayName"]],
    ]);
    expect(only(seen, "membership.added").map((e) => [e.groupId, e.memberIds])).toEqual([[g, [ada]]]);
    expect(only(seen, "membership.removed").map((e) => [e.groupId, e.memberIds])).toEqual([[g, [ada]]]);
    expect(only(seen, "group.deleted")[0]?.group.displayName).toBe("Engineering");
  });

  it("carry role changes and directory lifecycle facts, never a token secret", async () => {
    const h = await harness({
      tenantId: "t-role",
      policy: { roles: [{ id: "member", label: "Member" }], fallbackRole: "member" },
    });
    await h.call("POST", "/Users", user("bo@example.com"));
    const { token } = await h.server.directories.mintToken(h.directoryId);
    const events = await h.server.events.read("t-role");
    expect(only(events, "role.changed")[0]).toMatchObject({
      roles: ["member"],
      previousRoles: null,
      reason: "user.created",
    });
    expect(only(events, "directory.created")[0]?.facts).toMatchObject({ name: "Test IdP" });
    expect(only(events, "token.minted").length).toBe(2);
    expect(JSON.stringify(events)).not.toContain(token);
    expect(JSON.stringify(events)).not.toContain(h.token);
  });

  it("never carry a password", async () => {
    const h = await harness({ tenantId: "t-pw", policy: { passwordSync: true } });
    const secret = "correct horse battery staple";
    const id = (await h.call("POST", "/Users", user("pw@example.com", { password: secret }))).body.id as string;
    await h.call("PATCH", `/Users/${id}`, patchOp({ op: "replace", path: "password", value: `${secret}!` }));
    const events = await h.server.events.read("t-pw");
    expect(events.length).toBeGreaterThan(0);
    expect(JSON.stringify(events)).not.toContain("horse");
    expect(JSON.stringify(events)).not.toContain("passwordHash");
  });
});
