import "reflect-metadata";
import type { AddressInfo } from "node:net";
import { Controller, Get, type INestApplication, Module, type ModuleMetadata, type NestModule } from "@nestjs/common";
import { NestFactory } from "@nestjs/core";
import { ExpressAdapter, type NestExpressApplication } from "@nestjs/platform-express";
import { FastifyAdapter } from "@nestjs/platform-fastify";
import { createMemoryStore, createScimServer, type ScimServer } from "@scimkit/core";
import { ScimClient, scenarios } from "@scimkit/example-scenarios";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createNestMiddleware, type MiddlewareConsumerLike, ScimModule } from "./index.js";

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

/** A Nest controller of the host app, written without decorator syntax. */
class HealthController {
  ok() {
    return { ok: true };
  }
}
Get()(
  HealthController.prototype,
  "ok",
  Object.getOwnPropertyDescriptor(HealthController.prototype, "ok") as PropertyDescriptor,
);
Controller("health")(HealthController);

/** A root module importing `imports`, with the host's own controller next to them. */
function appModule(imports: NonNullable<ModuleMetadata["imports"]>): new () => object {
  class AppModule {}
  Module({ imports, controllers: [HealthController] })(AppModule);
  return AppModule;
}

const platforms = [
  ["Express", () => new ExpressAdapter()],
  ["Fastify", () => new FastifyAdapter()],
] as const;

type Platform = (typeof platforms)[number][1];

async function start(
  module: new () => object,
  platform: Platform,
  setup?: (app: INestApplication) => void,
): Promise<{ app: INestApplication; origin: string }> {
  const app = await NestFactory.create(module, platform(), { logger: false });
  setup?.(app);
  await app.listen(0, "127.0.0.1");
  return { app, origin: `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}` };
}

describe.each(platforms)(
  "the shared end-to-end scenarios over real HTTP, ScimModule.forRoot on the %s platform",
  (_name, platform) => {
    let client = new ScimClient("http://127.0.0.1:0", "");
    let server: ScimServer | undefined;
    let app: INestApplication | undefined;
    beforeAll(async () => {
      const made = await serverWithToken();
      server = made.server;
      const started = await start(appModule([ScimModule.forRoot(server)]), platform);
      app = started.app;
      client = new ScimClient(`${started.origin}/scim/v2`, made.token);
    });
    afterAll(async () => {
      await app?.close();
      await server?.close();
    });
    for (const scenario of scenarios) it(scenario.name, () => scenario.run(client));
  },
);

describe.each(platforms)("ScimModule.forRoot on the %s platform", (_name, platform) => {
  let app: INestApplication | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it("serves the base URL and everything under it, and leaves the app's own routes to Nest", async () => {
    const started = await start(appModule([ScimModule.forRoot(echo)]), platform);
    app = started.app;
    const { origin } = started;
    for (const path of [
      "/scim/v2",
      "/scim/v2/",
      "/scim/v2/Users?filter=userName%20eq%20%22a%40b.com%22&count=2",
      "/scim/v2/Groups/g1",
    ]) {
      expect(((await (await fetch(`${origin}${path}`)).json()) as Seen).url).toBe(`${origin}${path}`);
    }
    expect(await (await fetch(`${origin}/health`)).json()).toEqual({ ok: true });
    expect((await fetch(`${origin}/scim/v3/Users`)).status).toBe(404);
  });

  it("mounts under the global prefix and a path of its own, several servers in one app", async () => {
    const a = await serverWithToken();
    const b = await serverWithToken();
    const started = await start(
      appModule([
        ScimModule.forRoot(a.server, { path: "/tenants/a/scim/v2/" }),
        ScimModule.forRoot(b.server, { path: "tenants/b/scim/v2" }),
      ]),
      platform,
      (nest) => nest.setGlobalPrefix("api", { exclude: ["health"] }),
    );
    app = started.app;
    const post = (tenant: string, token: string) =>
      fetch(`${started.origin}/api/tenants/${tenant}/scim/v2/Users`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/scim+json" },
        body: JSON.stringify({ schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: "ada@example.com" }),
      });
    for (const [tenant, made] of [
      ["a", a],
      ["b", b],
    ] as const) {
      const res = await post(tenant, made.token);
      expect(res.status).toBe(201);
      const user = (await res.json()) as { id: string; meta: { location: string } };
      expect(user.meta.location).toBe(`${started.origin}/api/tenants/${tenant}/scim/v2/Users/${user.id}`);
      expect(res.headers.get("location")).toBe(user.meta.location);
    }
    // Each path serves its own server: a's token means nothing to b.
    expect((await post("b", a.token)).status).toBe(401);
    expect(await (await fetch(`${started.origin}/health`)).json()).toEqual({ ok: true });
    await Promise.all([a.server.close(), b.server.close()]);
  });

  it("reads application/scim+json and application/json bodies, whether or not Nest parsed them first", async () => {
    const started = await start(appModule([ScimModule.forRoot(echo)]), platform);
    app = started.app;
    const operations = { Operations: [{ op: "Replace", path: "active", value: "False" }] };
    const body = JSON.stringify(operations, null, 2);
    // Nest's JSON parser (Express platform) reads application/json before any middleware runs: the
    // bridge then passes on the parsed body, serialised again. Everything else arrives as it was sent.
    const preParsed = platform === platforms[0][1];
    for (const [contentType, expected] of [
      ["application/scim+json; charset=utf-8", body],
      ["application/json", preParsed ? JSON.stringify(operations) : body],
    ] as const) {
      const res = await fetch(`${started.origin}/scim/v2/Users/1`, {
        method: "PATCH",
        headers: { "content-type": contentType },
        body,
      });
      const seen = (await res.json()) as Seen;
      expect(seen).toEqual({ url: `${started.origin}/scim/v2/Users/1`, method: "PATCH", contentType, body: expected });
    }
  });

  it("answers a body over maxBodyBytes with a 413 SCIM error", async () => {
    const started = await start(appModule([ScimModule.forRoot(echo, { maxBodyBytes: 64 })]), platform);
    app = started.app;
    for (const contentType of ["application/scim+json", "application/json"]) {
      const res = await fetch(`${started.origin}/scim/v2/Users`, {
        method: "POST",
        headers: { "content-type": contentType },
        body: JSON.stringify({ userName: "x".repeat(100) }),
      });
      expect(res.status).toBe(413);
      expect(await res.json()).toMatchObject({
        schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"],
        status: "413",
      });
    }
  });

  it("gives HEAD and OPTIONS to the engine, which answers 405 with Allow", async () => {
    const { server, token } = await serverWithToken();
    const started = await start(appModule([ScimModule.forRoot(server)]), platform);
    app = started.app;
    for (const method of ["HEAD", "OPTIONS"]) {
      const res = await fetch(`${started.origin}/scim/v2/Users`, {
        method,
        headers: { authorization: `Bearer ${token}` },
      });
      expect(res.status).toBe(405);
      expect(res.headers.get("allow")).toBe("GET, POST");
    }
    await server.close();
  });

  it("reads X-Forwarded-Proto / -Host with trustProxy", async () => {
    const started = await start(appModule([ScimModule.forRoot(echo, { trustProxy: true })]), platform);
    app = started.app;
    const res = await fetch(`${started.origin}/scim/v2/Groups`, {
      headers: { "x-forwarded-proto": "https", "x-forwarded-host": "hr.example.com" },
    });
    expect(((await res.json()) as Seen).url).toBe("https://hr.example.com/scim/v2/Groups");
  });
});

describe("createNestMiddleware", () => {
  let app: INestApplication | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it("is applied by the host's own module, and follows the Express app's trust proxy setting", async () => {
    class ScimRoutes implements NestModule {
      configure(consumer: MiddlewareConsumerLike) {
        consumer.apply(createNestMiddleware(echo)).forRoutes("directory/scim", "directory/scim/{*path}");
      }
    }
    Module({})(ScimRoutes);
    const started = await start(appModule([ScimRoutes]), platforms[0][1], (nest) => {
      (nest as NestExpressApplication).set("trust proxy", true);
    });
    app = started.app;
    const res = await fetch(`${started.origin}/directory/scim/Users?count=1`, {
      headers: { "x-forwarded-proto": "https", "x-forwarded-host": "hr.example.com" },
    });
    expect(((await res.json()) as Seen).url).toBe("https://hr.example.com/directory/scim/Users?count=1");
  });
});
