import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import Router from "@koa/router";
import { createScimServer, createMemoryStore } from "@scimkit/core";
import Koa3 from "koa";
import Koa2 from "koa2";
import bodyParser from "koa-bodyparser";
import mount from "koa-mount";
import { afterEach, describe, expect, it } from "vitest";
import { createKoaMiddleware } from "./index.js";

let open: Server | undefined;
afterEach(async () => {
  open?.closeAllConnections();
  await new Promise((resolve) => open?.close(resolve) ?? resolve(undefined));
  open = undefined;
});

async function start(app: Koa3): Promise<string> {
  open = await new Promise<Server>((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  return `http://127.0.0.1:${(open.address() as AddressInfo).port}`;
}

interface Seen {
  url: string;
  method: string;
  body: string;
}

const echo = async (request: Request) =>
  Response.json({ url: request.url, method: request.method, body: await request.text() } satisfies Seen);

describe.each([
  ["Koa 2", Koa2 as typeof Koa3],
  ["Koa 3", Koa3],
])("createKoaMiddleware on %s", (_name, Koa) => {
  it("passes the full URL under koa-mount, query string intact", async () => {
    const app = new Koa();
    app.use(mount("/scim/v2", createKoaMiddleware(echo)));
    const origin = await start(app);
    const url = `${origin}/scim/v2/Users?filter=userName%20eq%20%22a%40b.com%22&count=2`;
    expect(((await (await fetch(url)).json()) as Seen).url).toBe(url);
  });

  it("works under an @koa/router prefix", async () => {
    const app = new Koa();
    const router = new Router({ prefix: "/scim/v2" });
    router.all("/{*path}", createKoaMiddleware(echo));
    app.use(router.routes());
    const origin = await start(app);
    const res = await fetch(`${origin}/scim/v2/Groups/g1`, { method: "DELETE" });
    expect(await res.json()).toMatchObject({ url: `${origin}/scim/v2/Groups/g1`, method: "DELETE" });
  });

  it("reads an application/scim+json body itself without a body parser", async () => {
    const app = new Koa();
    app.use(createKoaMiddleware(echo));
    const origin = await start(app);
    const body = '{"userName":"ada"}';
    const res = await fetch(`${origin}/scim/v2/Users`, {
      method: "POST",
      headers: { "content-type": "application/scim+json" },
      body,
    });
    expect(((await res.json()) as Seen).body).toBe(body);
  });

  it("uses the bytes koa-bodyparser already read", async () => {
    const app = new Koa();
    app.use(bodyParser({ extendTypes: { json: ["application/scim+json"] } }));
    app.use(createKoaMiddleware(echo));
    const origin = await start(app);
    const body = '{ "userName" : "ada" }';
    const res = await fetch(`${origin}/scim/v2/Users`, {
      method: "POST",
      headers: { "content-type": "application/scim+json" },
      body,
    });
    expect(((await res.json()) as Seen).body).toBe(body);
  });

  it("sets status, every header value and the body through the context", async () => {
    const app = new Koa();
    const headers = new Headers({ "content-type": "application/scim+json", etag: 'W/"2"' });
    headers.append("set-cookie", "a=1");
    headers.append("set-cookie", "b=2");
    app.use(createKoaMiddleware(async () => new Response('{"id":"u1"}', { status: 201, headers })));
    const origin = await start(app);
    const res = await fetch(`${origin}/scim/v2/Users`, { method: "POST", body: "{}" });
    expect(res.status).toBe(201);
    expect(res.headers.getSetCookie()).toEqual(["a=1", "b=2"]);
    expect(res.headers.get("etag")).toBe('W/"2"');
    expect(res.headers.get("content-type")).toBe("application/scim+json");
    expect(await res.text()).toBe('{"id":"u1"}');
  });

  it("keeps a bodiless status as sent instead of Koa's defaults", async () => {
    const app = new Koa();
    app.use(
      mount(
        "/none",
        createKoaMiddleware(async () => new Response(null, { status: 204 })),
      ),
    );
    app.use(
      mount(
        "/accepted",
        createKoaMiddleware(async () => new Response(null, { status: 202 })),
      ),
    );
    const origin = await start(app);
    const none = await fetch(`${origin}/none/Users/1`, { method: "DELETE" });
    expect(none.status).toBe(204);
    const accepted = await fetch(`${origin}/accepted/Bulk`, { method: "POST", body: "{}" });
    expect(accepted.status).toBe(202);
    expect(await accepted.text()).toBe("");
  });

  it("answers an oversized body with a 413 SCIM error", async () => {
    const app = new Koa();
    app.use(createKoaMiddleware(echo, { maxBodyBytes: 64 }));
    const origin = await start(app);
    const res = await fetch(`${origin}/scim/v2/Users`, { method: "POST", body: "x".repeat(100) });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"], status: "413" });
  });

  it("follows the app's proxy setting for the scheme and host", async () => {
    const app = new Koa();
    app.proxy = true;
    app.use(createKoaMiddleware(echo));
    const origin = await start(app);
    const res = await fetch(`${origin}/scim/v2/Users`, {
      headers: { "x-forwarded-proto": "https", "x-forwarded-host": "hr.example.com" },
    });
    expect(((await res.json()) as Seen).url).toBe("https://hr.example.com/scim/v2/Users");
  });

  it("serves the engine so meta.location includes the mount path", async () => {
    const server = createScimServer({ store: createMemoryStore() });
    const dir = await server.directories.create({ tenantId: "acme", name: "Entra", idp: "entra" });
    const { token } = await server.directories.mintToken(dir.id);
    const app = new Koa();
    app.use(bodyParser());
    app.use(mount("/scim/v2", createKoaMiddleware(server)));
    const origin = await start(app);
    const res = await fetch(`${origin}/scim/v2/Users`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/scim+json" },
      body: JSON.stringify({
        schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
        userName: "ada@example.com",
        active: "True",
      }),
    });
    expect(res.status).toBe(201);
    const user = (await res.json()) as { id: string; active: boolean; meta: { location: string } };
    expect(user.meta.location).toBe(`${origin}/scim/v2/Users/${user.id}`);
    expect(user.active).toBe(true);
    await server.close();
  });
});
