/**
 * The scenarios every example must pass over real HTTP, written as the requests Okta and Entra
 * actually send. Each scenario creates what it needs under unique names, so they run in any order
 * and against a data folder that already holds earlier runs' data.
 */
import { expect } from "vitest";
import type { Resource, ScimClient } from "./client.js";
import { URN, createGroup, createUser, expectPatchApplied, list, memberIds, unique, userBody } from "./fixtures.js";

export interface Scenario {
  readonly name: string;
  run(client: ScimClient): Promise<void>;
}

const auth: Scenario[] = [
  {
    name: "answers a request without a bearer token with 401, a SCIM error and WWW-Authenticate",
    async run(client) {
      const res = await client.send("GET", "/Users", undefined, { token: null });
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/i);
      expect(res.body).toMatchObject({ schemas: [URN.Error], status: "401" });
    },
  },
  {
    name: "answers a request with an unknown bearer token with 401",
    async run(client) {
      const res = await client.send("GET", "/Users", undefined, { token: `scimkit_${"0".repeat(40)}` });
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/i);
    },
  },
];

const users: Scenario[] = [
  {
    name: "answers Okta's connection test GET /Users?startIndex=1&count=2 with a ListResponse",
    async run(client) {
      const res = await client.get("/Users?startIndex=1&count=2");
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/^application\/scim\+json/);
      const page = list(res);
      expect(page.schemas).toEqual([URN.ListResponse]);
      expect(typeof page.totalResults).toBe("number");
      expect((page.Resources ?? []).length).toBeLessThanOrEqual(2);
    },
  },
  {
    name: "creates a user with 201, the full resource, and Location equal to meta.location under the mount path",
    async run(client) {
      const body = userBody(`${unique("ada")}@example.com`);
      const res = await client.post("/Users", body);
      expect(res.status).toBe(201);
      const user = res.body as Resource;
      expect(user).toMatchObject({
        userName: body.userName,
        name: body.name,
        active: true,
        externalId: body.externalId,
      });
      expect(user.meta.resourceType).toBe("User");
      expect(user.meta.location).toBe(`${client.baseUrl}/Users/${user.id}`);
      expect(res.headers.get("location")).toBe(user.meta.location);
      expect(user).not.toHaveProperty("password");
    },
  },
  {
    name: "rejects a second user with the same userName with 409 uniqueness",
    async run(client) {
      const user = await createUser(client);
      const res = await client.post("/Users", userBody(String(user["userName"])));
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ schemas: [URN.Error], status: "409", scimType: "uniqueness" });
    },
  },
  {
    name: "finds a user by userName eq case-insensitively and answers a miss with an empty list",
    async run(client) {
      const user = await createUser(client);
      const userName = String(user["userName"]);
      const hit = await client.get(
        `/Users?filter=${encodeURIComponent(`userName eq "${userName.toUpperCase()}"`)}&startIndex=1&count=100`,
      );
      expect(hit.status).toBe(200);
      expect(list(hit).totalResults).toBe(1);
      expect(list(hit).Resources?.[0]?.id).toBe(user.id);
      const miss = await client.get(
        `/Users?filter=${encodeURIComponent(`userName eq "${unique("nobody")}@example.com"`)}`,
      );
      expect(miss.status).toBe(200);
      expect(list(miss).totalResults).toBe(0);
    },
  },
  {
    name: "finds a user by Entra's externalId eq filter",
    async run(client) {
      const user = await createUser(client);
      const res = await client.get(
        `/Users?filter=${encodeURIComponent(`externalId eq "${String(user["externalId"])}"`)}`,
      );
      expect(res.status).toBe(200);
      expect(list(res).Resources?.map((r) => r.id)).toEqual([user.id]);
    },
  },
  {
    name: "pages a user list with startIndex and count",
    async run(client) {
      await createUser(client);
      await createUser(client);
      const first = list(await client.get("/Users?startIndex=1&count=1"));
      const second = list(await client.get("/Users?startIndex=2&count=1"));
      expect(first.totalResults).toBeGreaterThanOrEqual(2);
      expect(first.itemsPerPage).toBe(1);
      expect(first.Resources).toHaveLength(1);
      expect(second.Resources).toHaveLength(1);
      expect(second.Resources?.[0]?.id).not.toBe(first.Resources?.[0]?.id);
    },
  },
  {
    name: "gets a user by id, and answers an unknown id with 404 and a SCIM error",
    async run(client) {
      const user = await createUser(client);
      const res = await client.get(`/Users/${user.id}`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        id: user.id,
        userName: user["userName"],
        meta: { location: user.meta.location },
      });
      const missing = await client.get(`/Users/${unique("missing")}`);
      expect(missing.status).toBe(404);
      expect(missing.body).toMatchObject({ schemas: [URN.Error], status: "404" });
    },
  },
  {
    name: "replaces a user with an Okta-style PUT that echoes id and meta",
    async run(client) {
      const user = await createUser(client);
      const read = (await client.get(`/Users/${user.id}`)).body as Resource;
      const res = await client.put(`/Users/${user.id}`, {
        ...read,
        name: { givenName: "Augusta", familyName: "King" },
        groups: [],
      });
      expect(res.status).toBe(200);
      const after = (await client.get(`/Users/${user.id}`)).body as Resource;
      expect(after["name"]).toMatchObject({ givenName: "Augusta", familyName: "King" });
      expect(after["userName"]).toBe(user["userName"]);
    },
  },
  {
    name: "deactivates a user with Okta's path-less replace and reactivates with Entra's string boolean",
    async run(client) {
      const user = await createUser(client);
      const off = await client.patch(`/Users/${user.id}`, [{ op: "replace", value: { active: false } }]);
      expectPatchApplied(off.status, off.body);
      expect((await client.get(`/Users/${user.id}`)).body).toMatchObject({ active: false });
      const on = await client.patch(`/Users/${user.id}`, [{ op: "Replace", path: "active", value: "True" }]);
      expectPatchApplied(on.status, on.body);
      expect((await client.get(`/Users/${user.id}`)).body).toMatchObject({ active: true });
    },
  },
  {
    name: "deletes a user with 204, after which it is gone",
    async run(client) {
      const user = await createUser(client);
      const res = await client.delete(`/Users/${user.id}`);
      expect(res.status).toBe(204);
      expect((await client.get(`/Users/${user.id}`)).status).toBe(404);
    },
  },
];

const groups: Scenario[] = [
  {
    name: "creates a group with 201 and meta.location under the mount path, finds it by displayName, renames and deletes it",
    async run(client) {
      const group = await createGroup(client);
      expect(group.meta.location).toBe(`${client.baseUrl}/Groups/${group.id}`);
      const found = await client.get(
        `/Groups?excludedAttributes=members&filter=${encodeURIComponent(`displayName eq "${String(group["displayName"])}"`)}`,
      );
      expect(list(found).Resources?.map((g) => g.id)).toEqual([group.id]);
      const renamed = unique("renamed");
      const res = await client.patch(`/Groups/${group.id}`, [
        { op: "replace", value: { id: group.id, displayName: renamed } },
      ]);
      expectPatchApplied(res.status, res.body);
      expect((await client.get(`/Groups/${group.id}`)).body).toMatchObject({ displayName: renamed });
      expect((await client.delete(`/Groups/${group.id}`)).status).toBe(204);
      expect((await client.get(`/Groups/${group.id}`)).status).toBe(404);
    },
  },
  {
    name: "adds members, removes one by members[value eq] and another by Entra's value list",
    async run(client) {
      const [a, b, c] = [await createUser(client), await createUser(client), await createUser(client)];
      const group = await createGroup(client, [a.id]);
      expect(await memberIds(client, group.id)).toEqual([a.id]);
      const add = await client.patch(`/Groups/${group.id}`, [
        { op: "Add", path: "members", value: [{ value: b.id }, { value: c.id, display: "C" }] },
      ]);
      expectPatchApplied(add.status, add.body);
      expect(await memberIds(client, group.id)).toEqual([a.id, b.id, c.id].sort());
      const byFilter = await client.patch(`/Groups/${group.id}`, [
        { op: "remove", path: `members[value eq "${a.id}"]` },
      ]);
      expectPatchApplied(byFilter.status, byFilter.body);
      expect(await memberIds(client, group.id)).toEqual([b.id, c.id].sort());
      const byValue = await client.patch(`/Groups/${group.id}`, [
        { op: "Remove", path: "members", value: [{ value: b.id }] },
      ]);
      expectPatchApplied(byValue.status, byValue.body);
      expect(await memberIds(client, group.id)).toEqual([c.id]);
    },
  },
  {
    name: "replaces the member list, and clears it with replace members []",
    async run(client) {
      const [a, b] = [await createUser(client), await createUser(client)];
      const group = await createGroup(client, [a.id]);
      const replaced = await client.patch(`/Groups/${group.id}`, [
        { op: "replace", path: "members", value: [{ value: b.id }] },
      ]);
      expectPatchApplied(replaced.status, replaced.body);
      expect(await memberIds(client, group.id)).toEqual([b.id]);
      const cleared = await client.patch(`/Groups/${group.id}`, [{ op: "replace", path: "members", value: [] }]);
      expectPatchApplied(cleared.status, cleared.body);
      expect(await memberIds(client, group.id)).toEqual([]);
    },
  },
  {
    name: "drops a deleted user from the groups it was in",
    async run(client) {
      const [a, b] = [await createUser(client), await createUser(client)];
      const group = await createGroup(client, [a.id, b.id]);
      expect((await client.delete(`/Users/${a.id}`)).status).toBe(204);
      expect(await memberIds(client, group.id)).toEqual([b.id]);
    },
  },
];

const discovery: Scenario[] = [
  {
    name: "serves ServiceProviderConfig with PATCH and filter support advertised",
    async run(client) {
      const res = await client.get("/ServiceProviderConfig");
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ patch: { supported: true }, filter: { supported: true } });
    },
  },
];

/** Every scenario, in a readable order; each is independent of the others. */
export const scenarios: readonly Scenario[] = [...auth, ...users, ...groups, ...discovery];
