import { describe, expect, it } from "vitest";
import { harness, user, type Harness } from "../support.js";

const bulk = (h: Harness, Operations: unknown[], extra: Record<string, unknown> = {}) =>
  h.call("POST", "/Bulk", { schemas: ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"], Operations, ...extra });
const patchOp = (...ops: unknown[]) => ({
  schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
  Operations: ops,
});
const ids = async (h: Harness, endpoint: string) =>
  ((await h.call("GET", `/${endpoint}?count=100`)).body.Resources as { id: string }[]).map((r) => r.id);

describe("/Bulk (RFC 7644 §3.7)", () => {
  it("resolves bulkId chains: a group created with a user created in the same request, then renamed", async () => {
    const h = await harness({ tenantId: "t-chain" });
    const res = await bulk(h, [
      { method: "POST", path: "/Users", bulkId: "u1", data: user("ada@example.com") },
      {
        method: "POST",
        path: "/Groups",
        bulkId: "g1",
        data: { displayName: "Eng", members: [{ value: "bulkId:u1" }] },
      },
      {
        method: "PATCH",
        path: "/Groups/bulkId:g1",
        data: patchOp({ op: "replace", path: "displayName", value: "Engineering" }),
      },
    ]);
    expect(res.status).toBe(200);
    expect(res.body.schemas).toEqual(["urn:ietf:params:scim:api:messages:2.0:BulkResponse"]);
    const [u, g, p] = res.body.Operations;
    expect(u).toMatchObject({ method: "POST", bulkId: "u1", status: "201", version: 'W/"1"' });
    expect(g).toMatchObject({ method: "POST", bulkId: "g1", status: "201" });
    expect(p).toMatchObject({ method: "PATCH", status: "204" });
    const userId = String(u.location).split("/").pop();
    const group = (await h.call("GET", `/Groups/${String(g.location).split("/").pop()}`)).body;
    expect(group.displayName).toBe("Engineering");
    expect(group.members.map((m: { value: string }) => m.value)).toEqual([userId]);
    // Each operation is audited and evented like its single-request twin.
    const events = (await h.server.events.read("t-chain")).map((e) => e.type);
    expect(events.filter((t) => !t.startsWith("directory.") && !t.startsWith("token."))).toEqual([
      "user.created",
      "group.created",
      "membership.added",
      "group.updated",
    ]);
    expect((await h.server.audit("t-chain")).map((e) => e.operation)).toEqual(
      expect.arrayContaining(["create User", "create Group", "patch Group"]),
    );
  });

  it("defers an operation that refers to a bulkId created later in the request", async () => {
    const h = await harness();
    const res = await bulk(h, [
      {
        method: "POST",
        path: "/Groups",
        bulkId: "g",
        data: { displayName: "Later", members: [{ value: "bulkId:u" }] },
      },
      { method: "POST", path: "/Users", bulkId: "u", data: user("bo@example.com") },
    ]);
    expect(res.body.Operations.map((o: { status: string }) => o.status)).toEqual(["201", "201"]);
    const group = (await h.call("GET", `/Groups/${String(res.body.Operations[0].location).split("/").pop()}`)).body;
    expect(group.members).toHaveLength(1);
  });

  it("refuses a circular reference with 409 and writes neither side", async () => {
    const h = await harness();
    const res = await bulk(h, [
      { method: "POST", path: "/Groups", bulkId: "a", data: { displayName: "A", members: [{ value: "bulkId:b" }] } },
      { method: "POST", path: "/Groups", bulkId: "b", data: { displayName: "B", members: [{ value: "bulkId:a" }] } },
    ]);
    expect(res.body.Operations.map((o: { status: string }) => o.status)).toEqual(["409", "409"]);
    expect(res.body.Operations[0].response).toMatchObject({
      status: "409",
      detail: expect.stringContaining("circular"),
    });
    expect(await ids(h, "Groups")).toEqual([]);
  });

  it("keeps earlier operations committed when one fails, leaves the failed one without trace, and stops at failOnErrors", async () => {
    const h = await harness({ tenantId: "t-fail" });
    const res = await bulk(
      h,
      [
        { method: "POST", path: "/Users", bulkId: "ok", data: user("one@example.com") },
        { method: "POST", path: "/Users", bulkId: "dup", data: user("ONE@example.com") },
        { method: "POST", path: "/Users", bulkId: "never", data: user("three@example.com") },
      ],
      { failOnErrors: 1 },
    );
    expect(res.body.Operations).toHaveLength(2);
    expect(res.body.Operations[1]).toMatchObject({
      bulkId: "dup",
      status: "409",
      response: { scimType: "uniqueness" },
    });
    const users = (await h.call("GET", "/Users")).body.Resources.map((r: { userName: string }) => r.userName);
    expect(users).toEqual(["one@example.com"]);
    expect((await h.server.events.read("t-fail")).filter((e) => e.type === "user.created")).toHaveLength(1);
    expect((await h.server.audit("t-fail")).filter((e) => e.outcome === "failure").map((e) => e.status)).toEqual([409]);
  });

  it("fails an operation whose referenced POST failed, and one naming an unknown bulkId", async () => {
    const h = await harness();
    const res = await bulk(h, [
      { method: "POST", path: "/Users", bulkId: "bad", data: { userName: 7 } },
      { method: "POST", path: "/Groups", data: { displayName: "G", members: [{ value: "bulkId:bad" }] } },
      { method: "DELETE", path: "/Users/bulkId:nobody" },
    ]);
    expect(res.body.Operations.map((o: { status: string }) => o.status)).toEqual(["400", "409", "400"]);
    expect(await ids(h, "Groups")).toEqual([]);
  });

  it("enforces maxOperations and maxPayloadSize with 413, and advertises both", async () => {
    const h = await harness({ bulk: { maxOperations: 2, maxPayloadSize: 4096 } });
    const op = (i: number) => ({ method: "POST", path: "/Users", bulkId: `u${i}`, data: user(`u${i}@example.com`) });
    const many = await bulk(h, [op(1), op(2), op(3)]);
    expect(many.status).toBe(413);
    expect(many.body.detail).toContain("maxOperations");
    const big = await bulk(h, [{ ...op(1), data: user("big@example.com", { displayName: "x".repeat(5000) }) }]);
    expect(big.status).toBe(413);
    expect(await ids(h, "Users")).toEqual([]);
    const spc = (await h.call("GET", "/ServiceProviderConfig")).body;
    expect(spc.bulk).toEqual({ supported: true, maxOperations: 2, maxPayloadSize: 4096 });
  });

  it("answers a malformed BulkRequest or operation with 400, never 500", async () => {
    const h = await harness();
    expect((await h.call("POST", "/Bulk", { Operations: "nope" })).status).toBe(400);
    const res = await bulk(h, [
      { method: "GET", path: "/Users" },
      { path: "/Users" },
      { method: "POST", path: "/ServiceProviderConfig", data: {} },
    ]);
    expect(res.status).toBe(200);
    expect(res.body.Operations.map((o: { status: string }) => o.status)).toEqual(["400", "400", "400"]);
  });
});

describe("/Bulk and the logger", () => {
  it("logs an operation's unexpected failure, which answers a generic 500 in the BulkResponse", async () => {
    const logged: string[] = [];
    const h = await harness({
      logger: { error: (m) => void logged.push(m) },
      policy: {
        passwordSync: true,
        onPassword: () => {
          throw new Error("vault down");
        },
      },
    });
    const res = await bulk(h, [
      {
        method: "POST",
        path: "/Users",
        bulkId: "u",
        data: user("pw@example.com", { password: "correct horse battery" }),
      },
    ]);
    expect(res.body.Operations[0]).toMatchObject({ status: "500", response: { status: "500" } });
    expect(JSON.stringify(res.body)).not.toContain("vault down");
    expect(logged).toContain("scimkit: request failed");
  });
});
