import { describe, expect, it } from "vitest";
import { createAdminApi } from "../src/index.js";
import { adminEntries, BASE, harness, ORIGIN, SCIM_BASE, type Seeded, storeState } from "./harness.js";

/** Every route that takes an id, called with another tenant's ids. */
const crossTenantCalls = (s: Seeded, tokenId: string): [string, string, unknown?][] => [
  ["GET", `/connections/${s.connectionId}`],
  ["PATCH", `/connections/${s.connectionId}`, { name: "Taken over" }],
  ["DELETE", `/connections/${s.connectionId}?resources=delete`],
  ["GET", `/connections/${s.connectionId}/tokens`],
  ["POST", `/connections/${s.connectionId}/tokens`, {}],
  ["POST", `/connections/${s.connectionId}/tokens/rotate`, { overlapSeconds: 0 }],
  ["DELETE", `/connections/${s.connectionId}/tokens/${tokenId}`],
  ["GET", `/connections/${s.connectionId}/setup`],
  ["GET", `/connections/${s.connectionId}/health`],
  ["GET", `/connections/${s.connectionId}/deprovisioning`],
  ["PUT", `/connections/${s.connectionId}/deprovisioning`, { onDelete: "tombstone" }],
  ["GET", `/groups/${s.groups.admins}`],
  ["GET", `/groups/${s.groups.admins}/role/preview?roleId=admin`],
  ["PUT", `/groups/${s.groups.admins}/role`, { roleId: "admin" }],
  ["DELETE", `/groups/${s.groups.admins}/role`],
  ["GET", `/users/${s.users.ada}`],
  ["PUT", `/exclusions/${s.users.ada}`, {}],
  ["DELETE", `/exclusions/${s.users.ada}`],
  ["GET", `/activity?connectionId=${s.connectionId}`],
  ["GET", `/activity?userId=${s.users.ada}`],
  ["GET", `/activity?groupId=${s.groups.admins}`],
];

describe("tenancy", () => {
  it("answers 404 for another tenant's connection, token, group and user on every route, changing nothing", async () => {
    const h = harness();
    const acme = await h.seed("acme");
    await h.seed("globex");
    await h.call("PUT", `/exclusions/${acme.users.grace}`, { body: {} });
    await h.call("PUT", `/groups/${acme.groups.engineers}/role`, { body: { roleId: "admin" } });
    const [token] = await h.scim.directories.listTokens(acme.connectionId);
    const before = await storeState(h);

    for (const [method, path, body] of crossTenantCalls(acme, token?.id ?? "")) {
      const res = await h.call(method, path, {
        tenant: "globex",
        actor: "mallory",
        ...(body !== undefined ? { body } : {}),
      });
      expect({ method, path, status: res.status, code: res.body.error?.code }).toEqual({
        method,
        path,
        status: 404,
        code: "not_found",
      });
    }
    // The same routes work for acme's own admin.
    expect((await h.call("GET", `/connections/${acme.connectionId}`)).status).toBe(200);
    expect((await h.call("GET", `/users/${acme.users.ada}`)).status).toBe(200);
    // Lists are the tenant's own.
    expect((await h.call("GET", "/connections", { tenant: "globex" })).body.items).toHaveLength(1);
    expect(
      (await h.call("GET", "/users", { tenant: "globex" })).body.items.every((u: any) =>
        u.userName.endsWith("@globex.example"),
      ),
    ).toBe(true);
    expect((await h.call("GET", "/exclusions", { tenant: "globex" })).body.items).toEqual([]);
    expect((await h.call("GET", "/groups", { tenant: "globex" })).body.items.every((g: any) => g.roleId === null)).toBe(
      true,
    );
    expect(
      (await h.call("GET", "/activity", { tenant: "globex" })).body.items.every(
        (e: any) => e.connectionId !== acme.connectionId,
      ),
    ).toBe(true);

    // Nothing changed in either tenant: no record, resource, audit entry or event.
    expect(await storeState(h)).toBe(before);
    expect((await h.scimCall(acme.token, "GET", "/Users")).status).toBe(200);
    expect((await h.scim.directories.get(acme.connectionId))?.name).toBe("Okta");
  });
});

describe("authorization", () => {
  it("answers 401 without a principal and never calls a handler", async () => {
    const h = harness();
    const res = await h.call("GET", "/connections", { tenant: null });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: { code: "unauthorized", message: expect.any(String) } });
    const post = await h.call("POST", "/connections", { tenant: null, body: { name: "x", idp: "okta" } });
    expect(post.status).toBe(401);
    expect(await h.scim.directories.list("acme")).toEqual([]);
  });

  it("answers 500 (reported, not leaked) when authorize throws or returns a malformed principal", async () => {
    const reported: unknown[] = [];
    const scim = harness().scim;
    for (const authorize of [
      () => {
        throw new Error("session store down");
      },
      () => ({ tenantId: "", actor: { id: "x" } }),
    ]) {
      const api = createAdminApi(scim, { scimBaseUrl: SCIM_BASE, authorize, onError: (e) => void reported.push(e) });
      const res = await api.fetch(new Request(`${ORIGIN}/connections`));
      expect(res.status).toBe(500);
      expect(await res.json()).toEqual({ error: { code: "internal", message: "Authorization failed" } });
    }
    expect(reported).toHaveLength(2);
  });

  it("answers 404 for an unknown path and 405 with Allow for a wrong method", async () => {
    const h = harness();
    expect((await h.call("GET", "/nope")).body.error.code).toBe("not_found");
    const wrong = await h.call("POST", "/groups", { body: {} });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get("allow")).toBe("GET");
    expect(wrong.body.error.code).toBe("method_not_allowed");
  });

  it("finds the mount without a basePath", async () => {
    const h = harness({ basePath: undefined });
    expect((await h.call("GET", "/connections")).status).toBe(200);
    const res = await h.api.fetch(
      new Request(`${ORIGIN}/connections`, { headers: { "x-test-tenant": "acme", "x-test-actor": "a" } }),
    );
    expect(res.status).toBe(200);
  });
});

describe("CSRF", () => {
  const post = (h: ReturnType<typeof harness>, headers: Record<string, string>) =>
    h.api.fetch(
      new Request(`${ORIGIN}${BASE}/connections`, {
        method: "POST",
        headers: { "x-test-tenant": "acme", "x-test-actor": "a", ...headers },
        body: JSON.stringify({ name: "Okta", idp: "okta" }),
      }),
    );

  it("refuses a cross-origin or cross-site change, and a form-encodable content type", async () => {
    const h = harness();
    const cases: [Record<string, string>, number, string][] = [
      [{ "content-type": "application/json", origin: "https://evil.example" }, 403, "forbidden"],
      [{ "content-type": "application/json", origin: "null" }, 403, "forbidden"],
      [{ "content-type": "application/json", "sec-fetch-site": "cross-site" }, 403, "forbidden"],
      [{ "content-type": "application/json", "sec-fetch-site": "same-site" }, 403, "forbidden"],
      [{ "content-type": "text/plain", origin: ORIGIN }, 415, "unsupported_media_type"],
      [{ "content-type": "application/x-www-form-urlencoded", origin: ORIGIN }, 415, "unsupported_media_type"],
      [{ origin: ORIGIN }, 415, "unsupported_media_type"],
    ];
    for (const [headers, status, code] of cases) {
      const res = await post(h, headers);
      expect({ headers, status: res.status, code: ((await res.json()) as any).error.code }).toEqual({
        headers,
        status,
        code,
      });
    }
    expect(await h.scim.directories.list("acme")).toEqual([]);
    // A refused request reaches neither authorize nor the audit.
    expect(await adminEntries(h)).toEqual([]);
  });

  it("accepts the same origin, Sec-Fetch-Site same-origin, an allowed origin, and non-browser clients", async () => {
    const h = harness({ allowedOrigins: ["https://admin.example.com/"] });
    for (const headers of [
      { "content-type": "application/json; charset=utf-8", origin: ORIGIN },
      { "content-type": "application/json", "sec-fetch-site": "same-origin" },
      { "content-type": "application/json", origin: "https://admin.example.com" },
      { "content-type": "application/json" },
    ]) {
      expect((await post(h, headers)).status).toBe(201);
    }
    const strict = harness({ allowRequestsWithoutOrigin: false });
    expect((await post(strict, { "content-type": "application/json" })).status).toBe(403);
  });

  it("lets safe methods through without the checks", async () => {
    const h = harness();
    const res = await h.api.fetch(
      new Request(`${ORIGIN}${BASE}/connections`, {
        headers: { "x-test-tenant": "acme", "x-test-actor": "a", "sec-fetch-site": "cross-site" },
      }),
    );
    expect(res.status).toBe(200);
  });

  it("refuses an oversized body with 413", async () => {
    const h = harness({ maxBodyBytes: 100 });
    const res = await post(h, { "content-type": "application/json", origin: ORIGIN, "x-pad": "1" });
    expect(res.status).toBe(201);
    const big = await h.call("POST", "/connections", { body: { name: "x".repeat(200), idp: "okta" } });
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe("payload_too_large");
  });
});

describe("audit", () => {
  it("attributes every change to the person: core's entries, written with the change, name them", async () => {
    const h = harness();
    const s = await h.seed("acme");
    const c = await h.call("POST", "/connections", { body: { name: "Entra", idp: "entra" } });
    const id: string = c.body.id;
    const made = await h.call("POST", `/connections/${id}/tokens`, { body: {} });
    const calls: [string, string, unknown?][] = [
      ["PATCH", `/connections/${id}`, { name: "Entra ID" }],
      ["POST", `/connections/${id}/tokens/rotate`, { overlapSeconds: 60 }],
      ["DELETE", `/connections/${id}/tokens/${made.body.token.id}`],
      ["PUT", `/connections/${id}/deprovisioning`, { onDeactivate: "delete" }],
      ["PUT", `/groups/${s.groups.admins}/role`, { roleId: "admin" }],
      ["DELETE", `/groups/${s.groups.admins}/role`],
      ["PUT", `/exclusions/${s.users.linus}`, { note: "n" }],
      ["DELETE", `/exclusions/${s.users.linus}`],
      ["DELETE", `/connections/${id}?resources=keep`],
    ];
    for (const [method, path, body] of calls) {
      const [last] = await h.scim.audit("acme", { order: "descending", limit: 1 });
      const res = await h.call(method, path, { actor: "u_bob", ...(body !== undefined ? { body } : {}) });
      expect({ method, path, status: res.status }).toEqual({
        method,
        path,
        status: res.status < 300 ? res.status : 200,
      });
      const added = await h.scim.audit("acme", { after: last?.seq ?? 0, limit: 1000 });
      expect(added.length, `${method} ${path}`).toBeGreaterThan(0);
      expect(added.map((e) => e.person)).toEqual(
        added.map(() => ({ id: "u_bob", name: "Person u_bob", email: "u_bob@example.com" })),
      );
    }
    // Reads change nothing.
    const before = await storeState(h);
    for (const path of ["/connections", "/groups", "/users", "/exclusions", "/activity", "/roles"])
      await h.call("GET", path);
    expect(await storeState(h)).toBe(before);
  });
});
