/**
 * The maintained totals (sql/counts.ts): an unfiltered list's total is read from counters the
 * triggers keep, so they must equal count(*) after any mix of writes, rolled-back ones included,
 * and after an upgrade from a schema that had no counters. On PGlite always, and on the server
 * when SCIMKIT_TEST_PG_URL is set, where units really run in parallel.
 */
import { PGlite } from "@electric-sql/pglite";
import { filterFromText, type ResourceWrite, type StoreTransaction } from "@scimkit/core/store";
import { describe, expect, it } from "vitest";
import { PG_URL, pgliteDatabase, serverDatabase, type TestDatabase } from "../test/databases.js";
import { tablesIn } from "./identifiers.js";
import { createPgliteDriver, createPostgresStore, migrate, migrations, type SqlDriver } from "./index.js";

const resource = (type: "User" | "Group", id: string, attributes: ResourceWrite["attributes"] = {}): ResourceWrite => ({
  id,
  resourceType: type,
  attributes: type === "User" ? { userName: id, ...attributes } : { displayName: id, ...attributes },
  internal: {},
  uniqueKey: type === "User" ? id : null,
  created: "2024-01-01T00:00:00.000Z",
  lastModified: "2024-01-01T00:00:00.000Z",
  version: 1,
});

class Rollback extends Error {}

/** count(*) and the maintained total, per tenant and type, for every pair that has either. */
async function bothTotals(driver: SqlDriver, schema: string) {
  const t = tablesIn(schema);
  const res = await driver.query(
    `SELECT tenant, type, sum(counted)::int AS counted, sum(kept)::int AS kept FROM (
       SELECT tenant, type, 1 AS counted, 0 AS kept FROM ${t.resources}
       UNION ALL SELECT tenant, type, 0, n FROM ${t.schema}.resource_counts
     ) x GROUP BY tenant, type ORDER BY tenant, type`,
  );
  return res.rows.map((r) => ({ key: `${r["tenant"]}/${r["type"]}`, counted: r["counted"], kept: r["kept"] }));
}

/** Runs `units` write units at once: creates and deletes in two tenants and two types, every third rolled back. */
async function churn(driver: SqlDriver, schema: string, units: number): Promise<void> {
  const store = createPostgresStore({ driver, schema });
  const tenants = ["t1", "t2"] as const;
  // Some resources to delete, committed first.
  await Promise.all(
    tenants.map((tenant) =>
      store.transaction(tenant, async (tx) => {
        for (let i = 0; i < units; i++) await tx.createResource(resource(i % 2 ? "Group" : "User", `old${i}`));
      }),
    ),
  );
  const unit = async (i: number) => {
    const tenant = tenants[i % 2] ?? "t1";
    const work = async (tx: StoreTransaction) => {
      await tx.createResource(resource(i % 3 ? "User" : "Group", `new${i}`));
      if (i % 4 === 0) await tx.createResource(resource("User", `extra${i}`));
      await tx.deleteResource(i % 2 ? "Group" : "User", `old${i}`);
      if (i % 3 === 0) throw new Rollback();
    };
    await store.transaction(tenant, work).catch((error: unknown) => {
      if (!(error instanceof Rollback)) throw error;
    });
  };
  await Promise.all(Array.from({ length: units }, (_, i) => unit(i)));
}

async function listTotal(driver: SqlDriver, schema: string, tenant: string, type: string, count: number) {
  const store = createPostgresStore({ driver, schema });
  return store.transaction(tenant, async (tx) => (await tx.queryResources(type, { startIndex: 1, count })).total, {
    readOnly: true,
  });
}

function totalsTests(open: () => Promise<TestDatabase>, units: number) {
  it("keeps the maintained totals equal to count(*) under concurrent creates and deletes, rolled-back ones included", async () => {
    const db = await open();
    try {
      await churn(db.driver, db.schema, units);
      const totals = await bothTotals(db.driver, db.schema);
      expect(totals.length).toBe(4);
      for (const row of totals) expect(row.kept, row.key).toBe(row.counted);
      // What a list answers, with a page that does not prove the total and with count=0.
      for (const row of totals) {
        const [tenant = "", type = ""] = row.key.split("/");
        expect(await listTotal(db.driver, db.schema, tenant, type, 1)).toBe(row.counted);
        expect(await listTotal(db.driver, db.schema, tenant, type, 0)).toBe(row.counted);
      }
      expect(await listTotal(db.driver, db.schema, "nobody", "User", 0)).toBe(0);
    } finally {
      await db.dispose();
    }
  }, 60_000);
}

describe("maintained totals on PGlite", () => {
  totalsTests(() => pgliteDatabase(), 40);

  it("counts rows however they are written, TRUNCATE included", async () => {
    const db = await pgliteDatabase();
    const t = tablesIn(db.schema);
    try {
      await db.driver.query(
        `INSERT INTO ${t.resources} (tenant, type, id, attributes, created, last_modified, version)
         SELECT 't', 'User', 'u' || g, '{}'::jsonb, 'c', 'c', 1 FROM generate_series(1, 500) g`,
      );
      await db.driver.query(`DELETE FROM ${t.resources} WHERE id LIKE 'u1%'`);
      expect(await bothTotals(db.driver, db.schema)).toEqual([{ key: "t/User", counted: 389, kept: 389 }]);
      await db.driver.query(`TRUNCATE ${t.resources}`);
      expect(await listTotal(db.driver, db.schema, "t", "User", 0)).toBe(0);
    } finally {
      await db.dispose();
    }
  });

  it("on upgrade, counts the rows already there and fills name.familyName's column, folded as the store folds", async () => {
    const pglite = new PGlite();
    const driver = createPgliteDriver(pglite);
    const t = tablesIn("scimkit");
    try {
      // The schema as version 3 left it, the way migrate() records it.
      await driver.query(`CREATE SCHEMA ${t.schema}`);
      await driver.query(
        `CREATE TABLE ${t.migrations} (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
      );
      for (const m of migrations.filter((m) => m.version <= 3)) {
        for (const statement of m.statements(t)) await driver.query(statement);
        await driver.query(`INSERT INTO ${t.migrations} (version, name) VALUES ($1, $2)`, [m.version, m.name]);
      }
      const insert = (tenant: string, type: string, id: string, attributes: object) =>
        driver.query(
          `INSERT INTO ${t.resources} (tenant, type, id, attributes, created, last_modified, version) VALUES ($1, $2, $3, $4::jsonb, 'c', 'c', 1)`,
          [tenant, type, id, JSON.stringify(attributes)],
        );
      await insert("a", "User", "u1", { userName: "u1", name: { familyName: "ÖSTERBERG" } });
      await insert("a", "User", "u2", { userName: "u2", name: { familyName: "İnce" } });
      await insert("a", "User", "u3", { userName: "u3", name: { familyName: 7 } });
      await insert("a", "User", "u4", { userName: "u4", name: [{ familyName: "Array" }] });
      await insert("a", "Group", "g1", { displayName: "g1" });
      await insert("b", "User", "u1", { userName: "u1" });

      expect((await migrate(driver)).applied).toEqual(migrations.filter((m) => m.version > 3).map((m) => m.version));
      expect(await bothTotals(driver, "scimkit")).toEqual([
        { key: "a/Group", counted: 1, kept: 1 },
        { key: "a/User", counted: 4, kept: 4 },
        { key: "b/User", counted: 1, kept: 1 },
      ]);
      const columns = await driver.query(
        `SELECT id, family_name_ci FROM ${t.resources} WHERE tenant = 'a' AND type = 'User' ORDER BY id`,
      );
      expect(columns.rows).toEqual([
        { id: "u1", family_name_ci: "österberg" },
        { id: "u2", family_name_ci: "İnce".toLowerCase() },
        { id: "u3", family_name_ci: null },
        { id: "u4", family_name_ci: null },
      ]);
      // And the filter that reads the column finds them.
      const store = createPostgresStore({ driver });
      const found = await store.transaction("a", (tx) =>
        tx.queryResources("User", {
          startIndex: 1,
          count: 10,
          filter: filterFromText('name.familyName eq "österBERG"', { resourceType: "User" }),
        }),
      );
      expect(found.resources.map((r) => r.id)).toEqual(["u1"]);
    } finally {
      await pglite.close();
    }
  });
});

describe.skipIf(!PG_URL)("maintained totals on the PostgreSQL server", () => {
  totalsTests(() => serverDatabase("totals", PG_URL ?? ""), 200);

  it("spreads one tenant's concurrent creates over several counter rows", async () => {
    const db = await serverDatabase("stripes", PG_URL ?? "");
    try {
      await churn(db.driver, db.schema, 64);
      const res = await db.driver.query(
        `SELECT count(DISTINCT stripe)::int AS stripes FROM ${tablesIn(db.schema).schema}.resource_counts WHERE tenant = 't1' AND type = 'User'`,
      );
      expect(res.rows[0]?.["stripes"]).toBeGreaterThan(1);
    } finally {
      await db.dispose();
    }
  }, 60_000);
});
