/**
 * Membership changes as set operations on the members table: an add is INSERT … ON CONFLICT DO
 * NOTHING, a remove a DELETE by key, a replace computes the difference in one statement. None reads
 * the member list, so a change to a 100,000-member group costs what it costs for a 10-member group.
 *
 * A change holds the group's row lock (taken by the unit's read of the group, or by a statement of
 * its own when the unit has not read it), checks in its own statement that the group exists and,
 * when asked, its version, and, in that statement too and only when something changed, sets the
 * group's version and lastModified to the ones core gives: core owns versions, the store bumps
 * nothing. The members an add names are locked `FOR KEY SHARE` in the same statement, as a foreign
 * key would: one being deleted meanwhile is left out instead of becoming a membership of nothing.
 */
import { VersionConflictError, type Member, type Membership, type MembershipWrite } from "@scimkit/core/store";
import type { SqlRow } from "../driver.js";
import type { Tables } from "../identifiers.js";
import { num, str, strOrNull } from "./rows.js";
import type { Scope } from "./resources.js";

/**
 * Makes sure the unit holds the group's row lock; checks the group exists and its version when it
 * takes the lock here. With `always`, checks even when the unit already holds it (a change of no
 * members still reports a missing group or a stale version).
 */
async function lockGroup(s: Scope, groupId: string, write: MembershipWrite, always = false): Promise<void> {
  // Checked before any SQL: a missing version would otherwise surface as a NOT NULL violation
  // that aborts the whole transaction.
  if (!Number.isSafeInteger(write.version))
    throw new TypeError(`a membership change must give the group's new version, got ${String(write.version)}`);
  s.unit.writing();
  if (s.unit.holds("Group", groupId) && !always) return;
  const res = await s.sql.query(
    `SELECT version FROM ${s.t.resources} WHERE tenant = $1 AND type = 'Group' AND id = $2 FOR NO KEY UPDATE${s.unit.nowait}`,
    [s.tenant, groupId],
  );
  check(groupId, res.rows[0]?.["version"], write);
  s.unit.hold("Group", groupId);
}

/** Throws when the group does not exist or, with a guard, has another version. */
function check(groupId: string, version: unknown, write: MembershipWrite): void {
  if (version === null || version === undefined) throw new Error(`group ${groupId} does not exist`);
  if (write.expectedVersion !== undefined && num(version) !== write.expectedVersion) throw new VersionConflictError();
}

/**
 * The CTEs every change statement starts with: `grp` (the group's stored version) and `ok` (a row
 * when the group exists and the guard, bound as `$guard`, holds). Every statement binds tenant,
 * group id, `modifiedAt` and `version` as `$1`…`$4`.
 */
const guardCtes = (s: Scope, guard: string) =>
  `grp AS (SELECT version FROM ${s.t.resources} WHERE tenant = $1 AND type = 'Group' AND id = $2),
   ok AS (SELECT 1 FROM grp WHERE ${guard}::integer IS NULL OR grp.version = ${guard}::integer)`;

/** Sets the group's version and lastModified when `changed` (a CTE name) produced a row. */
const stamp = (s: Scope, changed: string) =>
  `UPDATE ${s.t.resources} SET version = $4::integer, last_modified = $3
   WHERE tenant = $1 AND type = 'Group' AND id = $2 AND EXISTS (SELECT 1 FROM ${changed})`;

/**
 * `wanted` (the members given, `$5`…`$7`), `keyed` (those that exist, locked FOR KEY SHARE) and
 * `gone` (those the statement's snapshot saw but that were deleted before the lock was granted).
 */
const wantedCtes = (s: Scope) =>
  `wanted AS (
     SELECT v, t, d, o FROM unnest($5::text[], $6::text[], $7::text[]) WITH ORDINALITY AS x(v, t, d, o)
   ), keyed AS (
     SELECT r.type, r.id FROM ${s.t.resources} r JOIN wanted w ON r.tenant = $1 AND r.type = w.t AND r.id = w.v FOR KEY SHARE OF r${s.unit.nowait}
   ), gone AS (
     SELECT w.v FROM wanted w
     WHERE EXISTS (SELECT 1 FROM ${s.t.resources} r WHERE r.tenant = $1 AND r.type = w.t AND r.id = w.v)
       AND NOT EXISTS (SELECT 1 FROM keyed k WHERE k.type = w.t AND k.id = w.v)
   )`;

/** The first four parameters of every change statement, in the order {@link stamp} expects. */
const head = (s: Scope, groupId: string, write: MembershipWrite) =>
  [s.tenant, groupId, write.modifiedAt, write.version] as const;

/** Member arrays bound as three parallel text arrays, zipped back by `unnest … WITH ORDINALITY`. */
function columns(members: readonly Member[]): [string[], string[], (string | null)[]] {
  return [members.map((m) => m.value), members.map((m) => m.type), members.map((m) => m.display ?? null)];
}

/** The one row a change statement returns: the group's version (checked) and the ids in a JSON list. */
function idsOf(groupId: string, row: SqlRow | undefined, write: MembershipWrite, column: string): string[] {
  check(groupId, row?.["current"], write);
  const v = row?.[column];
  const parsed: unknown = typeof v === "string" ? JSON.parse(v) : v;
  return Array.isArray(parsed) ? parsed.map(str) : [];
}

export async function addMembers(
  s: Scope,
  groupId: string,
  members: readonly Member[],
  write: MembershipWrite,
): Promise<readonly string[]> {
  await lockGroup(s, groupId, write, members.length === 0);
  if (members.length === 0) return [];
  const res = await s.sql.query(
    `WITH ${guardCtes(s, "$8")}, ${wantedCtes(s)}, added AS (
       INSERT INTO ${s.t.members} (tenant, group_id, member_id, member_type, display)
       SELECT $1, $2, w.v, w.t, w.d FROM wanted w
       WHERE EXISTS (SELECT 1 FROM ok) AND NOT EXISTS (SELECT 1 FROM gone g WHERE g.v = w.v)
       ORDER BY w.o
       ON CONFLICT DO NOTHING RETURNING member_id
     ), stamped AS (${stamp(s, "added")})
     SELECT (SELECT version FROM grp) AS current, (SELECT COALESCE(json_agg(member_id), '[]'::json) FROM added) AS added`,
    [...head(s, groupId, write), ...columns(members), write.expectedVersion ?? null],
  );
  return inOrder(
    members.map((m) => m.value),
    idsOf(groupId, res.rows[0], write, "added"),
  );
}

export async function removeMembers(
  s: Scope,
  groupId: string,
  memberIds: readonly string[],
  write: MembershipWrite,
): Promise<readonly string[]> {
  await lockGroup(s, groupId, write, memberIds.length === 0);
  if (memberIds.length === 0) return [];
  // Each id found by its whole primary key (see byKey), and the rows deleted by their position:
  // joined to the members table instead, a planner without statistics may read the whole group.
  // Membership rows are never updated, so a position names the row found or one deleted since.
  const res = await s.sql.query(
    `WITH ${guardCtes(s, "$6")}, removed AS (
       DELETE FROM ${s.t.members} m
       WHERE m.ctid = ANY(ARRAY(SELECT k.ctid FROM unnest($5::text[]) AS x(v) CROSS JOIN LATERAL (${byKey(s.t, "$1", "$2", "x.v", "ctid")}) k))
         AND EXISTS (SELECT 1 FROM ok)
       RETURNING m.member_id
     ), stamped AS (${stamp(s, "removed")})
     SELECT (SELECT version FROM grp) AS current, (SELECT COALESCE(json_agg(member_id), '[]'::json) FROM removed) AS removed`,
    [...head(s, groupId, write), [...new Set(memberIds)], write.expectedVersion ?? null],
  );
  return inOrder(memberIds, idsOf(groupId, res.rows[0], write, "removed"));
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
    `WITH ${guardCtes(s, "$8")}, ${wantedCtes(s)}, removed AS (
       DELETE FROM ${s.t.members} m WHERE m.tenant = $1 AND m.group_id = $2 AND NOT EXISTS (SELECT 1 FROM wanted w WHERE w.v = m.member_id)
         AND EXISTS (SELECT 1 FROM ok)
       RETURNING m.member_id, m.ord
     ), added AS (
       INSERT INTO ${s.t.members} (tenant, group_id, member_id, member_type, display)
       SELECT $1, $2, w.v, w.t, w.d FROM wanted w
       WHERE EXISTS (SELECT 1 FROM ok) AND NOT EXISTS (SELECT 1 FROM gone g WHERE g.v = w.v)
       ORDER BY w.o
       ON CONFLICT DO NOTHING RETURNING member_id
     ), changed AS (SELECT member_id FROM removed UNION ALL SELECT member_id FROM added),
     stamped AS (${stamp(s, "changed")})
     SELECT (SELECT version FROM grp) AS current,
            (SELECT COALESCE(json_agg(member_id), '[]'::json) FROM added) AS added,
            (SELECT COALESCE(json_agg(member_id ORDER BY ord), '[]'::json) FROM removed) AS removed`,
    [...head(s, groupId, write), ...columns(members), write.expectedVersion ?? null],
  );
  const row = res.rows[0];
  const added = idsOf(groupId, row, write, "added");
  const removed = idsOf(groupId, row, write, "removed");
  return {
    added: inOrder(
      members.map((m) => m.value),
      added,
    ),
    removed,
  };
}

export async function hasMembers(s: Scope, groupId: string, memberIds: readonly string[]): Promise<readonly string[]> {
  if (memberIds.length === 0) return [];
  const res = await s.sql.query(
    `SELECT m.member_id FROM unnest($3::text[]) AS x(v)
     CROSS JOIN LATERAL (${byKey(s.t, "$1", "$2", "x.v")}) m`,
    [s.tenant, groupId, [...new Set(memberIds)]],
  );
  const found = new Set(res.rows.map((r) => str(r["member_id"])));
  return memberIds.filter((id) => found.has(id));
}

/**
 * One membership row by its whole primary key, as a subquery to run once per id (`CROSS JOIN
 * LATERAL` over the ids). `member_id = ANY(…)` would leave the planner a choice: without
 * statistics it expects a group to hold one row, and then prefers reading the group and filtering
 * to one index search per id; a LATERAL subquery with a LIMIT is not flattened, so each id is an
 * equality on the key. Each id has at most one row, so the LIMIT drops nothing.
 */
const byKey = (t: Tables, tenant: string, group: string, member: string, columns = "member_id") =>
  `SELECT ${columns} FROM ${t.members} WHERE tenant = ${tenant} AND group_id = ${group} AND member_id = ${member} LIMIT 1`;

/** A group's displayName when it is a string (`g` is the group's row), else NULL. */
const GROUP_DISPLAY =
  "CASE WHEN jsonb_typeof(g.attributes -> 'displayName') = 'string' THEN g.attributes ->> 'displayName' END";

/** The groups a member belongs to, with their display, joined to each membership row `m`. */
const groupsJoin = (t: Tables) =>
  `${t.members} m LEFT JOIN ${t.resources} g ON g.tenant = m.tenant AND g.type = 'Group' AND g.id = m.group_id`;

export async function groupsOf(
  s: Scope,
  memberIds: readonly string[],
): Promise<ReadonlyMap<string, readonly Membership[]>> {
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
 * returns). A call of the STABLE PL/pgSQL function `groups_of` (migration 5), so a read that asks
 * for groups stays one statement and one snapshot, evaluated only for the rows a page returns, and
 * the query inside is planned once per connection instead of with every read.
 */
export const groupsColumn = (t: Tables) => `${groupsCall(t, "r.tenant", "r.id")} AS groups`;

/** The groups of the member `id` in `tenant` (SQL expressions), as {@link groupsColumn} reads them. */
export const groupsCall = (t: Tables, tenant: string, id: string) => `${t.schema}.groups_of(${tenant}, ${id})`;

/**
 * A select-list column named `members`: the members of the group row `r`, as a JSON array of
 * `[value, type, display]` in the order they were added, for a read that asks for them (the
 * function `members_of`, for the same reason as {@link groupsColumn}).
 */
export const membersColumn = (t: Tables) => `${membersCall(t, "r.tenant", "r.id")} AS members`;

/** The members of the group `id` in `tenant` (SQL expressions), as {@link membersColumn} reads them. */
export const membersCall = (t: Tables, tenant: string, id: string) => `${t.schema}.members_of(${tenant}, ${id})`;

/** The value of a {@link membersColumn}, as the driver returns it (parsed or JSON text). */
export function toMembers(v: unknown): Member[] {
  const parsed: unknown = typeof v === "string" ? JSON.parse(v) : v;
  if (!Array.isArray(parsed)) return [];
  return parsed
    .filter((triple): triple is unknown[] => Array.isArray(triple))
    .map(([value, type, display]) => {
      const d = strOrNull(display);
      return { value: str(value), type: type === "Group" ? "Group" : "User", ...(d !== null ? { display: d } : {}) };
    });
}

/** The value of a {@link groupsColumn}, as the driver returns it (parsed or JSON text). */
export function toMemberships(v: unknown): Membership[] {
  const parsed: unknown = typeof v === "string" ? JSON.parse(v) : v;
  if (!Array.isArray(parsed)) return [];
  return parsed
    .filter((pair): pair is unknown[] => Array.isArray(pair))
    .map(([groupId, display]) => membership(groupId, display));
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
