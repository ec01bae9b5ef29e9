import { describe, expect, it, vi } from "vitest";
import type { ScimEvent } from "../../src/index.js";
import { harness, user } from "../support.js";

const patchOp = (...ops: unknown[]) => ({
  schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
  Operations: ops,
});

describe("audit trail", () => {
  it("records who, what, when and the before/after difference of every write, in the same unit of work", async () => {
    const h = await harness({ tenantId: "t-audit" });
    const created = await h.call("POST", "/Users", user("a@example.com"), {
      "user-agent": "Okta SCIM Client 1.0.0",
      "x-request-id": "req-1",
    });
    await h.call("PATCH", `/Users/${created.body.id}`, patchOp({ op: "Replace", path: "active", value: "False" }));
    const entries = (await h.server.audit("t-audit", { resourceId: created.body.id })).filter(
      (e) => e.resourceType === "User",
    );
    expect(entries.map((e) => e.operation)).toEqual(["create User", "patch User"]);
    const [create, patch] = entries;
    expect(create).toMatchObject({
      directoryId: h.directoryId,
      userAgent: "Okta SCIM Client 1.0.0",
      requestId: "req-1",
      outcome: "success",
      status: 201,
      resourceId: created.body.id,
    });
    expect(create?.tokenId).toMatch(/^tok_/);
    expect(create?.before).toBeNull();
    expect(create?.after).toMatchObject({ userName: "a@example.com" });
    expect(patch?.diff).toEqual([{ op: "replace", path: "/active", value: false }]);
    expect(patch?.tolerances).toEqual(expect.arrayContaining(["caseInsensitiveOp", "stringBooleans"]));
    expect(Date.parse(patch?.at ?? "")).not.toBeNaN();
  });

  it("records a failed write as a failure entry and nothing else", async () => {
    const h = await harness({ tenantId: "t-fail" });
    await h.call("POST", "/Users", user("dup@example.com"));
    const before = (await h.server.audit("t-fail")).length;
    const dup = await h.call("POST", "/Users", user("DUP@example.com"));
    expect(dup.status).toBe(409);
    const after = await h.server.audit("t-fail");
    expect(after).toHaveLength(before + 1);
    expect(after.at(-1)).toMatchObject({ outcome: "failure", status: 409, operation: "create User", resourceId: null });
    expect((await h.server.events.read("t-fail")).filter((e) => e.type === "user.created")).toHaveLength(1);
  });

  it("pages by cursor and filters by time range", async () => {
    const h = await harness({ tenantId: "t-page" });
    for (let i = 0; i < 5; i++) await h.call("POST", "/Users", user(`p${i}@example.com`));
    const all = (await h.server.audit("t-page", { limit: 100 })).filter((e) => e.resourceType === "User");
    const first = await h.server.audit("t-page", { limit: 2, resourceType: "User" });
    const next = await h.server.audit("t-page", { limit: 2, resourceType: "User", after: first.at(-1)?.seq ?? 0 });
    expect([...first, ...next].map((e) => e.seq)).toEqual(all.slice(0, 4).map((e) => e.seq));
    expect(await h.server.audit("t-page", { from: "2999-01-01T00:00:00Z" })).toEqual([]);
  });
});

describe("events", () => {
  it("delivers typed events after commit, once, in order, and keeps them for replay", async () => {
    const h = await harness({ tenantId: "t-ev" });
    const seen: ScimEvent[] = [];
    h.server.events.subscribe((e) => void seen.push(e));
    const u = (await h.call("POST", "/Users", user("e@example.com"))).body;
    const g = (await h.call("POST", "/Groups", { displayName: "G" })).body;
    await h.call("PATCH", `/Groups/${g.id}`, patchOp({ op: "add", path: "members", value: [{ value: u.id }] }));
    await h.call("PATCH", `/Users/${u.id}`, patchOp({ op: "replace", value: { active: false } }));
    await h.call("PATCH", `/Users/${u.id}`, patchOp({ op: "replace", value: { active: true, title: "CTO" } }));
    await h.call("DELETE", `/Groups/${g.id}`);
    await new Promise((r) => setTimeout(r, 10));
    const types = seen.map((e) => e.type);
    expect(types).toEqual([
      "user.created",
      "group.created",
      "membership.added",
      "user.deactivated",
      "user.updated",
      "user.reactivated",
      "group.deleted",
    ]);
    expect(seen.map((e) => e.seq)).toEqual([...seen.map((e) => e.seq)].sort((a, b) => a - b));
    expect(seen.find((e) => e.type === "membership.added")?.data).toEqual({ members: [u.id] });
    const replay = await h.server.events.read("t-ev", { after: seen[2]?.seq ?? 0 });
    expect(replay.map((e) => e.type)).toEqual(types.slice(3));
  });

  it("keeps SCIM state intact when a handler throws", async () => {
    const errors: string[] = [];
    const h = await harness({ tenantId: "t-throw", logger: { error: (m) => void errors.push(m) } });
    h.server.events.subscribe(() => {
      throw new Error("host bug");
    });
    const res = await h.call("POST", "/Users", user("x@example.com"));
    expect(res.status).toBe(201);
    await new Promise((r) => setTimeout(r, 10));
    expect((await h.call("GET", `/Users/${res.body.id}`)).status).toBe(200);
    expect(errors.some((m) => m.includes("event handler failed"))).toBe(true);
  });

  it("writes nothing, not even events, when a request fails", async () => {
    const h = await harness({ tenantId: "t-none" });
    const handler = vi.fn();
    h.server.events.subscribe(handler);
    // The directory and its token were set up with their own lifecycle events.
    const before = await h.server.events.read("t-none");
    expect(before.map((e) => e.type)).toEqual(["directory.created", "token.minted"]);
    await h.call("POST", "/Users", { userName: 5 });
    await new Promise((r) => setTimeout(r, 10));
    expect(handler).not.toHaveBeenCalled();
    expect(await h.server.events.read("t-none")).toEqual(before);
  });
});
