import { afterEach, describe, expect, it, vi } from "vitest";
import type { PasswordNotice } from "../../src/policy/index.js";
import { createUser, patchOp, policyHarness, settle, userBody, type PolicyHarness } from "./support.js";

const SECRET = "Tr0ub4dor&3-horse-staple";

/** Everything the password could leak into, as one string. */
async function everythingRecorded(h: PolicyHarness, extra: unknown[] = []): Promise<string> {
  const audit = await h.server.audit(h.tenantId, { limit: 1000 });
  const events = await h.server.events.read(h.tenantId, { limit: 1000 });
  return JSON.stringify([audit, events, extra]);
}

describe("password sync off", () => {
  it("ignores a pushed password by default and audits that one was sent, never its value", async () => {
    const h = await policyHarness();
    const res = await h.call("POST", "/Users", userBody("ada@example.com", { password: SECRET }));
    expect(res.status).toBe(201);
    expect(res.body.password).toBeUndefined();
    expect(await h.policy.verifyPassword(h.tenantId, res.body.id, SECRET)).toBe(false);
    const ignored = (await h.server.audit(h.tenantId)).find((e) => e.operation === "policy.password.ignored");
    expect(ignored).toMatchObject({ resourceId: res.body.id, facts: { reason: "passwordSyncOff" } });
    expect(await everythingRecorded(h, [res.body])).not.toContain(SECRET);
  });

  it('rejects a pushed password with 400 under passwordWhenOff: "reject" and writes nothing', async () => {
    const h = await policyHarness({ passwordWhenOff: "reject" });
    const res = await h.call("POST", "/Users", userBody("ada@example.com", { password: SECRET }));
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ scimType: "invalidValue" });
    expect(res.body.detail).toMatch(/password/);
    expect((await h.call("GET", "/Users")).body.totalResults).toBe(0);
    const ada = await createUser(h.call, "ada@example.com");
    const patched = await h.call("PATCH", `/Users/${ada}`, patchOp({ op: "replace", path: "password", value: SECRET }));
    expect(patched.status).toBe(400);
    expect(await everythingRecorded(h, [res.body, patched.body])).not.toContain(SECRET);
  });
});

describe("password sync on", () => {
  it("refuses a password shorter than the minimum with 400 invalidValue naming password", async () => {
    const h = await policyHarness({ passwordSync: true });
    const res = await h.call("POST", "/Users", userBody("ada@example.com", { password: "short-pw1" }));
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      scimType: "invalidValue",
      detail: 'Attribute "password" must be at least 10 characters long',
    });
    expect((await h.call("GET", "/Users")).body.totalResults).toBe(0);
    expect((await h.server.audit(h.tenantId)).at(-1)).toMatchObject({ outcome: "failure", status: 400 });
  });

  it("honours a configured minimum length", async () => {
    const h = await policyHarness({ passwordSync: true, passwordMinLength: 4 });
    expect((await h.call("POST", "/Users", userBody("ada@example.com", { password: "abcd" }))).status).toBe(201);
    expect((await h.call("POST", "/Users", userBody("bob@example.com", { password: "abc" }))).status).toBe(400);
  });

  it("stores a salted hash that verifyPassword checks, replaced by each PATCH in either Okta form", async () => {
    const h = await policyHarness({ passwordSync: true });
    const created = await h.call("POST", "/Users", userBody("ada@example.com", { password: SECRET }));
    const ada = created.body.id as string;
    expect(await h.policy.verifyPassword(h.tenantId, ada, SECRET)).toBe(true);
    expect(await h.policy.verifyPassword(h.tenantId, ada, "wrong-password")).toBe(false);

    const next = "second-password-42";
    const withPath = await h.call("PATCH", `/Users/${ada}`, patchOp({ op: "replace", path: "password", value: next }));
    expect(withPath.status).toBe(200);
    expect(withPath.body.password).toBeUndefined();
    expect(await h.policy.verifyPassword(h.tenantId, ada, next)).toBe(true);
    expect(await h.policy.verifyPassword(h.tenantId, ada, SECRET)).toBe(false);

    const third = "third-password-4242";
    await h.call("PATCH", `/Users/${ada}`, patchOp({ op: "replace", value: { password: third } }));
    expect(await h.policy.verifyPassword(h.tenantId, ada, third)).toBe(true);
    const sets = (await h.server.audit(h.tenantId)).filter((e) => e.operation === "policy.password.set");
    expect(sets.map((e) => e.facts)).toEqual([{ method: "hash" }, { method: "hash" }, { method: "hash" }]);
    expect((await h.call("GET", `/Users/${ada}`)).body.password).toBeUndefined();
  });

  it("hands the password to onPassword instead of hashing it", async () => {
    const seen: PasswordNotice[] = [];
    const h = await policyHarness({ passwordSync: true, onPassword: (n) => void seen.push(n) });
    const ada = await createUser(h.call, "ada@example.com");
    await h.call("PUT", `/Users/${ada}`, userBody("ada@example.com", { password: SECRET }));
    expect(seen).toEqual([{ tenantId: h.tenantId, userId: ada, password: SECRET }]);
    expect(await h.policy.verifyPassword(h.tenantId, ada, SECRET)).toBe(false);
    expect((await h.server.audit(h.tenantId)).find((e) => e.operation === "policy.password.set")?.facts).toEqual({
      method: "hook",
    });
  });
});

describe("password secrecy", () => {
  afterEach(() => vi.restoreAllMocks());

  it("never writes the password to an audit entry, an event, a response or the console", async () => {
    const printed: unknown[] = [];
    for (const method of ["log", "info", "warn", "error", "debug"] as const) {
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void printed.push(args));
    }
    const h = await policyHarness({
      passwordSync: true,
      roles: [{ id: "member", label: "Member" }],
      fallbackRole: "member",
    });
    const replies: unknown[] = [];
    const created = await h.call("POST", "/Users", userBody("ada@example.com", { password: SECRET }));
    replies.push(created.body);
    const ada = created.body.id as string;
    replies.push(
      (await h.call("PUT", `/Users/${ada}`, userBody("ada@example.com", { password: SECRET, title: "CTO" }))).body,
    );
    replies.push(
      (await h.call("PATCH", `/Users/${ada}`, patchOp({ op: "replace", path: "password", value: SECRET }))).body,
    );
    replies.push(
      (await h.call("PATCH", `/Users/${ada}`, patchOp({ op: "replace", path: "password", value: SECRET.slice(0, 5) })))
        .body,
    );
    replies.push((await h.call("GET", `/Users/${ada}`)).body);
    replies.push((await h.call("GET", "/Users")).body);
    await settle();
    const recorded = await everythingRecorded(h, [replies, printed, h.logs]);
    expect(recorded).toContain("policy.password.set");
    expect(recorded).not.toContain(SECRET);
    expect(recorded).not.toContain(SECRET.slice(0, 5));
  });
});
