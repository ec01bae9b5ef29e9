import { describe, expect, it, vi } from "vitest";
import { createScimServer } from "../../src/index.js";

const BASE = "https://app.example.com/scim/v2";

async function twoTenants() {
  const logs: string[] = [];
  const logger = {
    error: (m: string, d?: Record<string, unknown>) => void logs.push(`${m} ${JSON.stringify(d ?? {})}`),
  };
  const server = createScimServer({ logger });
  const a = await server.directories.create({ tenantId: "tenant-a", name: "A" });
  const b = await server.directories.create({ tenantId: "tenant-b", name: "B" });
  const ta = (await server.directories.mintToken(a.id)).token;
  const tb = (await server.directories.mintToken(b.id)).token;
  const call = async (token: string, method: string, path: string, body?: unknown, base = BASE) => {
    const res = await server.fetch(
      new Request(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, "content-type": "application/scim+json" },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      }),
    );
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  return { server, a, b, ta, tb, call, logs };
}

describe("tenant isolation", () => {
  it("answers 404 to every endpoint and method naming another tenant's ids, and changes nothing", async () => {
    const { ta, tb, call } = await twoTenants();
    const userB = (await call(tb, "POST", "/Users", { userName: "b@example.com" })).body;
    const groupB = (await call(tb, "POST", "/Groups", { displayName: "B team", members: [{ value: userB.id }] })).body;
    const snapshot = async () => [
      (await call(tb, "GET", `/Users/${userB.id}`)).body,
      (await call(tb, "GET", `/Groups/${groupB.id}`)).body,
    ];
    const before = await snapshot();
    const matrix: [string, string, unknown][] = [
      ["GET", `/Users/${userB.id}`, undefined],
      ["PUT", `/Users/${userB.id}`, { userName: "hijack@example.com" }],
      [
        "PATCH",
        `/Users/${userB.id}`,
        {
          schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
          Operations: [{ op: "replace", value: { active: false } }],
        },
      ],
      ["DELETE", `/Users/${userB.id}`, undefined],
      ["GET", `/Groups/${groupB.id}`, undefined],
      ["PUT", `/Groups/${groupB.id}`, { displayName: "hijack" }],
      [
        "PATCH",
        `/Groups/${groupB.id}`,
        {
          schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
          Operations: [{ op: "replace", path: "members", value: [] }],
        },
      ],
      ["DELETE", `/Groups/${groupB.id}`, undefined],
    ];
    for (const [method, path, body] of matrix) {
      const res = await call(ta, method, path, body);
      expect(res.status, `${method} ${path}`).toBe(404);
    }
    // Lists, filters and searches of tenant A never show tenant B's data.
    expect((await call(ta, "GET", "/Users")).body.totalResults).toBe(0);
    expect(
      (await call(ta, "GET", `/Users?filter=${encodeURIComponent('userName eq "b@example.com"')}`)).body.totalResults,
    ).toBe(0);
    expect((await call(ta, "GET", "/Groups")).body.totalResults).toBe(0);
    const search = { schemas: ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"] };
    expect((await call(ta, "POST", "/.search", search)).body.totalResults).toBe(0);
    expect(
      (await call(ta, "POST", "/Users/.search", { ...search, filter: 'userName eq "b@example.com"' })).body
        .totalResults,
    ).toBe(0);
    expect(
      (await call(ta, "POST", "/Groups/.search", { ...search, filter: 'displayName eq "B team"' })).body.totalResults,
    ).toBe(0);
    expect(
      (await call(ta, "GET", `/Groups?filter=${encodeURIComponent(`members.value eq "${userB.id}"`)}`)).body
        .totalResults,
    ).toBe(0);
    // A member PATCH of A's own group naming B's user adds nothing.
    const groupA = (await call(ta, "POST", "/Groups", { displayName: "A first" })).body;
    const crossAdd = await call(ta, "PATCH", `/Groups/${groupA.id}`, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [{ op: "add", path: "members", value: [{ value: userB.id }] }],
    });
    expect(crossAdd.status).toBeLessThan(300);
    expect((await call(ta, "GET", `/Groups/${groupA.id}`)).body.members ?? []).toEqual([]);
    // Discovery describes the service, never a tenant's data.
    for (const path of ["/ServiceProviderConfig", "/ResourceTypes", "/Schemas"]) {
      expect(JSON.stringify((await call(ta, "GET", path)).body), path).not.toContain(userB.id);
    }
    // A group in A cannot take B's user as a member.
    const strictMember = await call(ta, "POST", "/Groups", { displayName: "A team", members: [{ value: userB.id }] });
    expect(strictMember.body.members ?? []).toEqual([]);
    expect(await snapshot()).toEqual(before);
  });

  it("lets each tenant use the same userName", async () => {
    const { ta, tb, call } = await twoTenants();
    expect((await call(ta, "POST", "/Users", { userName: "same@example.com" })).status).toBe(201);
    expect((await call(tb, "POST", "/Users", { userName: "same@example.com" })).status).toBe(201);
  });
});

describe("routing styles", () => {
  it("serves per-directory base URLs only to that directory's token", async () => {
    const { a, ta, tb, call } = await twoTenants();
    const own = await call(ta, "POST", "/Users", { userName: "x@example.com" }, `${BASE}/${a.id}`);
    expect(own.status).toBe(201);
    expect(own.body.meta.location).toBe(`${BASE}/${a.id}/Users/${own.body.id}`);
    expect((await call(tb, "GET", "/Users", undefined, `${BASE}/${a.id}`)).status).toBe(401);
  });

  it("builds meta.location from each request's own base URL, even concurrently", async () => {
    const { a, b, ta, tb, call } = await twoTenants();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        i % 2 === 0
          ? call(ta, "POST", "/Users", { userName: `a${i}@x.com` }, `https://a.example.com/api/${a.id}`)
          : call(tb, "POST", "/Users", { userName: `b${i}@x.com` }, `http://b.example.net:8080/scim/${b.id}`),
      ),
    );
    results.forEach((r, i) => {
      const expected =
        i % 2 === 0 ? `https://a.example.com/api/${a.id}/Users/` : `http://b.example.net:8080/scim/${b.id}/Users/`;
      expect(r.body.meta.location.startsWith(expected)).toBe(true);
    });
  });
});

describe("transport and custom auth", () => {
  it("answers 403 to plain HTTP when HTTPS is required, trusting X-Forwarded-Proto only when configured", async () => {
    for (const trustProxy of [false, true]) {
      const server = createScimServer({ requireHttps: true, trustProxy });
      const d = await server.directories.create({ tenantId: "t", name: "x" });
      const { token } = await server.directories.mintToken(d.id);
      const plain = await server.fetch(
        new Request("http://app/scim/v2/Users", { headers: { authorization: `Bearer ${token}` } }),
      );
      expect(plain.status).toBe(403);
      const forwarded = await server.fetch(
        new Request("http://app/scim/v2/Users", {
          headers: { authorization: `Bearer ${token}`, "x-forwarded-proto": "https" },
        }),
      );
      expect(forwarded.status).toBe(trustProxy ? 200 : 403);
      expect(
        (
          await server.fetch(
            new Request("https://app/scim/v2/Users", { headers: { authorization: `Bearer ${token}` } }),
          )
        ).status,
      ).toBe(200);
    }
  });

  it("lets the host replace bearer-token auth", async () => {
    let directoryId = "";
    const server = createScimServer({
      authenticate: async (req) => (req.headers.get("x-client-cert") === "trusted" ? { directoryId } : null),
    });
    directoryId = (await server.directories.create({ tenantId: "t", name: "x" })).id;
    expect(
      (await server.fetch(new Request("https://app/scim/v2/Users", { headers: { "x-client-cert": "trusted" } })))
        .status,
    ).toBe(200);
    expect(
      (await server.fetch(new Request("https://app/scim/v2/Users", { headers: { "x-client-cert": "nope" } }))).status,
    ).toBe(401);
  });
});

describe("secrets", () => {
  it("never appear in responses, logs, audit entries or events", async () => {
    const spy = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const { server, a, ta, call, logs } = await twoTenants();
    const events: string[] = [];
    server.events.subscribe((e) => void events.push(JSON.stringify(e)));
    await call(ta, "POST", "/Users", { userName: "s@example.com" });
    await call(`${ta}x`, "GET", "/Users");
    await server.fetch(
      new Request(`${BASE}/Users`, {
        method: "POST",
        headers: { authorization: `Bearer ${ta}`, "content-type": "application/json" },
        body: "{bad",
      }),
    );
    const rotated = await server.directories.mintToken(a.id);
    const audit = JSON.stringify(await server.audit("tenant-a", { limit: 1000 }));
    const outbox = JSON.stringify(await server.events.read("tenant-a", { limit: 1000 }));
    const captured = [...logs, ...spy.mock.calls.map((c) => JSON.stringify(c)), audit, outbox, ...events].join("\n");
    for (const secret of [ta, rotated.token]) {
      expect(captured).not.toContain(secret);
      expect(captured).not.toContain(secret.slice(8));
    }
    expect(audit).toContain("token.minted");
    spy.mockRestore();
  });
});
