/**
 * What the store sends to the database: values only as parameters, no member reads where none is
 * needed, a constant number of statements per membership change, and plans that use the indexes.
 */
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseFilter, profiles, toleranceContext, type Member, type ScimStore, type StoreQuery } from "@scimkit/core";
import { conformanceRegistry, TEST_EXTENSION } from "@scimkit/testing";
import { freshSchema, PG_URL } from "../test/databases.js";
import { recordingDriver } from "../test/recording.js";
import { migrate, pgDriver, pgliteDriver, postgresStore, type SqlDriver } from "./index.js";

const filter = (type: "User" | "Group", text: string) => {
  const parsed = parseFilter(conformanceRegistry, type, text, toleranceContext(profiles.rfc));
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
};
const user = (id: string, userName: string) => ({ id, resourceType: "User", attributes: { userName, externalId: `ext-${id}`, emails: [{ value: userName, type: "work" }] }, internal: {}, uniqueKey: userName.toLowerCase(), created: `2024-01-01T00:00:00.${id.padStart(3, "0").slice(-3)}Z`, lastModified: "2024-01-01T00:00:00.000Z", version: 1 });
const group = (id: string) => ({ id, resourceType: "Group", attributes: { displayName: id }, internal: {}, uniqueKey: null, created: "2024-01-01T00:00:00.000Z", lastModified: "2024-01-01T00:00:00.000Z", version: 1 });
const at = { modifiedAt: "2024-01-02T00:00:00.000Z" };

describe("SQL sent by the store (PGlite)", () => {
  let db: PGlite;
  let recorder: ReturnType<typeof recordingDriver>;
  let store: ScimStore;

  beforeAll(async () => {
    db = new PGlite();
    const driver = pgliteDriver(db);
    await migrate(driver);
    recorder = recordingDriver(driver);
    store = postgresStore({ driver: recorder });
    await store.transaction("t", async (tx) => {
      for (let i = 0; i < 50; i++) await tx.createResource(user(String(i), `user${i}@example.com`));
      await tx.createResource(group("small"));
      await tx.createResource(group("big"));
      await tx.addMembers("small", [{ value: "0", type: "User" }], at);
      const many: Member[] = Array.from({ length: 2000 }, (_, i) => ({ value: `m${i}`, type: "User" }));
      await tx.addMembers("big", many, at);
    });
  });
  afterAll(async () => {
    await db.close();
  });

  const recorded = async <T>(work: () => Promise<T>) => {
    recorder.log.length = 0;
    await work();
    return [...recorder.log];
  };

  it("never puts a filter value or attribute name into SQL text", async () => {
    const marker = `x'); DROP TABLE scimkit.resources; --`;
    const texts = [
      `userName eq ${JSON.stringify(marker)}`,
      `title co ${JSON.stringify(marker)}`,
      `emails[type eq ${JSON.stringify(marker)}]`,
      `${TEST_EXTENSION}:badge sw ${JSON.stringify(marker)}`,
    ];
    for (const text of texts) {
      const log = await recorded(() => store.transaction("t", (tx) => tx.queryResources("User", { filter: filter("User", text), startIndex: 1, count: 10 })));
      expect(log.length).toBeGreaterThan(0);
      for (const s of log) {
        expect(s.text).not.toContain("DROP TABLE");
        expect(s.text).not.toContain(TEST_EXTENSION);
        expect(s.text).not.toMatch(/'title'|'emails'|'badge'/);
      }
      expect(log.some((s) => s.params.some((p) => typeof p === "string" && p.toLowerCase().includes(marker.toLowerCase())))).toBe(true);
    }
    expect((await store.transaction("t", (tx) => tx.queryResources("User", { startIndex: 1, count: 0 }))).total).toBe(50);
  });

  it("reads a group without touching the members table unless members are asked for", async () => {
    const without = await recorded(() => store.transaction("t", (tx) => tx.getResource("Group", "big")));
    expect(without.some((s) => s.text.includes(".members"))).toBe(false);
    const listed = await recorded(() => store.transaction("t", (tx) => tx.queryResources("Group", { startIndex: 1, count: 10 })));
    expect(listed.some((s) => s.text.includes(".members"))).toBe(false);
    const withMembers = await recorded(() => store.transaction("t", (tx) => tx.getResource("Group", "big", { members: true })));
    expect(withMembers.some((s) => s.text.includes(".members"))).toBe(true);
  });

  it("changes a 2,000-member group with the same statements as a 1-member group", async () => {
    const shape = async (groupId: string) => {
      const add = await recorded(() => store.transaction("t", (tx) => tx.addMembers(groupId, [{ value: "1", type: "User" }], at)));
      const remove = await recorded(() => store.transaction("t", (tx) => tx.removeMembers(groupId, ["1"], at)));
      const has = await recorded(() => store.transaction("t", (tx) => tx.hasMembers(groupId, ["1", "0"])));
      return [...add, ...remove, ...has].map((s) => s.text);
    };
    const small = await shape("small");
    const big = await shape("big");
    expect(big).toEqual(small);
    // Per unit of work the tenant lock; then one lock-and-check plus one set statement per change,
    // and one lookup for hasMembers.
    expect(small.filter((text) => text.includes("pg_advisory_xact_lock"))).toHaveLength(3);
    expect(small).toHaveLength(8);
    expect(await store.transaction("t", (tx) => tx.hasMembers("big", ["m1999", "m2000"]))).toEqual(["m1999"]);
  });

  it("declares nested value filters, which it cannot express, as not supported so core evaluates them", () => {
    const supports = store.capabilities.supportsFilter;
    const work = filter("User", 'emails[type eq "work"]');
    expect(supports?.(filter("User", 'emails[type eq "work"].value eq "x" or not (title pr)'), "User")).toBe(true);
    if (work.kind !== "valuePath") throw new Error("expected a value path");
    expect(supports?.({ kind: "valuePath", attr: work.attr, filter: work }, "User")).toBe(false);
  });
});

/** Plans for the lookups IdPs make on every sync use the indexes, not a scan over all resources. */
async function explainPlans(driver: SqlDriver, schema: string): Promise<Record<string, string>> {
  const recorder = recordingDriver(driver);
  const store = postgresStore({ driver: recorder, schema });
  await store.transaction("t", async (tx) => {
    for (let i = 0; i < 500; i++) await tx.createResource(user(String(i), `user${i}@example.com`));
    for (let i = 0; i < 50; i++) await tx.createResource(group(`g${i}`));
    await tx.createResource(group("g"));
    await tx.addMembers("g", [{ value: "1", type: "User" }], at);
  });
  await driver.query(`ANALYZE "${schema}".resources`);
  await driver.query(`ANALYZE "${schema}".members`);
  const queries: Record<string, ["User" | "Group", StoreQuery]> = {
    "userName eq": ["User", { filter: filter("User", 'userName eq "USER1@example.com"'), startIndex: 1, count: 100 }],
    "userName sw": ["User", { filter: filter("User", 'userName sw "user1"'), startIndex: 1, count: 100 }],
    "externalId eq": ["User", { filter: filter("User", 'externalId eq "ext-1"'), startIndex: 1, count: 100 }],
    "displayName eq": ["Group", { filter: filter("Group", 'displayName eq "G"'), startIndex: 1, count: 100 }],
    "default order page": ["User", { startIndex: 1, count: 5 }],
    "emails[type eq work].value eq": ["User", { filter: filter("User", 'emails[type eq "work"].value eq "USER7@example.com"'), startIndex: 1, count: 100 }],
    "members.value eq": ["Group", { filter: filter("Group", 'members.value eq "1"'), startIndex: 1, count: 100 }],
  };
  const plans: Record<string, string> = {};
  for (const [name, [type, query]] of Object.entries(queries)) {
    recorder.log.length = 0;
    await store.transaction("t", (tx) => tx.queryResources(type, query));
    const first = recorder.log.find((s) => !s.text.includes("pg_advisory_xact_lock"));
    if (!first) throw new Error("no statement recorded");
    plans[name] = await driver.transaction(async (sql) => {
      // With a handful of rows a scan is cheapest; forbid it to see whether an index serves the query.
      await sql.query("SET LOCAL enable_seqscan = off");
      const res = await sql.query(`EXPLAIN ${first.text}`, first.params);
      return res.rows.map((r) => String(r["QUERY PLAN"])).join("\n");
    });
  }
  return plans;
}

function expectIndexed(plans: Record<string, string>): void {
  expect(plans["userName eq"]).toContain("resources_user_name");
  expect(plans["userName sw"]).toContain("resources_user_name");
  expect(plans["externalId eq"]).toContain("resources_external_id");
  expect(plans["displayName eq"]).toContain("resources_display_name");
  expect(plans["default order page"]).toContain("resources_default_order");
  expect(plans["emails[type eq work].value eq"]).toContain("resources_email_values");
  expect(plans["members.value eq"]).toMatch(/members_pkey|members_by_member/);
  for (const plan of Object.values(plans)) expect(plan).not.toMatch(/Seq Scan on resources/);
}

describe("index use", () => {
  it("serves userName, externalId, displayName, email, member lookups and default paging from indexes on PGlite", async () => {
    const db = new PGlite();
    const driver = pgliteDriver(db);
    await migrate(driver);
    expectIndexed(await explainPlans(driver, "scimkit"));
    await db.close();
  });

  it.runIf(PG_URL)("serves the same lookups from indexes on the PostgreSQL server", async () => {
    const pool = new pg.Pool({ connectionString: PG_URL, max: 2 });
    const schema = freshSchema("explain");
    try {
      const driver = pgDriver(pool);
      await migrate(driver, { schema });
      expectIndexed(await explainPlans(driver, schema));
    } finally {
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await pool.end();
    }
  });
});
