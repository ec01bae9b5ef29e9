import { describe, expect, it } from "vitest";
import { createScimServer, TOKEN_PREFIX } from "../../src/index.js";

const BASE = "https://app.example.com/scim/v2";
const get = (server: ReturnType<typeof createScimServer>, token: string, path = "/Users") =>
  server.fetch(new Request(`${BASE}${path}`, { headers: { authorization: `Bearer ${token}` } }));

function clock(start = Date.parse("2026-01-01T00:00:00Z")) {
  let t = start;
  return { now: () => new Date(t), advance: (ms: number) => (t += ms) };
}

describe("bearer tokens", () => {
  it("are 256-bit, prefixed, returned once and stored only as a hash", async () => {
    const server = createScimServer();
    const dir = await server.directories.create({ tenantId: "t1", name: "Okta", idp: "okta" });
    const { token, tokenId } = await server.directories.mintToken(dir.id);
    expect(token.startsWith(TOKEN_PREFIX)).toBe(true);
    expect(Buffer.from(token.slice(TOKEN_PREFIX.length), "base64url").length).toBeGreaterThanOrEqual(32);
    expect((await get(server, token)).status).toBe(200);
    const listed = await server.directories.listTokens(dir.id);
    expect(listed.map((t) => t.id)).toEqual([tokenId]);
    expect(JSON.stringify(listed)).not.toContain(token.slice(TOKEN_PREFIX.length));
    // Nothing the store holds contains the secret.
    const found = await server.store.transaction("t1", async (tx) => JSON.stringify(await tx.listRecords("token")));
    expect(found).not.toContain(token);
    expect(found).not.toContain(token.slice(TOKEN_PREFIX.length));
  });

  it("rotation invalidates the previous token at once", async () => {
    const server = createScimServer();
    const dir = await server.directories.create({ tenantId: "t1", name: "Okta" });
    const first = await server.directories.mintToken(dir.id);
    const second = await server.directories.mintToken(dir.id);
    expect((await get(server, first.token)).status).toBe(401);
    expect((await get(server, second.token)).status).toBe(200);
  });

  it("rotation with an overlap keeps the old token working until the window ends", async () => {
    const c = clock();
    const server = createScimServer({ now: c.now });
    const dir = await server.directories.create({ tenantId: "t1", name: "Entra" });
    const first = await server.directories.mintToken(dir.id);
    const second = await server.directories.mintToken(dir.id, { overlapSeconds: 600 });
    expect((await get(server, first.token)).status).toBe(200);
    c.advance(599_000);
    expect((await get(server, first.token)).status).toBe(200);
    c.advance(2_000);
    const expired = await get(server, first.token);
    expect(expired.status).toBe(401);
    expect((await expired.json()).detail).toContain("expired");
    expect((await get(server, second.token)).status).toBe(200);
  });

  it("honours expiry and revocation", async () => {
    const c = clock();
    const server = createScimServer({ now: c.now });
    const dir = await server.directories.create({ tenantId: "t1", name: "x" });
    const t = await server.directories.mintToken(dir.id, { expiresAt: new Date(c.now().getTime() + 60_000) });
    expect((await get(server, t.token)).status).toBe(200);
    c.advance(61_000);
    expect((await get(server, t.token)).status).toBe(401);
    const u = await server.directories.mintToken(dir.id);
    expect(await server.directories.revokeToken(dir.id, u.tokenId)).toBe(1);
    const res = await get(server, u.token);
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
  });

  it("imports a host-chosen token and refuses one without the prefix", async () => {
    const server = createScimServer();
    const dir = await server.directories.create({ tenantId: "t1", name: "x" });
    const chosen = `${TOKEN_PREFIX}${"a".repeat(43)}`;
    await server.directories.importToken(dir.id, chosen);
    expect((await get(server, chosen)).status).toBe(200);
    await expect(server.directories.importToken(dir.id, "short")).rejects.toThrow(/scimkit_/);
  });

  it("records last-used times without a write per request", async () => {
    const c = clock();
    const server = createScimServer({ now: c.now, lastUsedThrottleSeconds: 60 });
    const dir = await server.directories.create({ tenantId: "t1", name: "x" });
    const { token } = await server.directories.mintToken(dir.id);
    await get(server, token);
    const firstUse = (await server.directories.get(dir.id))?.lastUsedAt;
    expect(firstUse).toBe(c.now().toISOString());
    c.advance(10_000);
    await get(server, token);
    expect((await server.directories.get(dir.id))?.lastUsedAt).toBe(firstUse);
    c.advance(60_000);
    await get(server, token);
    expect((await server.directories.get(dir.id))?.lastUsedAt).toBe(c.now().toISOString());
  });
});

describe("directory admin", () => {
  it("keeps one primary directory per tenant", async () => {
    const server = createScimServer();
    const a = await server.directories.create({ tenantId: "t1", name: "A" });
    expect(a.primary).toBe(true);
    const b = await server.directories.create({ tenantId: "t1", name: "B", primary: true });
    const list = await server.directories.list("t1");
    expect(list.filter((d) => d.primary).map((d) => d.id)).toEqual([b.id]);
    await server.directories.update(a.id, { primary: true });
    expect((await server.directories.list("t1")).filter((d) => d.primary).map((d) => d.id)).toEqual([a.id]);
  });

  it("answers 403 while a directory is disabled", async () => {
    const server = createScimServer();
    const dir = await server.directories.create({ tenantId: "t1", name: "A" });
    const { token } = await server.directories.mintToken(dir.id);
    await server.directories.disable(dir.id);
    const res = await get(server, token);
    expect(res.status).toBe(403);
    expect((await res.json()).detail).toMatch(/disabled/i);
    await server.directories.enable(dir.id);
    expect((await get(server, token)).status).toBe(200);
  });

  it("validates admin input", async () => {
    const server = createScimServer();
    await expect(server.directories.create({ tenantId: "", name: "x" })).rejects.toThrow(/tenantId/);
    await expect(server.directories.create({ tenantId: "t", name: "x", idp: "myspace" as "okta" })).rejects.toThrow(
      /idp/,
    );
  });

  it("deletes a directory with its tokens, deleting or keeping its resources as asked", async () => {
    const server = createScimServer();
    const a = await server.directories.create({ tenantId: "t1", name: "A" });
    const b = await server.directories.create({ tenantId: "t1", name: "B" });
    const ta = (await server.directories.mintToken(a.id)).token;
    const tb = (await server.directories.mintToken(b.id)).token;
    const post = (token: string, userName: string) =>
      server.fetch(
        new Request(`${BASE}/Users`, {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, "content-type": "application/scim+json" },
          body: JSON.stringify({ userName }),
        }),
      );
    await post(ta, "from-a@example.com");
    await post(tb, "from-b@example.com");
    await server.directories.delete(a.id, { resources: "delete" });
    expect((await get(server, ta)).status).toBe(401);
    const remaining = await (await get(server, tb)).json();
    expect(remaining.Resources.map((r: { userName: string }) => r.userName)).toEqual(["from-b@example.com"]);
    await server.directories.delete(b.id, { resources: "keep" });
    const c = await server.directories.create({ tenantId: "t1", name: "C" });
    const tc = (await server.directories.mintToken(c.id)).token;
    expect((await (await get(server, tc)).json()).totalResults).toBe(1);
  });

  it("shows connection details without minting anything, and rotates the token only when asked", async () => {
    const server = createScimServer();
    const dir = await server.directories.create({ tenantId: "t1", name: "A" });
    const first = await server.directories.mintToken(dir.id);
    const details = await server.directories.connectionDetails(dir.id, "https://app.example.com/scim/v2/");
    expect(details.baseUrl).toBe(`https://app.example.com/scim/v2/${dir.id}`);
    expect(details.tokens).toEqual([
      expect.objectContaining({ id: first.tokenId, revokedAt: null, hint: `scimkit_…${first.token.slice(-4)}` }),
    ]);
    expect(JSON.stringify(details)).not.toContain(first.token);
    // Viewing twice changed nothing: the first token still works.
    await server.directories.connectionDetails(dir.id, "https://app.example.com/scim/v2");
    expect(
      (
        await server.fetch(
          new Request(`${details.baseUrl}/Users`, { headers: { authorization: `Bearer ${first.token}` } }),
        )
      ).status,
    ).toBe(200);

    const rotated = await server.directories.rotateToken(dir.id, "https://app.example.com/scim/v2", {
      overlapSeconds: 60,
    });
    expect(rotated.baseUrl).toBe(details.baseUrl);
    for (const token of [first.token, rotated.token]) {
      expect(
        (await server.fetch(new Request(`${rotated.baseUrl}/Users`, { headers: { authorization: `Bearer ${token}` } })))
          .status,
      ).toBe(200);
    }
    await server.directories.rotateToken(dir.id, "https://app.example.com/scim/v2");
    expect(
      (
        await server.fetch(
          new Request(`${rotated.baseUrl}/Users`, { headers: { authorization: `Bearer ${rotated.token}` } }),
        )
      ).status,
    ).toBe(401);
  });

  it("tells admin failures apart by code, not by message", async () => {
    const server = createScimServer();
    await expect(server.directories.update("dir_missing", { name: "x" })).rejects.toMatchObject({
      name: "ScimConfigError",
      code: "notFound",
    });
    await expect(server.directories.create({ tenantId: "", name: "" })).rejects.toMatchObject({
      name: "ScimConfigError",
      code: "invalid",
    });
  });

  it("reports health: last request, last error and counts by status", async () => {
    const server = createScimServer();
    const dir = await server.directories.create({ tenantId: "t1", name: "A" });
    const { token } = await server.directories.mintToken(dir.id);
    await get(server, token);
    await get(server, token, "/Users/missing");
    const health = await server.directories.health(dir.id);
    expect(health.requests).toBe(2);
    expect(health.failures).toBe(1);
    expect(health.byStatus).toEqual({ "200": 1, "404": 1 });
    expect(health.lastError?.status).toBe(404);
    expect(health.lastRequestAt).not.toBeNull();
  });

  it("counts a connection's 401s and 403s as failures, so a rotated-away token or disabled provisioning shows as failing", async () => {
    const server = createScimServer();
    const dir = await server.directories.create({ tenantId: "t1", name: "A" });
    const other = await server.directories.create({ tenantId: "t1", name: "B" });
    const old = await server.directories.mintToken(dir.id);
    const current = await server.directories.mintToken(dir.id);
    expect((await get(server, old.token)).status).toBe(401);
    await server.directories.disable(dir.id);
    expect((await get(server, current.token)).status).toBe(403);
    // A per-directory base URL names its directory even when the token is not valid at all.
    const bad = await server.fetch(
      new Request(`${BASE}/${other.id}/Users`, { headers: { authorization: "Bearer scimkit_nope" } }),
    );
    expect(bad.status).toBe(401);
    const health = await server.directories.health(dir.id);
    expect(health.byStatus).toEqual({ "401": 1, "403": 1 });
    expect(health.failures).toBe(2);
    expect(health.lastError?.status).toBe(403);
    expect((await server.directories.health(other.id)).byStatus).toEqual({ "401": 1 });
    // The secret never reaches what health keeps.
    expect(JSON.stringify(health)).not.toContain(old.token);
  });

  it("counts the tolerances each connection relies on, reads included", async () => {
    const server = createScimServer();
    const dir = await server.directories.create({ tenantId: "t1", name: "Entra", idp: "entra" });
    const { token } = await server.directories.mintToken(dir.id);
    // A legacy unquoted filter value: a read, which writes no audit entry.
    expect((await get(server, token, "/Users?filter=externalId%20eq%20jyoung")).status).toBe(200);
    expect((await get(server, token, "/Users?filter=externalId%20eq%20jyoung")).status).toBe(200);
    const created = await server.fetch(
      new Request(`${BASE}/Users`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/scim+json" },
        body: JSON.stringify({ userName: "kai@example.com", active: "True" }),
      }),
    );
    expect(created.status).toBe(201);
    expect((await server.directories.health(dir.id)).tolerances).toEqual({ legacyFilterForms: 2, stringBooleans: 1 });
  });

  it("refuses to mint a token that is already expired, which would leave the directory with none that works", async () => {
    const server = createScimServer();
    const dir = await server.directories.create({ tenantId: "t1", name: "A" });
    const { token } = await server.directories.mintToken(dir.id);
    await expect(server.directories.mintToken(dir.id, { expiresAt: new Date(Date.now() - 1000) })).rejects.toThrow(
      /future/,
    );
    expect((await get(server, token)).status).toBe(200);
  });
});
