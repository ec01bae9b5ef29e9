/**
 * A cursor walk of 100,000 users on the memory store, 1,000 a page, while each gap between pages
 * creates, deletes and renames users: every user that lives through the walk comes exactly once,
 * and none comes twice. The users are seeded through the store in one unit of work (100,000 POSTs
 * would measure the write path, not paging).
 */
import { describe, expect, it } from "vitest";
import { createMemoryStore, createScimServer } from "@scimkit/core";
import type { ResourceWrite } from "@scimkit/core/store";
import { expectEachOnce, walkWhileWriting } from "../cursor-walk.js";

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

    const walk = await walkWhileWriting({
      server,
      token,
      seeded,
      pageSize: PAGE,
      roundsPerGap: 3,
      seed: 12_345,
      tick: () => {
        clock += 1000;
      },
    });
    expect(walk.deleted.size).toBeGreaterThan(200);
    expectEachOnce(walk, seeded);
    const { pages, seen, deleted, seconds } = walk;
    // Recorded for the report: the whole walk, HTTP included.
    console.info(`memory: ${pages} pages, ${seen.size} users, ${deleted.size} deleted, ${seconds.toFixed(1)} s`);
  }, 120_000);
});
