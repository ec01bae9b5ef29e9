import { describe, expect, it } from "vitest";
import { adminEntries, harness, SCIM_BASE } from "./harness.js";

describe("connections", () => {
  it("creates one per IdP, lists, renames, disables, makes primary and deletes", async () => {
    const h = harness();
    const okta = await h.call("POST", "/connections", { body: { name: "Okta", idp: "okta" } });
    expect(okta.status).toBe(201);
    expect(okta.body).toMatchObject({
      name: "Okta",
      idp: "okta",
      profile: "okta",
      primary: true,
      enabled: true,
      scimBaseUrl: `${SCIM_BASE}/${okta.body.id}`,
    });
    const entra = await h.call("POST", "/connections", { body: { name: "Entra", idp: "entra" } });
    expect(entra.body.primary).toBe(false);

    const list = await h.call("GET", "/connections");
    expect(list.body.items.map((c: any) => c.name)).toEqual(["Okta", "Entra"]);

    const renamed = await h.call("PATCH", `/connections/${entra.body.id}`, { body: { name: "Entra ID" } });
    expect(renamed.body).toMatchObject({ name: "Entra ID", enabled: true });
    const disabled = await h.call("PATCH", `/connections/${entra.body.id}`, { body: { enabled: false } });
    expect(disabled.body.enabled).toBe(false);
    const primary = await h.call("PATCH", `/connections/${entra.body.id}`, { body: { primary: true } });
    expect(primary.body.primary).toBe(true);
    expect((await h.call("GET", `/connections/${okta.body.id}`)).body.primary).toBe(false);

    const gone = await h.call("DELETE", `/connections/${entra.body.id}?resources=keep`);
    expect(gone.body).toEqual({ id: entra.body.id, deleted: true, resources: "keep" });
    expect((await h.call("GET", `/connections/${entra.body.id}`)).status).toBe(404);
    expect((await h.call("GET", `/connections/${okta.body.id}`)).body.primary).toBe(true);

    // Core's own entry for each change names the admin who made it.
    const entries = await adminEntries(h);
    expect(entries.map((e) => e.operation)).toEqual([
      "directory.deleted",
      "directory.updated",
      "directory.updated",
      "directory.updated",
      "directory.created",
      "directory.created",
    ]);
    expect(entries.map((e) => e.person)).toEqual(
      entries.map(() => ({ id: "u_alice", name: "Person u_alice", email: "u_alice@example.com" })),
    );
    const [deleted, makePrimary, disable, rename] = entries;
    expect(rename.facts).toMatchObject({ fields: "name" });
    expect(disable.facts).toMatchObject({ fields: "enabled" });
    expect(makePrimary.facts).toMatchObject({ fields: "primary" });
    expect(deleted).toMatchObject({ directoryId: entra.body.id, facts: { resources: "keep" } });
  });

  it("deletes a connection with its users, or keeps them", async () => {
    const h = harness();
    const s = await h.seed("acme");
    const keep = await h.call("DELETE", `/connections/${s.connectionId}`);
    expect(keep.status).toBe(400);
    expect(keep.body.error.issues).toEqual([{ path: ["query", "resources"], message: expect.any(String) }]);
    expect((await h.call("DELETE", `/connections/${s.connectionId}?resources=delete`)).status).toBe(200);
    expect((await h.call("GET", `/users/${s.users.ada}`)).status).toBe(404);
    expect((await h.call("GET", "/users")).body.total).toBe(0);
  });

  it("answers 404 for an unknown connection and 400 with issues for bad input", async () => {
    const h = harness();
    expect((await h.call("GET", "/connections/dir_nope")).body).toEqual({
      error: { code: "not_found", message: "Connection not found" },
    });
    const bad = await h.call("POST", "/connections", { body: { name: "", idp: "azure", extra: 1 } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("invalid_input");
    expect(bad.body.error.issues.map((i: any) => i.path.join("."))).toEqual(
      expect.arrayContaining(["body.name", "body.idp", "body"]),
    );
    const c = await h.call("POST", "/connections", { body: { name: "Okta", idp: "okta" } });
    const notPrimary = await h.call("PATCH", `/connections/${c.body.id}`, { body: { primary: false } });
    expect(notPrimary.body.error.issues[0].path).toEqual(["body", "primary"]);
    const empty = await h.call("PATCH", `/connections/${c.body.id}`, { body: {} });
    expect(empty.status).toBe(400);
    const notJson = await h.call("POST", "/connections", { body: "{nope" });
    expect(notJson.body.error).toMatchObject({ code: "invalid_input", message: "The request body is not valid JSON" });
  });
});

describe("tokens", () => {
  it("shows a created token once; lists show only its hint (prefix and last four)", async () => {
    const h = harness();
    const c = await h.call("POST", "/connections", { body: { name: "Okta", idp: "okta" } });
    const made = await h.call("POST", `/connections/${c.body.id}/tokens`, { body: {} });
    expect(made.status).toBe(201);
    expect(made.headers.get("cache-control")).toBe("no-store");
    const secret: string = made.body.secret;
    expect(secret).toMatch(/^scimkit_/);
    expect(made.body.token).toMatchObject({ hint: `scimkit_…${secret.slice(-4)}`, status: "active" });
    expect(made.body.scimBaseUrl).toBe(`${SCIM_BASE}/${c.body.id}`);

    const list = await h.call("GET", `/connections/${c.body.id}/tokens`);
    expect(list.body.items).toEqual([
      expect.objectContaining({ id: made.body.token.id, hint: `scimkit_…${secret.slice(-4)}`, lastUsedAt: null }),
    ]);
    // The secret is in no later answer and no audit entry.
    expect(JSON.stringify(list.body)).not.toContain(secret);
    expect(JSON.stringify((await h.call("GET", `/connections/${c.body.id}/setup`)).body)).not.toContain(secret);
    expect(JSON.stringify(await h.scim.audit("acme", { limit: 1000 }))).not.toContain(secret);

    // The token works, and its use shows.
    expect((await h.scimCall(secret, "GET", `/${c.body.id}/Users`)).status).toBe(200);
    expect((await h.call("GET", `/connections/${c.body.id}/tokens`)).body.items[0].lastUsedAt).not.toBeNull();

    // A second create would cut the IdP off: rotate instead.
    const again = await h.call("POST", `/connections/${c.body.id}/tokens`, { body: {} });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("conflict");
  });

  it("rotates with an overlap, then revokes", async () => {
    const h = harness();
    const c = await h.call("POST", "/connections", { body: { name: "Okta", idp: "okta" } });
    const first = await h.call("POST", `/connections/${c.body.id}/tokens`, { body: {} });
    const second = await h.call("POST", `/connections/${c.body.id}/tokens/rotate`, { body: { overlapSeconds: 3600 } });
    expect(second.status).toBe(201);
    expect(second.body.stillValid).toEqual([
      expect.objectContaining({ id: first.body.token.id, status: "active", expiresAt: expect.any(String) }),
    ]);
    expect((await h.scimCall(first.body.secret, "GET", "/Users")).status).toBe(200);
    expect((await h.scimCall(second.body.secret, "GET", "/Users")).status).toBe(200);

    const revoked = await h.call("DELETE", `/connections/${c.body.id}/tokens/${first.body.token.id}`);
    expect(revoked.body).toMatchObject({ id: first.body.token.id, status: "revoked", revokedAt: expect.any(String) });
    expect((await h.scimCall(first.body.secret, "GET", "/Users")).status).toBe(401);

    const third = await h.call("POST", `/connections/${c.body.id}/tokens/rotate`, { body: { overlapSeconds: 0 } });
    expect(third.body.stillValid).toEqual([]);
    expect((await h.scimCall(second.body.secret, "GET", "/Users")).status).toBe(401);
    const statuses = (await h.call("GET", `/connections/${c.body.id}/tokens`)).body.items.map((t: any) => t.status);
    expect(statuses).toEqual(["active", "revoked", "revoked"]);

    expect((await h.call("DELETE", `/connections/${c.body.id}/tokens/tok_unknown`)).status).toBe(404);
    const noOverlap = await h.call("POST", `/connections/${c.body.id}/tokens/rotate`, { body: {} });
    expect(noOverlap.body.error.issues).toEqual([{ path: ["body", "overlapSeconds"], message: expect.any(String) }]);
    // Refused calls change nothing and leave no entry; each change has core's entry, naming the admin.
    const entries = (await adminEntries(h)).map((e) => `${e.operation} ${e.facts.overlapSeconds ?? "-"}`);
    expect(entries).toEqual([
      "token.minted 0",
      // The rotation without overlap revoked the second token on the spot, and says so.
      "token.revoked -",
      "token.revoked -",
      "token.minted 3600",
      "token.minted 0",
      "directory.created -",
    ]);
  });

  it("lists tokens minted directly through core with their hint too", async () => {
    const h = harness();
    const c = await h.call("POST", "/connections", { body: { name: "Okta", idp: "okta" } });
    const { token } = await h.scim.directories.mintToken(c.body.id);
    const [t] = (await h.call("GET", `/connections/${c.body.id}/tokens`)).body.items;
    expect(t).toMatchObject({ hint: `scimkit_…${token.slice(-4)}`, status: "active" });
  });
});

describe("setup steps", () => {
  it.each(["okta", "entra", "onelogin", "jumpcloud", "ping", "generic"])("fills in the values for %s", async (idp) => {
    const h = harness();
    const c = await h.call("POST", "/connections", { body: { name: "IdP", idp } });
    const before = await h.call("GET", `/connections/${c.body.id}/setup`);
    expect(before.body).toMatchObject({ idp, scimBaseUrl: `${SCIM_BASE}/${c.body.id}`, tokenHint: null });
    expect(before.body.steps.length).toBeGreaterThan(1);
    expect(JSON.stringify(before.body.steps)).toContain(`${SCIM_BASE}/${c.body.id}`);
    const made = await h.call("POST", `/connections/${c.body.id}/tokens`, { body: {} });
    const after = await h.call("GET", `/connections/${c.body.id}/setup`);
    expect(after.body.tokenHint).toBe(made.body.token.hint);
    expect(JSON.stringify(after.body.steps)).toContain(made.body.token.hint);
  });

  it("shows another IdP's steps on request and refuses an unknown one", async () => {
    const h = harness();
    const c = await h.call("POST", "/connections", { body: { name: "IdP", idp: "generic" } });
    expect((await h.call("GET", `/connections/${c.body.id}/setup?idp=entra`)).body.label).toBe("Microsoft Entra ID");
    expect((await h.call("GET", `/connections/${c.body.id}/setup?idp=azure`)).body.error.issues[0].path).toEqual([
      "query",
      "idp",
    ]);
  });
});

describe("health and deprovisioning", () => {
  it("reports last request, last error, 401/403 counts and tolerances", async () => {
    const h = harness();
    const s = await h.seed("acme");
    await h.scimCall(s.token, "PATCH", `/Users/${s.users.ada}`, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [{ op: "Replace", path: "active", value: "False" }],
    });
    await h.call("PATCH", `/connections/${s.connectionId}`, { body: { enabled: false } });
    await h.scimCall(s.token, "GET", "/Users");
    const health = (await h.call("GET", `/connections/${s.connectionId}/health`)).body;
    expect(health).toMatchObject({
      connectionId: s.connectionId,
      enabled: false,
      lastRequestAt: expect.any(String),
      forbidden: 1,
      unauthorized: 0,
      failures: 1,
    });
    expect(health.lastError).toMatchObject({ status: 403 });
    expect(health.requests).toBeGreaterThan(5);
    expect(health.tolerances.length).toBeGreaterThan(0);
    expect(health.tolerances[0]).toEqual({ name: expect.any(String), requests: expect.any(Number) });
  });

  it("reads and sets a connection's deprovisioning, audited with before and after", async () => {
    const h = harness();
    const s = await h.seed("acme");
    expect((await h.call("GET", `/connections/${s.connectionId}/deprovisioning`)).body).toEqual({
      connectionId: s.connectionId,
      onDeactivate: "deactivate",
      onDelete: "hard",
    });
    const set = await h.call("PUT", `/connections/${s.connectionId}/deprovisioning`, {
      body: { onDeactivate: { deactivateThenDeleteAfterDays: 30 } },
    });
    expect(set.body).toEqual({
      connectionId: s.connectionId,
      onDeactivate: { deactivateThenDeleteAfterDays: 30 },
      onDelete: "hard",
    });
    const tomb = await h.call("PUT", `/connections/${s.connectionId}/deprovisioning`, {
      body: { onDelete: "tombstone" },
    });
    expect(tomb.body).toMatchObject({ onDeactivate: { deactivateThenDeleteAfterDays: 30 }, onDelete: "tombstone" });
    const bad = await h.call("PUT", `/connections/${s.connectionId}/deprovisioning`, {
      body: { onDeactivate: { deactivateThenDeleteAfterDays: 0 } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues[0].path).toEqual(["body", "onDeactivate", "deactivateThenDeleteAfterDays"]);

    // The policy holds: deleting a user now keeps a tombstone.
    await h.scimCall(s.token, "DELETE", `/Users/${s.users.linus}`);
    expect((await h.scim.policy.listTombstones("acme")).map((t) => t.id)).toEqual([s.users.linus]);

    // The refused change left no entry; the two saved ones name the admin.
    const [second, first, ...rest] = await adminEntries(h);
    expect(rest).toEqual([]);
    expect(second).toMatchObject({
      operation: "policy.deprovisioning.set",
      directoryId: s.connectionId,
      person: { id: "u_alice" },
      facts: { onDelete: "tombstone" },
    });
    expect(first).toMatchObject({ operation: "policy.deprovisioning.set", directoryId: s.connectionId });
  });
});
