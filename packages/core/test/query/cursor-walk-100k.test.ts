/**
 * A cursor walk of 100,000 users on the memory store, 1,000 a page, while each gap between pages
 * creates, deletes and renames users: every user that lives through the walk comes exactly once,
 * and none comes twice. The users are seeded through the store in one unit of work (100,000 POSTs
 * would measure the write path, not paging).
 */
import { describe, expect, it } from "vitest";
import { createMemoryStore, createScimServer } from "@scimkit/core";
import type { ResourceWrite } from "@scimkit/core/store";

const N = 100_000;
const PAGE = 1000;

describe("a cursor walk of 100,000 users on the memory store", () => {
  it("gives every user that lives through the walk exactly once while users are created, deleted and renamed", async () => {
    const store = createMemoryStore();
    let clock = Date.parse("2026-04-01T00:00:00.000Z");
    const server = createScimServer({ store, now: () => new Date(clock) });
    const tenantId = "walk";
    const dir = await server.directories.create({ tenantId, name: "IdP" });
    const { token } = await server.directories.mintToken(dir.id);
    const seeded: string[] = [];
    const start = Date.parse("2026-01-01T00:00:00.000Z");
    await store.transaction(tenantId, async (tx) => {
      for (let i = 0; i < N; i++) {
        const id = `seed-${String(i).padStart(6, "0")}`;
        const userName = `seed${i}@example.com`;
        // Ten users a millisecond: ties in `created` fall to the id.
        const created = new Date(start + Math.floor(i / 10)).toISOString();
        const write: ResourceWrite = {
          id,
          resourceType: "User",
          attributes: { userName, active: true },
          internal: {},
          uniqueKey: userName,
          created,
          lastModified: created,
          version: 1,
        };
        await tx.createResource(write);
        seeded.push(id);
      }
    });

    const call = async (method: string, path: string, body?: unknown) => {
      const res = await server.fetch(
        new Request(`https://app.example.com/scim/v2${path}`, {
          method,
          headers: { authorization: `Bearer ${token}`, "content-type": "application/scim+json" },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        }),
      );
      return { status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, unknown> };
    };

    const deleted = new Set<string>();
    const lateIds: string[] = [];
    const seen = new Map<string, number>();
    let cursor = "";
    let pages = 0;
    let created = 0;
    // A fixed pseudo-random sequence, so a failure can be replayed.
    let seed = 12_345;
    const pick = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seeded[seed % N] ?? "";
    };
    const began = performance.now();
    for (;;) {
      const page = await call("GET", `/Users?count=${PAGE}&cursor=${cursor}&attributes=userName`);
      expect(page.status).toBe(200);
      pages++;
      for (const r of page.body["Resources"] as { id: string }[]) seen.set(r.id, (seen.get(r.id) ?? 0) + 1);
      const next = page.body["nextCursor"];
      if (next === undefined) break;
      cursor = String(next);
      clock += 1000;
      for (let k = 0; k < 3; k++) {
        const late = await call("POST", "/Users", { userName: `late${created++}@example.com` });
        expect(late.status).toBe(201);
        lateIds.push(String(late.body["id"]));
        const victim = pick();
        if (!deleted.has(victim)) {
          expect((await call("DELETE", `/Users/${victim}`)).status).toBe(204);
          deleted.add(victim);
        }
        const renamed = pick();
        if (!deleted.has(renamed)) {
          const res = await call("PATCH", `/Users/${renamed}`, {
            schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            Operations: [{ op: "replace", path: "userName", value: `renamed-${pages}-${k}-${renamed}@example.com` }],
          });
          expect(res.status).toBe(200);
        }
      }
    }
    const seconds = (performance.now() - began) / 1000;
    expect(deleted.size).toBeGreaterThan(200);
    expect([...seen.values()].filter((n) => n !== 1)).toEqual([]);
    const missing = seeded.filter((id) => !deleted.has(id) && seen.get(id) !== 1);
    expect(missing).toEqual([]);
    // Users created during the walk sort after every cursor (created later), so each comes too.
    expect(lateIds.filter((id) => seen.get(id) !== 1)).toEqual([]);
    // Recorded for the report: the whole walk, HTTP included.
    console.info(`memory: ${pages} pages, ${seen.size} users, ${deleted.size} deleted, ${seconds.toFixed(1)} s`);
  }, 120_000);
});
