import type { AddressInfo } from "node:net";
import { type ServerType, serve } from "@hono/node-server";
import { createMemoryStore, createScimServer, type ScimServer } from "@scimkit/core";
import { ScimClient, scenarios } from "@scimkit/example-scenarios";
import { Hono } from "hono";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createHonoApp, createHonoHandler } from "./index.js";

interface Seen {
  url: string;
  method: string;
  contentType: string | null;
  body: string;
}

const echo = async (request: Request) =>
  Response.json({
    url: request.url,
    method: request.method,
    contentType: request.headers.get("content-type"),
    body: await request.text(),
  } satisfies Seen);

async function serverWithToken(
  options: Parameters<typeof createScimServer>[0] = {},
): Promise<{ server: ScimServer; token: string }> {
  const server = createScimServer({ store: createMemoryStore(), ...options });
  const dir = await server.directories.create({ tenantId: "acme", name: "Okta", idp: "okta" });
  return { server, token: (await server.directories.mintToken(dir.id)).token };
}

/** Serves `app` on Node's HTTP server through @hono/node-server, on 127.0.0.1 and a free port. */
async function listen(app: Hono): Promise<{ origin: string; close(): Promise<void> }> {
  const node = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(s));
  });
  return {
    origin: `http://127.0.0.1:${(node.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        if ("closeAllConnections" in node) node.closeAllConnections();
        node.close(() => resolve());
      }),
  };
}

const scimApp = (server: ScimServer, mount = "/scim/v2") => new Hono().route(mount, createHonoApp(server));

describe("the shared end-to-end scenarios over real HTTP, on @hono/node-server", () => {
  let client = new ScimClient("http://127.0.0.1:0", "");
  let server: ScimServer | undefined;
  let http: { origin: string; close(): Promise<void> } | undefined;
  beforeAll(async () => {
    const made = await serverWithToken();
    server = made.server;
    http = await listen(scimApp(server));
    client = new ScimClient(`${http.origin}/scim/v2`, made.token);
  });
  afterAll(async () => {
    await http?.close();
    await server?.close();
  });
  for (const scenario of scenarios) it(scenario.name, () => scenario.run(client));
});

describe("the shared end-to-end scenarios on the Web path: app.fetch(new Request(…)), no socket", () => {
  let client = new ScimClient("https://scim.example", "");
  let server: ScimServer | undefined;
  beforeAll(async () => {
    const made = await serverWithToken();
    server = made.server;
    const app = scimApp(server);
    // The scenario client calls the global fetch: here it reaches the app as Bun, Deno or a Worker would.
    vi.stubGlobal("fetch", (input: string | URL | Request, init?: RequestInit) => app.fetch(new Request(input, init)));
    client = new ScimClient("https://hr.example.com/scim/v2", made.token);
  });
  afterAll(async () => {
    vi.unstubAllGlobals();
    await server?.close();
  });
  for (const scenario of scenarios) it(scenario.name, () => scenario.run(client));
});

describe("createHonoApp on the Web path", () => {
  it("passes the full URL under app.route() and basePath(), query string intact", async () => {
    const app = new Hono().basePath("/api").route("/scim/v2", createHonoApp(echo));
    const url =
      "https://hr.example.com/api/scim/v2/Users?filter=userName%20eq%20%22a%40b.com%22&startIndex=1&count=100";
    expect(((await (await app.fetch(new Request(url))).json()) as Seen).url).toBe(url);
    for (const base of ["https://hr.example.com/api/scim/v2", "https://hr.example.com/api/scim/v2/"]) {
      expect(((await (await app.fetch(new Request(base))).json()) as Seen).url).toBe(base);
    }
    expect((await app.fetch(new Request("https://hr.example.com/scim/v2/Users"))).status).toBe(404);
  });

  it("serves the engine: Location and meta.location under the mount, 401 with WWW-Authenticate", async () => {
    const { server, token } = await serverWithToken();
    const app = scimApp(server, "/tenants/acme/scim/v2");
    const res = await app.fetch(
      new Request("https://hr.example.com/tenants/acme/scim/v2/Users", {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/scim+json" },
        body: JSON.stringify({ schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: "ada@example.com" }),
      }),
    );
    expect(res.status).toBe(201);
    const user = (await res.json()) as { id: string; meta: { location: string } };
    expect(user.meta.location).toBe(`https://hr.example.com/tenants/acme/scim/v2/Users/${user.id}`);
    expect(res.headers.get("location")).toBe(user.meta.location);
    const unauthorised = await app.fetch(new Request("https://hr.example.com/tenants/acme/scim/v2/Users"));
    expect(unauthorised.status).toBe(401);
    expect(unauthorised.headers.get("www-authenticate")).toMatch(/^Bearer/);
    await server.close();
  });

  it("holds a body to the server's maxBodyBytes with a 413 SCIM error, declared or streamed", async () => {
    const { server, token } = await serverWithToken({ maxBodyBytes: 64 });
    const app = scimApp(server);
    const body = JSON.stringify({ schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: "x".repeat(100) });
    const headers = { authorization: `Bearer ${token}`, "content-type": "application/scim+json" };
    const declared = await app.fetch(
      new Request("https://hr.example.com/scim/v2/Users", {
        method: "POST",
        headers: { ...headers, "content-length": String(body.length) },
        body,
      }),
    );
    expect(declared.status).toBe(413);
    expect(await declared.json()).toMatchObject({
      schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"],
      status: "413",
    });
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 1;
        controller.enqueue(new TextEncoder().encode("x".repeat(32)));
      },
    });
    const streamed = await app.fetch(
      new Request("https://hr.example.com/scim/v2/Users", {
        method: "POST",
        headers,
        body: endless,
        duplex: "half",
      } as RequestInit),
    );
    expect(streamed.status).toBe(413);
    // Reading stopped at the cap: the rest of an endless body was never asked for.
    expect(pulled).toBeLessThan(10);
    await server.close();
  });

  it("uses a body a middleware already read through c.req", async () => {
    const app = new Hono();
    let seenByMiddleware: unknown;
    app.use("/scim/v2/*", async (c, next) => {
      if (c.req.method !== "GET") seenByMiddleware = await c.req.json();
      await next();
    });
    app.route("/scim/v2", createHonoApp(echo));
    const body = JSON.stringify({ Operations: [{ op: "Replace", path: "active", value: "False" }] }, null, 2);
    const res = await app.fetch(
      new Request("https://hr.example.com/scim/v2/Users/1", {
        method: "PATCH",
        headers: { "content-type": "application/scim+json" },
        body,
      }),
    );
    expect(seenByMiddleware).toEqual({ Operations: [{ op: "Replace", path: "active", value: "False" }] });
    expect(await res.json()).toMatchObject({ method: "PATCH", contentType: "application/scim+json", body });
  });

  it("answers HEAD and OPTIONS with the engine's 405 and Allow", async () => {
    const { server, token } = await serverWithToken();
    const app = scimApp(server);
    for (const method of ["HEAD", "OPTIONS"]) {
      const res = await app.fetch(
        new Request("https://hr.example.com/scim/v2/Users", { method, headers: { authorization: `Bearer ${token}` } }),
      );
      expect(res.status).toBe(405);
      expect(res.headers.get("allow")).toBe("GET, POST");
    }
    await server.close();
  });
});

describe("createHonoHandler", () => {
  it("serves app.all('/scim/v2/*') and calls a server's fetch as a method", async () => {
    const target = {
      greeting: "hello",
      async fetch(this: { greeting: string }, request: Request) {
        return new Response(`${this.greeting} ${new URL(request.url).pathname}`);
      },
    };
    const app = new Hono();
    app.all("/scim/v2/*", createHonoHandler(target));
    expect(await (await app.fetch(new Request("https://hr.example.com/scim/v2/Groups/g1"))).text()).toBe(
      "hello /scim/v2/Groups/g1",
    );
  });
});

describe("createHonoApp on Node through @hono/node-server", () => {
  let http: { origin: string; close(): Promise<void> } | undefined;
  afterEach(async () => {
    await http?.close();
    http = undefined;
  });

  it("passes the client's URL and an application/scim+json body", async () => {
    http = await listen(new Hono().route("/scim/v2", createHonoApp(echo)));
    const body = '{ "userName" : "ada" }';
    const url = `${http.origin}/scim/v2/Users?count=2`;
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/scim+json; charset=utf-8" },
      body,
    });
    expect(await res.json()).toEqual({
      url,
      method: "POST",
      contentType: "application/scim+json; charset=utf-8",
      body,
    });
  });

  it("answers an oversized body with a 413 SCIM error", async () => {
    const { server, token } = await serverWithToken({ maxBodyBytes: 64 });
    http = await listen(scimApp(server));
    const res = await fetch(`${http.origin}/scim/v2/Users`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/scim+json" },
      body: JSON.stringify({ userName: "x".repeat(100) }),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ status: "413" });
    await server.close();
  });

  it("takes scheme and host from X-Forwarded-* when the server trusts the proxy", async () => {
    const { server, token } = await serverWithToken({ trustProxy: true });
    http = await listen(scimApp(server));
    const res = await fetch(`${http.origin}/scim/v2/Users`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${token}`,
        "content-type": "application/scim+json",
        "x-forwarded-proto": "https",
        "x-forwarded-host": "hr.example.com",
      },
      body: JSON.stringify({ schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: "ada@example.com" }),
    });
    expect(res.status).toBe(201);
    expect(res.headers.get("location")).toMatch(/^https:\/\/hr\.example\.com\/scim\/v2\/Users\//);
    await server.close();
  });
});
