import { describe, expect, it } from "vitest";
import { createScimServer } from "../index.js";

const BASE = "https://app.example.com/scim/v2";

async function serve(options: Parameters<typeof createScimServer>[0] = {}) {
  const server = createScimServer(options);
  const dir = await server.directories.create({ tenantId: "acme", name: "IdP" });
  const { token } = await server.directories.mintToken(dir.id);
  return async (method: string, path: string, headers: Record<string, string> = {}, body?: string) => {
    const res = await server.fetch(
      new Request(`${BASE}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...headers },
        ...(body === undefined ? {} : { body }),
      }),
    );
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
}

describe("handler", () => {
  it("answers 404, not 501, below /Bulk when /Bulk is supported", async () => {
    const call = await serve();
    for (const [method, path] of [
      ["GET", "/Bulk/x"],
      ["DELETE", "/Bulk/x"],
      ["POST", "/Bulk/.search"],
    ] as const) {
      const res = await call(
        method,
        path,
        { "content-type": "application/scim+json" },
        method === "POST" ? "{}" : undefined,
      );
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body).toMatchObject({ schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"], status: "404" });
    }
    // Turned off, /Bulk and what is below it are not implemented.
    const off = await serve({ bulk: false });
    expect((await off("GET", "/Bulk/x")).status).toBe(501);
  });

  it("behind a trusted proxy, refuses a forwarded host that makes no URL and ignores a scheme other than http(s)", async () => {
    const call = await serve({ trustProxy: true });
    const bulk = JSON.stringify({
      schemas: ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
      Operations: [{ method: "POST", path: "/Users", data: { userName: "ada@example.com" } }],
    });
    const json = { "content-type": "application/scim+json" };
    for (const host of ["Azure AD SCIM", "%%", "evil.example/x", "a@b"]) {
      const res = await call("POST", "/Bulk", { ...json, "x-forwarded-host": host }, bulk);
      expect(res.status, host).toBe(400);
      expect(res.body).toMatchObject({ status: "400", scimType: "invalidValue" });
    }
    const res = await call(
      "POST",
      "/Bulk",
      { ...json, "x-forwarded-proto": "javascript", "x-forwarded-host": "idp.example:8443" },
      bulk,
    );
    expect(res.body["Operations"]).toMatchObject([
      { status: "201", location: expect.stringMatching(/^https:\/\/idp\.example:8443\/scim\/v2\/Users\//) },
    ]);
  });
});
