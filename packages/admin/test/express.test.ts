import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createMemoryStore, createScimServer } from "@scimkit/core";
import { createExpressMiddleware } from "@scimkit/express";
import express from "express";
import { afterEach, describe, expect, it } from "vitest";
import { createAdminApi } from "../src/index.js";

let open: Server | undefined;
afterEach(async () => {
  open?.closeAllConnections();
  await new Promise((resolve) => open?.close(resolve) ?? resolve(undefined));
  open = undefined;
});

/** The host's own session: a cookie naming the tenant and the person (a stand-in for a real session store). */
function sessionOf(request: Request): { tenantId: string; actor: { id: string } } | null {
  const cookie = request.headers.get("cookie") ?? "";
  const m = /(?:^|;\s*)session=([a-z]+):([a-z]+)/.exec(cookie);
  return m?.[1] && m[2] ? { tenantId: m[1], actor: { id: m[2] } } : null;
}

async function start() {
  const scim = createScimServer({ store: createMemoryStore(), policy: { roles: [{ id: "admin", label: "Admin" }] } });
  const app = express();
  app.use(express.json());
  app.use("/scim/v2", createExpressMiddleware(scim));
  let origin = "";
  const admin = createAdminApi(scim, {
    basePath: "/api/scim-admin",
    scimBaseUrl: (request) => `${new URL(request.url).origin}/scim/v2`,
    authorize: sessionOf,
  });
  app.use("/api/scim-admin", createExpressMiddleware(admin));
  open = await new Promise<Server>((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  origin = `http://127.0.0.1:${(open.address() as AddressInfo).port}`;
  const call = async (
    method: string,
    path: string,
    options: { body?: unknown; session?: string; headers?: Record<string, string> } = {},
  ) => {
    const res = await fetch(`${origin}/api/scim-admin${path}`, {
      method,
      headers: {
        cookie: `session=${options.session ?? "acme:alice"}`,
        ...(method !== "GET" ? { "content-type": "application/json", origin } : {}),
        ...options.headers,
      },
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    });
    return { status: res.status, body: (await res.json()) as any, headers: res.headers };
  };
  return { scim, origin, call };
}

describe("mounted in Express over HTTP", () => {
  it("creates a connection and a token the IdP then uses; lists and the activity log reflect it", async () => {
    const { origin, call } = await start();
    const c = await call("POST", "/connections", { body: { name: "Okta", idp: "okta" } });
    expect(c.status).toBe(201);
    expect(c.body.scimBaseUrl).toBe(`${origin}/scim/v2/${c.body.id}`);
    const t = await call("POST", `/connections/${c.body.id}/tokens`, { body: {} });
    expect(t.status).toBe(201);
    expect(t.headers.get("cache-control")).toBe("no-store");

    const created = await fetch(`${c.body.scimBaseUrl}/Users`, {
      method: "POST",
      headers: { authorization: `Bearer ${t.body.secret}`, "content-type": "application/scim+json" },
      body: JSON.stringify({ schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: "ada@example.com" }),
    });
    expect(created.status).toBe(201);

    const users = await call("GET", "/users?q=ada");
    expect(users.body.items.map((u: any) => u.userName)).toEqual(["ada@example.com"]);
    const tokens = await call("GET", `/connections/${c.body.id}/tokens`);
    expect(tokens.body.items[0]).toMatchObject({
      hint: `scimkit_…${t.body.secret.slice(-4)}`,
      status: "active",
      lastUsedAt: expect.any(String),
    });
    expect(JSON.stringify(tokens.body)).not.toContain(t.body.secret);

    const activity = await call("GET", "/activity?limit=3");
    expect(activity.body.items[0]).toMatchObject({
      operation: "create User",
      actor: { type: "connection", connectionId: c.body.id },
    });
    const setup = await call("GET", `/connections/${c.body.id}/setup`);
    expect(setup.body.steps[1].detail).toContain(c.body.scimBaseUrl);
  });

  it("answers 401 without a session, 404 across tenants, 403 cross-origin and 400 with issues", async () => {
    const { call } = await start();
    const c = await call("POST", "/connections", { body: { name: "Okta", idp: "okta" } });
    expect((await call("GET", "/connections", { session: "" })).status).toBe(401);
    const foreign = await call("PATCH", `/connections/${c.body.id}`, {
      session: "globex:mallory",
      body: { enabled: false },
    });
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.code).toBe("not_found");
    const csrf = await call("PATCH", `/connections/${c.body.id}`, {
      body: { enabled: false },
      headers: { origin: "https://evil.example" },
    });
    expect(csrf.status).toBe(403);
    expect(csrf.body.error.code).toBe("forbidden");
    expect((await call("GET", `/connections/${c.body.id}`)).body.enabled).toBe(true);
    const invalid = await call("POST", "/connections", { body: { name: 42 } });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.issues.map((i: any) => i.path.join("."))).toEqual(["body.name", "body.idp"]);
    const noJson = await call("DELETE", `/connections/${c.body.id}?resources=keep`, {
      headers: { "content-type": "text/plain" },
    });
    expect(noJson.status).toBe(415);
  });
});
