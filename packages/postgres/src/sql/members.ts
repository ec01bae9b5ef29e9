/**
 * Membership changes as set operations on the members table: an add is INSERT … ON CONFLICT DO
 * NOTHING, a remove a DELETE by key, a replace computes the difference in one statement. None reads
 * the member list, so a change to a 100,000-member group costs what it costs for a 10-member group.
 *
 * Each change first locks the group row (which also checks it exists and, when asked, its version)
 * and, in the same statement as the change and only when something changed, sets the group's
 * version and lastModified to the ones core gives: core owns versions, the store bumps nothing.
 */
import { VersionConflictError, type Member, type Membership, type MembershipWrite } from "@scimkit/core/store";
import type { Tables } from "../identifiers.js";
import { num, str, strOrNull } from "./rows.js";
import type { Scope } from "./resources.js";

async function lockGroup(s: Scope, groupId: string, write: MembershipWrite): Promise<void> {
  // Checked before any SQL: a missing version would otherwise surface as a NOT NULL violation
  // that aborts the whole transaction.
  if (!Number.isSafeInteger(write.version)) throw new TypeError(`a membership change must give the group's new version, got ${String(write.version)}`);
  const res = await s.sql.query(`SELECT version FROM ${s.t.resources} WHERE tenant = $1 AND type = 'Group' AND id = $2 FOR UPDATE`, [s.tenant, groupId]);
  const row = res.rows[0];
  if (!row) throw new Error(`group ${groupId} does not exist`);
  if (write.expectedVersion !== undefined && num(row["version"]) !== write.expectedVersion) throw new VersionConflictError();
}

/**
 * Sets the group's version and lastModified when `changed` (a CTE name) produced a row. Every
 * statement using it binds tenant, group id, `modifiedAt` and `version` as `$1`…`$4`.
 */
const stamp = (s: Scope, changed: string) =>
  `UPDATE ${s.t.resources} SET version = $4::integer, last_modified = $3
   WHERE tenant = $1 AND type = 'Group' AND id = $2 AND EXISTS (SELECT 1 FROM ${changed})`;

/** The first four parameters of every change statement, in the order {@link stamp} expects. */
const head = (s: Scope, groupId: string, write: MembershipWrite) => [s.tenant, groupId, write.modifiedAt, write.version] as const;

/** Member arrays bound as three parallel text arrays, zipped back by `unnest … WITH ORDINALITY`. */
function columns(members: readonly Member[]): [string[], string[], (string | null)[]] {
  return [members.map((m) => m.value), members.map((m) => m.type), members.map((m) => m.display ?? null)];
}

export async function addMembers(s: Scope, groupId: string, members: readonly Member[], write: MembershipWrite): Promise<readonly string[]> {
  await lockGroup(s, groupId, write);
  if (members.length === 0) return [];
  const res = await s.sql.query(
    `WITH added AS (
       INSERT INTO ${s.t.members} (tenant, group_id, member_id, member_type, display)
       SELECT $1, $2, v, t, d FROM unnest($5::text[], $6::text[], $7::text[]) WITH ORDINALITY AS x(v, t, d, o) ORDER BY o
       ON CONFLICT DO NOTHING RETURNING member_id
     ), stamped AS (${stamp(s, "added")})
     SELECT member_id FROM added`,
    [...head(s, groupId, write), ...columns(members)],
  );
  return inOrder(members.map((m) => m.value), res.rows.map((r) => str(r["member_id"])));
}

export async function removeMembers(s: Scope, groupId: string, memberIds: readonly string[], write: MembershipWrite): Promise<readonly string[]> {
  await lockGroup(s, groupId, write);
  if (memberIds.length === 0) return [];
  const res = await s.sql.query(
    `WITH removed AS (
       DELETE FROM ${s.t.members} WHERE tenant = $1 AND group_id = $2 AND member_id = ANY($5::text[]) RETURNING member_id
     ), stamped AS (${stamp(s, "removed")})
     SELECT member_id FROM removed`,
    [...head(s, groupId, write), [...new Set(memberIds)]],
  );
  return inOrder(memberIds, res.rows.map((r) => str(r["member_id"])));
}

export async function replaceMembers(
  s: Scope,
  groupId: string,
  members: readonly Member[],
  write: MembershipWrite,
): Promise<{ readonly added: readonly string[]; readonly removed: readonly string[] }> {
  await lockGroup(s, groupId, write);
  // Both sub-statements see the same snapshot: `removed` deletes rows not wanted, `added` inserts
  // wanted rows not present (present ones conflict and are skipped). The two sets are disjoint.
  const res = await s.sql.query(
    `WITH wanted AS (
       SELECT v, t, d, o FROM unnest($5::text[], $6::text[], $7::text[]) WITH ORDINALITY AS x(v, t, d, o)
     ), removed AS (
       DELETE FROM ${s.t.members} m WHERE m.tenant = $1 AND m.group_id = $2 AND NOT EXISTS (SELECT 1 FROM wanted w WHERE w.v = m.member_id)
       RETURNING m.member_id, m.ord
     ), added AS (
       INSERT INTO ${s.t.members} (tenant, group_id, member_id, member_type, display)
       SELECT $1, $2, v, t, d FROM wanted ORDER BY o
       ON CONFLICT DO NOTHING RETURNING member_id
     ), changed AS (SELECT member_id FROM removed UNION ALL SELECT member_id FROM added),
     stamped AS (${stamp(s, "changed")})
     SELECT 'added' AS op, member_id, 0::bigint AS ord FROM added
     UNION ALL SELECT 'removed', member_id, ord FROM removed ORDER BY op, ord`,
    [...head(s, groupId, write), ...columns(members)],
  );
  const added = res.rows.filter((r) => r["op"] === "added").map((r) => str(r["member_id"]));
  const removed = res.rows.filter((r) => r["op"] === "removed").map((r) => str(r["member_id"]));
  return { added: inOrder(members.map((m) => m.value), added), removed };
}

export async function hasMembers(s: Scope, groupId: string, memberIds: readonly string[]): Promise<readonly string[]> {
  if (memberIds.length === 0) return [];
  const res = await s.sql.query(
    `SELECT member_id FROM ${s.t.members} WHERE tenant = $1 AND group_id = $2 AND member_id = ANY($3::text[])`,
    [s.tenant, groupId, [...new Set(memberIds)]],
  );
  const found = new Set(res.rows.map((r) => str(r["member_id"])));
  return memberIds.filter((id) => found.has(id));
}

/** A group's displayName when it is a string (`g` is the group's row), else NULL. */
const GROUP_DISPLAY = "CASE WHEN jsonb_typeof(g.attributes -> 'displayName') = 'string' THEN g.attributes ->> 'displayName' END";

/** The groups a member belongs to, with their display, joined to each membership row `m`. */
const groupsJoin = (t: Tables) => `${t.members} m LEFT JOIN ${t.resources} g ON g.tenant = m.tenant AND g.type = 'Group' AND g.id = m.group_id`;

export async function groupsOf(s: Scope, memberIds: readonly string[]): Promise<ReadonlyMap<string, readonly Membership[]>> {
  const out = new Map<string, Membership[]>(memberIds.map((id) => [id, []]));
  if (memberIds.length === 0) return out;
  const res = await s.sql.query(
    `SELECT m.member_id, m.group_id, ${GROUP_DISPLAY} AS display
     FROM ${groupsJoin(s.t)}
     WHERE m.tenant = $1 AND m.member_id = ANY($2::text[])
     ORDER BY m.member_id, m.ord`,
    [s.tenant, [...new Set(memberIds)]],
  );
  for (const row of res.rows) {
    out.get(str(row["member_id"]))?.push(membership(row["group_id"], row["display"]));
  }
  return out;
}

/**
 * A select-list column named `groups`: the groups the resource row `r` belongs to directly, as a
 * JSON array of `[groupId, display]` pairs in the order it joined them (what {@link groupsOf}
 * returns). A correlated subquery, so a read that asks for groups stays one statement, and one the
 * planner evaluates only for the rows a page returns.
 */
export const groupsColumn = (t: Tables) =>
  `(SELECT COALESCE(json_agg(json_build_array(m.group_id, ${GROUP_DISPLAY}) ORDER BY m.ord), '[]'::json)
    FROM ${groupsJoin(t)} WHERE m.tenant = r.tenant AND m.member_id = r.id) AS groups`;

/** The value of a {@link groupsColumn}, as the driver returns it (parsed or JSON text). */
export function toMemberships(v: unknown): Membership[] {
  const parsed: unknown = typeof v === "string" ? JSON.parse(v) : v;
  if (!Array.isArray(parsed)) return [];
  return parsed.filter((pair): pair is unknown[] => Array.isArray(pair)).map(([groupId, display]) => membership(groupId, display));
}

function membership(groupId: unknown, display: unknown): Membership {
  const d = strOrNull(display);
  return { groupId: str(groupId), ...(d !== null ? { display: d } : {}) };
}

/** `found` rearranged into the order of `requested`, each id once. */
function inOrder(requested: readonly string[], found: readonly string[]): string[] {
  const set = new Set(found);
  const out: string[] = [];
  for (const id of requested) {
    if (set.delete(id)) out.push(id);
  }
  return out;
}
