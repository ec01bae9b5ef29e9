import { afterEach, describe, expect, it } from "vitest";
import { createScimServer, type ScimServer } from "../index.js";
import { nodeHandler } from "./node-handler.js";
import { listen, rawRequest, type TestServer } from "./test-server.js";

let http: TestServer | undefined;
afterEach(async () => {
  await http?.close();
  http = undefined;
});

async function withToken(server: ScimServer): Promise<string> {
  const dir = await server.directories.create({ tenantId: "acme", name: "Okta", idp: "okta" });
  return (await server.directories.mintToken(dir.id)).token;
}

const user = (userName: string) =>
  JSON.stringify({ schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName });

describe("a scimkit server behind the Node bridge (served through handle, no Fetch objects)", () => {
  it("never builds a Web Request or Response for a bearer-token request", async () => {
    const server = createScimServer();
    const token = await withToken(server);
    let fetched = 0;
    const target = { fetch: (r: Request) => ((fetched += 1), server.fetch(r)), handle: server.handle };
    http = await listen(nodeHandler(target));
    const created = await rawRequest(
      http.port,
      {
        method: "POST",
        path: "/scim/v2/Users",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/scim+json; charset=utf-8" },
      },
      user("ada@example.com"),
    );
    expect(created.status).toBe(201);
    expect(created.headers["content-type"]).toBe("application/scim+json");
    expect(Number(created.headers["content-length"])).toBe(Buffer.byteLength(created.body));
    const body = JSON.parse(created.body) as { id: string; meta: { location: string } };
    expect(created.headers["location"]).toBe(`${http.origin}/scim/v2/Users/${body.id}`);
    expect(body.meta.location).toBe(created.headers["location"]);
    const got = await rawRequest(http.port, {
      method: "GET",
      path: `/scim/v2/Users/${body.id}`,
      headers: { authorization: `Bearer ${token}` },
    });
    expect(got.status).toBe(200);
    expect(JSON.parse(got.body)).toMatchObject({ id: body.id, userName: "ada@example.com" });
    expect(fetched).toBe(0);
  });

  it("answers 304 and 204 with no body", async () => {
    const server = createScimServer();
    const token = await withToken(server);
    http = await listen(nodeHandler(server));
    const auth = { authorization: `Bearer ${token}`, "content-type": "application/scim+json" };
    const created = await rawRequest(
      http.port,
      { method: "POST", path: "/scim/v2/Users", headers: auth },
      user("bob@example.com"),
    );
    const { id } = JSON.parse(created.body) as { id: string };
    const etag = String(created.headers["etag"]);
    const cached = await rawRequest(http.port, {
      method: "GET",
      path: `/scim/v2/Users/${id}`,
      headers: { ...auth, "if-none-match": etag },
    });
    expect([cached.status, cached.body]).toEqual([304, ""]);
    const deleted = await rawRequest(http.port, { method: "DELETE", path: `/scim/v2/Users/${id}`, headers: auth });
    expect([deleted.status, deleted.body]).toEqual([204, ""]);
  });

  it("hands a host's authenticate hook a Web Request with the headers and body, and still enforces the engine's body cap", async () => {
    const seen: { auth: string | null; body: string }[] = [];
    let directoryId = "";
    const server = createScimServer({
      maxBodyBytes: 200,
      authenticate: async (request) => {
        seen.push({ auth: request.headers.get("x-api-key"), body: await request.clone().text() });
        return request.headers.get("x-api-key") === "let-me-in" ? { directoryId } : null;
      },
    });
    directoryId = (await server.directories.create({ tenantId: "acme", name: "Custom" })).id;
    http = await listen(nodeHandler(server));
    const headers = { "x-api-key": "let-me-in", "content-type": "application/scim+json" };
    const ok = await rawRequest(http.port, { method: "POST", path: "/scim/v2/Users", headers }, user("cy@example.com"));
    expect(ok.status).toBe(201);
    expect(seen[0]).toEqual({ auth: "let-me-in", body: user("cy@example.com") });
    // 300 bytes: under the bridge's 1 MiB cap, which the hook's read used, but over the engine's 200.
    const big = JSON.stringify({ schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: "d".repeat(240) });
    const tooBig = await rawRequest(http.port, { method: "POST", path: "/scim/v2/Users", headers }, big);
    expect(tooBig.status).toBe(413);
    expect(JSON.parse(tooBig.body)).toMatchObject({ status: "413" });
    const list = await server.fetch(new Request("http://x/scim/v2/Users", { headers: { "x-api-key": "let-me-in" } }));
    expect(((await list.json()) as { totalResults: number }).totalResults).toBe(1);
    const refused = await rawRequest(http.port, {
      method: "GET",
      path: "/scim/v2/Users",
      headers: { "x-api-key": "wrong" },
    });
    expect(refused.status).toBe(401);
  });

  it("lets the server's own maxBodyBytes decide, above the bridge's 1 MiB default for other targets", async () => {
    const server = createScimServer({ maxBodyBytes: 3 * 1024 * 1024 });
    const token = await withToken(server);
    http = await listen(nodeHandler(server));
    const headers = { authorization: `Bearer ${token}`, "content-type": "application/scim+json" };
    const big = JSON.stringify({
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
      userName: "big@example.com",
      nickName: "n".repeat(2 * 1024 * 1024),
    });
    const res = await rawRequest(http.port, { method: "POST", path: "/scim/v2/Users", headers }, big);
    expect(res.status).toBe(201);
    const capped = createScimServer();
    const cappedToken = await withToken(capped);
    await http.close();
    http = await listen(nodeHandler(capped));
    const refused = await rawRequest(
      http.port,
      { method: "POST", path: "/scim/v2/Users", headers: { ...headers, authorization: `Bearer ${cappedToken}` } },
      big,
    );
    expect(refused.status).toBe(413);
  });

  it("answers a malformed Host with a SCIM 400 instead of failing the socket", async () => {
    const server = createScimServer();
    http = await listen(nodeHandler(server));
    const res = await rawRequest(http.port, { method: "GET", path: "/scim/v2/Users", headers: { host: "bad host:x" } });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({
      schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"],
      status: "400",
    });
  });
});
