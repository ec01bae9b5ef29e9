import { describe, expect, it } from "vitest";
import { harness, user } from "../support.js";

const patchOp = (...ops: unknown[]) => ({
  schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
  Operations: ops,
});

describe("audit queries", () => {
  it("finds a failed write to a resource by that resource", async () => {
    const h = await harness({ tenantId: "t-aimed" });
    const id = (await h.call("POST", "/Users", user("a@example.com"))).body.id as string;
    const bad = await h.call("PATCH", `/Users/${id}`, patchOp({ op: "replace", path: "active", value: 42 }));
    expect(bad.status).toBe(400);
    const entries = await h.server.audit("t-aimed", { resourceId: id });
    expect(entries.map((e) => [e.operation, e.outcome, e.status])).toEqual([
      ["create User", "success", 201],
      ["patch User", "failure", 400],
    ]);
    expect(entries[1]).toMatchObject({ resourceType: "User", resourceId: id });
  });

  it("records a write that failed inside a host hook, with the client's generic detail and not the hook's message", async () => {
    const h = await harness({
      tenantId: "t-hook",
      logger: { error: () => undefined },
      policy: {
        inTransaction: {
          onDeprovision: () => {
            throw new Error("session store down: secret-dsn://user:hunter2@db");
          },
        },
      },
    });
    const id = (await h.call("POST", "/Users", user("b@example.com"))).body.id as string;
    const res = await h.call("PATCH", `/Users/${id}`, patchOp({ op: "replace", value: { active: false } }));
    expect(res.status).toBe(500);
    const last = (await h.server.audit("t-hook", { resourceId: id })).at(-1);
    expect(last).toMatchObject({ outcome: "failure", status: 500, operation: "patch User" });
    expect(JSON.stringify(last)).not.toContain("hunter2");
    expect((await h.call("GET", `/Users/${id}`)).body.active).toBe(true);
  });

  it("compares time bounds as instants, whatever offset or precision they are written in", async () => {
    let t = Date.parse("2026-03-01T10:00:00.500Z");
    const h = await harness({ tenantId: "t-range", now: () => new Date(t) });
    await h.call("POST", "/Users", user("c@example.com"));
    t += 3_600_000;
    await h.call("POST", "/Users", user("d@example.com"));
    const created = async (query: { from?: string; to?: string }) =>
      (await h.server.audit("t-range", { ...query, resourceType: "User" })).map(
        (e) => (e.after as { userName: string }).userName,
      );
    expect(await created({ from: "2026-03-01T10:00:00Z" })).toEqual(["c@example.com", "d@example.com"]);
    expect(await created({ from: "2026-03-01T11:00:00+01:00", to: "2026-03-01T11:00:00Z" })).toEqual(["c@example.com"]);
    expect(await created({ from: "2026-03-01T11:00:00.600Z" })).toEqual([]);
    await expect(h.server.audit("t-range", { from: "yesterday" })).rejects.toThrow(/ISO 8601/);
  });
});
