/**
 * The event feed on PostgreSQL: the events log read across tenants, and consumer groups' cursors
 * and leases kept natively, so workers in several processes share one database safely.
 *
 * A group's state for a tenant is the record (`feed.<group>`, tenant, `cursor`), the same shape
 * core's derived feed writes: `{ cursor, tries, error, retryAt, owner, until }`, times in epoch
 * milliseconds of the database's clock (so workers on hosts whose clocks differ agree on leases).
 * A claim is one statement: an upsert whose `ON CONFLICT … DO UPDATE … WHERE` takes the lease only
 * when it is free, ran out or is the claimer's own. PostgreSQL locks the row for the upsert and
 * re-checks the condition on the newest version when it had to wait, so two claimers never both
 * win. An acknowledgement is an update conditioned on the owner. No statement here takes a lock
 * beyond its own row, nor runs inside a store unit of work.
 *
 * Which tenants have events is found by a skip scan of the logs index (one probe per tenant), not
 * by reading the log: the cost follows the number of tenants, not of events.
 */
import type {
  FeedStore,
  FeedTenantLag,
  GlobalLogQuery,
  LogName,
  ParkedEvent,
  TenantLogEntry,
} from "@scimkit/core/store";
import type { SqlDriver, SqlRow } from "./driver.js";
import type { Tables } from "./identifiers.js";
import { json, num, str, strOrNull, toLogEntry } from "./sql/rows.js";

/** The database clock, in epoch milliseconds. */
const NOW = "(extract(epoch FROM clock_timestamp()) * 1000)::bigint";
const CURSOR = "'cursor'";

/** Every tenant with a log entry: a recursive skip scan over the leading column of the logs index. */
const tenantsCte = (t: Tables) => `tenants(tenant) AS (
    SELECT min(tenant) FROM ${t.logs}
    UNION ALL
    SELECT (SELECT min(l.tenant) FROM ${t.logs} l WHERE l.tenant > tenants.tenant) FROM tenants WHERE tenants.tenant IS NOT NULL
  )`;

const cursorOf = (alias: string) => `COALESCE((${alias}.data->>'cursor')::bigint, 0)`;

function parked(row: SqlRow): ParkedEvent | null {
  const d = json(row["data"]);
  const { eventId, seq, type, tries, error, parkedAt } = d;
  if (
    typeof eventId !== "string" ||
    typeof seq !== "number" ||
    typeof type !== "string" ||
    typeof error !== "string" ||
    typeof parkedAt !== "string"
  )
    return null;
  return { eventId, seq, type, tries: typeof tries === "number" ? tries : 0, error, parkedAt };
}

export interface PostgresFeedOptions {
  /**
   * How old (by the database clock, from the `at` of the entry after it) a gap in `seq` must be
   * before a read across tenants goes past it while other sessions are appending. See {@link readLogAllFrom}.
   * @default 10000
   */
  readonly settleMs?: number | undefined;
}

/** The feed's cursors and leases over `t`'s records and logs. */
export function postgresFeed(driver: SqlDriver, t: Tables): FeedStore {
  const kind = (group: string) => `feed.${group}`;
  const feed: FeedStore = {
    async pending(group, limit) {
      const res = await driver.query(
        `WITH RECURSIVE ${tenantsCte(t)}
         SELECT tn.tenant FROM tenants tn
         LEFT JOIN ${t.records} r ON r.kind = $1::text AND r.tenant = tn.tenant AND r.id = ${CURSOR}
         WHERE tn.tenant IS NOT NULL
           AND EXISTS (SELECT 1 FROM ${t.logs} l WHERE l.tenant = tn.tenant AND l.log = 'events' AND l.seq > ${cursorOf("r")})
           AND (r.data IS NULL OR (
             COALESCE((r.data->>'retryAt')::bigint, 0) <= ${NOW}
             AND (r.data->>'owner' IS NULL OR COALESCE((r.data->>'until')::bigint, 0) <= ${NOW})))
         ORDER BY ${cursorOf("r")}, tn.tenant
         LIMIT $2::bigint`,
        [kind(group), Math.max(0, Math.floor(limit))],
      );
      return res.rows.map((row) => str(row["tenant"]));
    },

    async claim(group, tenantId, lease) {
      const res = await driver.query(
        `WITH cur AS (
           INSERT INTO ${t.records} AS r (kind, tenant, id, key, data)
           SELECT $1::text, $2::text, ${CURSOR}, NULL,
                  jsonb_build_object('cursor', 0, 'tries', 0, 'error', NULL, 'retryAt', 0, 'owner', $3::text, 'until', ${NOW} + $4::bigint)
           WHERE EXISTS (SELECT 1 FROM ${t.logs} WHERE tenant = $2::text AND log = 'events')
           ON CONFLICT (kind, tenant, id) DO UPDATE SET data = r.data || jsonb_build_object('owner', $3::text, 'until', ${NOW} + $4::bigint)
           WHERE COALESCE((r.data->>'retryAt')::bigint, 0) <= ${NOW}
             AND (r.data->>'owner' IS NULL OR r.data->>'owner' = $3::text OR COALESCE((r.data->>'until')::bigint, 0) <= ${NOW})
             AND EXISTS (SELECT 1 FROM ${t.logs} l WHERE l.tenant = $2::text AND l.log = 'events' AND l.seq > ${cursorOf("r")})
           RETURNING r.data
         )
         SELECT cur.data AS state, e.seq, e.at, e.directory_id, e.resource_type, e.resource_id, e.data
         FROM cur LEFT JOIN LATERAL (
           SELECT seq, at, directory_id, resource_type, resource_id, data FROM ${t.logs}
           WHERE tenant = $2::text AND log = 'events' AND seq > ${cursorOf("cur")}
           ORDER BY seq LIMIT $5::bigint
         ) e ON true
         ORDER BY e.seq`,
        [kind(group), tenantId, lease.owner, Math.floor(lease.ms), Math.max(1, Math.floor(lease.limit))],
      );
      const first = res.rows[0];
      if (!first) return null;
      const state = json(first["state"]);
      const cursor = typeof state["cursor"] === "number" ? state["cursor"] : 0;
      const tries = typeof state["tries"] === "number" ? state["tries"] : 0;
      const events = res.rows.filter((row) => row["seq"] !== null && row["seq"] !== undefined).map(toLogEntry);
      if (events.length === 0) {
        // Taken, yet nothing to hand over (the cursor moved between the check and the read): let go.
        await feed.settle(group, tenantId, lease.owner, { cursor });
        return null;
      }
      return { cursor, tries, events };
    },

    async settle(group, tenantId, owner, outcome) {
      const list = outcome.parked ?? [];
      const res = await driver.query(
        `WITH moved AS (
           UPDATE ${t.records} AS r SET data = jsonb_build_object(
             'cursor', GREATEST(${cursorOf("r")}, $4::bigint),
             'tries', $5::int,
             'error', $6::text,
             'retryAt', CASE WHEN $7::bigint IS NULL THEN 0 ELSE ${NOW} + $7::bigint END,
             'owner', CASE WHEN $8::bigint IS NULL THEN NULL ELSE $3::text END,
             'until', CASE WHEN $8::bigint IS NULL THEN 0 ELSE ${NOW} + $8::bigint END)
           WHERE r.kind = $1::text AND r.tenant = $2::text AND r.id = ${CURSOR} AND r.data->>'owner' = $3::text
           RETURNING 1
         ), parked AS (
           INSERT INTO ${t.records} (kind, tenant, id, key, data)
           SELECT $1::text, $2::text, 'parked:' || p.seq, NULL, p.data::jsonb FROM unnest($9::text[], $10::text[]) AS p(seq, data)
           WHERE EXISTS (SELECT 1 FROM moved)
           ON CONFLICT (kind, tenant, id) DO UPDATE SET data = EXCLUDED.data
           RETURNING 1
         )
         SELECT (SELECT count(*) FROM moved) AS n`,
        [
          kind(group),
          tenantId,
          owner,
          Math.floor(outcome.cursor),
          outcome.failure?.tries ?? 0,
          outcome.failure?.error ?? null,
          outcome.failure ? Math.floor(outcome.failure.retryInMs) : null,
          outcome.renewMs === undefined ? null : Math.floor(outcome.renewMs),
          list.map((p) => String(p.seq)),
          list.map((p) =>
            JSON.stringify({
              eventId: p.eventId,
              seq: p.seq,
              type: p.type,
              tries: p.tries,
              error: p.error,
              parkedAt: p.parkedAt,
            }),
          ),
        ],
      );
      return num(res.rows[0]?.["n"]) > 0;
    },

    async parked(group, tenantId) {
      const res = await driver.query(
        `SELECT data FROM ${t.records} WHERE kind = $1::text AND tenant = $2::text AND id LIKE 'parked:%' ORDER BY (data->>'seq')::bigint`,
        [kind(group), tenantId],
      );
      const out: ParkedEvent[] = [];
      for (const row of res.rows) {
        const p = parked(row);
        if (p) out.push(p);
      }
      return out;
    },

    async lag(group) {
      const res = await driver.query(
        `WITH RECURSIVE ${tenantsCte(t)}
         SELECT tn.tenant, ${cursorOf("r")} AS cursor, top.seq AS latest,
                (SELECT count(*) FROM ${t.logs} l WHERE l.tenant = tn.tenant AND l.log = 'events' AND l.seq > ${cursorOf("r")}) AS pending,
                COALESCE((r.data->>'tries')::int, 0) AS tries, r.data->>'error' AS error,
                (r.data->>'owner' IS NOT NULL AND COALESCE((r.data->>'until')::bigint, 0) > ${NOW}) AS leased
         FROM tenants tn
         CROSS JOIN LATERAL (SELECT max(seq) AS seq FROM ${t.logs} WHERE tenant = tn.tenant AND log = 'events') top
         LEFT JOIN ${t.records} r ON r.kind = $1::text AND r.tenant = tn.tenant AND r.id = ${CURSOR}
         WHERE tn.tenant IS NOT NULL AND top.seq IS NOT NULL
         ORDER BY tn.tenant`,
        [kind(group)],
      );
      return res.rows.map(
        (row): FeedTenantLag => ({
          tenantId: str(row["tenant"]),
          cursor: num(row["cursor"]),
          pending: num(row["pending"]),
          latest: num(row["latest"]),
          tries: num(row["tries"]),
          error: strOrNull(row["error"]),
          leased: row["leased"] === true,
        }),
      );
    },
  };
  return feed;
}

/** The most rows one read across tenants looks at, whatever `limit` asks. */
const SCAN = 2000;

/**
 * Reads `log` across tenants as a safe cursor. One sequence numbers both logs of every tenant, so
 * `seq`s are contiguous except where a unit rolled back, and where a unit that drew them has not
 * committed yet: a reader that went past such a gap would never see the entries that fill it.
 * So entries are returned up to the first gap, and past it only when the gap is settled: no other
 * session holds a lock on the logs table (every append holds one from drawing its seqs to commit)
 * and a second read still finds it empty, or the entry after it was stamped `settleMs` ago.
 */
export function readLogAllFrom(driver: SqlDriver, t: Tables, options: PostgresFeedOptions = {}) {
  const settleMs = options.settleMs ?? 10_000;
  const scan = async (log: LogName, after: number, rows: number) =>
    (
      await driver.query(
        `SELECT seq, tenant, at, directory_id, resource_type, resource_id, log = $1::text AS wanted,
                CASE WHEN log = $1::text THEN data END AS data,
                ${NOW} - COALESCE(${t.schema}.instant_ms(at), 0) AS age_ms
         FROM ${t.logs} WHERE seq > $2::bigint ORDER BY seq LIMIT $3::bigint`,
        [log, after, rows],
      )
    ).rows;
  const appending = async () =>
    num(
      (
        await driver.query(
          `SELECT count(*) AS n FROM pg_locks WHERE relation = to_regclass($1::text) AND mode = 'RowExclusiveLock' AND pid <> pg_backend_pid()`,
          [`${t.logs}`],
        )
      ).rows[0]?.["n"],
    ) > 0;
  /** How many of `rows` may be returned: up to the first unsettled gap (all when `settled`). */
  const prefix = (after: number, rows: readonly SqlRow[], settled: boolean): number => {
    let expected = after + 1;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i];
      if (!row) break;
      const seq = num(row["seq"]);
      if (seq > expected && !settled && num(row["age_ms"]) < settleMs) return i;
      expected = seq + 1;
    }
    return rows.length;
  };

  return async function readLogAll(log: LogName, q: GlobalLogQuery): Promise<readonly TenantLogEntry[]> {
    const out: TenantLogEntry[] = [];
    let after = Math.max(0, Math.floor(q.after ?? 0));
    const limit = Math.max(0, Math.floor(q.limit));
    while (out.length < limit) {
      const size = Math.min(SCAN, Math.max(64, (limit - out.length) * 2));
      let rows = await scan(log, after, size);
      let usable = prefix(after, rows, false);
      if (usable < rows.length) {
        // A young gap: wait for nobody, but go past it when no append is in flight and it stays empty.
        for (let attempt = 0; attempt < 3 && usable < rows.length; attempt++) {
          if (await appending()) break;
          const again = await scan(log, after, size);
          const same =
            again.length >= rows.length && rows.every((row, i) => num(row["seq"]) === num(again[i]?.["seq"]));
          rows = again;
          usable = same ? rows.length : prefix(after, rows, false);
        }
      }
      for (const row of rows.slice(0, usable)) {
        if (row["wanted"] === true && out.length < limit)
          out.push({ ...toLogEntry(row), tenantId: str(row["tenant"]) });
        after = num(row["seq"]);
      }
      if (usable < rows.length || rows.length < size) break;
    }
    return out;
  };
}
