/**
 * A {@link SqlDriver} over PGlite, PostgreSQL compiled to WebAssembly: the same SQL as a server,
 * in-process, in memory or in a directory. PGlite has one connection and queues statements behind
 * an open transaction, so units of work run one at a time.
 */
import type { SqlDriver, SqlParam, SqlResult } from "./driver.js";

interface PgliteResults {
  rows: unknown[];
  affectedRows?: number;
}

/** The part of a PGlite instance the driver uses. */
export interface PgliteLike {
  query(text: string, params?: unknown[]): Promise<PgliteResults>;
  transaction<T>(
    work: (tx: { query(text: string, params?: unknown[]): Promise<PgliteResults> }) => Promise<T>,
  ): Promise<T>;
  close?(): Promise<void>;
}

const shape = (res: PgliteResults): SqlResult => ({
  rows: res.rows as Record<string, unknown>[],
  rowCount: res.affectedRows ?? 0,
});

export interface PgliteDriverOptions {
  /**
   * Close the PGlite instance when the store is closed.
   * @default false
   */
  readonly closeOnClose?: boolean | undefined;
}

/**
 * Wraps a PGlite instance.
 *
 * @example
 * ```ts
 * import { PGlite } from "@electric-sql/pglite";
 * import { createPgliteDriver, createPostgresStore, migrate } from "@scimkit/postgres";
 * const driver = createPgliteDriver(new PGlite("./data/scim"));
 * await migrate(driver);
 * const store = createPostgresStore({ driver });
 * ```
 */
export function createPgliteDriver(db: PgliteLike, options: PgliteDriverOptions = {}): SqlDriver {
  const bind = (params: readonly SqlParam[] | undefined) => (params ? [...params] : []);
  return {
    name: "pglite",
    // PGlite starts no background workers, so autovacuum never runs (whatever `SHOW autovacuum` says).
    autovacuum: false,
    query: async (text, params) => shape(await db.query(text, bind(params))),
    transaction(work, opts) {
      return db.transaction(async (tx) => {
        // PGlite opens the transaction itself; READ ONLY must be the transaction's first statement.
        if (opts?.readOnly) await tx.query("SET TRANSACTION READ ONLY");
        return work({ query: async (text, params) => shape(await tx.query(text, bind(params))) });
      });
    },
    async close() {
      if (options.closeOnClose) await db.close?.();
    },
  };
}
