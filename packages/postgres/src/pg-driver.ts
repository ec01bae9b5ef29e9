/**
 * A {@link SqlDriver} over a node-postgres `Pool`. Typed structurally, so this package needs `pg`
 * only where the host already uses it, and any pool with the same shape (e.g. a wrapped one) fits.
 *
 * BEGIN is sent with a unit's first statement, not before it: on a pool created with
 * `pipeline: true` the two share one round trip.
 */
import { createHash } from "node:crypto";
import type { SqlDriver, SqlExecutor, SqlParam, SqlResult } from "./driver.js";

/** A statement as node-postgres takes it; with a `name`, the server keeps it parsed per connection. */
export interface PgQueryConfig {
  readonly text: string;
  readonly values: unknown[];
  readonly name?: string;
}

/** The part of a node-postgres client the driver uses. */
export interface PgClientLike {
  /** Called with a plain text for BEGIN, COMMIT and ROLLBACK, with a {@link PgQueryConfig} for every statement. */
  query(
    query: string | PgQueryConfig,
    values?: unknown[],
  ): Promise<{ rows: Record<string, unknown>[]; rowCount: number | null }>;
  /** True on a client that pipelines (node-postgres `pipeline: true`): queries queued together share round trips. */
  readonly pipeline?: boolean | undefined;
}

/** A client checked out of the pool, as the driver uses it. */
export interface PgPoolClientLike extends PgClientLike {
  release(err?: Error | boolean): void;
  /**
   * node-postgres clients emit `error` when their connection drops between two queries (the server
   * restarted, or ended the session); unheard, it ends the process.
   */
  on?(event: "error", listener: (error: Error) => void): unknown;
  removeListener?(event: "error", listener: (error: Error) => void): unknown;
}

/** The part of a node-postgres `Pool` the driver uses. */
export interface PgPoolLike extends PgClientLike {
  connect(): Promise<PgPoolClientLike>;
  end?(): Promise<void>;
  /** node-postgres pools emit `error` for an idle client whose connection dropped; unheard, it ends the process. */
  on?(event: "error", listener: (error: Error) => void): unknown;
  /** node-postgres pools emit `connect` with each new client, before anyone has checked it out. */
  on?(event: "connect", listener: (client: PgPoolClientLike) => void): unknown;
  listenerCount?(event: "error"): number;
}

/**
 * Statement names by text. The store's statements are few and sent over and over; named, each is
 * parsed and planned once per connection instead of once per request (about a fifth of the server's CPU
 * for a POST). A name is a digest of the text, so two stores sharing a pool never give one name to
 * two texts. Texts past the cap (filters of ever new shapes) go unnamed, so neither this map nor
 * each connection's set of prepared statements grows without bound.
 */
const names = new Map<string, string>();
const MAX_NAMED = 1000;

function nameOf(text: string): string | undefined {
  let name = names.get(text);
  if (name === undefined && names.size < MAX_NAMED) {
    name = `scimkit_${createHash("sha1").update(text).digest("hex").slice(0, 20)}`;
    names.set(text, name);
  }
  return name;
}

type Run = (client: PgClientLike, text: string, params?: readonly SqlParam[]) => Promise<SqlResult>;

const runner =
  (prepare: boolean): Run =>
  async (client, text, params = []) => {
    const name = prepare ? nameOf(text) : undefined;
    const res = await client.query(
      name === undefined ? { text, values: [...params] } : { name, text, values: [...params] },
    );
    return { rows: res.rows, rowCount: res.rowCount ?? 0 };
  };

export interface PgDriverOptions {
  /**
   * End the pool when the store is closed. Leave false when the host shares the pool with other code.
   * @default false
   */
  readonly endPoolOnClose?: boolean | undefined;
  /**
   * Send the store's statements as named prepared statements, parsed and planned once per
   * connection. Turn off behind a pooler in transaction mode that does not keep them (PgBouncer
   * before 1.21).
   * @default true
   */
  readonly preparedStatements?: boolean | undefined;
}

/**
 * Runs `work` between `begin` and COMMIT on one pooled client. `begin` is sent with the first
 * statement (together with it on a pipelining client); a unit that sends nothing sends neither.
 */
async function inTransaction<T>(
  pool: PgPoolLike,
  run: Run,
  begin: string,
  work: (sql: SqlExecutor) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  // The pool listens for errors of idle clients only. One checked out here whose connection drops
  // while the unit of work is between statements emits `error` with nobody listening, which would
  // end the process: heard here instead, the next statement fails (503) and the client is discarded.
  let dropped: Error | undefined;
  const onError = (error: Error) => {
    dropped = error;
  };
  client.on?.("error", onError);
  let begun: Promise<unknown> | undefined;
  const sql: SqlExecutor = {
    async query(text, params) {
      if (begun === undefined) {
        begun = client.query(begin);
        if (client.pipeline === true) {
          // Both are on the wire before either answer; if BEGIN failed, the statement's own error
          // (or BEGIN's) is what the unit of work sees.
          const [, result] = await Promise.all([begun, run(client, text, params)]);
          return result;
        }
      }
      await begun;
      return run(client, text, params);
    },
  };
  let broken: Error | undefined;
  try {
    const result = await work(sql);
    if (begun !== undefined) await client.query("COMMIT");
    return result;
  } catch (error) {
    if (begun !== undefined) {
      try {
        await begun.catch(() => undefined);
        await client.query("ROLLBACK");
      } catch (rollbackError) {
        // A connection that cannot roll back is not returned to the pool for reuse.
        broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      }
    }
    throw error;
  } finally {
    client.removeListener?.("error", onError);
    client.release(broken ?? dropped ?? false);
  }
}

/**
 * Wraps a node-postgres pool.
 *
 * @example
 * ```ts
 * import pg from "pg";
 * import { createPgDriver, createPostgresStore, migrate } from "@scimkit/postgres";
 * // pipeline: true lets BEGIN travel with each write's first statement (one round trip fewer).
 * const driver = createPgDriver(new pg.Pool({ connectionString: process.env.DATABASE_URL, pipeline: true }));
 * await migrate(driver);
 * const store = createPostgresStore({ driver });
 * ```
 */
export function createPgDriver(pool: PgPoolLike, options: PgDriverOptions = {}): SqlDriver {
  // A dropped idle connection must not end the process: the pool replaces it, and the next
  // request that cannot reach the database is answered 503. A host listening already keeps its own.
  if (pool.on && (pool.listenerCount?.("error") ?? 0) === 0) pool.on("error", () => undefined);
  // Between the pool handing a new client out and the unit of work listening on it, the client has
  // no `error` listener; node-postgres reads a socket's messages in one go, so a session ended right
  // after it connected is reported in that gap and would end the process. Every client keeps a
  // listener that does nothing: the pool's own (idle) and the unit of work's (checked out) act.
  pool.on?.("connect", (client) => void client.on?.("error", () => undefined));
  const run = runner(options.preparedStatements ?? true);
  return {
    name: "pg",
    autovacuum: true,
    query: (text, params) => run(pool, text, params),
    // A read-only transaction sees one snapshot, so all its statements agree.
    transaction: (work, opts) =>
      inTransaction(pool, run, opts?.readOnly ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" : "BEGIN", work),
    async close() {
      if (options.endPoolOnClose) await pool.end?.();
    },
  };
}
