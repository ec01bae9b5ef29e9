/**
 * The schema, as numbered migrations. Each is a list of single statements (PGlite's parameterised
 * protocol runs one statement per call) and is applied once, in order, recorded in
 * `schema_migrations`. Never edit a released migration: add the next one.
 *
 * Text columns that are compared or sorted use `COLLATE "C"`: byte order is what the in-memory
 * evaluator uses, it does not depend on the database's locale, and btree indexes on such columns
 * also serve `LIKE 'prefix%'`.
 */
import type { Tables } from "./identifiers.js";

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly statements: (t: Tables) => readonly string[];
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: "resources, members, records, logs",
    statements: (t) => [
      `CREATE TABLE ${t.resources} (
        tenant text COLLATE "C" NOT NULL,
        type text COLLATE "C" NOT NULL,
        id text COLLATE "C" NOT NULL,
        attributes jsonb NOT NULL,
        internal jsonb NOT NULL DEFAULT '{}'::jsonb,
        unique_key text COLLATE "C",
        created text COLLATE "C" NOT NULL,
        last_modified text COLLATE "C" NOT NULL,
        version integer NOT NULL,
        -- Extracted on write for the lookups IdPs make on every sync. Lower-cased by the store with
        -- the same rule as the in-memory evaluator, so index answers equal in-memory answers.
        user_name_ci text COLLATE "C",
        display_name_ci text COLLATE "C",
        external_id text COLLATE "C",
        active boolean,
        email_values text[] COLLATE "C" NOT NULL DEFAULT '{}',
        PRIMARY KEY (tenant, type, id)
      )`,
      `CREATE UNIQUE INDEX resources_unique_key ON ${t.resources} (tenant, type, unique_key) WHERE unique_key IS NOT NULL`,
      `CREATE INDEX resources_default_order ON ${t.resources} (tenant, type, created, id)`,
      `CREATE INDEX resources_user_name ON ${t.resources} (tenant, type, user_name_ci, created, id)`,
      `CREATE INDEX resources_display_name ON ${t.resources} (tenant, type, display_name_ci, created, id)`,
      `CREATE INDEX resources_external_id ON ${t.resources} (tenant, type, external_id)`,
      `CREATE INDEX resources_email_values ON ${t.resources} USING gin (email_values)`,
      `CREATE TABLE ${t.members} (
        tenant text COLLATE "C" NOT NULL,
        group_id text COLLATE "C" NOT NULL,
        member_id text COLLATE "C" NOT NULL,
        member_type text COLLATE "C" NOT NULL,
        display text,
        -- Keeps members in the order they were added, like the in-memory store.
        ord bigint GENERATED ALWAYS AS IDENTITY,
        PRIMARY KEY (tenant, group_id, member_id)
      )`,
      `CREATE INDEX members_by_member ON ${t.members} (tenant, member_id, group_id)`,
      `CREATE TABLE ${t.records} (
        kind text COLLATE "C" NOT NULL,
        tenant text COLLATE "C" NOT NULL,
        id text COLLATE "C" NOT NULL,
        key text COLLATE "C",
        data jsonb NOT NULL,
        ord bigint GENERATED ALWAYS AS IDENTITY,
        PRIMARY KEY (kind, tenant, id)
      )`,
      `CREATE UNIQUE INDEX records_key ON ${t.records} (kind, key) WHERE key IS NOT NULL`,
      `CREATE TABLE ${t.logs} (
        seq bigserial PRIMARY KEY,
        log text COLLATE "C" NOT NULL,
        tenant text COLLATE "C" NOT NULL,
        at text COLLATE "C" NOT NULL,
        directory_id text COLLATE "C",
        resource_type text COLLATE "C",
        resource_id text COLLATE "C",
        data jsonb NOT NULL
      )`,
      // dateTime text → epoch milliseconds, read as core reads it (no zone means UTC, a date alone
      // is midnight UTC); NULL for anything that is not an RFC 7643 dateTime naming a real instant.
      String.raw`CREATE FUNCTION ${t.schema}.instant_ms(s text) RETURNS bigint LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
      DECLARE v text;
      BEGIN
        IF s !~ '^\d{4}-\d{2}-\d{2}([Tt]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:\d{2})?)?$' THEN RETURN NULL; END IF;
        v := upper(s);
        IF length(v) = 10 THEN v := v || 'T00:00:00Z';
        ELSIF v !~ '(Z|[+-]\d{2}:\d{2})$' THEN v := v || 'Z';
        END IF;
        RETURN floor(extract(epoch FROM v::timestamptz) * 1000)::bigint;
      EXCEPTION WHEN others THEN RETURN NULL;
      END
      $fn$`,
      `CREATE INDEX logs_by_tenant ON ${t.logs} (tenant, log, seq)`,
      `CREATE INDEX logs_by_resource ON ${t.logs} (tenant, log, resource_id, seq) WHERE resource_id IS NOT NULL`,
    ],
  },
  {
    version: 2,
    name: "audit by directory and by time",
    // A settings page reads one connection's activity, or a recent window: without these, both scan
    // the tenant's whole log.
    statements: (t) => [
      `CREATE INDEX logs_by_directory ON ${t.logs} (tenant, log, directory_id, seq) WHERE directory_id IS NOT NULL`,
      `CREATE INDEX logs_by_time ON ${t.logs} (tenant, log, at)`,
    ],
  },
  {
    version: 3,
    name: "a member's groups as of now",
    // A write reads its resource and locks it in one statement; the User's groups must then be read
    // after the lock is held, not from the snapshot the statement started with (which predates a
    // wait for the lock). A VOLATILE PL/pgSQL function runs its query with a snapshot of its own,
    // taken when it is called: a write calls it on the row it has just locked. Same answer as
    // members.ts's groupsColumn otherwise: [groupId, display] pairs in the order joined.
    statements: (t) => [
      `CREATE FUNCTION ${t.schema}.groups_now(p_tenant text, p_member text) RETURNS json LANGUAGE plpgsql VOLATILE AS $fn$
      BEGIN
        RETURN (
          SELECT COALESCE(json_agg(json_build_array(m.group_id,
                   CASE WHEN jsonb_typeof(g.attributes -> 'displayName') = 'string' THEN g.attributes ->> 'displayName' END) ORDER BY m.ord), '[]'::json)
          FROM ${t.members} m LEFT JOIN ${t.resources} g ON g.tenant = m.tenant AND g.type = 'Group' AND g.id = m.group_id
          WHERE m.tenant = p_tenant AND m.member_id = p_member);
      END
      $fn$`,
    ],
  },
];
