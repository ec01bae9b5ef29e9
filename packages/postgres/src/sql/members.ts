/**
 * Membership changes as set operations on the members table: an add is INSERT … ON CONFLICT DO
 * NOTHING, a remove a DELETE by key, a replace computes the difference in one statement. None reads
 * the member list, so a change to a 100,000-member group costs what it costs for a 10-member group.
 *
 * Each change first locks the group row (which also checks it exists and, when asked, its version)
 * and bumps the group's version and lastModified in the same statement as the change, only when
 * something changed.
 */
import { VersionConflictError, type Member, type Membership, type MembershipWrite } from "@scimkit/core";
import { num, str, strOrNull } from "./rows.js";
import type { Scope } from "./resources.js";

async function lockGroup(s: Scope, groupId: string, write: MembershipWrite): Promise<void> {
  const res = await s.sql.query(`SELECT version FROM ${s.t.resources} WHERE tenant = $1 AND type = 'Group' AND id = $2 FOR UPDATE`, [s.tenant, groupId]);
  const row = res.rows[0];
  if (!row) throw new Error(`group ${groupId} does not exist`);
  if (write.expectedVersion !== undefined && num(row["version"]) !== write.expectedVersion) throw new VersionConflictError();
}

/** Bumps the group when `changed` (a CTE name) produced a row. */
const bump = (s: Scope, changed: string) =>
  `UPDATE ${s.t.resources} SET version = version + 1, last_modified = $3
   WHERE tenant = $1 AND type = 'Group' AND id = $2 AND EXISTS (SELECT 1 FROM ${changed})`;

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
       SELECT $1, $2, v, t, d FROM unnest($4::text[], $5::text[], $6::text[]) WITH ORDINALITY AS x(v, t, d, o) ORDER BY o
       ON CONFLICT DO NOTHING RETURNING member_id
     ), bumped AS (${bump(s, "added")})
     SELECT member_id FROM added`,
    [s.tenant, groupId, write.modifiedAt, ...columns(members)],
  );
  return inOrder(members.map((m) => m.value), res.rows.map((r) => str(r["member_id"])));
}

export async function removeMembers(s: Scope, groupId: string, memberIds: readonly string[], write: MembershipWrite): Promise<readonly string[]> {
  await lockGroup(s, groupId, write);
  if (memberIds.length === 0) return [];
  const res = await s.sql.query(
    `WITH removed AS (
       DELETE FROM ${s.t.members} WHERE tenant = $1 AND group_id = $2 AND member_id = ANY($4::text[]) RETURNING member_id
     ), bumped AS (${bump(s, "removed")})
     SELECT member_id FROM removed`,
    [s.tenant, groupId, write.modifiedAt, [...new Set(memberIds)]],
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
       SELECT v, t, d, o FROM unnest($4::text[], $5::text[], $6::text[]) WITH ORDINALITY AS x(v, t, d, o)
     ), removed AS (
       DELETE FROM ${s.t.members} m WHERE m.tenant = $1 AND m.group_id = $2 AND NOT EXISTS (SELECT 1 FROM wanted w WHERE w.v = m.member_id)
       RETURNING m.member_id, m.ord
     ), added AS (
       INSERT INTO ${s.t.members} (tenant, group_id, member_id, member_type, display)
       SELECT $1, $2, v, t, d FROM wanted ORDER BY o
       ON CONFLICT DO NOTHING RETURNING member_id
     ), changed AS (SELECT member_id FROM removed UNION ALL SELECT member_id FROM added),
     bumped AS (${bump(s, "changed")})
     SELECT 'added' AS op, member_id, 0::bigint AS ord FROM added
     UNION ALL SELECT 'removed', member_id, ord FROM removed ORDER BY op, ord`,
    [s.tenant, groupId, write.modifiedAt, ...columns(members)],
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

export async function groupsOf(s: Scope, memberIds: readonly string[]): Promise<ReadonlyMap<string, readonly Membership[]>> {
  const out = new Map<string, Membership[]>(memberIds.map((id) => [id, []]));
  if (memberIds.length === 0) return out;
  const res = await s.sql.query(
    `SELECT m.member_id, m.group_id,
            CASE WHEN jsonb_typeof(g.attributes -> 'displayName') = 'string' THEN g.attributes ->> 'displayName' END AS display
     FROM ${s.t.members} m
     LEFT JOIN ${s.t.resources} g ON g.tenant = m.tenant AND g.type = 'Group' AND g.id = m.group_id
     WHERE m.tenant = $1 AND m.member_id = ANY($2::text[])
     ORDER BY m.member_id, m.ord`,
    [s.tenant, [...new Set(memberIds)]],
  );
  for (const row of res.rows) {
    const display = strOrNull(row["display"]);
    out.get(str(row["member_id"]))?.push({ groupId: str(row["group_id"]), ...(display !== null ? { display } : {}) });
  }
  return out;
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
