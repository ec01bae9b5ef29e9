/**
 * `createPostgresStore`: the store contract over PostgreSQL. Filters, sorting, paging and totals run
 * in SQL; membership changes are set operations on their own table. The same statements run on a
 * PostgreSQL server (via `pg`) and on PGlite.
 *
 * A write unit of work is one READ COMMITTED transaction on one connection that locks what it
 * touches (sql/unit.ts): writes to different resources of one tenant run in parallel. A unit that
 * meets a lock it may not wait for is rolled back and run again, once, in the tenant's exclusive
 * mode, so `work` may run more than once; only the run that commits counts.
 *
 * A read-only unit runs each statement on its own, with no BEGIN or COMMIT: one round trip per
 * statement, each reading one snapshot. Every read core makes on a request is one statement (a
 * resource with its groups or members; a page with its total), so each answer is consistent in
 * itself; a unit that reads several times (an admin view) may see writes that committed in
 * between, as it would under READ COMMITTED. The logs are read behind a barrier so that a cursor
 * never skips an entry (sql/logs.ts).
 */
import type { ScimStore } from "@scimkit/core";
import type { Filter, StoreTransaction } from "@scimkit/core/store";
import { defineStore, StoreUnavailableError } from "@scimkit/core/store";
import type { SqlDriver, SqlExecutor } from "./driver.js";
import { DEFAULT_SCHEMA, tablesIn, type Tables } from "./identifiers.js";
import { postgresFeed, readLogAllFrom } from "./feed.js";
import { canCompile } from "./query/filter-sql.js";
import { queryResources } from "./query/query.js";
import * as logs from "./sql/logs.js";
import * as members from "./sql/members.js";
import * as records from "./sql/records.js";
import { isConnectionFailure, isDeadlock } from "./sql/errors.js";
import * as resources from "./sql/resources.js";
import { guarded, LockContention, lockPolicyExclusively, Unit } from "./sql/unit.js";
import { statistics } from "./statistics.js";

export interface PostgresStoreOptions {
  /** How the store reaches the database: {@link createPgDriver} or {@link createPgliteDriver}. */
  readonly driver: SqlDriver;
  /**
   * The PostgreSQL schema holding scimkit's tables. Run {@link migrate} with the same name first.
   * @default "scimkit"
   */
  readonly schema?: string | undefined;
  /**
   * Hears of each write unit of work the store rolls back to run again (see {@link createPostgresStore}):
   * `"lock"` when it met a lock it could not have at once, `"deadlock"` when the server chose it to
   * break one. For metrics; a steady stream of either means many writes touch the same rows.
   */
  readonly onRetry?:
    | ((retry: { readonly tenantId: string; readonly attempt: number; readonly reason: "lock" | "deadlock" }) => void)
    | undefined;
}

/** Tries of a write unit: the first in normal mode, then in the tenant's exclusive mode (unit.ts). */
const MAX_TRIES = 3;

/** `wrote` hears the resource and membership rows each write reports changing (for statistics.ts). */
/** A lost or refused connection becomes the contract's StoreUnavailableError: core answers 503 with Retry-After. */
async function unavailableOnLostConnection<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (isConnectionFailure(error))
      throw new StoreUnavailableError("the PostgreSQL database is unreachable", { cause: error });
    throw error;
  }
}

/** The executors of units of work this package made: what `postgresExecutor` hands out. */
const units = new WeakSet<SqlExecutor>();

/**
 * The SQL executor of a PostgreSQL unit of work, for a host's in-transaction hook
 * (`onEventInTransaction`, `policy.inTransaction`): what it runs commits or rolls back with the
 * SCIM change. Throws when `tx` is not a unit of work of this store.
 *
 * @example
 * ```ts
 * createScimServer({
 *   store,
 *   onEventInTransaction: async (e, tx) => {
 *     if (e.type === "user.created") await postgresExecutor(tx).query("insert into app_users (id, email) values ($1, $2)", [e.user.id, e.user.email]);
 *   },
 * });
 * ```
 */
export function postgresExecutor(tx: StoreTransaction): SqlExecutor {
  const native = tx.native;
  if (typeof native !== "object" || native === null || !units.has(native as SqlExecutor)) {
    throw new TypeError("postgresExecutor: not a unit of work of a PostgreSQL store");
  }
  return native as SqlExecutor;
}

function makeTransaction(
  sql: SqlExecutor,
  t: Tables,
  tenantId: string,
  unit: Unit,
  wrote: (rows: number) => void,
): StoreTransaction {
  const s: resources.Scope = { sql: guarded(sql, unit), t, tenant: tenantId, unit };
  const counted = async <T>(write: Promise<T>, rows: (result: T) => number): Promise<T> => {
    const result = await write;
    wrote(rows(result));
    return result;
  };
  units.add(sql);
  return {
    tenantId,
    native: sql,
    getResource: (type, id, projection) => resources.getResource(s, type, id, projection),
    createResource: (r) => counted(resources.createResource(s, r), () => 1),
    replaceResource: (r, guard) => counted(resources.replaceResource(s, r, guard), () => 1),
    deleteResource: (type, id, guard) =>
      counted(resources.deleteResource(s, type, id, guard), (gone) => (gone ? 1 : 0)),
    queryResources: (type, query) => queryResources(s, type, query),
    addMembers: (groupId, list, write) => counted(members.addMembers(s, groupId, list, write), (added) => added.length),
    removeMembers: (groupId, ids, write) =>
      counted(members.removeMembers(s, groupId, ids, write), (removed) => removed.length),
    replaceMembers: (groupId, list, write) =>
      counted(members.replaceMembers(s, groupId, list, write), (c) => c.added.length + c.removed.length),
    hasMembers: (groupId, ids) => members.hasMembers(s, groupId, ids),
    groupsOf: (ids) => members.groupsOf(s, ids),
    existing: (type, ids) => resources.existing(s, type, ids),
    getRecord: (kind, id) => records.getRecord(s, kind, id),
    putRecord: (kind, record) => records.putRecord(s, kind, record),
    deleteRecord: (kind, id) => records.deleteRecord(s, kind, id),
    listRecords: (kind) => records.listRecords(s, kind),
    appendLog: (log, entry) => logs.appendLog(s, log, entry),
    appendLogs: (entries) => logs.appendLogs(s, entries),
    readLog: (log, query) => logs.readLog(s, log, query),
  };
}

/**
 * Creates a PostgreSQL store. The schema must exist: call {@link migrate} once at start-up.
 *
 * @example
 * ```ts
 * import { PGlite } from "@electric-sql/pglite";
 * import { createScimServer } from "@scimkit/core";
 * import { migrate, createPgliteDriver, createPostgresStore } from "@scimkit/postgres";
 *
 * const driver = createPgliteDriver(new PGlite("./data/scim"));
 * await migrate(driver);
 * const scim = createScimServer({ store: createPostgresStore({ driver }) });
 * ```
 */
export function createPostgresStore(options: PostgresStoreOptions): ScimStore {
  const { driver } = options;
  const t = tablesIn(options.schema ?? DEFAULT_SCHEMA);
  const stats = statistics(driver, t);
  // Every operation, derived ones included, is implemented here in SQL, and every filter the
  // compiler handles and every sort is declared, so defineStore derives nothing on this path.
  return defineStore({
    name: `postgres (${driver.name})`,
    capabilities: {
      supportsFilter: (filter: Filter) => canCompile(filter),
      // sort-sql.ts orders by any attribute, multi-valued, extension and members ones included.
      supportsSort: () => true,
      // ...and starts a page after a keyset position in any of those orders.
      supportsKeyset: true,
    },
    transaction: (tenantId, work, { readOnly }) =>
      unavailableOnLostConnection(async () => {
        // Each statement of a read on its own: no BEGIN, no COMMIT, one snapshot per statement.
        if (readOnly) return work(makeTransaction(driver, t, tenantId, new Unit(true, "normal"), () => undefined));
        for (let attempt = 1; ; attempt++) {
          const unit = new Unit(false, attempt === 1 ? "normal" : "exclusive");
          let written = 0;
          try {
            const result = await driver.transaction(async (sql) => {
              if (unit.mode === "exclusive") await lockPolicyExclusively(sql, t, tenantId);
              const out = await work(makeTransaction(sql, t, tenantId, unit, (rows) => void (written += rows)));
              // A unit that met a lock it could not wait for never commits, even if the work went on.
              if (unit.contended) throw new LockContention();
              return out;
            });
            // Only committed writes count; a unit that threw rolled back and never gets here.
            stats.committed(written);
            return result;
          } catch (error) {
            // Rolled back; run again, waiting for every lock this time, when a lock was the reason.
            const reason = unit.contended ? unit.reason : isDeadlock(error) ? "deadlock" : null;
            if (attempt < MAX_TRIES && reason !== null) {
              options.onRetry?.({ tenantId, attempt, reason });
              continue;
            }
            throw error;
          }
        }
      }),
    findRecordByKey: (kind, key) => unavailableOnLostConnection(() => records.findRecordByKey(driver, t, kind, key)),
    // The event feed (feed.ts): the events log across tenants, and consumer groups' leases.
    readLogAll: readLogAllFrom(driver, t),
    feed: postgresFeed(driver, t),
    async close() {
      await stats.settled();
      await driver.close?.();
    },
  });
}
