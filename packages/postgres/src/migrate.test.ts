import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { freshSchema, PG_URL } from "../test/databases.js";
import { migrate, migrations, createPgDriver, createPgliteDriver, createPostgresStore } from "./index.js";

const tablesIn = async (db: PGlite, schema: string) =>
  (
    await db.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name",
      [schema],
    )
  ).rows.map((r) => r.table_name);

describe("migrate", () => {
  it("creates the schema and its tables once, then finds nothing to do", async () => {
    const db = new PGlite();
    const driver = createPgliteDriver(db);
    const latest = Math.max(...migrations.map((m) => m.version));
    expect(await migrate(driver)).toEqual({ applied: migrations.map((m) => m.version), version: latest });
    expect(await tablesIn(db, "scimkit")).toEqual([
      "logs",
      "members",
      "records",
      "resource_counts",
      "resource_emails",
      "resources",
      "schema_migrations",
    ]);
    expect(await migrate(driver)).toEqual({ applied: [], version: latest });
    await db.close();
  });

  it("keeps stores in two schemas of one database apart", async () => {
    const db = new PGlite();
    const driver = createPgliteDriver(db);
    await migrate(driver, { schema: "tenant_a" });
    await migrate(driver, { schema: "tenant_b" });
    const a = createPostgresStore({ driver, schema: "tenant_a" });
    const b = createPostgresStore({ driver, schema: "tenant_b" });
    const user = {
      id: "u",
      resourceType: "User",
      attributes: { userName: "x" },
      internal: {},
      uniqueKey: "x",
      created: "c",
      lastModified: "c",
      version: 1,
    };
    await a.transaction("t", (tx) => tx.createResource(user));
    expect(await b.transaction("t", (tx) => tx.getResource("User", "u"))).toBeNull();
    expect(await a.transaction("t", (tx) => tx.getResource("User", "u"))).not.toBeNull();
    await db.close();
  });

  it("refuses a schema name that is not a plain identifier, before touching the database", async () => {
    const statements: string[] = [];
    const driver = createPgliteDriver({
      query: async (text: string) => (statements.push(text), { rows: [] }),
      transaction: async (work) => work({ query: async (text: string) => (statements.push(text), { rows: [] }) }),
    });
    for (const schema of ['a"b', "1abc", "x; DROP TABLE y", "", "a".repeat(64), "tenant-a"]) {
      await expect(migrate(driver, { schema })).rejects.toThrow(/invalid PostgreSQL schema name/);
      expect(() => createPostgresStore({ driver, schema })).toThrow(/invalid PostgreSQL schema name/);
    }
    expect(statements).toEqual([]);
  });

  it.runIf(PG_URL)(
    "lets several instances migrate one schema at once: one applies, the others wait and find it done",
    async () => {
      const schema = freshSchema("migrate");
      const pools = Array.from({ length: 4 }, () => new pg.Pool({ connectionString: PG_URL, max: 1 }));
      try {
        const results = await Promise.all(pools.map((pool) => migrate(createPgDriver(pool), { schema })));
        expect(results.filter((r) => r.applied.length > 0)).toHaveLength(1);
        expect(results.every((r) => r.version === Math.max(...migrations.map((m) => m.version)))).toBe(true);
      } finally {
        await pools[0]?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await Promise.all(pools.map((p) => p.end()));
      }
    },
  );
});
