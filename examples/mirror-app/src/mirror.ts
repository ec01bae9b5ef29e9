/**
 * Applies one scimkit event to the app's tables. The same function serves both modes: inside
 * scimkit's unit of work (atomic mode, `sql` is `postgresExecutor(tx)`) and in a worker of the event
 * feed (feed mode, `sql` is a transaction of the app's own). It is idempotent: the event's id is
 * recorded with its effect, so a second delivery of the same event is a no-op, and rows remember the
 * seq of the last event that wrote them, so an older event never overwrites a newer state.
 */
import type { ScimEvent, UserView } from "@scimkit/core";
import type { SqlExecutor } from "@scimkit/postgres";
import type { AppTables } from "./tables.js";

/** The app keeps one role per user: the best-ranked one scimkit's policy gives (it lists them best first). */
export const roleOf = (roles: readonly string[] | null): string | null => roles?.[0] ?? null;

/** The name the app shows: SCIM's displayName, else the formatted name, else given and family names. */
export const displayNameOf = (u: UserView): string | null =>
  u.displayName ?? u.name.formatted ?? ([u.name.givenName, u.name.familyName].filter(Boolean).join(" ") || null);

/** Applies `event` unless it was applied before; says whether it did anything. */
export async function applyEvent(sql: SqlExecutor, t: AppTables, event: ScimEvent): Promise<boolean> {
  const first = await sql.query(
    `INSERT INTO ${t.applied} (event_id, tenant_id, seq) VALUES ($1, $2, $3) ON CONFLICT (event_id) DO NOTHING`,
    [event.id, event.tenantId, event.seq],
  );
  if (first.rowCount === 0) return false;
  const tenant = event.tenantId;
  switch (event.type) {
    case "user.created":
    case "user.updated":
    case "user.deactivated":
    case "user.reactivated":
      await upsertUser(sql, t, tenant, event.user, event.seq);
      break;
    case "user.deleted":
      await sql.query(`DELETE FROM ${t.memberships} WHERE tenant_id = $1 AND user_scim_id = $2`, [
        tenant,
        event.user.id,
      ]);
      await sql.query(`DELETE FROM ${t.users} WHERE tenant_id = $1 AND scim_id = $2`, [tenant, event.user.id]);
      break;
    case "group.created":
    case "group.updated":
      // The role is the app's (set by mapTeam) and is left alone; only the name follows the IdP.
      await sql.query(
        `INSERT INTO ${t.teams} (tenant_id, scim_id, name, scim_seq) VALUES ($1, $2, $3, $4)
         ON CONFLICT (tenant_id, scim_id) DO UPDATE SET name = excluded.name, scim_seq = excluded.scim_seq
         WHERE ${t.teams}.scim_seq < excluded.scim_seq`,
        [tenant, event.group.id, event.group.displayName, event.seq],
      );
      break;
    case "group.deleted":
      await sql.query(`DELETE FROM ${t.memberships} WHERE tenant_id = $1 AND team_scim_id = $2`, [
        tenant,
        event.group.id,
      ]);
      await sql.query(`DELETE FROM ${t.teams} WHERE tenant_id = $1 AND scim_id = $2`, [tenant, event.group.id]);
      break;
    case "membership.added":
      // memberIds may name nested groups: only users the app knows become memberships. The team
      // row is read FOR SHARE so that mapTeam, which locks it to change the role, cannot interleave.
      await sql.query(
        `INSERT INTO ${t.memberships} (tenant_id, user_scim_id, team_scim_id, role)
         SELECT u.tenant_id, u.scim_id, tm.scim_id, tm.role
           FROM ${t.users} u
           JOIN (SELECT tenant_id, scim_id, role FROM ${t.teams} WHERE tenant_id = $1 AND scim_id = $2 FOR SHARE) tm
             ON tm.tenant_id = u.tenant_id
          WHERE u.tenant_id = $1 AND u.scim_id = ANY($3::text[])
         ON CONFLICT DO NOTHING`,
        [tenant, event.groupId, [...event.memberIds]],
      );
      break;
    case "membership.removed":
      await sql.query(
        `DELETE FROM ${t.memberships} WHERE tenant_id = $1 AND team_scim_id = $2 AND user_scim_id = ANY($3::text[])`,
        [tenant, event.groupId, [...event.memberIds]],
      );
      break;
    case "role.changed":
      await sql.query(
        `UPDATE ${t.users} SET role = $3, scim_seq = $4 WHERE tenant_id = $1 AND scim_id = $2 AND scim_seq < $4`,
        [tenant, event.userId, roleOf(event.roles), event.seq],
      );
      break;
    default:
      // Directory and token lifecycle: nothing of the app's to mirror.
      break;
  }
  return true;
}

async function upsertUser(sql: SqlExecutor, t: AppTables, tenant: string, u: UserView, seq: number): Promise<void> {
  await sql.query(
    `INSERT INTO ${t.users} (tenant_id, scim_id, user_name, email, display_name, active, role, scim_seq)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (tenant_id, scim_id) DO UPDATE SET
       user_name = excluded.user_name, email = excluded.email, display_name = excluded.display_name,
       active = excluded.active, role = excluded.role, scim_seq = excluded.scim_seq
     WHERE ${t.users}.scim_seq < excluded.scim_seq`,
    [tenant, u.id, u.userName, u.email, displayNameOf(u), u.active, roleOf(u.roles), seq],
  );
}
