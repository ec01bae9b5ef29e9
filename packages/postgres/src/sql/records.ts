/**
 * Admin records (directories, tokens, mappings …): small JSON documents keyed by kind, tenant and id.
 *
 * In a write unit (see unit.ts): a read locks the record `FOR SHARE`, so a read-modify-write of it
 * loses no update; a write holds the tenant's policy lock shared, and a listing holds it
 * exclusively, so what a unit decided from a whole kind (the holders of a protected role, the
 * groups that grant roles, the primary directory) cannot change under it before it commits.
 */
import { UniquenessError, type StoreRecord } from "@scimkit/core/store";
import type { SqlExecutor, SqlResult } from "../driver.js";
import type { Tables } from "../identifiers.js";
import { isUniqueViolation } from "./errors.js";
import { Params } from "./params.js";
import { num, str, toRecord } from "./rows.js";
import type { Scope } from "./resources.js";
import { policyLock, takePolicy } from "./unit.js";

export async function getRecord(s: Scope, kind: string, id: string): Promise<StoreRecord | null> {
  const lock = s.unit.readOnly ? "" : ` FOR SHARE${s.unit.nowait}`;
  const res = await s.sql.query(
    `SELECT id, key, data FROM ${s.t.records} WHERE kind = $1 AND tenant = $2 AND id = $3${lock}`,
    [kind, s.tenant, id],
  );
  const row = res.rows[0];
  if (!s.unit.readOnly && !row) s.unit.absent.add(`${kind}/${id}`);
  if (!row) return null;
  if (!s.unit.readOnly) s.unit.holding = true;
  return toRecord(row);
}

/**
 * The locks a record write needs, as the head of its statement (`WITH …,`) and a gate its write
 * must pass: the tenant's policy lock shared, and the record's row. A unit that may wait takes the
 * policy lock with a statement of its own and then lets the write wait for the row. One that may
 * not tries the policy lock and locks the row NOWAIT inside the statement, before the write (the
 * gate is a one-time filter): a unit that read the record `FOR SHARE` next to another reader must
 * not wait for that reader to finish, as the reader may be about to wait for it.
 */
async function writeLocks(
  s: Scope,
  p: Params,
  kind: string,
  id: string,
): Promise<{ readonly head: string; readonly gate: string }> {
  const wait = s.unit.mayWait;
  if (wait && s.unit.policy === "none") await takePolicy(s.sql, s.t, s.tenant, s.unit, "shared");
  const ctes: string[] = [];
  const gates: string[] = [];
  if (s.unit.policy === "none") {
    const [cls, key] = policyLock(s.t, s.tenant);
    ctes.push(
      `lock AS MATERIALIZED (SELECT pg_try_advisory_xact_lock_shared(${p.add(cls)}::int, ${p.add(key)}::int) AS ok)`,
    );
    gates.push("(SELECT ok FROM lock)");
  }
  if (!wait) {
    ctes.push(
      `rowlock AS MATERIALIZED (SELECT 1 FROM ${s.t.records} WHERE kind = ${p.text(kind)} AND tenant = ${p.text(s.tenant)} AND id = ${p.text(id)} FOR UPDATE NOWAIT)`,
    );
    gates.push("(SELECT count(*) FROM rowlock) >= 0");
  }
  return { head: `WITH ${ctes.map((c) => `${c},`).join(" ")}`, gate: gates.length > 0 ? gates.join(" AND ") : "true" };
}

/** After a statement from {@link writeLocks}: the unit now holds the policy lock shared, or goes round again. */
function locked(s: Scope, ok: unknown): void {
  if (s.unit.policy === "none") {
    if (ok !== true) s.unit.contend();
    s.unit.policy = "shared";
  }
  s.unit.holding = true;
}

export async function putRecord(s: Scope, kind: string, record: StoreRecord): Promise<void> {
  s.unit.writing();
  const key = record.key ?? null;
  if (key !== null) {
    // Checked first so the usual conflict does not abort the transaction; a concurrent writer of
    // the same key still reaches the unique index, mapped below.
    const holder = await s.sql.query(
      `SELECT 1 FROM ${s.t.records} WHERE kind = $1 AND key = $2 AND NOT (tenant = $3 AND id = $4)`,
      [kind, key, s.tenant, record.id],
    );
    if (holder.rows.length > 0) throw new UniquenessError(key);
  }
  const p = new Params();
  const lock = await writeLocks(s, p, kind, record.id);
  // A record this unit found missing is created, never overwritten: one another unit created since
  // would be overwritten from a stale read.
  const create = s.unit.absent.has(`${kind}/${record.id}`);
  const onConflict = create ? "DO NOTHING" : "DO UPDATE SET key = EXCLUDED.key, data = EXCLUDED.data";
  let res: SqlResult;
  try {
    res = await s.sql.query(
      `${lock.head} put AS (
         INSERT INTO ${s.t.records} (kind, tenant, id, key, data)
         SELECT ${p.text(kind)}, ${p.text(s.tenant)}, ${p.text(record.id)}, ${p.add(key)}::text, ${p.add(JSON.stringify(record.data))}::jsonb WHERE ${lock.gate}
         ON CONFLICT (kind, tenant, id) ${onConflict} RETURNING 1
       )
       SELECT ${lock.gate} AS ok, (SELECT count(*) FROM put) AS n`,
      p.values,
    );
  } catch (error) {
    if (isUniqueViolation(error) && key !== null) throw new UniquenessError(key);
    throw error;
  }
  locked(s, res.rows[0]?.["ok"]);
  if (create && num(res.rows[0]?.["n"]) === 0) s.unit.contend();
  s.unit.absent.delete(`${kind}/${record.id}`);
}

export async function deleteRecord(s: Scope, kind: string, id: string): Promise<boolean> {
  s.unit.writing();
  const p = new Params();
  const lock = await writeLocks(s, p, kind, id);
  const res = await s.sql.query(
    `${lock.head} gone AS (
       DELETE FROM ${s.t.records} WHERE kind = ${p.text(kind)} AND tenant = ${p.text(s.tenant)} AND id = ${p.text(id)} AND ${lock.gate} RETURNING id
     )
     SELECT ${lock.gate} AS ok, (SELECT count(*) FROM gone) AS n`,
    p.values,
  );
  locked(s, res.rows[0]?.["ok"]);
  return num(res.rows[0]?.["n"]) > 0;
}

export async function listRecords(s: Scope, kind: string): Promise<readonly StoreRecord[]> {
  if (!s.unit.readOnly) await takePolicy(s.sql, s.t, s.tenant, s.unit, "exclusive");
  const res = await s.sql.query(
    `SELECT id, key, data FROM ${s.t.records} WHERE kind = $1 AND tenant = $2 ORDER BY ord`,
    [kind, s.tenant],
  );
  return res.rows.map(toRecord);
}

/** The cross-tenant lookup (a token hash before the tenant is known): one indexed row. */
export async function findRecordByKey(
  sql: SqlExecutor,
  t: Tables,
  kind: string,
  key: string,
): Promise<{ tenantId: string; record: StoreRecord } | null> {
  const res = await sql.query(`SELECT tenant, id, key, data FROM ${t.records} WHERE kind = $1 AND key = $2`, [
    kind,
    key,
  ]);
  const row = res.rows[0];
  return row ? { tenantId: str(row["tenant"]), record: toRecord(row) } : null;
}
