/**
 * The host app's own tables, which scimkit knows nothing about: its users, its teams (the IdP's
 * groups) with the role the app grants each, who is on which team, and a few settings. Created by
 * the app's own small migration, next to scimkit's tables (made by `migrate` from `@scimkit/postgres`).
 */
import type { SqlExecutor } from "@scimkit/postgres";

/** Qualified table names in the app's schema. */
export interface AppTables {
  readonly schema: string;
  readonly users: string;
  readonly teams: string;
  readonly memberships: string;
  readonly applied: string;
  readonly settings: string;
}

export function appTables(schema: string): AppTables {
  // Identifiers cannot travel as parameters; refuse anything that would need quoting inside quotes.
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`not a plain schema name: ${schema}`);
  const q = (table: string) => `"${schema}".${table}`;
  return {
    schema,
    users: q("app_users"),
    teams: q("app_teams"),
    memberships: q("app_memberships"),
    applied: q("app_applied_events"),
    settings: q("app_settings"),
  };
}

/** Creates the tables when missing; safe to run on every start. */
export async function migrateApp(sql: SqlExecutor, t: AppTables): Promise<void> {
  const statements = [
    `CREATE SCHEMA IF NOT EXISTS "${t.schema}"`,
    // scim_seq is the seq of the last event applied to the row: an older event (a parked one
    // replayed late) never overwrites what a newer one wrote.
    `CREATE TABLE IF NOT EXISTS ${t.users} (
       id bigserial PRIMARY KEY,
       tenant_id text NOT NULL,
       scim_id text NOT NULL,
       user_name text NOT NULL,
       email text,
       display_name text,
       active boolean NOT NULL,
       role text,
       scim_seq bigint NOT NULL,
       UNIQUE (tenant_id, scim_id)
     )`,
    // role is the app's own mapping of the team, set from its settings page (see mapTeam).
    `CREATE TABLE IF NOT EXISTS ${t.teams} (
       tenant_id text NOT NULL,
       scim_id text NOT NULL,
       name text,
       role text,
       scim_seq bigint NOT NULL DEFAULT 0,
       PRIMARY KEY (tenant_id, scim_id)
     )`,
    `CREATE TABLE IF NOT EXISTS ${t.memberships} (
       tenant_id text NOT NULL,
       user_scim_id text NOT NULL,
       team_scim_id text NOT NULL,
       role text,
       PRIMARY KEY (tenant_id, team_scim_id, user_scim_id)
     )`,
    // Ids of the events applied, written in the same transaction as their effect: a delivery
    // repeated after a crash finds its id here and changes nothing.
    `CREATE TABLE IF NOT EXISTS ${t.applied} (
       event_id text PRIMARY KEY,
       tenant_id text NOT NULL,
       seq bigint NOT NULL,
       applied_at timestamptz NOT NULL DEFAULT now()
     )`,
    `CREATE TABLE IF NOT EXISTS ${t.settings} (key text PRIMARY KEY, value text NOT NULL)`,
  ];
  for (const s of statements) await sql.query(s);
}
