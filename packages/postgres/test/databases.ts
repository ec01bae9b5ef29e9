/**
 * Databases for the tests: an in-memory PGlite always, and the PostgreSQL server named by
 * `SCIMKIT_TEST_PG_URL` when it is set, each test file in a schema of its own that is dropped after.
 */
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { migrate, createPgDriver, createPgliteDriver, type SqlDriver } from "../src/index.js";

export const PG_URL = process.env["SCIMKIT_TEST_PG_URL"];

export interface TestDatabase {
  readonly label: string;
  readonly driver: SqlDriver;
  readonly schema: string;
  /** Drops the schema (server) or closes the instance (PGlite). */
  dispose(): Promise<void>;
}

export const freshSchema = (label: string) =>
  `scimkit_test_${label}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;

export async function pgliteDatabase(schema = "scimkit"): Promise<TestDatabase> {
  const db = new PGlite();
  const driver = createPgliteDriver(db);
  await migrate(driver, { schema });
  return { label: "pglite", driver, schema, dispose: () => db.close() };
}

/**
 * A schema of its own in one PGlite instance shared by every caller of the returned function: for
 * files that want a fresh database per test without paying PGlite's start-up each time. `close`
 * ends the instance.
 */
export function pgliteSchemas(label: string): { open(): Promise<TestDatabase>; close(): Promise<void> } {
  let db: PGlite | undefined;
  return {
    async open() {
      db ??= new PGlite();
      const instance = db;
      const driver = createPgliteDriver(instance);
      const schema = freshSchema(label);
      await migrate(driver, { schema });
      return {
        label: "pglite",
        driver,
        schema,
        dispose: async () => void (await instance.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)),
      };
    },
    async close() {
      await db?.close();
      db = undefined;
    },
  };
}

export async function serverDatabase(label: string, url: string): Promise<TestDatabase> {
  const pool = new pg.Pool({ connectionString: url, max: 8 });
  const driver = createPgDriver(pool);
  const schema = freshSchema(label);
  await migrate(driver, { schema });
  return {
    label: "postgres",
    driver,
    schema,
    dispose: async () => {
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await pool.end();
    },
  };
}
