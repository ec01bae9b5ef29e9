import { createScimServer, createMemoryStore } from "@scimkit/core";
import { describe, expect, it } from "vitest";
import { createNextRouteHandlers } from "./index.js";

describe("createNextRouteHandlers", () => {
  it("gives every SCIM method a handler that passes the request to fetch unchanged", async () => {
    const seen: Request[] = [];
    const handlers = createNextRouteHandlers(async (request) => {
      seen.push(request);
      return new Response(request.method, { status: 299 });
    });
    for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE"] as const) {
      const request = new Request("https://app.example/scim/v2/Users/1", {
        method,
        ...(method === "GET" ? {} : { body: "{}" }),
      });
      const response = await handlers[method](request);
      expect(response.status).toBe(299);
      expect(await response.text()).toBe(method);
      expect(seen.at(-1)).toBe(request);
    }
  });

  it("puts the client's Host back into the URL Next built on its own listening host, body intact", async () => {
    const { POST } = createNextRouteHandlers(async (request) =>
      Response.json({ url: request.url, body: await request.text() }),
    );
    const response = await POST(
      new Request("http://localhost:3000/scim/v2/Users?x=1", {
        method: "POST",
        headers: { host: "hr.example.com", "x-forwarded-host": "attacker.example" },
        body: '{"userName":"ada"}',
      }),
    );
    expect(await response.json()).toEqual({
      url: "http://hr.example.com/scim/v2/Users?x=1",
      body: '{"userName":"ada"}',
    });
  });

  it("takes the host from X-Forwarded-Host only with trustProxy", async () => {
    const { GET } = createNextRouteHandlers(async (request) => new Response(request.url), { trustProxy: true });
    const request = new Request("https://localhost:3000/scim/v2/Groups", {
      headers: { host: "internal:8080", "x-forwarded-host": "idp-facing.example.com, proxy.local" },
    });
    expect(await (await GET(request)).text()).toBe("https://idp-facing.example.com/scim/v2/Groups");
  });

  it("keeps the URL when the Host header is not a host name", async () => {
    const { GET } = createNextRouteHandlers(async (request) => new Response(request.url));
    const request = new Request("http://localhost:3000/scim/v2/Users", { headers: { host: "evil.example/path?" } });
    expect(await (await GET(request)).text()).toBe("http://localhost:3000/scim/v2/Users");
  });

  it("calls a server's fetch as a method", async () => {
    const server = {
      greeting: "hello",
      async fetch(this: { greeting: string }) {
        return new Response(this.greeting);
      },
    };
    expect(await (await createNextRouteHandlers(server).GET(new Request("https://app.example/scim/v2"))).text()).toBe(
      "hello",
    );
  });

  it("serves the engine: a user POSTed through one handler is read back through another", async () => {
    const server = createScimServer({ store: createMemoryStore() });
    const dir = await server.directories.create({ tenantId: "acme", name: "Okta", idp: "okta" });
    const { token } = await server.directories.mintToken(dir.id);
    const { POST, GET } = createNextRouteHandlers(server);
    const headers = { authorization: `Bearer ${token}`, "content-type": "application/scim+json" };
    const created = await POST(
      new Request("https://app.example/scim/v2/Users", {
        method: "POST",
        headers,
        body: JSON.stringify({ schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: "ada@example.com" }),
      }),
    );
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const read = await GET(new Request(`https://app.example/scim/v2/Users/${id}`, { headers }));
    expect(read.status).toBe(200);
    expect(await read.json()).toMatchObject({
      id,
      userName: "ada@example.com",
      meta: { location: `https://app.example/scim/v2/Users/${id}` },
    });
    await server.close();
  });
});
