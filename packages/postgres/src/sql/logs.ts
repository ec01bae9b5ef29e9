/**
 * The audit and events logs. `seq` comes from one sequence, so it increases across both logs and all
 * tenants. A sequence alone does not make it a safe cursor: a transaction holding seq 7 may commit
 * after another committed seq 8, and a reader that already moved past 8 would never see 7.
 *
 * So every read is of one tenant and passes a barrier first. Each append holds its tenant's log
 * lock (an advisory lock) shared, from before its rows draw their seqs to its commit: appends run
 * and commit in parallel (and share the WAL flush of a group commit). A read first takes the lock
 * exclusively, which it gets once every append of the tenant in flight has committed or rolled
 * back, notes the sequence's last value there, and then reads only entries up to that value, with
 * a snapshot taken after the barrier: every seq up to it is final by then, so what the read returns
 * has no hole a later commit could fill. An entry appended after the barrier is left to the next
 * read. The sequence must keep `CACHE 1` (the default), so no seq at or below that value can still
 * be handed out.
 */
import type { LogEntry, LogName, LogQuery, NewLogEntry } from "@scimkit/core/store";
import { Params } from "./params.js";
import { num, toLogEntry } from "./rows.js";
import type { Scope } from "./resources.js";
import { logLock } from "./unit.js";

/** The sequence behind `seq` (a bigserial's). */
const sequence = (s: Scope) => `${s.t.schema}.logs_seq_seq`;

/**
 * Appends entries in one statement and returns each one's seq, in the order given. Rows are inserted
 * in that order, so the sequence hands them increasing seqs: sorting what RETURNING reports gives
 * the seq of each entry by position. The WHERE clause is a one-time filter evaluated before the
 * first row is produced, so the log lock is held (shared) before any seq is drawn.
 */
export async function appendLogs(
  s: Scope,
  entries: readonly { readonly log: LogName; readonly entry: NewLogEntry }[],
): Promise<readonly number[]> {
  s.unit.writing();
  if (entries.length === 0) return [];
  const column = <T>(pick: (e: NewLogEntry, log: LogName) => T) => entries.map(({ log, entry }) => pick(entry, log));
  const [cls, key] = logLock(s.t, s.tenant);
  const res = await s.sql.query(
    `WITH lock AS MATERIALIZED (SELECT pg_advisory_xact_lock_shared($8::int, $9::int)::text AS done)
     INSERT INTO ${s.t.logs} (log, tenant, at, directory_id, resource_type, resource_id, data)
     SELECT l, $1, a, d, rt, ri, x::jsonb
     FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) WITH ORDINALITY AS e(l, a, d, rt, ri, x, o)
     WHERE EXISTS (SELECT 1 FROM lock)
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
      cls,
      key,
    ],
  );
  s.unit.holding = true;
  return res.rows.map((row) => num(row["seq"])).sort((x, y) => x - y);
}

export async function appendLog(s: Scope, log: LogName, entry: NewLogEntry): Promise<number> {
  const [seq] = await appendLogs(s, [{ log, entry }]);
  if (seq === undefined) throw new Error("the log append returned no seq");
  return seq;
}

/**
 * The barrier (see the top of this file): waits until no append of the tenant is in flight and
 * returns the sequence's last value then. Outside a transaction the lock is let go as the statement
 * ends; inside a write unit it is held to commit, which keeps new appends out until then, and a unit
 * that may not wait tries it instead and goes round again when an append is in flight.
 */
async function barrier(s: Scope): Promise<number> {
  const [cls, key] = logLock(s.t, s.tenant);
  const lock = s.unit.readOnly || s.unit.mayWait ? "pg_advisory_xact_lock" : "pg_try_advisory_xact_lock";
  const res = await s.sql.query(
    `WITH lock AS MATERIALIZED (SELECT ${lock}($1::int, $2::int)::text AS got)
     SELECT lock.got, (SELECT last_value FROM ${sequence(s)}) AS last FROM lock`,
    [cls, key],
  );
  const row = res.rows[0];
  if (lock === "pg_try_advisory_xact_lock" && row?.["got"] !== "true") s.unit.contend();
  if (!s.unit.readOnly) s.unit.holding = true;
  return num(row?.["last"]);
}

export async function readLog(s: Scope, log: LogName, q: LogQuery): Promise<readonly LogEntry[]> {
  const last = await barrier(s);
  const p = new Params();
  const where = [`tenant = ${p.add(s.tenant)}`, `log = ${p.add(log)}`, `seq <= ${p.add(last)}::bigint`];
  if (q.after !== undefined) where.push(`seq > ${p.add(q.after)}::bigint`);
  if (q.before !== undefined) where.push(`seq < ${p.add(q.before)}::bigint`);
  if (q.directoryId !== undefined) where.push(`directory_id = ${p.add(q.directoryId)}`);
  if (q.resourceType !== undefined) where.push(`resource_type = ${p.add(q.resourceType)}`);
  if (q.resourceId !== undefined) where.push(`resource_id = ${p.add(q.resourceId)}`);
  if (q.from !== undefined) where.push(`at >= ${p.add(q.from)}`);
  if (q.to !== undefined) where.push(`at < ${p.add(q.to)}`);
  const limit = p.add(Math.max(0, Math.floor(q.limit)));
  const res = await s.sql.query(
    `SELECT seq, at, directory_id, resource_type, resource_id, data FROM ${s.t.logs} WHERE ${where.join(" AND ")} ORDER BY seq${q.order === "descending" ? " DESC" : ""} LIMIT ${limit}::bigint`,
    p.values,
  );
  return res.rows.map(toLogEntry);
}
