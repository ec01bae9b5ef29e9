import { beforeEach, describe, expect, it } from "vitest";
import { createScimServer } from "../../src/index.js";
import { BASE, harness, user, type Harness } from "../support.js";

let h: Harness;
beforeEach(async () => {
  h = await harness({ maxBodyBytes: 2048 });
});

const raw = (method: string, path: string, init: { body?: string; headers?: Record<string, string> } = {}) =>
  h.server.fetch(
    new Request(`${BASE}${path}`, {
      method,
      headers: { authorization: `Bearer ${h.token}`, ...init.headers },
      ...(init.body !== undefined ? { body: init.body } : {}),
    }),
  );

describe("protocol errors", () => {
  it("answers malformed JSON with 400 invalidSyntax", async () => {
    const res = await raw("POST", "/Users", {
      body: "{not json",
      headers: { "content-type": "application/scim+json" },
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ status: "400", scimType: "invalidSyntax" });
  });

  it("answers a body over the limit with 413 and writes nothing", async () => {
    const res = await raw("POST", "/Users", {
      body: JSON.stringify(user("big@example.com", { displayName: "x".repeat(5000) })),
      headers: { "content-type": "application/json" },
    });
    expect(res.status).toBe(413);
    expect((await h.call("GET", "/Users")).body.totalResults).toBe(0);
  });

  it("answers an unsupported media type with 415", async () => {
    const res = await raw("POST", "/Users", {
      body: "userName=x",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(res.status).toBe(415);
  });

  it("accepts application/json and application/scim+json with any charset", async () => {
    for (const [i, type] of [
      "application/json",
      "application/scim+json; charset=utf-8",
      "application/json;charset=UTF-8",
    ].entries()) {
      const res = await raw("POST", "/Users", {
        body: JSON.stringify(user(`ct${i}@example.com`)),
        headers: { "content-type": type },
      });
      expect(res.status, type).toBe(201);
      expect(res.headers.get("content-type")).toMatch(/^application\/scim\+json/);
    }
  });

  it("answers unknown routes with 404 and wrong methods with 405", async () => {
    expect((await raw("GET", "/Nothing/here/at/all")).status).toBe(404);
    const res = await raw("DELETE", "/Users");
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET, POST");
    expect(
      (await raw("POST", "/Users/abc", { body: "{}", headers: { "content-type": "application/json" } })).status,
    ).toBe(405);
  });

  it("answers /Bulk with 501 when the host turned it off, and /Me always", async () => {
    const off = await harness({ bulk: false });
    const res = await off.server.fetch(
      new Request(`${BASE}/Bulk`, {
        method: "POST",
        headers: { authorization: `Bearer ${off.token}`, "content-type": "application/json" },
        body: "{}",
      }),
    );
    expect(res.status).toBe(501);
    expect((await raw("GET", "/Me")).status).toBe(501);
  });

  it("challenges a request without credentials with no error code, and a bad token with invalid_token (RFC 6750 §3.1)", async () => {
    const none = await h.server.fetch(new Request(`${BASE}/Users`));
    expect(none.headers.get("www-authenticate")).toBe('Bearer realm="SCIM"');
    const wrong = await h.server.fetch(
      new Request(`${BASE}/Users`, { headers: { authorization: "Bearer scimkit_wrong" } }),
    );
    expect(wrong.headers.get("www-authenticate")).toBe('Bearer realm="SCIM", error="invalid_token"');
  });

  it("answers with the media type application/scim+json and no charset parameter (RFC 7644 §8.1)", async () => {
    const res = await h.server.fetch(
      new Request(`${BASE}/ServiceProviderConfig`, { headers: { authorization: `Bearer ${h.token}` } }),
    );
    expect(res.headers.get("content-type")).toBe("application/scim+json");
  });

  it("answers a missing or wrong token with 401 and WWW-Authenticate: Bearer", async () => {
    for (const auth of [undefined, "Bearer scimkit_wrong", "Basic abc"]) {
      const res = await h.server.fetch(new Request(`${BASE}/Users`, { headers: auth ? { authorization: auth } : {} }));
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
      const body = await res.json();
      expect(body).toMatchObject({ status: "401", schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"] });
    }
  });

  it("never answers 500 for a hostile body shape", async () => {
    const bodies = [
      "[]",
      "null",
      "42",
      '"str"',
      '{"userName": {"a": 1}}',
      '{"userName": "a", "emails": "x"}',
      '{"userName": "a", "name": []}',
      '{"userName":"a","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": 5}',
    ];
    for (const body of bodies) {
      const res = await raw("POST", "/Users", { body, headers: { "content-type": "application/scim+json" } });
      expect(res.status, body).toBe(400);
    }
  });
});

describe("server independence", () => {
  it("keeps two servers in one process fully apart", async () => {
    const a = createScimServer();
    const b = createScimServer();
    const da = await a.directories.create({ tenantId: "t", name: "A" });
    const { token } = await a.directories.mintToken(da.id);
    const res = await b.fetch(new Request(`${BASE}/Users`, { headers: { authorization: `Bearer ${token}` } }));
    expect(res.status).toBe(401);
  });
});

describe("discovery", () => {
  it("describes exactly what is supported", async () => {
    const spc = (await h.call("GET", "/ServiceProviderConfig")).body;
    expect(spc).toMatchObject({
      patch: { supported: true },
      bulk: { supported: true, maxOperations: 1000, maxPayloadSize: 2048 },
      filter: { supported: true },
      sort: { supported: true },
      etag: { supported: true },
    });
    const types = (await h.call("GET", "/ResourceTypes")).body;
    expect(types.Resources.map((t: { id: string }) => t.id)).toEqual(["User", "Group"]);
    expect((await h.call("GET", "/ResourceTypes/User")).body.schemaExtensions).toEqual([
      { schema: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", required: false },
    ]);
    const schemas = (await h.call("GET", "/Schemas")).body;
    expect(schemas.totalResults).toBe(3);
    const userSchema = (await h.call("GET", "/Schemas/urn:ietf:params:scim:schemas:core:2.0:User")).body;
    const userName = userSchema.attributes.find((a: { name: string }) => a.name === "userName");
    expect(userName).toMatchObject({ type: "string", required: true, uniqueness: "server", caseExact: false });
    expect(userSchema.attributes.find((a: { name: string }) => a.name === "password")).toMatchObject({
      returned: "never",
      mutability: "writeOnly",
    });
    expect((await h.call("GET", "/Schemas/urn:nope")).status).toBe(404);
  });

  it("publishes host-registered extension schemas", async () => {
    const custom = await harness({
      extensions: [
        {
          resourceType: "User",
          schema: {
            id: "urn:example:params:scim:schemas:extension:acme:2.0:User",
            name: "Acme",
            description: "Acme",
            attributes: [
              {
                name: "badge",
                type: "string",
                multiValued: false,
                required: false,
                caseExact: false,
                mutability: "readWrite",
                returned: "default",
                uniqueness: "none",
              },
            ],
          },
        },
      ],
    });
    const urn = "urn:example:params:scim:schemas:extension:acme:2.0:User";
    const created = await custom.call("POST", "/Users", { userName: "x@example.com", [urn]: { badge: "B-7" } });
    expect(created.status).toBe(201);
    expect(created.body[urn]).toEqual({ badge: "B-7" });
    const found = await custom.call("GET", `/Users?filter=${encodeURIComponent(`${urn}:badge eq "b-7"`)}`);
    expect(found.body.totalResults).toBe(1);
    expect((await custom.call("GET", "/Schemas")).body.totalResults).toBe(4);
  });
});
