/**
 * The audit and events logs. `seq` comes from one sequence, so it increases across both logs and all
 * tenants. A sequence alone does not make it a safe cursor: a transaction holding seq 7 may commit
 * after another committed seq 8, and a reader that already moved past 8 would never see 7. Every
 * read is of one tenant, and every write unit of work holds its tenant's lock to commit (see
 * `lockTenant` in store.ts), so a tenant's appends commit in seq order.
 */
import type { LogEntry, LogName, LogQuery, NewLogEntry } from "@scimkit/core/store";
import { Params } from "./params.js";
import { num, toLogEntry } from "./rows.js";
import type { Scope } from "./resources.js";

export async function appendLog(s: Scope, log: LogName, entry: NewLogEntry): Promise<number> {
  const res = await s.sql.query(
    `INSERT INTO ${s.t.logs} (log, tenant, at, directory_id, resource_type, resource_id, data)
     VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb) RETURNING seq`,
    [log, s.tenant, entry.at, entry.directoryId, entry.resourceType, entry.resourceId, JSON.stringify(entry.data)],
  );
  return num(res.rows[0]?.["seq"]);
}

/**
 * Appends entries in one statement and returns each one's seq, in the order given. Rows are inserted
 * in that order, so the sequence hands them increasing seqs: sorting what RETURNING reports gives
 * the seq of each entry by position.
 */
export async function appendLogs(s: Scope, entries: readonly { readonly log: LogName; readonly entry: NewLogEntry }[]): Promise<readonly number[]> {
  if (entries.length === 0) return [];
  if (entries.length === 1) {
    const [only] = entries;
    return only ? [await appendLog(s, only.log, only.entry)] : [];
  }
  const column = <T>(pick: (e: NewLogEntry, log: LogName) => T) => entries.map(({ log, entry }) => pick(entry, log));
  const res = await s.sql.query(
    `INSERT INTO ${s.t.logs} (log, tenant, at, directory_id, resource_type, resource_id, data)
     SELECT l, $1, a, d, rt, ri, x::jsonb
     FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) WITH ORDINALITY AS e(l, a, d, rt, ri, x, o)
     ORDER BY o
     RETURNING seq`,
    [
      s.tenant,
      column((_e, log) => log),
      column((e) => e.at),
      column((e) => e.directoryId),
      column((e) => e.resourceType),
      column((e) => e.resourceId),
      column((e) => JSON.stringify(e.data)),
    ],
  );
  return res.rows.map((row) => num(row["seq"])).sort((x, y) => x - y);
}

export async function readLog(s: Scope, log: LogName, q: LogQuery): Promise<readonly LogEntry[]> {
  const p = new Params();
  const where = [`tenant = ${p.add(s.tenant)}`, `log = ${p.add(log)}`];
  if (q.after !== undefined) where.push(`seq > ${p.add(q.after)}::bigint`);
  if (q.directoryId !== undefined) where.push(`directory_id = ${p.add(q.directoryId)}`);
  if (q.resourceType !== undefined) where.push(`resource_type = ${p.add(q.resourceType)}`);
  if (q.resourceId !== undefined) where.push(`resource_id = ${p.add(q.resourceId)}`);
  if (q.from !== undefined) where.push(`at >= ${p.add(q.from)}`);
  if (q.to !== undefined) where.push(`at < ${p.add(q.to)}`);
  const limit = p.add(Math.max(0, Math.floor(q.limit)));
  const res = await s.sql.query(
    `SELECT seq, at, directory_id, resource_type, resource_id, data FROM ${s.t.logs} WHERE ${where.join(" AND ")} ORDER BY seq LIMIT ${limit}::bigint`,
    p.values,
  );
  return res.rows.map(toLogEntry);
}
