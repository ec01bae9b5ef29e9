/**
 * Differential property test for cursor pages: random data, filters and sorts, and a keyset
 * position taken from a resource of the full answer (or just past it, as a position whose resource
 * has since gone would be). The memory store and the PostgreSQL store on PGlite must return the
 * same page after it (or before it) with the same total, and that page must be the full answer's
 * slice next to the position: every sort path's keyset SQL (extracted columns, row columns, members, jsonb values,
 * missing values, both directions) against core's ordering.
 */
import { PGlite } from "@electric-sql/pglite";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMemoryStore, type ScimStore } from "@scimkit/core";
import { resourceView, sortValue, type KeysetPosition, type StoreQuery } from "@scimkit/core/store";
import { dataset, querySpec, toQuery, type Dataset } from "../../test/query-arbitraries.js";
import { migrate, createPgliteDriver, createPostgresStore } from "../index.js";

describe("memory and PostgreSQL (PGlite) stores answer every keyset page alike", () => {
  let db: PGlite;
  let pgStore: ScimStore;
  let memStore: ScimStore;
  let runs = 0;
  let compared = 0;

  beforeAll(async () => {
    db = new PGlite();
    const driver = createPgliteDriver(db);
    await migrate(driver);
    pgStore = createPostgresStore({ driver });
    memStore = createMemoryStore();
  });
  afterAll(async () => {
    await db.close();
  });

  async function load(store: ScimStore, tenant: string, data: Dataset): Promise<void> {
    await store.transaction(tenant, async (tx) => {
      for (const r of [...data.users, ...data.groups]) await tx.createResource(r);
      for (const [groupId, members] of data.members)
        if (members.length > 0)
          await tx.addMembers(groupId, members, { modifiedAt: "2024-01-03T00:00:00.000Z", version: 2 });
    });
  }

  const read = (store: ScimStore, tenant: string, type: string, query: StoreQuery) =>
    store.transaction(tenant, (tx) => tx.queryResources(type, query), { readOnly: true });

  it("returns the same page after or before a keyset position, equal to the full answer's slice there", async () => {
    await fc.assert(
      fc.asyncProperty(
        dataset,
        fc.array(fc.tuple(querySpec, fc.boolean(), fc.boolean()), { minLength: 25, maxLength: 25 }),
        async (data, specs) => {
          const tenant = `keyset-${++runs}`;
          await load(memStore, tenant, data);
          await load(pgStore, tenant, data);
          for (const [spec, gone, backwards] of specs) {
            const base = toQuery(spec);
            const full = await read(memStore, tenant, spec.type, { ...base, startIndex: 1, count: 10_000 });
            const at = full.resources[spec.startIndex - 1];
            if (!at || base.count === 0) continue;
            const value = base.sort ? sortValue(base.sort.by, resourceView(at)) : undefined;
            // Just past the resource's id: the position of a resource deleted since the page was read.
            const after: KeysetPosition = {
              ...(value !== undefined ? { value } : {}),
              created: at.created,
              id: gone ? `${at.id}~` : at.id,
            };
            const query = backwards ? { ...base, startIndex: 1, before: after } : { ...base, startIndex: 1, after };
            const [mem, pg] = await Promise.all([
              read(memStore, tenant, spec.type, query),
              read(pgStore, tenant, spec.type, query),
            ]);
            // After the resource at index i: from i + 1. Before it: the `count` ending at i, or at
            // i + 1 when the position lies just past it.
            const i = spec.startIndex - 1;
            const end = gone ? i + 1 : i;
            const page = backwards
              ? full.resources.slice(Math.max(0, end - base.count), end)
              : full.resources.slice(i + 1, i + 1 + base.count);
            const expected = page.map((r) => r.id);
            expect({ spec, gone, backwards, ids: mem.resources.map((r) => r.id), total: mem.total }).toEqual({
              spec,
              gone,
              backwards,
              ids: expected,
              total: full.total,
            });
            expect({ spec, gone, backwards, ids: pg.resources.map((r) => r.id), total: pg.total }).toEqual({
              spec,
              gone,
              backwards,
              ids: expected,
              total: full.total,
            });
            compared++;
          }
        },
      ),
      { numRuns: 20, seed: Number(process.env["SCIMKIT_FC_SEED"] ?? 20_251_207), endOnFailure: true },
    );
    expect(compared).toBeGreaterThanOrEqual(100);
  }, 120_000);
});
