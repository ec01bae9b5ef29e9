/**
 * Differential property test: random users, groups, filters, sorts and pages, answered by the memory
 * store (core's reference evaluator) and by the PostgreSQL store on PGlite. Both must return the same
 * resources in the same order with the same total. Data stays within what both agree on by design:
 * schema-conformant values, and text whose lower-casing JavaScript and PostgreSQL share.
 */
import { PGlite } from "@electric-sql/pglite";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMemoryStore, type JsonValue, type ScimStore } from "@scimkit/core";
import { dataset, querySpec, toQuery, type Dataset } from "../../test/query-arbitraries.js";
import { migrate, createPgliteDriver, createPostgresStore } from "../index.js";

/** Plain JSON of a result, so key order inside jsonb does not matter and both sides compare alike. */
const plain = (v: unknown): JsonValue => JSON.parse(JSON.stringify(v)) as JsonValue;

describe("memory and PostgreSQL (PGlite) stores answer every query alike", () => {
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

  it("returns identical ids, order, resources and totals for 1,200 random queries", async () => {
    await fc.assert(
      fc.asyncProperty(dataset, fc.array(querySpec, { minLength: 40, maxLength: 40 }), async (data, specs) => {
        const tenant = `diff-${++runs}`;
        await load(memStore, tenant, data);
        await load(pgStore, tenant, data);
        for (const spec of specs) {
          const query = toQuery(spec);
          const [mem, pg] = await Promise.all([
            memStore.transaction(tenant, (tx) => tx.queryResources(spec.type, query), { readOnly: true }),
            pgStore.transaction(tenant, (tx) => tx.queryResources(spec.type, query), { readOnly: true }),
          ]);
          expect({ spec, total: pg.total, ids: pg.resources.map((r) => r.id) }).toEqual({
            spec,
            total: mem.total,
            ids: mem.resources.map((r) => r.id),
          });
          expect(plain(pg.resources)).toEqual(plain(mem.resources));
          compared++;
        }
      }),
      { numRuns: 30, seed: Number(process.env["SCIMKIT_FC_SEED"] ?? 20_240_101), endOnFailure: true },
    );
    expect(compared).toBeGreaterThanOrEqual(1200);
  }, 120_000);
});
