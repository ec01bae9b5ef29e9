import { request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { createMemoryStore, createScimServer, type ScimServer } from "@scimkit/core";
import { ScimClient, scenarios } from "@scimkit/example-scenarios";
import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createFastifyHandler, createFastifyPlugin } from "./index.js";

const open: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((app) => app.close()));
});

async function start(app: FastifyInstance, keep = open): Promise<string> {
  keep.push(app);
  await app.listen({ port: 0, host: "127.0.0.1" });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

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

describe("the shared end-to-end scenarios over real HTTP, registered with prefix /scim/v2", () => {
  const kept: FastifyInstance[] = [];
  let client = new ScimClient("http://127.0.0.1:0", "");
  let server: ScimServer | undefined;
  beforeAll(async () => {
    const made = await serverWithToken();
    server = made.server;
    const app = Fastify();
    await app.register(createFastifyPlugin(server), { prefix: "/scim/v2" });
    client = new ScimClient(`${await start(app, kept)}/scim/v2`, made.token);
  });
  afterAll(async () => {
    await Promise.all(kept.map((app) => app.close()));
    await server?.close();
  });
  for (const scenario of scenarios) it(scenario.name, () => scenario.run(client));
});

describe("createFastifyPlugin", () => {
  it("passes the full URL under nested prefixes, query string intact", async () => {
    const app = Fastify();
    await app.register(
      async (api) => {
        await api.register(createFastifyPlugin(echo), { prefix: "/scim/v2" });
      },
      { prefix: "/api" },
    );
    const origin = await start(app);
    const url = `${origin}/api/scim/v2/Users?filter=userName%20eq%20%22a%40b.com%22&startIndex=1&count=100`;
    expect(((await (await fetch(url)).json()) as Seen).url).toBe(url);
    // The base URL itself, with and without its trailing slash, reaches the handler too.
    expect(((await (await fetch(`${origin}/api/scim/v2`)).json()) as Seen).url).toBe(`${origin}/api/scim/v2`);
    expect((await fetch(`${origin}/api/scim/v2/`)).status).toBe(200);
    expect((await fetch(`${origin}/scim/v2/Users`)).status).toBe(404);
  });

  it("reads application/scim+json (and a body with no content type) itself, leaving the app's own parsers alone", async () => {
    const app = Fastify();
    await app.register(createFastifyPlugin(echo), { prefix: "/scim/v2" });
    app.post("/elsewhere", async (request) => ({ parsed: request.body }));
    const origin = await start(app);
    const body = '{ "userName" : "ada" }';
    const res = await fetch(`${origin}/scim/v2/Users`, {
      method: "POST",
      headers: { "content-type": "application/scim+json; charset=utf-8" },
      body,
    });
    expect(await res.json()).toMatchObject({
      method: "POST",
      contentType: "application/scim+json; charset=utf-8",
      body,
    });
    const bare = await fetch(`${origin}/scim/v2/Users`, { method: "PUT", body: new Blob([body]) });
    expect(((await bare.json()) as Seen).body).toBe(body);
    const elsewhere = await fetch(`${origin}/elsewhere`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    expect(await elsewhere.json()).toEqual({ parsed: { userName: "ada" } });
  });

  it("answers a body over maxBodyBytes with a 413 SCIM error, declared or chunked", async () => {
    const app = Fastify();
    await app.register(createFastifyPlugin(echo, { maxBodyBytes: 64 }), { prefix: "/scim/v2" });
    const origin = await start(app);
    const body = JSON.stringify({ userName: "x".repeat(100) });
    const res = await fetch(`${origin}/scim/v2/Users`, {
      method: "POST",
      headers: { "content-type": "application/scim+json" },
      body,
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"], status: "413" });
    const chunked = await fetch(`${origin}/scim/v2/Users`, {
      method: "POST",
      headers: { "content-type": "application/scim+json" },
      body: new Blob([body]).stream(),
      duplex: "half",
    } as RequestInit);
    expect(chunked.status).toBe(413);
  });

  it("takes the cap from Fastify's bodyLimit when no maxBodyBytes is given", async () => {
    const app = Fastify({ bodyLimit: 64 });
    await app.register(createFastifyPlugin(echo), { prefix: "/scim/v2" });
    const origin = await start(app);
    const send = (size: number) =>
      fetch(`${origin}/scim/v2/Users`, {
        method: "POST",
        headers: { "content-type": "application/scim+json" },
        body: JSON.stringify({ userName: "x".repeat(size) }),
      });
    expect((await send(10)).status).toBe(200);
    const res = await send(100);
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ status: "413", detail: expect.stringContaining("64 bytes") });
  });

  it("sends the answer through reply, so Fastify's onSend hooks see it, with every header value", async () => {
    const app = Fastify();
    app.addHook("onSend", async (_request, reply, payload) => {
      reply.header("x-seen-by-hook", "yes");
      return payload;
    });
    const headers = new Headers({ "content-type": "application/scim+json", etag: 'W/"2"' });
    headers.append("set-cookie", "a=1");
    headers.append("set-cookie", "b=2");
    await app.register(
      createFastifyPlugin(async () => new Response('{"ok":true}', { status: 201, headers })),
      { prefix: "/scim/v2" },
    );
    const origin = await start(app);
    const res = await fetch(`${origin}/scim/v2/Users`, { method: "POST", body: "{}" });
    expect(res.status).toBe(201);
    expect(res.headers.get("x-seen-by-hook")).toBe("yes");
    expect(res.headers.get("etag")).toBe('W/"2"');
    expect(res.headers.getSetCookie()).toEqual(["a=1", "b=2"]);
    expect(await res.text()).toBe('{"ok":true}');
  });

  it("reads X-Forwarded-Proto / -Host only with trustProxy", async () => {
    const app = Fastify();
    await app.register(createFastifyPlugin(echo, { trustProxy: true }), { prefix: "/trusted" });
    await app.register(createFastifyPlugin(echo), { prefix: "/plain" });
    const origin = await start(app);
    const headers = { "x-forwarded-proto": "https", "x-forwarded-host": "hr.example.com" };
    expect(((await (await fetch(`${origin}/trusted/Groups`, { headers })).json()) as Seen).url).toBe(
      "https://hr.example.com/trusted/Groups",
    );
    expect(((await (await fetch(`${origin}/plain/Groups`, { headers })).json()) as Seen).url).toBe(
      `${origin}/plain/Groups`,
    );
  });

  it("serves the engine: Location and meta.location carry the prefix; HEAD and OPTIONS get the engine's 405", async () => {
    const { server, token } = await serverWithToken();
    const app = Fastify();
    await app.register(createFastifyPlugin(server), { prefix: "/api/scim/v2" });
    const origin = await start(app);
    const res = await fetch(`${origin}/api/scim/v2/Users`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/scim+json" },
      body: JSON.stringify({ schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: "ada@example.com" }),
    });
    expect(res.status).toBe(201);
    const user = (await res.json()) as { id: string; meta: { location: string } };
    expect(user.meta.location).toBe(`${origin}/api/scim/v2/Users/${user.id}`);
    expect(res.headers.get("location")).toBe(user.meta.location);
    for (const method of ["HEAD", "OPTIONS"]) {
      const other = await fetch(`${origin}/api/scim/v2/Users`, {
        method,
        headers: { authorization: `Bearer ${token}` },
      });
      expect(other.status).toBe(405);
      expect(other.headers.get("allow")).toBe("GET, POST");
    }
    const unauthorised = await fetch(`${origin}/api/scim/v2/Users`);
    expect(unauthorised.status).toBe(401);
    expect(unauthorised.headers.get("www-authenticate")).toMatch(/^Bearer/);
    await server.close();
  });

  it("answers a chunked upload far over the cap with a 413 and closes the connection", async () => {
    const { server, token } = await serverWithToken({ maxBodyBytes: 1024 });
    const app = Fastify();
    await app.register(createFastifyPlugin(server), { prefix: "/scim/v2" });
    const origin = await start(app);
    const { port } = new URL(origin);
    const answer = await new Promise<{ status: number; connection: string | undefined }>((resolve, reject) => {
      const req = httpRequest(
        {
          host: "127.0.0.1",
          port,
          method: "POST",
          path: "/scim/v2/Users",
          headers: {
            authorization: `Bearer ${token}`,
            "content-type": "application/scim+json",
            "transfer-encoding": "chunked",
          },
        },
        (res) => {
          res.resume();
          resolve({ status: res.statusCode ?? 0, connection: res.headers.connection });
          req.destroy();
        },
      );
      req.on("error", reject);
      // 1 MiB against a 1 KiB cap: the answer comes without the client having to finish.
      const chunk = "x".repeat(4096);
      let sent = 0;
      const pump = () => {
        while (sent < 256 && req.write(chunk)) sent += 1;
        if (sent < 256) req.once("drain", pump);
      };
      pump();
    });
    expect(answer).toEqual({ status: 413, connection: "close" });
    await server.close();
  });
});

describe("createFastifyHandler", () => {
  it("uses a body Fastify already parsed with its JSON parser", async () => {
    const app = Fastify();
    app.addContentTypeParser(
      "application/scim+json",
      { parseAs: "string" },
      app.getDefaultJsonParser("error", "error"),
    );
    app.all("/scim/v2/*", createFastifyHandler(echo));
    const origin = await start(app);
    for (const contentType of ["application/json", "application/scim+json"]) {
      const res = await fetch(`${origin}/scim/v2/Users/1`, {
        method: "PATCH",
        headers: { "content-type": contentType },
        body: JSON.stringify({ Operations: [{ op: "Replace", path: "active", value: "False" }] }, null, 2),
      });
      const seen = (await res.json()) as Seen;
      expect(seen.url).toBe(`${origin}/scim/v2/Users/1`);
      expect(JSON.parse(seen.body)).toEqual({ Operations: [{ op: "Replace", path: "active", value: "False" }] });
    }
  });

  it("holds a parsed body to maxBodyBytes too", async () => {
    const app = Fastify();
    app.all("/scim/v2/*", createFastifyHandler(echo, { maxBodyBytes: 16 }));
    const origin = await start(app);
    const res = await fetch(`${origin}/scim/v2/Users`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ userName: "x".repeat(40) }),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ status: "413" });
  });
});
