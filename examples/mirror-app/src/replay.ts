/**
 * Parked events, replayed once their cause is fixed. The feed parks an event after its last try and
 * goes on with the tenant's later events, so by the time it is replayed newer events may have been
 * applied around it (a membership skipped because its user was the parked one, say). Applying the
 * parked event's own payload late could undo them; instead, a replay re-reads the current state of
 * what the event touched through the host read API and writes that, which is right whatever came after.
 */
import type { ScimEvent, ScimServer } from "@scimkit/core";
import type { SqlDriver, SqlExecutor } from "@scimkit/postgres";
import { MIRROR_GROUP } from "./consumer.js";
import { displayNameOf, roleOf } from "./mirror.js";
import type { AppTables } from "./tables.js";

/**
 * Brings the app's rows in line for each of the tenant's parked events not yet applied; returns the ids
 * it handled. scimkit keeps listing parked events, so the app's applied-events table is what tells a
 * replayed one from a pending one: running this twice does nothing the second time.
 */
export async function replayParked(
  scim: ScimServer,
  driver: SqlDriver,
  t: AppTables,
  tenantId: string,
): Promise<string[]> {
  const done: string[] = [];
  for (const parked of await scim.events.parked(tenantId, MIRROR_GROUP)) {
    const [event] = await scim.events.read(tenantId, { after: parked.seq - 1, limit: 1 });
    if (!event || event.id !== parked.eventId) continue;
    const seen = await driver.query(`SELECT 1 FROM ${t.applied} WHERE event_id = $1`, [event.id]);
    if (seen.rows.length > 0) continue;
    await resync(scim, driver, t, event);
    done.push(event.id);
  }
  return done;
}

/** The resources an event touched, as `[kind, id]`. */
function touched(event: ScimEvent): ["user" | "team", string][] {
  switch (event.type) {
    case "user.created":
    case "user.updated":
    case "user.deactivated":
    case "user.reactivated":
    case "user.deleted":
      return [["user", event.user.id]];
    case "role.changed":
      return [["user", event.userId]];
    case "group.created":
    case "group.updated":
    case "group.deleted":
      return [["team", event.group.id]];
    case "membership.added":
    case "membership.removed":
      return [["team", event.groupId]];
    default:
      return [];
  }
}

async function resync(scim: ScimServer, driver: SqlDriver, t: AppTables, event: ScimEvent): Promise<void> {
  const tenant = event.tenantId;
  // Read before the transaction: the read API runs units of work of its own.
  const reads = await Promise.all(
    touched(event).map(async ([kind, id]) =>
      kind === "user"
        ? { kind, id, user: await scim.users.get(tenant, id), groups: await scim.users.groups(tenant, id) }
        : { kind, id, group: await scim.groups.get(tenant, id), members: await scim.groups.members(tenant, id) },
    ),
  );
  await driver.transaction(async (sql) => {
    for (const r of reads) {
      if (r.kind === "user" && "user" in r) await resyncUser(sql, t, tenant, r.id, r.user, r.groups, event.seq);
      if (r.kind === "team" && "group" in r) await resyncTeam(sql, t, tenant, r.id, r.group, r.members, event.seq);
    }
    await sql.query(
      `INSERT INTO ${t.applied} (event_id, tenant_id, seq) VALUES ($1, $2, $3) ON CONFLICT (event_id) DO NOTHING`,
      [event.id, tenant, event.seq],
    );
  });
}

type UserNow = Awaited<ReturnType<ScimServer["users"]["get"]>>;
type GroupNow = Awaited<ReturnType<ScimServer["groups"]["get"]>>;

async function resyncUser(
  sql: SqlExecutor,
  t: AppTables,
  tenant: string,
  id: string,
  user: UserNow,
  groups: readonly { id: string }[],
  seq: number,
): Promise<void> {
  await sql.query(`DELETE FROM ${t.memberships} WHERE tenant_id = $1 AND user_scim_id = $2`, [tenant, id]);
  if (!user) {
    await sql.query(`DELETE FROM ${t.users} WHERE tenant_id = $1 AND scim_id = $2`, [tenant, id]);
    return;
  }
  // The state read now is at least as new as any event applied so far: it wins over the row.
  await sql.query(
    `INSERT INTO ${t.users} (tenant_id, scim_id, user_name, email, display_name, active, role, scim_seq)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (tenant_id, scim_id) DO UPDATE SET
       user_name = excluded.user_name, email = excluded.email, display_name = excluded.display_name,
       active = excluded.active, role = excluded.role, scim_seq = GREATEST(${t.users}.scim_seq, excluded.scim_seq)`,
    [tenant, id, user.userName, user.email, displayNameOf(user), user.active, roleOf(user.roles), seq],
  );
  await sql.query(
    `INSERT INTO ${t.memberships} (tenant_id, user_scim_id, team_scim_id, role)
     SELECT tenant_id, $2, scim_id, role FROM ${t.teams} WHERE tenant_id = $1 AND scim_id = ANY($3::text[])
     ON CONFLICT DO NOTHING`,
    [tenant, id, groups.map((g) => g.id)],
  );
}

async function resyncTeam(
  sql: SqlExecutor,
  t: AppTables,
  tenant: string,
  id: string,
  group: GroupNow,
  members: readonly { id: string; type: string }[],
  seq: number,
): Promise<void> {
  await sql.query(`DELETE FROM ${t.memberships} WHERE tenant_id = $1 AND team_scim_id = $2`, [tenant, id]);
  if (!group) {
    await sql.query(`DELETE FROM ${t.teams} WHERE tenant_id = $1 AND scim_id = $2`, [tenant, id]);
    return;
  }
  await sql.query(
    `INSERT INTO ${t.teams} (tenant_id, scim_id, name, scim_seq) VALUES ($1, $2, $3, $4)
     ON CONFLICT (tenant_id, scim_id) DO UPDATE SET name = excluded.name,
       scim_seq = GREATEST(${t.teams}.scim_seq, excluded.scim_seq)`,
    [tenant, id, group.displayName, seq],
  );
  await sql.query(
    `INSERT INTO ${t.memberships} (tenant_id, user_scim_id, team_scim_id, role)
     SELECT u.tenant_id, u.scim_id, tm.scim_id, tm.role
       FROM ${t.users} u JOIN ${t.teams} tm ON tm.tenant_id = u.tenant_id AND tm.scim_id = $2
      WHERE u.tenant_id = $1 AND u.scim_id = ANY($3::text[])
     ON CONFLICT DO NOTHING`,
    [tenant, id, members.filter((m) => m.type === "User").map((m) => m.id)],
  );
}
