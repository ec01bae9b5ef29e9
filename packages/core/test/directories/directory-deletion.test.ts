import { describe, expect, it } from "vitest";
import { createScimServer, type ScimEvent } from "../../src/index.js";

const BASE = "https://app.example.com/scim/v2";

async function tenantWithTwoDirectories() {
  const events: ScimEvent[] = [];
  const server = createScimServer({ onEvent: (e) => void events.push(e) });
  const a = await server.directories.create({ tenantId: "t1", name: "A" });
  const b = await server.directories.create({ tenantId: "t1", name: "B" });
  const token = (await server.directories.mintToken(a.id)).token;
  const send = async (method: string, path: string, body?: unknown) => {
    const res = await server.fetch(
      new Request(`${BASE}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, "content-type": "application/scim+json" },
        ...(body ? { body: JSON.stringify(body) } : {}),
      }),
    );
    return (await res.json()) as { id: string };
  };
  const ada = (await send("POST", "/Users", { userName: "ada@example.com" })).id;
  const group = (await send("POST", "/Groups", { displayName: "Eng", members: [{ value: ada }] })).id;
  return { server, events, a, b, ada, group };
}

const settle = () => new Promise((r) => setTimeout(r, 10));

describe("deleting a user over SCIM", () => {
  it("tells the host it left each of its groups", async () => {
    const { server, events, a, ada, group } = await tenantWithTwoDirectories();
    const token = (await server.directories.mintToken(a.id)).token;
    events.length = 0;
    const res = await server.fetch(
      new Request(`${BASE}/Users/${ada}`, { method: "DELETE", headers: { authorization: `Bearer ${token}` } }),
    );
    expect(res.status).toBe(204);
    await settle();
    expect(events.map((e) => [e.type, e.resourceId])).toEqual([
      ["user.deleted", ada],
      ["membership.removed", group],
    ]);
  });
});

describe("deleting a directory", () => {
  it("audits and events every resource it deletes, like a SCIM DELETE", async () => {
    const { server, events, a, ada, group } = await tenantWithTwoDirectories();
    events.length = 0;
    await server.directories.delete(a.id, { resources: "delete" });
    await settle();
    expect(events.map((e) => [e.type, e.resourceId])).toEqual([
      ["group.deleted", group],
      ["user.deleted", ada],
      ["directory.deleted", null],
    ]);
    const audit = await server.audit("t1", { resourceId: ada });
    expect(audit.at(-1)).toMatchObject({
      operation: "directory.deleted",
      outcome: "success",
      resourceType: "User",
      before: expect.objectContaining({ userName: "ada@example.com" }),
    });
  });

  it("tells the host which groups a deleted user left", async () => {
    const { server, events, a, b, ada } = await tenantWithTwoDirectories();
    // A group of the other directory, which survives the deletion, holding A's user.
    const tb = (await server.directories.mintToken(b.id)).token;
    const kept = (await (
      await server.fetch(
        new Request(`${BASE}/Groups`, {
          method: "POST",
          headers: { authorization: `Bearer ${tb}`, "content-type": "application/scim+json" },
          body: JSON.stringify({ displayName: "Kept", members: [{ value: ada }] }),
        }),
      )
    ).json()) as { id: string };
    events.length = 0;
    await server.directories.delete(a.id, { resources: "delete" });
    await settle();
    expect(events.filter((e) => e.type === "membership.removed").map((e) => [e.resourceId, e.data])).toEqual([
      [kept.id, { members: [ada] }],
    ]);
  });

  it("detaches what it keeps, and hands the primary flag to the oldest remaining directory", async () => {
    const { server, a, b, ada } = await tenantWithTwoDirectories();
    expect((await server.directories.get(a.id))?.primary).toBe(true);
    await server.directories.delete(a.id, { resources: "keep" });
    expect((await server.directories.list("t1")).map((d) => [d.id, d.primary])).toEqual([[b.id, true]]);
    const stored = await server.store.transaction("t1", (tx) => tx.getResource("User", ada));
    expect(stored?.internal["directoryId"]).toBeUndefined();
    expect(stored?.attributes["userName"]).toBe("ada@example.com");
  });
});
