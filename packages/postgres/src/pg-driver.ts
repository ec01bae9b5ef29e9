/**
 * A {@link SqlDriver} over a node-postgres `Pool`. Typed structurally, so this package needs `pg`
 * only where the host already uses it, and any pool with the same shape (e.g. a wrapped one) fits.
 */
import type { SqlDriver, SqlExecutor, SqlParam, SqlResult } from "./driver.js";

/** The part of a node-postgres client the driver uses. */
export interface PgClientLike {
  query(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[]; rowCount: number | null }>;
}

/** The part of a node-postgres `Pool` the driver uses. */
export interface PgPoolLike extends PgClientLike {
  connect(): Promise<PgClientLike & { release(err?: Error | boolean): void }>;
  end?(): Promise<void>;
}

const run = async (client: PgClientLike, text: string, params: readonly SqlParam[] = []): Promise<SqlResult> => {
  const res = await client.query(text, [...params]);
  return { rows: res.rows, rowCount: res.rowCount ?? 0 };
};

export interface PgDriverOptions {
  /**
   * End the pool when the store is closed. Leave false when the host shares the pool with other code.
   * @default false
   */
  readonly endPoolOnClose?: boolean | undefined;
}

/**
 * Wraps a node-postgres pool.
 *
 * @example
 * ```ts
 * import pg from "pg";
 * import { createPgDriver, createPostgresStore, migrate } from "@scimkit/postgres";
 * const driver = createPgDriver(new pg.Pool({ connectionString: process.env.DATABASE_URL }));
 * await migrate(driver);
 * const store = createPostgresStore({ driver });
 * ```
 */
export function createPgDriver(pool: PgPoolLike, options: PgDriverOptions = {}): SqlDriver {
  return {
    name: "pg",
    autovacuum: true,
    query: (text, params) => run(pool, text, params),
    async transaction(work, opts) {
      const client = await pool.connect();
      const sql: SqlExecutor = { query: (text, params) => run(client, text, params) };
      let broken: Error | undefined;
      try {
        // A read sees one snapshot, so a page and its total always agree.
        await client.query(opts?.readOnly ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" : "BEGIN");
        const result = await work(sql);
        await client.query("COMMIT");
        return result;
      } catch (error) {
        try {
          await client.query("ROLLBACK");
        } catch (rollbackError) {
          // A connection that cannot roll back is not returned to the pool for reuse.
          broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
        }
        throw error;
      } finally {
        client.release(broken ?? false);
      }
    },
    async close() {
      if (options.endPoolOnClose) await pool.end?.();
    },
  };
}
