import { beforeEach, describe, expect, it } from "vitest";
import { BASE, harness, user, type Harness } from "../support.js";

let h: Harness;
beforeEach(async () => {
  h = await harness();
});

const newUser = async (name: string) => (await h.call("POST", "/Users", user(name))).body.id as string;

describe("/Groups", () => {
  it("creates a group with members and renders value, $ref, type and display", async () => {
    const u1 = await newUser("m1@example.com");
    const res = await h.call("POST", "/Groups", {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"],
      displayName: "Eng",
      members: [{ value: u1, display: "M One" }],
    });
    expect(res.status).toBe(201);
    expect(res.body.members).toEqual([{ value: u1, $ref: `${BASE}/Users/${u1}`, type: "User", display: "M One" }]);
    expect(res.headers.get("location")).toBe(`${BASE}/Groups/${res.body.id}`);
  });

  it("reflects memberships in the user's read-only groups attribute", async () => {
    const u1 = await newUser("m1@example.com");
    const g = (await h.call("POST", "/Groups", { displayName: "Eng", members: [{ value: u1 }] })).body;
    const got = (await h.call("GET", `/Users/${u1}`)).body;
    expect(got.groups).toEqual([{ value: g.id, $ref: `${BASE}/Groups/${g.id}`, display: "Eng", type: "direct" }]);
  });

  it("removes a deleted user from every group", async () => {
    const u1 = await newUser("m1@example.com");
    const u2 = await newUser("m2@example.com");
    const g = (await h.call("POST", "/Groups", { displayName: "Eng", members: [{ value: u1 }, { value: u2 }] })).body;
    await h.call("DELETE", `/Users/${u1}`);
    const got = (await h.call("GET", `/Groups/${g.id}`)).body;
    expect(got.members.map((m: { value: string }) => m.value)).toEqual([u2]);
  });

  it("accepts Entra's ADSCIM schema URN and `$ref: null` members", async () => {
    const u1 = await newUser("m1@example.com");
    const res = await h.call("POST", "/Groups", {
      schemas: [
        "urn:ietf:params:scim:schemas:core:2.0:Group",
        "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group",
      ],
      externalId: "abc",
      displayName: "Sales",
      meta: { resourceType: "Group" },
      members: [{ $ref: null, value: u1 }],
    });
    expect(res.status).toBe(201);
    expect(res.body.externalId).toBe("abc");
    expect(res.body.members).toHaveLength(1);
  });

  it("skips unknown member ids under the default profile and rejects them under rfc", async () => {
    const lenient = await h.call("POST", "/Groups", { displayName: "A", members: [{ value: "ghost" }] });
    expect(lenient.status).toBe(201);
    expect(lenient.body.members ?? []).toEqual([]);
    const strict = await harness({ profile: "rfc" });
    const res = await strict.call("POST", "/Groups", { displayName: "A", members: [{ value: "ghost" }] });
    expect(res.status).toBe(400);
    expect(res.body.detail).toContain("ghost");
    expect((await strict.call("GET", "/Groups")).body.totalResults).toBe(0);
  });

  it("omits members when excluded, and can filter groups by displayName", async () => {
    const u1 = await newUser("m1@example.com");
    const g = (await h.call("POST", "/Groups", { displayName: "Eng Team", members: [{ value: u1 }] })).body;
    const got = (await h.call("GET", `/Groups/${g.id}?excludedAttributes=members`)).body;
    expect(got.members).toBeUndefined();
    expect(got.displayName).toBe("Eng Team");
    const found = (
      await h.call(
        "GET",
        `/Groups?excludedAttributes=members&filter=${encodeURIComponent('displayName eq "eng team"')}`,
      )
    ).body;
    expect(found.totalResults).toBe(1);
    expect(found.Resources[0].members).toBeUndefined();
  });

  it("replaces members on PUT when members are sent, keeps them when omitted", async () => {
    const u1 = await newUser("m1@example.com");
    const u2 = await newUser("m2@example.com");
    const g = (await h.call("POST", "/Groups", { displayName: "Eng", members: [{ value: u1 }] })).body;
    const kept = (await h.call("PUT", `/Groups/${g.id}`, { displayName: "Eng 2" })).body;
    expect(kept.displayName).toBe("Eng 2");
    expect(kept.members.map((m: { value: string }) => m.value)).toEqual([u1]);
    const replaced = (await h.call("PUT", `/Groups/${g.id}`, { displayName: "Eng 2", members: [{ value: u2 }] })).body;
    expect(replaced.members.map((m: { value: string }) => m.value)).toEqual([u2]);
    const cleared = (await h.call("PUT", `/Groups/${g.id}`, { displayName: "Eng 2", members: [] })).body;
    expect(cleared.members ?? []).toEqual([]);
  });

  it("enforces displayName uniqueness only when configured", async () => {
    expect((await h.call("POST", "/Groups", { displayName: "Same" })).status).toBe(201);
    expect((await h.call("POST", "/Groups", { displayName: "same" })).status).toBe(201);
    const unique = await harness({ uniqueGroupDisplayName: true });
    expect((await unique.call("POST", "/Groups", { displayName: "Same" })).status).toBe(201);
    const dup = await unique.call("POST", "/Groups", { displayName: "SAME" });
    expect(dup.status).toBe(409);
    expect(dup.body.scimType).toBe("uniqueness");
  });

  it("answers 400 when displayName is missing", async () => {
    expect((await h.call("POST", "/Groups", { members: [] })).status).toBe(400);
  });
});

describe("a deleted member", () => {
  it("moves the version of each group it leaves, so a conditional GET of the group sees the change", async () => {
    let t = Date.parse("2026-01-01T00:00:00.000Z");
    const h = await harness({ now: () => new Date(t) });
    const ada = (await h.call("POST", "/Users", user("ada@example.com"))).body.id as string;
    const created = await h.call("POST", "/Groups", { displayName: "Eng", members: [{ value: ada }] });
    const etag = created.headers.get("etag") ?? "";
    t += 60_000;
    expect((await h.call("DELETE", `/Users/${ada}`)).status).toBe(204);
    const after = await h.call("GET", `/Groups/${created.body.id}`, undefined, { "if-none-match": etag });
    expect(after.status).toBe(200);
    expect(after.body.members ?? []).toEqual([]);
    expect(after.headers.get("etag")).not.toBe(etag);
    expect(after.body.meta.lastModified).toBe(new Date(t).toISOString());
  });
});
