import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createScimServer, createMemoryStore } from "@scimkit/core";
import express5 from "express";
import express4 from "express4";
import { afterEach, describe, expect, it } from "vitest";
import { createExpressMiddleware } from "./index.js";

type Express = typeof express5;

let open: Server | undefined;
afterEach(async () => {
  open?.closeAllConnections();
  await new Promise((resolve) => open?.close(resolve) ?? resolve(undefined));
  open = undefined;
});

async function start(app: ReturnType<Express>): Promise<string> {
  open = await new Promise<Server>((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  return `http://127.0.0.1:${(open.address() as AddressInfo).port}`;
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

describe.each([
  ["Express 4", express4 as Express],
  ["Express 5", express5],
])("createExpressMiddleware on %s", (_name, express) => {
  it("passes the full URL under the mount path, query string intact", async () => {
    const app = express();
    app.use("/scim/v2", createExpressMiddleware(echo));
    const origin = await start(app);
    const url = `${origin}/scim/v2/Users?filter=userName%20eq%20%22a%40b.com%22&startIndex=1&count=100`;
    const seen = (await (await fetch(url)).json()) as Seen;
    expect(seen.url).toBe(url);
  });

  it("reads an application/scim+json body that express.json() skipped", async () => {
    const app = express();
    app.use(express.json());
    app.use("/scim/v2", createExpressMiddleware(echo));
    const origin = await start(app);
    const body = '{"userName":"ada"}';
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
  });

  it("uses the body express.json() already parsed", async () => {
    const app = express();
    app.use(express.json({ type: ["application/json", "application/scim+json"] }));
    app.use("/scim/v2", createExpressMiddleware(echo));
    const origin = await start(app);
    const res = await fetch(`${origin}/scim/v2/Users/1`, {
      method: "PATCH",
      headers: { "content-type": "application/scim+json" },
      body: JSON.stringify({ Operations: [{ op: "Replace", path: "active", value: "False" }] }, null, 2),
    });
    const seen = (await res.json()) as Seen;
    expect(JSON.parse(seen.body)).toEqual({ Operations: [{ op: "Replace", path: "active", value: "False" }] });
  });

  it("follows the app's trust proxy setting for the scheme and host", async () => {
    const app = express();
    app.set("trust proxy", true);
    app.use("/scim/v2", createExpressMiddleware(echo));
    const origin = await start(app);
    const res = await fetch(`${origin}/scim/v2/Groups`, {
      headers: { "x-forwarded-proto": "https", "x-forwarded-host": "hr.example.com" },
    });
    expect(((await res.json()) as Seen).url).toBe("https://hr.example.com/scim/v2/Groups");
  });

  it("answers an oversized body with a 413 SCIM error", async () => {
    const app = express();
    app.use("/scim/v2", createExpressMiddleware(echo, { maxBodyBytes: 64 }));
    const origin = await start(app);
    const res = await fetch(`${origin}/scim/v2/Users`, {
      method: "POST",
      headers: { "content-type": "application/scim+json" },
      body: JSON.stringify({ userName: "x".repeat(100) }),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"], status: "413" });
  });

  it("serves the engine so meta.location and Location include the mount path", async () => {
    const server = createScimServer({ store: createMemoryStore() });
    const dir = await server.directories.create({ tenantId: "acme", name: "Okta", idp: "okta" });
    const { token } = await server.directories.mintToken(dir.id);
    const app = express();
    app.use(express.json());
    app.use("/api/scim/v2", createExpressMiddleware(server));
    const origin = await start(app);
    const res = await fetch(`${origin}/api/scim/v2/Users`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: "ada@example.com" }),
    });
    expect(res.status).toBe(201);
    const user = (await res.json()) as { id: string; meta: { location: string } };
    expect(user.meta.location).toBe(`${origin}/api/scim/v2/Users/${user.id}`);
    expect(res.headers.get("location")).toBe(user.meta.location);
    const unauthorised = await fetch(`${origin}/api/scim/v2/Users`);
    expect(unauthorised.status).toBe(401);
    expect(unauthorised.headers.get("www-authenticate")).toMatch(/^Bearer/);
    await server.close();
  });
});
