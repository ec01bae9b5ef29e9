import { beforeEach, describe, expect, it } from "vitest";
import { BASE, harness, user, type Harness } from "../support.js";

let h: Harness;
beforeEach(async () => {
  h = await harness();
});

describe("POST /Users", () => {
  it("answers 201 with the full resource, a Location header and an ETag", async () => {
    const res = await h.call("POST", "/Users", user("Ada@Example.com", { externalId: "ext-1", displayName: "Ada" }));
    expect(res.status).toBe(201);
    expect(res.headers.get("content-type")).toMatch(/^application\/scim\+json/);
    expect(res.body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body.userName).toBe("Ada@Example.com");
    expect(res.body.name).toEqual({ givenName: "Ada", familyName: "Lovelace" });
    expect(res.body.schemas).toEqual(["urn:ietf:params:scim:schemas:core:2.0:User"]);
    expect(res.body.meta.location).toBe(`${BASE}/Users/${res.body.id}`);
    expect(res.body.meta.resourceType).toBe("User");
    expect(res.headers.get("location")).toBe(res.body.meta.location);
    expect(res.headers.get("etag")).toBe(res.body.meta.version);
  });

  it("rejects a second user whose userName differs only in case with 409 uniqueness", async () => {
    expect((await h.call("POST", "/Users", user("ada@example.com"))).status).toBe(201);
    const dup = await h.call("POST", "/Users", user("ADA@EXAMPLE.COM"));
    expect(dup.status).toBe(409);
    expect(dup.body).toMatchObject({
      schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"],
      status: "409",
      scimType: "uniqueness",
    });
    const list = await h.call("GET", "/Users");
    expect(list.body.totalResults).toBe(1);
  });

  it("never returns the password and ignores readOnly values sent by the client", async () => {
    const res = await h.call(
      "POST",
      "/Users",
      user("p@example.com", {
        password: "s3cret-Passw0rd",
        id: "chosen",
        meta: { created: "2000-01-01T00:00:00Z" },
        groups: [{ value: "g" }],
      }),
    );
    expect(res.status).toBe(201);
    expect(res.body.password).toBeUndefined();
    expect(res.body.id).not.toBe("chosen");
    expect(res.body.meta.created).not.toBe("2000-01-01T00:00:00Z");
    expect(res.body.groups).toBeUndefined();
    expect(JSON.stringify(await h.call("GET", `/Users/${res.body.id}`))).not.toContain("s3cret");
  });

  it("keeps the enterprise extension under its URN and lists it in schemas", async () => {
    const ext = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
    const res = await h.call("POST", "/Users", {
      ...user("e@example.com"),
      schemas: [user("x").schemas[0], ext],
      [ext]: { department: "R&D", manager: { value: "m1" } },
    });
    expect(res.status).toBe(201);
    expect(res.body.schemas).toContain(ext);
    expect(res.body[ext]).toEqual({ department: "R&D", manager: { value: "m1" } });
  });

  it("reads attribute names case-insensitively and stores them canonically", async () => {
    const res = await h.call("POST", "/Users", { USERNAME: "c@example.com", Name: { GivenName: "C" }, Active: true });
    expect(res.status).toBe(201);
    expect(res.body.userName).toBe("c@example.com");
    expect(res.body.name).toEqual({ givenName: "C" });
  });

  it("accepts string booleans as Entra sends them", async () => {
    const res = await h.call("POST", "/Users", user("s@example.com", { active: "False" }));
    expect(res.status).toBe(201);
    expect(res.body.active).toBe(false);
  });

  it("decodes Entra's app roles, plain or JSON-encoded in the value, the same way in POST as in PATCH", async () => {
    const encoded = JSON.stringify({ id: "r1", value: "Admin", displayName: "Administrator" });
    const res = await h.call(
      "POST",
      "/Users",
      user("roles@example.com", {
        roles: [{ primary: "True", type: "WindowsAzureActiveDirectoryRole", value: "Reader" }, { value: encoded }],
      }),
    );
    expect(res.status).toBe(201);
    expect(res.body.roles).toEqual([
      { primary: true, type: "WindowsAzureActiveDirectoryRole", value: "Reader" },
      { value: "Admin", display: "Administrator" },
    ]);
  });

  it("answers 400 invalidValue naming the attribute for a wrong type", async () => {
    const res = await h.call("POST", "/Users", user("t@example.com", { active: 3 }));
    expect(res.status).toBe(400);
    expect(res.body.scimType).toBe("invalidValue");
    expect(res.body.detail).toContain("active");
    expect((await h.call("GET", "/Users")).body.totalResults).toBe(0);
  });

  it("answers 400 when userName is missing", async () => {
    const res = await h.call("POST", "/Users", { name: { givenName: "x" } });
    expect(res.status).toBe(400);
    expect(res.body.detail).toContain("userName");
  });
});

describe("GET /Users/{id}", () => {
  it("returns the user, and 404 with an error body for an unknown id", async () => {
    const created = (await h.call("POST", "/Users", user("g@example.com"))).body;
    const got = await h.call("GET", `/Users/${created.id}`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(created);
    const missing = await h.call("GET", "/Users/does-not-exist");
    expect(missing.status).toBe(404);
    expect(missing.body.schemas).toEqual(["urn:ietf:params:scim:api:messages:2.0:Error"]);
    expect(missing.body.detail).toContain("does-not-exist");
  });

  it("answers 304 to If-None-Match with the current version", async () => {
    const created = await h.call("POST", "/Users", user("n@example.com"));
    const etag = created.headers.get("etag") ?? "";
    const res = await h.call("GET", `/Users/${created.body.id}`, undefined, { "if-none-match": etag });
    expect(res.status).toBe(304);
  });

  it("honours attributes and excludedAttributes but always returns id, schemas and meta", async () => {
    const id = (await h.call("POST", "/Users", user("a@example.com", { displayName: "A" }))).body.id;
    const only = (await h.call("GET", `/Users/${id}?attributes=userName,name.givenName`)).body;
    expect(Object.keys(only).sort()).toEqual(["id", "meta", "name", "schemas", "userName"]);
    expect(only.name).toEqual({ givenName: "Ada" });
    const without = (await h.call("GET", `/Users/${id}?excludedAttributes=emails,name,id`)).body;
    expect(without.emails).toBeUndefined();
    expect(without.name).toBeUndefined();
    expect(without.id).toBe(id);
  });
});

describe("PUT /Users/{id}", () => {
  it("replaces attributes, clears omitted ones, keeps active when omitted and ignores echoed id/meta", async () => {
    const created = (
      await h.call("POST", "/Users", user("r@example.com", { displayName: "Before", title: "Eng", active: false }))
    ).body;
    const put = await h.call("PUT", `/Users/${created.id}`, {
      id: created.id,
      meta: created.meta,
      userName: "R@example.com",
      displayName: "After",
      groups: [],
      password: "x",
    });
    expect(put.status).toBe(200);
    expect(put.body.displayName).toBe("After");
    expect(put.body.userName).toBe("R@example.com");
    expect(put.body.title).toBeUndefined();
    expect(put.body.emails).toBeUndefined();
    expect(put.body.active).toBe(false);
    expect(put.body.meta.version).not.toBe(created.meta.version);
  });

  it("answers 412 and writes nothing when If-Match names another version", async () => {
    const created = await h.call("POST", "/Users", user("v@example.com"));
    const res = await h.call("PUT", `/Users/${created.body.id}`, user("v@example.com", { displayName: "new" }), {
      "if-match": 'W/"999"',
    });
    expect(res.status).toBe(412);
    expect((await h.call("GET", `/Users/${created.body.id}`)).body.displayName).toBeUndefined();
    const okRes = await h.call("PUT", `/Users/${created.body.id}`, user("v@example.com", { displayName: "new" }), {
      "if-match": created.headers.get("etag") ?? "",
    });
    expect(okRes.status).toBe(200);
  });

  it("answers 409 when the new userName belongs to another user", async () => {
    await h.call("POST", "/Users", user("one@example.com"));
    const two = (await h.call("POST", "/Users", user("two@example.com"))).body;
    const res = await h.call("PUT", `/Users/${two.id}`, user("ONE@example.com"));
    expect(res.status).toBe(409);
    expect((await h.call("GET", `/Users/${two.id}`)).body.userName).toBe("two@example.com");
  });

  it("answers 404 for an unknown id", async () => {
    expect((await h.call("PUT", "/Users/nope", user("x@example.com"))).status).toBe(404);
  });
});

describe("DELETE /Users/{id}", () => {
  it("answers 204, then 404", async () => {
    const id = (await h.call("POST", "/Users", user("d@example.com"))).body.id;
    const del = await h.call("DELETE", `/Users/${id}`);
    expect(del.status).toBe(204);
    expect(del.body).toBeUndefined();
    expect((await h.call("GET", `/Users/${id}`)).status).toBe(404);
    expect((await h.call("DELETE", `/Users/${id}`)).status).toBe(404);
  });
});
