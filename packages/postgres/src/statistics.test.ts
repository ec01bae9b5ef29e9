/**
 * Planner statistics on PGlite, which runs no autovacuum: the store analyzes its resource and
 * membership tables after migrate() and after enough committed writes, outside any request, and a
 * failing or slow ANALYZE never reaches the write that triggered it.
 */
import { PGlite } from "@electric-sql/pglite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ScimStore } from "@scimkit/core";
import type { Member, ResourceWrite } from "@scimkit/core/store";
import {
  migrate,
  createPgDriver,
  createPgliteDriver,
  createPostgresStore,
  type PgliteLike,
  type PgPoolLike,
  type SqlDriver,
  type SqlResult,
} from "./index.js";

const user = (id: string): ResourceWrite => ({
  id,
  resourceType: "User",
  attributes: { userName: `${id}@example.com` },
  internal: {},
  uniqueKey: `${id}@example.com`,
  created: "2024-01-01T00:00:00.000Z",
  lastModified: "2024-01-01T00:00:00.000Z",
  version: 1,
});
const group = (id: string): ResourceWrite => ({
  ...user(id),
  resourceType: "Group",
  attributes: { displayName: id },
  uniqueKey: null,
});
const at = { modifiedAt: "2024-01-02T00:00:00.000Z", version: 2 };

/** Creates `count` users named `${prefix}-0` … through the store contract, in one unit of work. */
const createUsers = (store: ScimStore, prefix: string, count: number) =>
  store.transaction("t", async (tx) => {
    for (let i = 0; i < count; i++) await tx.createResource(user(`${prefix}-${i}`));
  });

/** close() waits for an ANALYZE in flight; these drivers leave PGlite open, so the store stays usable. */
async function settle(store: ScimStore): Promise<void> {
  if (!store.close) throw new Error("createPostgresStore has close()");
  await store.close();
}

/**
 * A PGlite driver whose top-level statements pass through `intercept` first: what the store runs
 * outside a unit of work (its ANALYZE) can be recorded, failed or held back.
 */
function intercepted(inner: SqlDriver, intercept: (text: string) => Promise<SqlResult> | undefined): SqlDriver {
  return { ...inner, query: (text, params) => intercept(text) ?? inner.query(text, params) };
}

const isAnalyze = (text: string) => /^ANALYZE\b/.test(text);
const empty: SqlResult = { rows: [], rowCount: 0 };
type Table = "resources" | "members";

// One PGlite for the file (starting one is the slow part), each test in a schema of its own.
let db: PGlite;
let schemas = 0;
beforeAll(async () => {
  db = new PGlite();
  await db.waitReady;
});
afterAll(async () => {
  await db.close();
});

/** A freshly migrated schema, and what ANALYZE left in the catalogues for its tables. */
async function migrated() {
  const schema = `stats_${++schemas}`;
  const driver = createPgliteDriver(db);
  await migrate(driver, { schema });
  return {
    driver,
    schema,
    /** -1 until the table is first analyzed, then what ANALYZE counted; INSERTs leave it alone. */
    reltuples: async (table: Table) =>
      Number(
        (
          await db.query<{ n: number }>("SELECT reltuples::float8 AS n FROM pg_class WHERE oid = $1::regclass", [
            `"${schema}".${table}`,
          ])
        ).rows[0]?.n,
      ),
    analyzeCount: async (table: Table) =>
      Number(
        (
          await db.query<{ n: number }>(
            "SELECT analyze_count::float8 AS n FROM pg_stat_user_tables WHERE schemaname = $1 AND relname = $2",
            [schema, table],
          )
        ).rows[0]?.n,
      ),
  };
}

describe("planner statistics without autovacuum (PGlite)", () => {
  it("declares PGlite without autovacuum and a PostgreSQL server with it", () => {
    const pool: PgPoolLike = {
      query: async () => ({ rows: [], rowCount: 0 }),
      connect: async () => Promise.reject(new Error("unused")),
    };
    const pglite: PgliteLike = {
      query: async () => ({ rows: [] }),
      transaction: async () => Promise.reject(new Error("unused")),
    };
    expect(createPgliteDriver(pglite).autovacuum).toBe(false);
    expect(createPgDriver(pool).autovacuum).toBe(true);
  });

  it("analyzes the resource and membership tables in migrate(), including rows loaded before it", async () => {
    const { driver, schema, reltuples } = await migrated();
    // A fresh table is at -1 until analyzed; migrate() brought both to their real (empty) count.
    expect(await reltuples("resources")).toBe(0);
    expect(await reltuples("members")).toBe(0);
    // Rows that were there before a restart (a PGlite directory) are counted by the next migrate().
    await driver.query(
      `INSERT INTO "${schema}".resources (tenant, type, id, attributes, created, last_modified, version)
       SELECT 't', 'User', 'u' || i, '{}'::jsonb, 'c', 'c', 1 FROM generate_series(1, 250) AS i`,
    );
    expect(await reltuples("resources")).toBe(0);
    await migrate(driver, { schema });
    expect(await reltuples("resources")).toBe(250);
  });

  it("analyzes once the store has committed more than 1,000 resource and membership rows, and not before", async () => {
    const { driver, schema, reltuples, analyzeCount } = await migrated();
    const store = createPostgresStore({ driver, schema });
    const before = { resources: await analyzeCount("resources"), members: await analyzeCount("members") };

    await createUsers(store, "a", 600);
    await store.transaction("t", async (tx) => {
      await tx.createResource(group("g"));
      await tx.addMembers(
        "g",
        Array.from({ length: 399 }, (_, i): Member => ({ value: `a-${i}`, type: "User" })),
        at,
      );
    });
    await settle(store);
    // 600 + 1 + 399 = 1,000 rows: not more than the threshold yet.
    expect(await analyzeCount("resources")).toBe(before.resources);
    expect(await analyzeCount("members")).toBe(before.members);
    expect(await reltuples("resources")).toBe(0);

    await store.transaction("t", (tx) => tx.removeMembers("g", ["a-0"], at));
    await settle(store);
    expect(await analyzeCount("resources")).toBe(before.resources + 1);
    expect(await analyzeCount("members")).toBe(before.members + 1);
    expect(await reltuples("resources")).toBe(601);
    expect(await reltuples("members")).toBe(398);
  });

  it("waits for a tenth of the rows once the tables are larger than 10,000 rows", async () => {
    const { driver, schema, reltuples } = await migrated();
    const store = createPostgresStore({ driver, schema });
    await store.transaction("t", async (tx) => {
      await tx.createResource(group("big"));
      await tx.addMembers(
        "big",
        Array.from({ length: 14_999 }, (_, i): Member => ({ value: `m-${i}`, type: "User" })),
        at,
      );
    });
    await settle(store);
    expect(await reltuples("members")).toBe(14_999); // analyzed at 1 + 14,999 = 15,000 rows

    // The next ANALYZE needs more than 1,500 rows written, not 1,000.
    await createUsers(store, "b", 1400);
    await settle(store);
    expect(await reltuples("resources")).toBe(1);
    await createUsers(store, "c", 101);
    await settle(store);
    expect(await reltuples("resources")).toBe(1502);
  });

  it("does not count reads or units of work that rolled back", async () => {
    const { driver: inner, schema } = await migrated();
    const analyzes: string[] = [];
    const store = createPostgresStore({
      schema,
      driver: intercepted(inner, (text) => (isAnalyze(text) ? (analyzes.push(text), undefined) : undefined)),
    });
    await expect(
      store.transaction("t", async (tx) => {
        for (let i = 0; i < 1001; i++) await tx.createResource(user(`r-${i}`));
        throw new Error("abandoned");
      }),
    ).rejects.toThrow("abandoned");
    for (let i = 0; i < 3; i++)
      await store.transaction("t", (tx) => tx.queryResources("User", { startIndex: 1, count: 10 }), { readOnly: true });
    await settle(store);
    expect(analyzes).toEqual([]);
    await createUsers(store, "d", 1001);
    await settle(store);
    expect(analyzes).toEqual([`ANALYZE "${schema}".resources, "${schema}".members`]);
  });

  it("never fails a write when ANALYZE fails, and tries again after the next threshold", async () => {
    const { driver: inner, schema } = await migrated();
    let attempts = 0;
    const driver = intercepted(inner, (text) =>
      isAnalyze(text) ? (attempts++, Promise.reject(new Error("ANALYZE failed"))) : undefined,
    );
    const store = createPostgresStore({ driver, schema });

    await expect(createUsers(store, "e", 1001)).resolves.toBeUndefined();
    await settle(store); // also: the rejection is handled, or vitest would report it
    expect(attempts).toBe(1);
    // The store still works, and a failure is not retried at once: the next try needs 1,000 more rows.
    expect(await store.transaction("t", (tx) => tx.queryResources("User", { startIndex: 1, count: 0 }))).toMatchObject({
      total: 1001,
    });
    await createUsers(store, "f", 10);
    await settle(store);
    expect(attempts).toBe(1);
    await createUsers(store, "g", 1000);
    await settle(store);
    expect(attempts).toBe(2);
  });

  it("returns from the write without waiting for ANALYZE, and runs at most one at a time", async () => {
    const { driver: inner, schema } = await migrated();
    let started = 0;
    let release = () => {};
    const held = new Promise<SqlResult>((resolve) => (release = () => resolve(empty)));
    const store = createPostgresStore({
      schema,
      driver: intercepted(inner, (text) => (isAnalyze(text) ? (started++, held) : undefined)),
    });

    await createUsers(store, "h", 1001);
    // Let the deferred ANALYZE start; it stays held, yet the writes below complete.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(started).toBe(1);
    await createUsers(store, "i", 1001);
    await createUsers(store, "j", 1001);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(started).toBe(1);

    let closed = false;
    const closing = settle(store).then(() => (closed = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(closed).toBe(false); // close() waits for the ANALYZE in flight
    release();
    await closing;
    expect(closed).toBe(true);
    // The 2,002 rows written while it ran count towards the next one.
    await createUsers(store, "k", 1);
    await settle(store);
    expect(started).toBe(2);
  });

  it("leaves statistics to the server when the driver declares autovacuum", async () => {
    const { driver: inner, schema } = await migrated();
    const analyzes: string[] = [];
    const driver: SqlDriver = {
      ...intercepted(inner, (text) => (isAnalyze(text) ? (analyzes.push(text), undefined) : undefined)),
      autovacuum: true,
    };
    await migrate(driver, { schema });
    const store = createPostgresStore({ driver, schema });
    await createUsers(store, "l", 2500);
    await settle(store);
    expect(analyzes).toEqual([]);
  });
});
