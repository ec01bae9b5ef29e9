/**
 * Lookups keep their index when the planner has no statistics at all: a tenant of 10,000 users and
 * 10,000 memberships loaded into tables that were never analyzed (autovacuum off, pg_statistic
 * empty for them), then every statement the store sends for a lookup by id, userName, displayName,
 * externalId, familyName, e-mail address and membership, and for the writes that find their row the same
 * way, run under `EXPLAIN (ANALYZE, FORMAT JSON)` in a transaction that is rolled back. No plan may
 * scan the resources or members table sequentially, nor let a filter throw away more than a
 * handful of rows: the values looked up belong to the last users created, so a plan that walks the
 * tenant in default order and filters would discard nearly all 10,000.
 */
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { filterFromText, type StoreQuery, type StoreTransaction } from "@scimkit/core/store";
import { describe, expect, it } from "vitest";
import { freshSchema, PG_URL } from "../test/databases.js";
import { recordingDriver, type Statement } from "../test/recording.js";
import { functionQuery } from "../test/function-query.js";
import { tablesIn } from "./identifiers.js";
import { createPgDriver, createPgliteDriver, createPostgresStore, migrate, type SqlDriver } from "./index.js";

const USERS = 10_000;
const GROUPS = 100;
/** The most rows any scan of the lookups may filter out. */
const MAX_REMOVED = 50;

class Rollback extends Error {}

/** 10,000 users (u00001…) and 100 groups (g0…g99), user n a member of group n % 100, as the store writes them. */
async function load(driver: SqlDriver, schema: string): Promise<void> {
  const t = tablesIn(schema);
  const at = (g: string) =>
    `to_char(timestamp '2024-01-01' + ${g} * interval '1 second', 'YYYY-MM-DD"T"HH24:MI:SS".000Z"')`;
  await driver.query(
    `INSERT INTO ${t.resources} (tenant, type, id, attributes, unique_key, created, last_modified, version,
       user_name_ci, display_name_ci, external_id, active, email_values, family_name_ci)
     SELECT 't', 'User', 'u' || lpad(g::text, 5, '0'),
       jsonb_build_object('userName', 'user' || g || '@example.com', 'displayName', 'User ' || g, 'externalId', 'ext-' || g,
         'active', true, 'name', jsonb_build_object('givenName', 'Ada', 'familyName', 'Family' || g),
         'emails', jsonb_build_array(jsonb_build_object('value', 'user' || g || '@example.com', 'type', 'work'))),
       'user' || g || '@example.com', ${at("g")}, ${at("g")}, 1,
       'user' || g || '@example.com', 'user ' || g, 'ext-' || g, true, ARRAY['user' || g || '@example.com'], 'family' || g
     FROM generate_series(1, ${USERS}) g`,
  );
  await driver.query(
    `INSERT INTO ${t.resources} (tenant, type, id, attributes, created, last_modified, version, display_name_ci)
     SELECT 't', 'Group', 'g' || k, jsonb_build_object('displayName', 'Group ' || k), ${at(`(${USERS} + k)`)}, ${at(`(${USERS} + k)`)}, 1, 'group ' || k
     FROM generate_series(0, ${GROUPS - 1}) k`,
  );
  await driver.query(
    `INSERT INTO ${t.members} (tenant, group_id, member_id, member_type)
     SELECT 't', 'g' || (g % ${GROUPS}), 'u' || lpad(g::text, 5, '0'), 'User' FROM generate_series(1, ${USERS}) g`,
  );
}

const last = USERS;
const lastId = `u${String(last).padStart(5, "0")}`;
const user = (q: string): StoreQuery => ({
  filter: filterFromText(q, { resourceType: "User" }),
  startIndex: 1,
  count: 100,
});

/** Each lookup, as a unit of work through the store; write units are rolled back so the data stays. */
const lookups: Record<
  string,
  {
    readonly readOnly: boolean;
    readonly work: (tx: StoreTransaction) => Promise<unknown>;
    /**
     * The store's SQL functions the lookup's statements call, with the arguments they are called
     * with: their queries are planned inside the function, out of EXPLAIN's sight, so each body
     * is explained on its own.
     */
    readonly functions?: Readonly<Record<string, readonly string[]>>;
  }
> = {
  "user by id, with groups": {
    readOnly: true,
    work: (tx) => tx.getResource("User", lastId, { groups: true }),
    functions: { groups_of: ["t", lastId] },
  },
  "group by id, with members": {
    readOnly: true,
    work: (tx) => tx.getResource("Group", "g7", { members: true }),
    functions: { members_of: ["t", "g7"] },
  },
  "userName eq": {
    readOnly: true,
    work: (tx) => tx.queryResources("User", user(`userName eq "USER${last}@example.com"`)),
  },
  "userName sw": { readOnly: true, work: (tx) => tx.queryResources("User", user(`userName sw "user${last}@"`)) },
  "displayName eq": { readOnly: true, work: (tx) => tx.queryResources("User", user(`displayName eq "user ${last}"`)) },
  "displayName sw": { readOnly: true, work: (tx) => tx.queryResources("User", user(`displayName sw "User ${last}"`)) },
  "externalId eq": { readOnly: true, work: (tx) => tx.queryResources("User", user(`externalId eq "ext-${last}"`)) },
  "name.familyName eq": {
    readOnly: true,
    work: (tx) => tx.queryResources("User", user(`name.familyName eq "FAMILY${last}"`)),
  },
  "name.familyName sw": {
    readOnly: true,
    work: (tx) => tx.queryResources("User", user(`name.familyName sw "family${last}"`)),
  },
  "a user's groups": {
    readOnly: true,
    work: (tx) =>
      tx.queryResources("Group", {
        filter: filterFromText(`members.value eq "${lastId}"`, { resourceType: "Group" }),
        startIndex: 1,
        count: 100,
      }),
  },
  "which members a group has": {
    readOnly: true,
    work: (tx) => tx.hasMembers("g7", ["u00007", "u00107", "u00207", lastId]),
  },
  "groups of several users": { readOnly: true, work: (tx) => tx.groupsOf([lastId, "u09999"]) },
  "which users exist": { readOnly: true, work: (tx) => tx.existing("User", [lastId, "nobody"]) },
  "PATCH of a user": {
    readOnly: false,
    functions: { groups_now: ["t", lastId] },
    work: async (tx) => {
      const found = await tx.getResource("User", lastId, { groups: true });
      if (!found) throw new Error("missing user");
      await tx.replaceResource(
        { ...found, version: 2, lastModified: "2025-01-01T00:00:00.000Z" },
        { expectedVersion: 1 },
      );
    },
  },
  "DELETE of a user": {
    readOnly: false,
    work: async (tx) => {
      await tx.getResource("User", lastId);
      await tx.deleteResource("User", lastId, { expectedVersion: 1 });
    },
  },
  "member add and remove": {
    readOnly: false,
    work: async (tx) => {
      await tx.addMembers("g7", [{ value: lastId, type: "User" }], {
        modifiedAt: "2025-01-01T00:00:00.000Z",
        version: 2,
      });
      // Twenty of its hundred members.
      const some = Array.from({ length: 20 }, (_, i) => `u${String(i * GROUPS + 7).padStart(5, "0")}`);
      await tx.removeMembers("g7", some, { modifiedAt: "2025-01-01T00:00:00.000Z", version: 3 });
    },
  },
};

/**
 * The e-mail lookups (migration 6): through the addresses table, then the resources by id. Without
 * statistics PostgreSQL 15 prefers walking the tenant in page order and testing each id (PGlite's
 * PostgreSQL 18 does not); once the tables are analyzed, as autovacuum does after a first load,
 * both read the addresses' index and the resources by key.
 */
const emailLookups: typeof lookups = {
  "emails.value eq": {
    readOnly: true,
    work: (tx) => tx.queryResources("User", user(`emails.value eq "USER${last}@example.com"`)),
  },
  "emails.value sw": {
    readOnly: true,
    work: (tx) => tx.queryResources("User", user(`emails.value sw "user${last}@"`)),
  },
  "emails[type eq work].value eq (Entra)": {
    readOnly: true,
    work: (tx) => tx.queryResources("User", user(`emails[type eq "work"].value eq "user${last}@example.com"`)),
  },
};

interface PlanNode {
  readonly "Node Type": string;
  readonly "Relation Name"?: string;
  readonly "Index Name"?: string;
  readonly "Function Name"?: string;
  readonly "Rows Removed by Filter"?: number;
  readonly "Rows Removed by Index Recheck"?: number;
  readonly Plans?: readonly PlanNode[];
}

function* nodes(node: PlanNode): Generator<PlanNode> {
  yield node;
  for (const child of node.Plans ?? []) yield* nodes(child);
}

/** What is wrong with one plan, as readable lines (empty when nothing is). */
function problems(plan: PlanNode): string[] {
  const out: string[] = [];
  for (const n of nodes(plan)) {
    // A lookup of several keys probes the index once per key; a hash or merge join would read
    // every row on the other side (a whole group, a whole tenant) without filtering any out.
    if (n["Node Type"] === "Hash Join" || n["Node Type"] === "Merge Join")
      out.push(
        `${n["Node Type"]} of ${[...nodes(n)].flatMap((c) => c["Relation Name"] ?? c["Function Name"] ?? []).join(", ")}`,
      );
    const table = n["Relation Name"];
    if (table !== "resources" && table !== "members" && table !== "resource_counts") continue;
    const where = `${n["Node Type"]} on ${table}${n["Index Name"] ? ` using ${n["Index Name"]}` : ""}`;
    if (n["Node Type"] === "Seq Scan") out.push(where);
    const removed = (n["Rows Removed by Filter"] ?? 0) + (n["Rows Removed by Index Recheck"] ?? 0);
    if (removed > MAX_REMOVED) out.push(`${where} removes ${removed} rows`);
  }
  return out;
}

async function explain(driver: SqlDriver, statement: Statement): Promise<PlanNode> {
  let plan: PlanNode | undefined;
  await driver
    .transaction(async (sql) => {
      const res = await sql.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${statement.text}`, statement.params);
      const cell = res.rows[0]?.["QUERY PLAN"];
      const parsed: unknown = typeof cell === "string" ? JSON.parse(cell) : cell;
      plan = (parsed as [{ Plan: PlanNode }])[0].Plan;
      throw new Rollback();
    })
    .catch((error: unknown) => {
      if (!(error instanceof Rollback)) throw error;
    });
  if (!plan) throw new Error("no plan");
  return plan;
}

/** Loads the tenant, checks nothing has statistics, and returns each lookup's problems, by lookup. */
async function planProblems(driver: SqlDriver, schema: string): Promise<Record<string, string[]>> {
  await load(driver, schema);
  await expectNoStatistics(driver, schema);
  return problemsOf(driver, schema, lookups);
}

async function expectNoStatistics(driver: SqlDriver, schema: string): Promise<void> {
  const stats = await driver.query(
    `SELECT count(*)::int AS n FROM pg_statistic s JOIN pg_class c ON c.oid = s.starelid
     JOIN pg_namespace ns ON ns.oid = c.relnamespace WHERE ns.nspname = $1`,
    [schema],
  );
  expect(stats.rows[0]?.["n"], "no statistics on the store's tables").toBe(0);
  const never = await driver.query(
    `SELECT count(*)::int AS n FROM pg_class c JOIN pg_namespace ns ON ns.oid = c.relnamespace
     WHERE ns.nspname = $1 AND c.relname IN ('resources', 'members') AND c.reltuples < 0`,
    [schema],
  );
  expect(never.rows[0]?.["n"], "both tables never analyzed").toBe(2);
}

async function problemsOf(driver: SqlDriver, schema: string, which: typeof lookups): Promise<Record<string, string[]>> {
  const recorder = recordingDriver(driver);
  const store = createPostgresStore({ driver: recorder, schema });
  const out: Record<string, string[]> = {};
  for (const [name, lookup] of Object.entries(which)) {
    recorder.log.length = 0;
    await store
      .transaction(
        "t",
        async (tx) => {
          await lookup.work(tx);
          if (!lookup.readOnly) throw new Rollback();
        },
        { readOnly: lookup.readOnly },
      )
      .catch((error: unknown) => {
        if (!(error instanceof Rollback)) throw error;
      });
    const statements = recorder.log.filter((s) => /\.(resources|members)\b/.test(s.text));
    expect(statements.length, name).toBeGreaterThan(0);
    out[name] = [];
    for (const [fn, args] of Object.entries(lookup.functions ?? {})) {
      expect(
        statements.some((st) => st.text.includes(`.${fn}(`)),
        `${name} calls ${fn}`,
      ).toBe(true);
      statements.push({ text: await functionQuery(driver, schema, fn), params: args });
    }
    for (const statement of statements) {
      for (const p of problems(await explain(driver, statement)))
        out[name].push(`${p} in: ${statement.text.replace(/\s+/g, " ").slice(0, 160)}`);
    }
  }
  return out;
}

const clean = Object.fromEntries(Object.keys(lookups).map((name) => [name, []]));

describe("lookups without planner statistics", () => {
  it("use their index on PGlite", async () => {
    const db = new PGlite();
    // Declared as if autovacuum ran, so that neither migrate() nor the store analyzes anything.
    const driver: SqlDriver = { ...createPgliteDriver(db), autovacuum: true };
    try {
      await migrate(driver);
      expect(await planProblems(driver, "scimkit")).toEqual(clean);
    } finally {
      await db.close();
    }
  }, 120_000);
});

describe.skipIf(!PG_URL)("lookups without planner statistics on the PostgreSQL server", () => {
  it("use their index", async () => {
    const pool = new pg.Pool({ connectionString: PG_URL, max: 2 });
    const schema = freshSchema("plans");
    const driver = createPgDriver(pool);
    try {
      await migrate(driver, { schema });
      for (const table of ["resources", "members", "resource_counts"])
        await pool.query(`ALTER TABLE "${schema}".${table} SET (autovacuum_enabled = off)`);
      expect(await planProblems(driver, schema)).toEqual(clean);
    } finally {
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await pool.end();
    }
  }, 120_000);
});

describe("e-mail lookups once the tables are analyzed", () => {
  const emailsClean = Object.fromEntries(Object.keys(emailLookups).map((name) => [name, []]));
  const analyzed = async (driver: SqlDriver, schema: string) => {
    await load(driver, schema);
    for (const table of ["resources", "members", "resource_emails"]) await driver.query(`ANALYZE "${schema}".${table}`);
    return problemsOf(driver, schema, emailLookups);
  };

  it("read the addresses' index on PGlite", async () => {
    const db = new PGlite();
    const driver: SqlDriver = { ...createPgliteDriver(db), autovacuum: true };
    try {
      await migrate(driver);
      expect(await analyzed(driver, "scimkit")).toEqual(emailsClean);
    } finally {
      await db.close();
    }
  }, 120_000);

  it.runIf(PG_URL)(
    "read the addresses' index on the PostgreSQL server",
    async () => {
      const pool = new pg.Pool({ connectionString: PG_URL, max: 2 });
      const schema = freshSchema("plans");
      const driver = createPgDriver(pool);
      try {
        await migrate(driver, { schema });
        expect(await analyzed(driver, schema)).toEqual(emailsClean);
      } finally {
        await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await pool.end();
      }
    },
    120_000,
  );
});
