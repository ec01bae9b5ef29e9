/**
 * The one seam between the store and a PostgreSQL client: run a parameterised statement, and run
 * several on one connection as a transaction. node-postgres and PGlite each fit it in a few lines,
 * so the store's SQL is written once and runs on both.
 */

/** A value bound to a `$n` placeholder. Arrays bind as PostgreSQL arrays; objects should be JSON text. */
export type SqlParam = string | number | boolean | null | readonly (string | null)[];

/** One result row, keyed by column name. */
export type SqlRow = Record<string, unknown>;

export interface SqlResult {
  readonly rows: readonly SqlRow[];
  /** Rows inserted, updated or deleted (0 for a SELECT on drivers that do not report it). */
  readonly rowCount: number;
}

/** Runs one statement (on its own, outside any transaction, when it is the driver's own `query`). The text never contains a value: every value travels as a parameter. */
export interface SqlExecutor {
  query(text: string, params?: readonly SqlParam[]): Promise<SqlResult>;
}

/** What the store needs from a database client. */
export interface SqlDriver extends SqlExecutor {
  /** A short name for logs, e.g. `pg` or `pglite`. */
  readonly name: string;
  /**
   * Whether the database refreshes planner statistics itself (autovacuum). `false` (PGlite) makes
   * the store run `ANALYZE` after `migrate()` and after enough writes; a driver that wraps
   * another should copy the field. Missing means yes.
   */
  readonly autovacuum?: boolean | undefined;
  /**
   * Runs `work` on one connection between `BEGIN` and `COMMIT`; rolls back and rethrows when it throws.
   * Statements outside `work` never interleave with it on that connection.
   */
  transaction<T>(
    work: (sql: SqlExecutor) => Promise<T>,
    options?: { readonly readOnly?: boolean | undefined },
  ): Promise<T>;
  /** Releases the underlying client, when the driver owns it. */
  close?(): Promise<void>;
}
