/**
 * Resource reads and writes. Every statement is keyed by (tenant, type, id); version guards are part
 * of the UPDATE/DELETE itself, so a check and the write it guards cannot be separated by another
 * transaction. Failures are diagnosed only after a statement changed nothing.
 */
import {
  UniquenessError,
  VersionConflictError,
  type Member,
  type Projection,
  type ResourceWrite,
  type StoredResource,
  type WriteGuard,
} from "@scimkit/core/store";
import type { SqlExecutor, SqlResult } from "../driver.js";
import type { Tables } from "../identifiers.js";
import { isUniqueViolation } from "./errors.js";
import { groupsColumn, membersColumn, toMembers, toMemberships } from "./members.js";
import { extract } from "./extract.js";
import { RESOURCE_COLUMNS, num, str, strOrNull, toResource } from "./rows.js";
import type { Unit } from "./unit.js";

export interface Scope {
  readonly sql: SqlExecutor;
  readonly t: Tables;
  readonly tenant: string;
  /** What the unit of work holds (locks, mode); see unit.ts. */
  readonly unit: Unit;
}

const guardValue = (guard: WriteGuard | undefined): number | null => guard?.expectedVersion ?? null;

/**
 * One resource by key, in one statement, with the groups it belongs to and (a Group's) members
 * when asked for.
 *
 * In a read-only unit the groups and members are correlated subqueries of that statement, so all of
 * it is one snapshot. In a write unit the statement also locks the row (`FOR NO KEY UPDATE`, which
 * still lets members be added to it) and the groups are read by `groups_now` once the lock is held,
 * so a read that waited for another writer sees that writer's memberships too; the members, when
 * asked for, come in a second statement after the lock.
 */
export async function getResource(
  s: Scope,
  type: string,
  id: string,
  projection?: Projection,
): Promise<StoredResource | null> {
  const groups = projection?.groups === true;
  const members = projection?.members === true;
  if (s.unit.readOnly) {
    const extra = `${groups ? `, ${groupsColumn(s.t)}` : ""}${members ? `, ${membersColumn(s.t)}` : ""}`;
    const res = await s.sql.query(
      `SELECT ${RESOURCE_COLUMNS}${extra} FROM ${s.t.resources} r WHERE r.tenant = $1 AND r.type = $2 AND r.id = $3`,
      [s.tenant, type, id],
    );
    const row = res.rows[0];
    if (!row) return null;
    return {
      ...toResource(row),
      ...(groups ? { groups: toMemberships(row["groups"]) } : {}),
      ...(members ? { members: toMembers(row["members"]) } : {}),
    };
  }
  const res = await s.sql.query(
    `WITH locked AS (
       SELECT ${RESOURCE_COLUMNS} FROM ${s.t.resources} r WHERE r.tenant = $1 AND r.type = $2 AND r.id = $3 FOR NO KEY UPDATE${s.unit.nowait}
     )
     SELECT locked.*${groups ? `, ${s.t.schema}.groups_now($1, locked.id) AS groups` : ""} FROM locked`,
    [s.tenant, type, id],
  );
  const row = res.rows[0];
  if (!row) return null;
  s.unit.hold(type, id);
  const found = groups ? { ...toResource(row), groups: toMemberships(row["groups"]) } : toResource(row);
  return members ? { ...found, members: (await membersOf(s, [id])).get(id) ?? [] } : found;
}

export async function createResource(s: Scope, r: ResourceWrite): Promise<StoredResource> {
  s.unit.writing();
  const x = extract(r.attributes);
  // ON CONFLICT DO NOTHING instead of catching 23505: a failed statement would abort the whole
  // transaction, while the contract lets the caller carry on after a UniquenessError.
  const res = await s.sql.query(
    `INSERT INTO ${s.t.resources}
       (tenant, type, id, attributes, internal, unique_key, created, last_modified, version, user_name_ci, display_name_ci, external_id, active, email_values, family_name_ci)
     VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, $6, $7, $8, $9, $10, $11, $12, $13, $14::text[], $15)
     ON CONFLICT DO NOTHING RETURNING id`,
    [
      s.tenant,
      r.resourceType,
      r.id,
      JSON.stringify(r.attributes),
      JSON.stringify(r.internal),
      r.uniqueKey,
      r.created,
      r.lastModified,
      r.version,
      x.userNameCi,
      x.displayNameCi,
      x.externalId,
      x.active,
      x.emailValues,
      x.familyNameCi,
    ],
  );
  s.unit.holding = true;
  if (res.rows.length === 0) {
    if (r.uniqueKey !== null && (await keyHolder(s, r.resourceType, r.uniqueKey)) !== null)
      throw new UniquenessError(r.uniqueKey);
    throw new UniquenessError(r.id);
  }
  s.unit.hold(r.resourceType, r.id);
  return strip(r);
}

async function keyHolder(s: Scope, type: string, key: string): Promise<string | null> {
  const res = await s.sql.query(`SELECT id FROM ${s.t.resources} WHERE tenant = $1 AND type = $2 AND unique_key = $3`, [
    s.tenant,
    type,
    key,
  ]);
  return strOrNull(res.rows[0]?.["id"]);
}

export async function replaceResource(
  s: Scope,
  r: ResourceWrite,
  guard: WriteGuard | undefined,
): Promise<StoredResource> {
  s.unit.writing();
  const x = extract(r.attributes);
  const expected = guardValue(guard);
  let res: SqlResult;
  try {
    // The NOT EXISTS keeps a taken key from raising 23505 (and aborting the transaction) in the
    // common case; a concurrent insert of the same key can still raise it, handled below.
    res = await s.sql.query(
      `UPDATE ${s.t.resources} r SET attributes = $4::jsonb, internal = $5::jsonb, unique_key = $6, last_modified = $7, version = $8,
         user_name_ci = $9, display_name_ci = $10, external_id = $11, active = $12, email_values = $14::text[], family_name_ci = $15
       WHERE r.tenant = $1 AND r.type = $2 AND r.id = $3 AND ($13::integer IS NULL OR r.version = $13::integer)
         AND ($6::text IS NULL OR NOT EXISTS (
           SELECT 1 FROM ${s.t.resources} o WHERE o.tenant = $1 AND o.type = $2 AND o.unique_key = $6::text AND o.id <> $3))
       RETURNING r.created`,
      [
        s.tenant,
        r.resourceType,
        r.id,
        JSON.stringify(r.attributes),
        JSON.stringify(r.internal),
        r.uniqueKey,
        r.lastModified,
        r.version,
        x.userNameCi,
        x.displayNameCi,
        x.externalId,
        x.active,
        expected,
        x.emailValues,
        x.familyNameCi,
      ],
    );
  } catch (error) {
    if (isUniqueViolation(error) && r.uniqueKey !== null) throw new UniquenessError(r.uniqueKey);
    throw error;
  }
  s.unit.hold(r.resourceType, r.id);
  const row = res.rows[0];
  if (row) return { ...strip(r), created: str(row["created"]) };
  const current = await s.sql.query(
    `SELECT version FROM ${s.t.resources} WHERE tenant = $1 AND type = $2 AND id = $3`,
    [s.tenant, r.resourceType, r.id],
  );
  const found = current.rows[0];
  if (!found) throw new Error(`${r.resourceType} ${r.id} does not exist`);
  if (expected !== null && num(found["version"]) !== expected) throw new VersionConflictError();
  throw new UniquenessError(r.uniqueKey ?? r.id);
}

export async function deleteResource(
  s: Scope,
  type: string,
  id: string,
  guard: WriteGuard | undefined,
): Promise<boolean> {
  s.unit.writing();
  const expected = guardValue(guard);
  const res = await s.sql.query(
    `WITH gone AS (
       DELETE FROM ${s.t.resources} WHERE tenant = $1 AND type = $2 AND id = $3 AND ($4::integer IS NULL OR version = $4::integer) RETURNING id
     ), as_group AS (
       DELETE FROM ${s.t.members} m USING gone WHERE m.tenant = $1 AND m.group_id = gone.id
     ), as_member AS (
       DELETE FROM ${s.t.members} m USING gone WHERE m.tenant = $1 AND m.member_id = gone.id
     )
     SELECT count(*) AS n FROM gone`,
    [s.tenant, type, id, expected],
  );
  s.unit.hold(type, id);
  if (num(res.rows[0]?.["n"]) > 0) return true;
  if (expected === null) return false;
  const current = await s.sql.query(`SELECT 1 FROM ${s.t.resources} WHERE tenant = $1 AND type = $2 AND id = $3`, [
    s.tenant,
    type,
    id,
  ]);
  if (current.rows.length === 0) return false;
  throw new VersionConflictError();
}

export async function existing(s: Scope, type: string, ids: readonly string[]): Promise<readonly string[]> {
  if (ids.length === 0) return [];
  // One primary-key lookup per id (members.ts's byKey says why not `id = ANY(…)`).
  const res = await s.sql.query(
    `SELECT r.id FROM unnest($3::text[]) AS x(v)
     CROSS JOIN LATERAL (SELECT id FROM ${s.t.resources} WHERE tenant = $1 AND type = $2 AND id = x.v LIMIT 1) r`,
    [s.tenant, type, [...new Set(ids)]],
  );
  const found = new Set(res.rows.map((row) => str(row["id"])));
  return ids.filter((id) => found.has(id));
}

/** Loads members of the given groups in one statement, in the order they were added. */
export async function membersOf(s: Scope, groupIds: readonly string[]): Promise<Map<string, Member[]>> {
  const out = new Map<string, Member[]>(groupIds.map((id) => [id, []]));
  if (groupIds.length === 0) return out;
  const res = await s.sql.query(
    `SELECT group_id, member_id, member_type, display FROM ${s.t.members} WHERE tenant = $1 AND group_id = ANY($2::text[]) ORDER BY group_id, ord`,
    [s.tenant, [...new Set(groupIds)]],
  );
  for (const row of res.rows) {
    const display = strOrNull(row["display"]);
    const member: Member = {
      value: str(row["member_id"]),
      type: row["member_type"] === "Group" ? "Group" : "User",
      ...(display !== null ? { display } : {}),
    };
    out.get(str(row["group_id"]))?.push(member);
  }
  return out;
}

/** A write returns what was stored, never the members or groups a caller might have attached. */
function strip(r: ResourceWrite): StoredResource {
  const { members: _members, groups: _groups, ...rest } = r as StoredResource;
  return rest;
}
