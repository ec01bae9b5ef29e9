/**
 * `createPostgresStore`: the store contract over PostgreSQL. One unit of work is one SQL transaction on
 * one connection; filters, sorting, paging and totals run in SQL; membership changes are set
 * operations on their own table. The same statements run on a PostgreSQL server (via `pg`) and on
 * PGlite.
 */
import type { ScimStore } from "@scimkit/core";
import type { Filter, StoreTransaction } from "@scimkit/core/store";
import { defineStore } from "@scimkit/core/store";
import type { SqlDriver, SqlExecutor } from "./driver.js";
import { DEFAULT_SCHEMA, LOCK_CLASS, lockKey, tablesIn, type Tables } from "./identifiers.js";
import { postgresFeed, readLogAllFrom } from "./feed.js";
import { canCompile } from "./query/filter-sql.js";
import { queryResources } from "./query/query.js";
import * as logs from "./sql/logs.js";
import * as members from "./sql/members.js";
import * as records from "./sql/records.js";
import * as resources from "./sql/resources.js";
import { statistics } from "./statistics.js";

export interface PostgresStoreOptions {
  /** How the store reaches the database: {@link createPgDriver} or {@link createPgliteDriver}. */
  readonly driver: SqlDriver;
  /**
   * The PostgreSQL schema holding scimkit's tables. Run {@link migrate} with the same name first.
   * @default "scimkit"
   */
  readonly schema?: string | undefined;
}

/**
 * Every write unit of work of a tenant takes that tenant's advisory lock as its first statement and
 * holds it to commit, so a tenant's writes run one after another while other tenants' run in
 * parallel. That one rule is what makes the engine's read-then-write steps safe under READ
 * COMMITTED across app instances: `If-Match` and version checks, role recomputation from
 * memberships, the last-admin guard. It also orders the tenant's log appends by `seq` at commit
 * (a safe cursor), and since no write takes a row lock before it, writes of one tenant cannot
 * deadlock. Tenant ids that hash alike only share a lock, which costs parallelism, never safety.
 */
async function lockTenant(sql: SqlExecutor, t: Tables, tenantId: string): Promise<void> {
  await sql.query("SELECT pg_advisory_xact_lock($1::int, $2::int)", [LOCK_CLASS, lockKey(`tenant:${t.schema}:${tenantId}`)]);
}

/** `wrote` hears the resource and membership rows each write reports changing (for statistics.ts). */
function makeTransaction(sql: SqlExecutor, t: Tables, tenantId: string, wrote: (rows: number) => void): StoreTransaction {
  const s: resources.Scope = { sql, t, tenant: tenantId };
  const counted = async <T>(write: Promise<T>, rows: (result: T) => number): Promise<T> => {
    const result = await write;
    wrote(rows(result));
    return result;
  };
  return {
    tenantId,
    async getResource(type, id, projection) {
      const r = await resources.getResource(s, type, id, projection);
      if (!r || !projection?.members) return r;
      return { ...r, members: (await resources.membersOf(s, [r.id])).get(r.id) ?? [] };
    },
    createResource: (r) => counted(resources.createResource(s, r), () => 1),
    replaceResource: (r, guard) => counted(resources.replaceResource(s, r, guard), () => 1),
    deleteResource: (type, id, guard) => counted(resources.deleteResource(s, type, id, guard), (gone) => (gone ? 1 : 0)),
    queryResources: (type, query) => queryResources(s, type, query),
    addMembers: (groupId, list, write) => counted(members.addMembers(s, groupId, list, write), (added) => added.length),
    removeMembers: (groupId, ids, write) => counted(members.removeMembers(s, groupId, ids, write), (removed) => removed.length),
    replaceMembers: (groupId, list, write) => counted(members.replaceMembers(s, groupId, list, write), (c) => c.added.length + c.removed.length),
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
    },
    async transaction(tenantId, work, { readOnly }) {
      let written = 0;
      const result = await driver.transaction(
        async (sql) => {
          if (!readOnly) await lockTenant(sql, t, tenantId);
          return work(makeTransaction(sql, t, tenantId, (rows) => void (written += rows)));
        },
        { readOnly },
      );
      // Only committed writes count; a unit that threw rolled back and never gets here.
      stats.committed(written);
      return result;
    },
    findRecordByKey: (kind, key) => records.findRecordByKey(driver, t, kind, key),
    // The event feed (feed.ts): the events log across tenants, and consumer groups' leases.
    readLogAll: readLogAllFrom(driver, t),
    feed: postgresFeed(driver, t),
    async close() {
      await stats.settled();
      await driver.close?.();
    },
  });
}
