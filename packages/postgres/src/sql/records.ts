/** Admin records (directories, tokens, mappings …): small JSON documents keyed by kind, tenant and id. */
import { UniquenessError, type StoreRecord } from "@scimkit/core/store";
import type { SqlExecutor } from "../driver.js";
import type { Tables } from "../identifiers.js";
import { isUniqueViolation } from "./errors.js";
import { str, toRecord } from "./rows.js";
import type { Scope } from "./resources.js";

export async function getRecord(s: Scope, kind: string, id: string): Promise<StoreRecord | null> {
  const res = await s.sql.query(`SELECT id, key, data FROM ${s.t.records} WHERE kind = $1 AND tenant = $2 AND id = $3`, [kind, s.tenant, id]);
  const row = res.rows[0];
  return row ? toRecord(row) : null;
}

export async function putRecord(s: Scope, kind: string, record: StoreRecord): Promise<void> {
  const key = record.key ?? null;
  if (key !== null) {
    // Checked first so the usual conflict does not abort the transaction; a concurrent writer of
    // the same key still reaches the unique index, mapped below.
    const holder = await s.sql.query(`SELECT 1 FROM ${s.t.records} WHERE kind = $1 AND key = $2 AND NOT (tenant = $3 AND id = $4)`, [kind, key, s.tenant, record.id]);
    if (holder.rows.length > 0) throw new UniquenessError(key);
  }
  try {
    await s.sql.query(
      `INSERT INTO ${s.t.records} (kind, tenant, id, key, data) VALUES ($1, $2, $3, $4, $5::jsonb)
       ON CONFLICT (kind, tenant, id) DO UPDATE SET key = EXCLUDED.key, data = EXCLUDED.data`,
      [kind, s.tenant, record.id, key, JSON.stringify(record.data)],
    );
  } catch (error) {
    if (isUniqueViolation(error) && key !== null) throw new UniquenessError(key);
    throw error;
  }
}

export async function deleteRecord(s: Scope, kind: string, id: string): Promise<boolean> {
  const res = await s.sql.query(`DELETE FROM ${s.t.records} WHERE kind = $1 AND tenant = $2 AND id = $3 RETURNING id`, [kind, s.tenant, id]);
  return res.rows.length > 0;
}

export async function listRecords(s: Scope, kind: string): Promise<readonly StoreRecord[]> {
  const res = await s.sql.query(`SELECT id, key, data FROM ${s.t.records} WHERE kind = $1 AND tenant = $2 ORDER BY ord`, [kind, s.tenant]);
  return res.rows.map(toRecord);
}

/** The cross-tenant lookup (a token hash before the tenant is known): one indexed row. */
export async function findRecordByKey(sql: SqlExecutor, t: Tables, kind: string, key: string): Promise<{ tenantId: string; record: StoreRecord } | null> {
  const res = await sql.query(`SELECT tenant, id, key, data FROM ${t.records} WHERE kind = $1 AND key = $2`, [kind, key]);
  const row = res.rows[0];
  return row ? { tenantId: str(row["tenant"]), record: toRecord(row) } : null;
}
