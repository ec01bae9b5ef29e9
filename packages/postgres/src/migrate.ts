/**
 * Applies the package's migrations. Safe to call at every start-up and from several instances at
 * once: the whole run holds a transaction-scoped advisory lock, so a second caller waits, then finds
 * everything applied and does nothing.
 */
import type { SqlDriver } from "./driver.js";
import { DEFAULT_SCHEMA, LOCK_CLASS, lockKey, tablesIn } from "./identifiers.js";
import { migrations } from "./migrations.js";
import { analyze, lacksAutovacuum } from "./statistics.js";

export interface MigrateOptions {
  /**
   * The PostgreSQL schema holding scimkit's tables; created when missing.
   * @default "scimkit"
   */
  readonly schema?: string | undefined;
}

export interface MigrateResult {
  /** Versions applied by this call, in order; empty when the schema was already current. */
  readonly applied: readonly number[];
  /** The schema's version after the call. */
  readonly version: number;
}

/**
 * Brings the schema up to date.
 *
 * @example
 * ```ts
 * await migrate(createPgDriver(pool), { schema: "scim" });
 * ```
 */
export async function migrate(driver: SqlDriver, options: MigrateOptions = {}): Promise<MigrateResult> {
  const schema = options.schema ?? DEFAULT_SCHEMA;
  const t = tablesIn(schema);
  const result = await driver.transaction(async (sql) => {
    await sql.query("SELECT pg_advisory_xact_lock($1::int, $2::int)", [LOCK_CLASS, lockKey(`migrate:${schema}`)]);
    await sql.query(`CREATE SCHEMA IF NOT EXISTS ${t.schema}`);
    await sql.query(
      `CREATE TABLE IF NOT EXISTS ${t.migrations} (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const done = new Set(
      (await sql.query(`SELECT version FROM ${t.migrations}`)).rows.map((r) => Number(r["version"])),
    );
    const applied: number[] = [];
    for (const m of migrations) {
      if (done.has(m.version)) continue;
      for (const statement of m.statements(t)) await sql.query(statement);
      await m.backfill?.(sql, t);
      await sql.query(`INSERT INTO ${t.migrations} (version, name) VALUES ($1, $2)`, [m.version, m.name]);
      applied.push(m.version);
    }
    return { applied, version: Math.max(0, ...done, ...applied) };
  });
  // Without autovacuum, tables loaded before this start (a PGlite directory) would be planned
  // without statistics until the store's first ANALYZE; on new tables this costs next to nothing.
  if (lacksAutovacuum(driver)) await analyze(driver, t);
  return result;
}
