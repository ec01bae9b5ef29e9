/**
 * Planner statistics where nothing else keeps them. The planner chooses plans from what `ANALYZE`
 * gathered; a server's autovacuum refreshes it in the background, PGlite never does, so a
 * bulk-loaded table keeps "no statistics" and at ~10,000 rows gets plans several times slower
 * (docs/benchmarks.md). For a driver declaring `autovacuum: false` the store does what autovacuum
 * would for the two tables every request reads: `ANALYZE` after `migrate()`, and again once the
 * store has written about a tenth of their rows.
 *
 * The lookups IdPs make on every sync no longer need it: by id, userName, displayName, externalId,
 * name.familyName and membership they keep their index on tables never analyzed (migration 4,
 * plans.test.ts). It still serves every other query, whose plans the planner can only choose well
 * from statistics (a filter on an attribute without a column, a sort, email equality).
 */
import type { SqlDriver, SqlExecutor } from "./driver.js";
import type { Tables } from "./identifiers.js";

/** Autovacuum's default scale factor, with a floor so that small tables are not analyzed every few writes. */
const MIN_ROWS = 1000;
const SCALE = 0.1;

export const lacksAutovacuum = (driver: SqlDriver): boolean => driver.autovacuum === false;

/** Analyzes the resource and membership tables; resolves to their row count as ANALYZE estimated it. */
export async function analyze(sql: SqlExecutor, t: Tables): Promise<number> {
  await sql.query(`ANALYZE ${t.resources}, ${t.members}`);
  const res = await sql.query(
    "SELECT coalesce(sum(greatest(reltuples, 0)), 0)::float8 AS n FROM pg_class WHERE oid IN ($1::regclass, $2::regclass)",
    [t.resources, t.members],
  );
  return Number(res.rows[0]?.["n"] ?? 0);
}

export interface Statistics {
  /** Called after a unit of work committed, with the resource and membership rows it wrote. */
  committed(rows: number): void;
  /** Resolves once no `ANALYZE` is in flight, so the driver can be closed under none. */
  settled(): Promise<void>;
}

const none: Statistics = { committed: () => {}, settled: async () => {} };

export function statistics(driver: SqlDriver, t: Tables): Statistics {
  if (!lacksAutovacuum(driver)) return none;
  let written = 0;
  // Row count at this store's last ANALYZE. 0 until it runs one (the one after migrate() belongs to
  // another object), so the first comes after MIN_ROWS writes: at worst one early, sampled ANALYZE.
  let rows = 0;
  let inFlight: Promise<void> | undefined;
  return {
    committed(n) {
      written += n;
      if (inFlight !== undefined || written <= Math.max(MIN_ROWS, SCALE * rows)) return;
      written = 0; // writes committed while it runs count towards the next one
      // On a later macrotask, so that the request which crossed the line finishes first: PGlite has
      // one connection, and its remaining statements would otherwise queue behind the ANALYZE.
      inFlight = new Promise<void>((resolve) => setTimeout(resolve, 0))
        .then(() => analyze(driver, t))
        .then(
          (count) => void (rows = count),
          // Statistics only speed plans up: a failure keeps the previous ones, and the next attempt
          // comes after another threshold of writes. No request waits on this, so none sees it.
          () => undefined,
        )
        .finally(() => void (inFlight = undefined));
    },
    settled: () => inFlight ?? Promise.resolve(),
  };
}
