/**
 * Every endpoint refuses what it must, and a refused request changes nothing in the store (no
 * record, resource, audit entry or event, in either tenant): bad input is a 400 naming the field,
 * no session a 401, another tenant's id a 404, a cross-origin or form-encodable change a 403 / 415.
 */
import { describe, expect, it } from "vitest";
import { apiRoutes } from "../src/api.js";
import { BASE, type Harness, harness, ORIGIN, type Seeded, storeState } from "./harness.js";

interface Case {
  readonly method: string;
  readonly pattern: string;
  /** The request with its ids filled in. */
  readonly path: (s: Seeded, tokenId: string) => string;
  /** Bad input: a query string appended to the path, or a body. */
  readonly badQuery?: string;
  readonly badBody?: unknown;
  /** The field the 400 must name (`issues[].path`, joined with dots). */
  readonly field: string;
  /** A valid body, for the 401 / 404 / CSRF requests. */
  readonly body?: unknown;
}

const c = (s: Seeded) => `/connections/${s.connectionId}`;

const cases: readonly Case[] = [
  { method: "GET", pattern: "/connections", path: () => "/connections", badQuery: "colour=red", field: "query.colour" },
  {
    method: "POST",
    pattern: "/connections",
    path: () => "/connections",
    badBody: { name: "Okta", idp: "azure" },
    field: "body.idp",
    body: { name: "Okta", idp: "okta" },
  },
  { method: "GET", pattern: "/connections/:connectionId", path: c, badQuery: "x=1", field: "query.x" },
  {
    method: "PATCH",
    pattern: "/connections/:connectionId",
    path: c,
    badBody: { enabled: "yes" },
    field: "body.enabled",
    body: { enabled: false },
  },
  {
    method: "DELETE",
    pattern: "/connections/:connectionId",
    path: (s) => `${c(s)}?resources=delete`,
    badQuery: "resources=maybe",
    field: "query.resources",
  },
  {
    method: "GET",
    pattern: "/connections/:connectionId/tokens",
    path: (s) => `${c(s)}/tokens`,
    badQuery: "all=1",
    field: "query.all",
  },
  {
    method: "POST",
    pattern: "/connections/:connectionId/tokens",
    path: (s) => `${c(s)}/tokens`,
    badBody: { expiresAt: "tomorrow" },
    field: "body.expiresAt",
    body: {},
  },
  {
    method: "POST",
    pattern: "/connections/:connectionId/tokens/rotate",
    path: (s) => `${c(s)}/tokens/rotate`,
    badBody: { overlapSeconds: -1 },
    field: "body.overlapSeconds",
    body: { overlapSeconds: 0 },
  },
  {
    method: "DELETE",
    pattern: "/connections/:connectionId/tokens/:tokenId",
    path: (s, tokenId) => `${c(s)}/tokens/${tokenId}`,
    badBody: { force: true },
    field: "body.force",
  },
  {
    method: "GET",
    pattern: "/connections/:connectionId/setup",
    path: (s) => `${c(s)}/setup`,
    badQuery: "idp=azure",
    field: "query.idp",
  },
  {
    method: "GET",
    pattern: "/connections/:connectionId/health",
    path: (s) => `${c(s)}/health`,
    badQuery: "window=5",
    field: "query.window",
  },
  {
    method: "GET",
    pattern: "/connections/:connectionId/deprovisioning",
    path: (s) => `${c(s)}/deprovisioning`,
    badQuery: "x=1",
    field: "query.x",
  },
  {
    method: "PUT",
    pattern: "/connections/:connectionId/deprovisioning",
    path: (s) => `${c(s)}/deprovisioning`,
    badBody: { onDelete: "soft" },
    field: "body.onDelete",
    body: { onDelete: "tombstone" },
  },
  { method: "GET", pattern: "/roles", path: () => "/roles", badQuery: "x=1", field: "query.x" },
  { method: "GET", pattern: "/groups", path: () => "/groups", badQuery: "count=0", field: "query.count" },
  {
    method: "GET",
    pattern: "/groups/:groupId",
    path: (s) => `/groups/${s.groups.admins}`,
    badQuery: "members=all",
    field: "query.members",
  },
  {
    method: "GET",
    pattern: "/groups/:groupId/role/preview",
    path: (s) => `/groups/${s.groups.admins}/role/preview?roleId=admin`,
    badQuery: "roleId=owner",
    field: "query.roleId",
  },
  {
    method: "PUT",
    pattern: "/groups/:groupId/role",
    path: (s) => `/groups/${s.groups.admins}/role`,
    badBody: { roleId: "owner" },
    field: "body.roleId",
    body: { roleId: "admin" },
  },
  {
    method: "DELETE",
    pattern: "/groups/:groupId/role",
    path: (s) => `/groups/${s.groups.engineers}/role`,
    badBody: { roleId: "admin" },
    field: "body.roleId",
  },
  { method: "GET", pattern: "/users", path: () => "/users", badQuery: "count=500", field: "query.count" },
  {
    method: "GET",
    pattern: "/users/:userId",
    path: (s) => `/users/${s.users.ada}`,
    badQuery: "x=1",
    field: "query.x",
  },
  { method: "GET", pattern: "/exclusions", path: () => "/exclusions", badQuery: "x=1", field: "query.x" },
  {
    method: "PUT",
    pattern: "/exclusions/:userId",
    path: (s) => `/exclusions/${s.users.ada}`,
    badBody: { note: 5 },
    field: "body.note",
    body: { note: "break-glass" },
  },
  {
    method: "DELETE",
    pattern: "/exclusions/:userId",
    path: (s) => `/exclusions/${s.users.grace}`,
    badBody: { note: "x" },
    field: "body.note",
  },
  { method: "GET", pattern: "/activity", path: () => "/activity", badQuery: "limit=0", field: "query.limit" },
];

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** Two tenants with data everywhere an endpoint could change something. */
async function world(): Promise<{ h: Harness; acme: Seeded; tokenId: string }> {
  const h = harness();
  const acme = await h.seed("acme");
  await h.seed("globex");
  await h.call("PUT", `/groups/${acme.groups.engineers}/role`, { body: { roleId: "admin" } });
  await h.call("PUT", `/exclusions/${acme.users.grace}`, { body: { note: "service account" } });
  const [token] = await h.scim.directories.listTokens(acme.connectionId);
  return { h, acme, tokenId: token?.id ?? "" };
}

const withQuery = (path: string, query: string) => {
  const [p] = path.split("?");
  return `${p}?${query}`;
};

describe("refusals, on every endpoint", () => {
  it("the table covers every endpoint", () => {
    const covered = cases.map((x) => `${x.method} ${x.pattern}`).sort();
    expect(covered).toEqual(apiRoutes.map((r) => `${r.method} ${r.pattern}`).sort());
  });

  it("bad input: 400 naming the field, nothing changed", async () => {
    const { h, acme, tokenId } = await world();
    const before = await storeState(h);
    for (const x of cases) {
      const path = x.badQuery === undefined ? x.path(acme, tokenId) : withQuery(x.path(acme, tokenId), x.badQuery);
      const res = await h.call(x.method, path, x.badBody === undefined ? {} : { body: x.badBody });
      const fields = (res.body?.error?.issues ?? []).map((i: any) => i.path.join("."));
      expect({ endpoint: `${x.method} ${x.pattern}`, status: res.status, code: res.body?.error?.code }).toEqual({
        endpoint: `${x.method} ${x.pattern}`,
        status: 400,
        code: "invalid_input",
      });
      expect(fields, `${x.method} ${x.pattern}`).toContain(x.field);
    }
    // A body that is no JSON, and one that is not an object, name the body.
    const notJson = await h.call("PATCH", c(acme), { body: "{nope" });
    expect(notJson.body.error.issues).toEqual([{ path: ["body"], message: "not valid JSON" }]);
    const list = await h.call("DELETE", `/exclusions/${acme.users.grace}`, { body: [1] });
    expect(list.body.error.issues[0].path).toEqual(["body"]);
    expect(await storeState(h)).toBe(before);
  });

  it("no session: 401 before anything is read, nothing changed", async () => {
    const { h, acme, tokenId } = await world();
    const before = await storeState(h);
    for (const x of cases) {
      const res = await h.call(x.method, x.path(acme, tokenId), {
        tenant: null,
        ...(x.body !== undefined ? { body: x.body } : {}),
      });
      expect({ endpoint: `${x.method} ${x.pattern}`, status: res.status, code: res.body.error.code }).toEqual({
        endpoint: `${x.method} ${x.pattern}`,
        status: 401,
        code: "unauthorized",
      });
    }
    expect(await storeState(h)).toBe(before);
  });

  it("another tenant's ids: 404 as for unknown ones, nothing changed", async () => {
    const { h, acme, tokenId } = await world();
    const before = await storeState(h);
    for (const x of cases.filter((x) => x.pattern.includes(":"))) {
      const res = await h.call(x.method, x.path(acme, tokenId), {
        tenant: "globex",
        actor: "mallory",
        ...(x.body !== undefined ? { body: x.body } : {}),
      });
      expect({ endpoint: `${x.method} ${x.pattern}`, status: res.status, code: res.body.error.code }).toEqual({
        endpoint: `${x.method} ${x.pattern}`,
        status: 404,
        code: "not_found",
      });
    }
    expect(await storeState(h)).toBe(before);
  });

  it("CSRF: a cross-origin, cross-site or form-encodable change is refused before authorization, nothing changed", async () => {
    const { h, acme, tokenId } = await world();
    const before = await storeState(h);
    const refusals: [Record<string, string>, number][] = [
      [{ "content-type": "application/json", origin: "https://evil.example" }, 403],
      [{ "content-type": "application/json", "sec-fetch-site": "cross-site" }, 403],
      [{ "content-type": "text/plain", origin: ORIGIN }, 415],
      [{ "content-type": "application/x-www-form-urlencoded", origin: ORIGIN }, 415],
    ];
    for (const x of cases.filter((x) => UNSAFE.has(x.method))) {
      for (const [headers, status] of refusals) {
        const res = await h.api.fetch(
          new Request(`${ORIGIN}${BASE}${x.path(acme, tokenId)}`, {
            method: x.method,
            headers: { "x-test-tenant": "acme", "x-test-actor": "alice", ...headers },
            body: JSON.stringify(x.body ?? {}),
          }),
        );
        expect({ endpoint: `${x.method} ${x.pattern}`, headers, status: res.status }).toEqual({
          endpoint: `${x.method} ${x.pattern}`,
          headers,
          status,
        });
      }
    }
    expect(await storeState(h)).toBe(before);
  });
});
