/**
 * The schema, as numbered migrations. Each is a list of single statements (PGlite's parameterised
 * protocol runs one statement per call) and is applied once, in order, recorded in
 * `schema_migrations`. Never edit a released migration: add the next one.
 *
 * Text columns that are compared or sorted use `COLLATE "C"`: byte order is what the in-memory
 * evaluator uses, it does not depend on the database's locale, and btree indexes on such columns
 * also serve `LIKE 'prefix%'`.
 */
import type { SqlExecutor } from "./driver.js";
import type { Tables } from "./identifiers.js";
import { countsTable, STRIPES } from "./sql/counts.js";
import { emailsTable } from "./sql/emails.js";
import { fold } from "./sql/fold.js";

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly statements: (t: Tables) => readonly string[];
  /**
   * Runs after the statements, in the same transaction: fills a new column whose value only
   * JavaScript computes exactly (case folding, see sql/fold.ts).
   */
  readonly backfill?: (sql: SqlExecutor, t: Tables) => Promise<void>;
}

const BACKFILL_BATCH = 5000;

/**
 * The planner's cost of one lookup_key() call, in cpu_operator_cost units: what makes testing a
 * lookup row by row look dearer than any difference between two index paths (a level of btree
 * descent is 50 units).
 */
const LOOKUP_COST = 1000;

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
  {
    version: 4,
    name: "maintained totals, family names, lookups that need no statistics",
    statements: (t) => [
      // An unfiltered list's total, without counting the tenant's rows: counters per (tenant, type),
      // kept by triggers in the writing transaction, so they commit and roll back with it. Each
      // connection adds to a stripe of its own (its backend pid modulo STRIPES), so concurrent
      // creates in one tenant do not queue on one counter row; a read sums the stripes, at most
      // STRIPES rows through the primary key. A stripe may go negative (deletes on a connection
      // that created nothing); only the sum means anything.
      `CREATE TABLE ${countsTable(t)} (
        tenant text COLLATE "C" NOT NULL,
        type text COLLATE "C" NOT NULL,
        stripe smallint NOT NULL,
        n bigint NOT NULL,
        PRIMARY KEY (tenant, type, stripe)
      )`,
      // Statement-level, over the transition table: a statement writing many rows updates each
      // counter once, and in key order, so two such statements cannot deadlock on the counters.
      // The store never changes a row's tenant or type, so UPDATE needs no trigger.
      `CREATE FUNCTION ${t.schema}.count_resources() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          INSERT INTO ${countsTable(t)} AS c (tenant, type, stripe, n)
            SELECT tenant, type, (pg_backend_pid() % ${STRIPES})::smallint, count(*) FROM added GROUP BY tenant, type ORDER BY tenant, type
            ON CONFLICT (tenant, type, stripe) DO UPDATE SET n = c.n + excluded.n;
        ELSIF TG_OP = 'DELETE' THEN
          INSERT INTO ${countsTable(t)} AS c (tenant, type, stripe, n)
            SELECT tenant, type, (pg_backend_pid() % ${STRIPES})::smallint, -count(*) FROM removed GROUP BY tenant, type ORDER BY tenant, type
            ON CONFLICT (tenant, type, stripe) DO UPDATE SET n = c.n + excluded.n;
        ELSE
          DELETE FROM ${countsTable(t)};
        END IF;
        RETURN NULL;
      END
      $fn$`,
      `CREATE TRIGGER resources_count_insert AFTER INSERT ON ${t.resources}
         REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION ${t.schema}.count_resources()`,
      `CREATE TRIGGER resources_count_delete AFTER DELETE ON ${t.resources}
         REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION ${t.schema}.count_resources()`,
      `CREATE TRIGGER resources_count_truncate AFTER TRUNCATE ON ${t.resources}
         FOR EACH STATEMENT EXECUTE FUNCTION ${t.schema}.count_resources()`,
      // The rows already there. CREATE TRIGGER has locked out writers until this migration commits,
      // so no write falls between this count and the triggers.
      `INSERT INTO ${countsTable(t)} (tenant, type, stripe, n) SELECT tenant, type, 0, count(*) FROM ${t.resources} GROUP BY tenant, type`,
      // name.familyName, folded like userName; filled for existing rows by the backfill below.
      `ALTER TABLE ${t.resources} ADD COLUMN family_name_ci text COLLATE "C"`,
      // Lookups that keep their index without statistics. With none, the planner takes
      // `tenant = $1 AND type = $2` to match 1/40,000 of the table: below a few tens of thousands
      // of rows every index on (tenant, type, …) then looks like it finds one row, every plan costs
      // the same, and which index serves a lookup by userName or id is down to the order indexes
      // were created in (seen: a lookup by id through the externalId index, filtering the tenant).
      // What does still differ: the planner charges an index condition one operator, whatever it
      // calls, and a filter the declared COST of the functions in it. So the lookup columns are
      // indexed and compared through lookup_key(), which returns its argument and is declared
      // expensive: any plan that would test a lookup row by row (a scan in default order, another
      // index, a sequential scan) costs far more than the index answering it, with or without
      // statistics. The filter compiler (query/filter-sql.ts) writes equality and prefix
      // comparisons on these columns through it.
      `CREATE FUNCTION ${t.schema}.lookup_key(v text) RETURNS text LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE COST ${LOOKUP_COST} AS $fn$
      BEGIN RETURN v; END
      $fn$`,
      // Each leads with (tenant, type, key) and ends with the default order (created, id), so an
      // equality reads only the matching entries, already in page order; a prefix reads its range.
      ...["user_name", "display_name", "family_name"].map(
        (c) =>
          `CREATE INDEX resources_${c}_key ON ${t.resources} (tenant, type, ${t.schema}.lookup_key(${c}_ci), created, id)`,
      ),
      `CREATE INDEX resources_external_id_key ON ${t.resources} (tenant, type, ${t.schema}.lookup_key(external_id), created, id)`,
      // Replaced by the one above. The plain userName and displayName indexes stay: sorts read them.
      `DROP INDEX ${t.schema}.resources_external_id`,
    ],
    backfill: async (sql, t) => {
      // Keyset batches over the primary key, so a large table is read and written in bounded pieces.
      let after: [string, string, string] = ["", "", ""];
      for (;;) {
        const res = await sql.query(
          `SELECT tenant, type, id,
             CASE WHEN jsonb_typeof(attributes -> 'name' -> 'familyName') = 'string' THEN attributes -> 'name' ->> 'familyName' END AS v
           FROM ${t.resources}
           WHERE (tenant, type, id) > ($1, $2, $3) ORDER BY tenant, type, id LIMIT ${BACKFILL_BATCH}`,
          after,
        );
        const rows = res.rows.map((r) => [String(r["tenant"]), String(r["type"]), String(r["id"]), r["v"]] as const);
        const last = rows.at(-1);
        if (!last) return;
        const named = rows.filter((r) => typeof r[3] === "string");
        if (named.length > 0) {
          await sql.query(
            `UPDATE ${t.resources} r SET family_name_ci = x.v
             FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS x(tenant, type, id, v)
             WHERE r.tenant = x.tenant AND r.type = x.type AND r.id = x.id`,
            [
              named.map((r) => r[0]),
              named.map((r) => r[1]),
              named.map((r) => r[2]),
              named.map((r) => fold(String(r[3]))),
            ],
          );
        }
        after = [last[0], last[1], last[2]];
      }
    },
  },
  {
    version: 5,
    name: "a resource's groups and a group's members with plans kept per session",
    // Read through correlated subqueries, the groups and members cost PostgreSQL more to plan than to
    // run on every GET and page (on PGlite about 1.7 ms of planning against 0.3 ms of execution for
    // a GET). PL/pgSQL keeps each function's plan for the session, so the same query behind a
    // function is planned once per connection. STABLE: the function reads with the snapshot of the
    // statement that calls it, so a read stays one snapshot. Same answers as members.ts's columns.
    statements: (t) => [
      `CREATE FUNCTION ${t.schema}.groups_of(p_tenant text, p_member text) RETURNS json LANGUAGE plpgsql STABLE AS $fn$
      BEGIN
        RETURN (
          SELECT COALESCE(json_agg(json_build_array(m.group_id,
                   CASE WHEN jsonb_typeof(g.attributes -> 'displayName') = 'string' THEN g.attributes ->> 'displayName' END) ORDER BY m.ord), '[]'::json)
          FROM ${t.members} m LEFT JOIN ${t.resources} g ON g.tenant = m.tenant AND g.type = 'Group' AND g.id = m.group_id
          WHERE m.tenant = p_tenant AND m.member_id = p_member);
      END
      $fn$`,
      `CREATE FUNCTION ${t.schema}.members_of(p_tenant text, p_group text) RETURNS json LANGUAGE plpgsql STABLE AS $fn$
      BEGIN
        RETURN (
          SELECT COALESCE(json_agg(json_build_array(m.member_id, m.member_type, m.display) ORDER BY m.ord), '[]'::json)
          FROM ${t.members} m WHERE m.tenant = p_tenant AND m.group_id = p_group);
      END
      $fn$`,
    ],
  },
  {
    version: 6,
    name: "e-mail addresses in a table of their own, for eq and sw through a btree",
    // The GIN index on email_values served equality only, and only when the planner's statistics
    // said so; a prefix (`emails.value sw`) scanned the tenant. One row per address, keyed by
    // (tenant, type, address, id), serves both as an index range, and replaces the GIN index (see
    // the README for the plans PostgreSQL 15 makes before the tables have statistics). Row triggers keep it in step with email_values: on INSERT, on an
    // UPDATE that changes the addresses (the store sets the column on every replace), on DELETE;
    // TRUNCATE empties it. CREATE TRIGGER holds writers off until this migration commits, so no
    // write falls between the triggers and the copy of the addresses already there.
    statements: (t) => [
      `CREATE TABLE ${emailsTable(t)} (
        tenant text COLLATE "C" NOT NULL,
        type text COLLATE "C" NOT NULL,
        email text COLLATE "C" NOT NULL,
        id text COLLATE "C" NOT NULL,
        PRIMARY KEY (tenant, type, email, id)
      )`,
      `CREATE FUNCTION ${t.schema}.index_emails() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        IF TG_OP = 'TRUNCATE' THEN
          DELETE FROM ${emailsTable(t)};
          RETURN NULL;
        END IF;
        IF TG_OP <> 'INSERT' THEN
          DELETE FROM ${emailsTable(t)}
            WHERE tenant = OLD.tenant AND type = OLD.type AND email = ANY (OLD.email_values) AND id = OLD.id;
        END IF;
        IF TG_OP <> 'DELETE' THEN
          INSERT INTO ${emailsTable(t)} (tenant, type, email, id)
            SELECT DISTINCT NEW.tenant, NEW.type, e, NEW.id FROM unnest(NEW.email_values) AS e
            ON CONFLICT DO NOTHING;
        END IF;
        RETURN NULL;
      END
      $fn$`,
      `CREATE TRIGGER resources_emails_insert AFTER INSERT ON ${t.resources}
         FOR EACH ROW WHEN (cardinality(NEW.email_values) > 0) EXECUTE FUNCTION ${t.schema}.index_emails()`,
      `CREATE TRIGGER resources_emails_update AFTER UPDATE OF email_values ON ${t.resources}
         FOR EACH ROW WHEN (OLD.email_values IS DISTINCT FROM NEW.email_values) EXECUTE FUNCTION ${t.schema}.index_emails()`,
      `CREATE TRIGGER resources_emails_delete AFTER DELETE ON ${t.resources}
         FOR EACH ROW WHEN (cardinality(OLD.email_values) > 0) EXECUTE FUNCTION ${t.schema}.index_emails()`,
      `CREATE TRIGGER resources_emails_truncate AFTER TRUNCATE ON ${t.resources}
         FOR EACH STATEMENT EXECUTE FUNCTION ${t.schema}.index_emails()`,
      `INSERT INTO ${emailsTable(t)} (tenant, type, email, id)
         SELECT DISTINCT r.tenant, r.type, e, r.id FROM ${t.resources} r, unnest(r.email_values) AS e`,
      `DROP INDEX ${t.schema}.resources_email_values`,
    ],
  },
];
