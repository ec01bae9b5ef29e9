/**
 * What the store sends to the database: values only as parameters, no member reads where none is
 * needed, a constant number of statements per membership change, and plans that use the indexes.
 */
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ScimStore } from "@scimkit/core";
import {
  filterFromText,
  sortFromText,
  type Member,
  type MembershipWrite,
  type StoreQuery,
  type StoreTransaction,
} from "@scimkit/core/store";
import { conformanceExtensions, TEST_EXTENSION } from "@scimkit/testing";
import { freshSchema, PG_URL, pgliteDatabase, serverDatabase, type TestDatabase } from "../test/databases.js";
import { functionQuery } from "../test/function-query.js";
import { recordingDriver } from "../test/recording.js";
import { migrate, createPgDriver, createPgliteDriver, createPostgresStore, type SqlDriver } from "./index.js";

const filter = (type: "User" | "Group", text: string) =>
  filterFromText(text, { resourceType: type, extensions: conformanceExtensions });
const ref = (name: string) => sortFromText(name, "ascending", { extensions: conformanceExtensions }).by;
const user = (id: string, userName: string) => ({
  id,
  resourceType: "User",
  attributes: { userName, externalId: `ext-${id}`, emails: [{ value: userName, type: "work" }] },
  internal: {},
  uniqueKey: userName.toLowerCase(),
  created: `2024-01-01T00:00:00.${id.padStart(3, "0").slice(-3)}Z`,
  lastModified: "2024-01-01T00:00:00.000Z",
  version: 1,
});
const group = (id: string) => ({
  id,
  resourceType: "Group",
  attributes: { displayName: id },
  internal: {},
  uniqueKey: null,
  created: "2024-01-01T00:00:00.000Z",
  lastModified: "2024-01-01T00:00:00.000Z",
  version: 1,
});
const at = { modifiedAt: "2024-01-02T00:00:00.000Z", version: 2 };

describe("SQL sent by the store (PGlite)", () => {
  let db: PGlite;
  let recorder: ReturnType<typeof recordingDriver>;
  let store: ScimStore;

  beforeAll(async () => {
    db = new PGlite();
    const driver = createPgliteDriver(db);
    await migrate(driver);
    recorder = recordingDriver(driver);
    store = createPostgresStore({ driver: recorder });
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

  it("reads groups and members for a page's own rows, never for the rows its OFFSET skips", async () => {
    const pages = await recorded(() =>
      store.transaction(
        "t",
        async (tx) => {
          const users = await tx.queryResources("User", { startIndex: 21, count: 5, projection: { groups: true } });
          const groups = await tx.queryResources("Group", { startIndex: 2, count: 1, projection: { members: true } });
          return [users, groups];
        },
        { readOnly: true },
      ),
    );
    const [users, groups] = await store.transaction(
      "t",
      (tx) =>
        Promise.all([
          tx.queryResources("User", { startIndex: 1, count: 1, filter: undefined, projection: { groups: true } }),
          tx.queryResources("Group", { startIndex: 1, count: 2, projection: { members: true } }),
        ]),
      { readOnly: true },
    );
    expect(users?.resources[0]?.groups).toEqual([{ groupId: "small", display: "small" }]);
    expect(groups?.resources.map((g) => [g.id, g.members?.length])).toEqual([
      ["big", 2000],
      ["small", 1],
    ]);
    expect(pages).toHaveLength(2);
    for (const { text } of pages) {
      const page = text.slice(text.indexOf("WITH page AS"), text.indexOf("numbered AS"));
      const outer = text.slice(text.lastIndexOf("SELECT numbered.*"));
      expect(page).not.toMatch(/groups_of|members_of/);
      expect(outer).toMatch(/(groups_of|members_of)\(\$1::text, numbered\.id\)/);
    }
  });

  it("never puts a filter value or attribute name into SQL text", async () => {
    const marker = `x'); DROP TABLE scimkit.resources; --`;
    const texts = [
      `userName eq ${JSON.stringify(marker)}`,
      `title co ${JSON.stringify(marker)}`,
      `emails[type eq ${JSON.stringify(marker)}]`,
      `${TEST_EXTENSION}:badge sw ${JSON.stringify(marker)}`,
    ];
    for (const text of texts) {
      const log = await recorded(() =>
        store.transaction("t", (tx) =>
          tx.queryResources("User", { filter: filter("User", text), startIndex: 1, count: 10 }),
        ),
      );
      expect(log.length).toBeGreaterThan(0);
      for (const s of log) {
        expect(s.text).not.toContain("DROP TABLE");
        expect(s.text).not.toContain(TEST_EXTENSION);
        expect(s.text).not.toMatch(/'title'|'emails'|'badge'/);
      }
      expect(
        log.some((s) => s.params.some((p) => typeof p === "string" && p.toLowerCase().includes(marker.toLowerCase()))),
      ).toBe(true);
    }
    expect((await store.transaction("t", (tx) => tx.queryResources("User", { startIndex: 1, count: 0 }))).total).toBe(
      50,
    );
  });

  it("reads a group without touching the members table unless members are asked for", async () => {
    const without = await recorded(() => store.transaction("t", (tx) => tx.getResource("Group", "big")));
    expect(without.some((s) => s.text.includes(".members"))).toBe(false);
    const listed = await recorded(() =>
      store.transaction("t", (tx) => tx.queryResources("Group", { startIndex: 1, count: 10 })),
    );
    expect(listed.some((s) => s.text.includes(".members"))).toBe(false);
    const withMembers = await recorded(() =>
      store.transaction("t", (tx) => tx.getResource("Group", "big", { members: true })),
    );
    expect(withMembers.some((s) => s.text.includes(".members"))).toBe(true);
  });

  it("changes a 2,000-member group with the same statements as a 1-member group", async () => {
    const shape = async (groupId: string) => {
      const add = await recorded(() =>
        store.transaction("t", (tx) => tx.addMembers(groupId, [{ value: "1", type: "User" }], at)),
      );
      const remove = await recorded(() => store.transaction("t", (tx) => tx.removeMembers(groupId, ["1"], at)));
      const has = await recorded(() => store.transaction("t", (tx) => tx.hasMembers(groupId, ["1", "0"])));
      return [...add, ...remove, ...has].map((s) => s.text);
    };
    const small = await shape("small");
    const big = await shape("big");
    expect(big).toEqual(small);
    // No tenant lock: per change, the group's row lock and check, then one set statement; one
    // lookup for hasMembers.
    expect(small.filter((text) => text.includes("pg_advisory"))).toHaveLength(0);
    expect(small.filter((text) => text.includes("FOR NO KEY UPDATE"))).toHaveLength(2);
    expect(small).toHaveLength(5);
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

/** Where the groups and membership tests run: PGlite always, the server when one is named. */
const databases: [string, () => Promise<TestDatabase>][] = [["PGlite", () => pgliteDatabase()]];
const serverUrl = PG_URL;
if (serverUrl) databases.push(["PostgreSQL server", () => serverDatabase("shape", serverUrl)]);

describe.each(databases)("a User's groups read with the resource (%s)", (_label, open) => {
  let db: TestDatabase;
  let recorder: ReturnType<typeof recordingDriver>;
  let store: ScimStore;
  const read = <T>(work: (tx: StoreTransaction) => Promise<T>) => store.transaction("g", work, { readOnly: true });
  const recorded = async <T>(work: (tx: StoreTransaction) => Promise<T>) => {
    recorder.log.length = 0;
    const result = await read(work);
    return { result, statements: recorder.log.map((s) => s.text) };
  };

  beforeAll(async () => {
    db = await open();
    recorder = recordingDriver(db.driver);
    store = createPostgresStore({ driver: recorder, schema: db.schema });
    await store.transaction("g", async (tx) => {
      for (const [id, name] of [
        ["none", "none"],
        ["one", "one"],
        ["many", "many"],
      ] as const)
        await tx.createResource(user(id, name));
      for (const id of ["g-a", "g-b"]) await tx.createResource(group(id));
      // A group whose displayName is not a string has no display, as groupsOf reports it.
      await tx.createResource({ ...group("g-c"), attributes: { displayName: 7 } });
      // The order joined, not the order of ids: g-c, g-a, then g-b.
      await tx.addMembers("g-c", [{ value: "many", type: "User" }], at);
      await tx.addMembers(
        "g-a",
        [
          { value: "one", type: "User" },
          { value: "many", type: "User" },
          { value: "g-b", type: "Group" },
        ],
        at,
      );
      await tx.addMembers("g-b", [{ value: "many", type: "User" }], at);
    });
    // Another tenant's membership of the same ids never shows.
    await store.transaction("other", async (tx) => {
      await tx.createResource(group("g-x"));
      await tx.addMembers(
        "g-x",
        [
          { value: "none", type: "User" },
          { value: "one", type: "User" },
        ],
        at,
      );
    });
  });
  afterAll(async () => {
    await db.dispose();
  });

  it("returns the groups of a user in 0, 1 and several groups, as groupsOf does, in one statement each", async () => {
    const expected = await read((tx) => tx.groupsOf(["none", "one", "many", "g-b"]));
    expect(expected.get("none")).toEqual([]);
    expect(expected.get("one")).toEqual([{ groupId: "g-a", display: "g-a" }]);
    expect(expected.get("many")).toEqual([
      { groupId: "g-c" },
      { groupId: "g-a", display: "g-a" },
      { groupId: "g-b", display: "g-b" },
    ]);
    for (const id of ["none", "one", "many"]) {
      const { result, statements } = await recorded((tx) => tx.getResource("User", id, { groups: true }));
      expect(result?.groups).toEqual(expected.get(id));
      expect(result).toMatchObject({ id, resourceType: "User", version: 1, attributes: { userName: id } });
      expect(statements).toHaveLength(1);
    }
    // A group's own groups, with its members in the same read.
    const nested = await read((tx) => tx.getResource("Group", "g-b", { groups: true, members: true }));
    expect(nested?.groups).toEqual(expected.get("g-b"));
    expect(nested?.members).toEqual([{ value: "many", type: "User" }]);
    expect(await read((tx) => tx.getResource("User", "ghost", { groups: true }))).toBeNull();
  });

  it("returns the groups of every user on a page in the page's one statement", async () => {
    const expected = await read((tx) => tx.groupsOf(["none", "one", "many"]));
    // The default order, an indexed column, and a sort that needs its own LATERAL join.
    const sorts = [
      undefined,
      { by: ref("userName"), order: "ascending" as const },
      { by: ref("title"), order: "descending" as const },
    ];
    for (const sort of sorts) {
      const { result, statements } = await recorded((tx) =>
        tx.queryResources("User", { startIndex: 1, count: 10, sort, projection: { groups: true } }),
      );
      expect(result.total).toBe(3);
      expect(result.resources.map((r) => [r.id, r.groups])).toEqual(
        result.resources.map((r) => [r.id, expected.get(r.id)]),
      );
      expect(statements).toHaveLength(1);
    }
    const filtered = await recorded((tx) =>
      tx.queryResources("User", {
        filter: filter("User", 'userName eq "MANY"'),
        startIndex: 1,
        count: 10,
        projection: { groups: true },
      }),
    );
    expect(filtered.result.resources.map((r) => r.groups)).toEqual([expected.get("many")]);
    expect(filtered.statements).toHaveLength(1);
  });

  it("neither computes groups nor touches the members table when they are not asked for", async () => {
    const get = await recorded((tx) => tx.getResource("User", "many"));
    expect(get.result).not.toHaveProperty("groups");
    const page = await recorded((tx) =>
      tx.queryResources("User", { startIndex: 1, count: 10, projection: { members: false } }),
    );
    expect(page.result.resources.some((r) => "groups" in r)).toBe(false);
    for (const text of [...get.statements, ...page.statements]) expect(text).not.toContain(".members");
  });
});

describe.each(databases)("membership changes set the version core gives (%s)", (_label, open) => {
  let db: TestDatabase;
  let recorder: ReturnType<typeof recordingDriver>;
  let store: ScimStore;
  const stored = async () => {
    const g = await store.transaction("v", (tx) => tx.getResource("Group", "g"), { readOnly: true });
    return [g?.version, g?.lastModified];
  };
  const change = async <T>(work: (tx: StoreTransaction) => Promise<T>) => {
    recorder.log.length = 0;
    const result = await store.transaction("v", work);
    return { result, statements: recorder.log.length };
  };

  beforeAll(async () => {
    db = await open();
    recorder = recordingDriver(db.driver);
    store = createPostgresStore({ driver: recorder, schema: db.schema });
    await store.transaction("v", (tx) => tx.createResource(group("g")));
  });
  afterAll(async () => {
    await db.dispose();
  });

  it("stores the given version and lastModified when something changed, and leaves both when nothing did", async () => {
    const t = (n: number) => `2024-02-0${n}T00:00:00.000Z`;
    // The group's row lock and check, then one statement for the change and the group's stamp.
    expect(
      await change((tx) => tx.addMembers("g", [{ value: "u", type: "User" }], { modifiedAt: t(1), version: 7 })),
    ).toEqual({ result: ["u"], statements: 2 });
    expect(await stored()).toEqual([7, t(1)]);
    expect(
      await change((tx) => tx.addMembers("g", [{ value: "u", type: "User" }], { modifiedAt: t(2), version: 8 })),
    ).toEqual({ result: [], statements: 2 });
    expect(await stored()).toEqual([7, t(1)]);
    expect(
      await change((tx) => tx.removeMembers("g", ["u"], { modifiedAt: t(3), version: 9, expectedVersion: 7 })),
    ).toEqual({ result: ["u"], statements: 2 });
    expect(await stored()).toEqual([9, t(3)]);
    const replaced = await change((tx) =>
      tx.replaceMembers("g", [{ value: "v", type: "User" }], { modifiedAt: t(4), version: 12 }),
    );
    expect(replaced).toEqual({ result: { added: ["v"], removed: [] }, statements: 2 });
    expect(await stored()).toEqual([12, t(4)]);
    expect(
      (await change((tx) => tx.replaceMembers("g", [{ value: "v", type: "User" }], { modifiedAt: t(5), version: 13 })))
        .result,
    ).toEqual({ added: [], removed: [] });
    expect(await stored()).toEqual([12, t(4)]);
    // Several changes in one unit of work with the same new version end on that version, not beyond it.
    await store.transaction("v", async (tx) => {
      await tx.addMembers("g", [{ value: "w", type: "User" }], { modifiedAt: t(6), version: 13 });
      await tx.removeMembers("g", ["v"], { modifiedAt: t(6), version: 13 });
    });
    expect(await stored()).toEqual([13, t(6)]);
  });

  it("checks expectedVersion against the stored version, not the new one", async () => {
    const before = await stored();
    const stale = store.transaction("v", (tx) =>
      tx.addMembers("g", [{ value: "x", type: "User" }], {
        modifiedAt: "2024-03-01T00:00:00.000Z",
        version: 99,
        expectedVersion: 99,
      }),
    );
    await expect(stale).rejects.toThrow(/modified since/);
    expect(await stored()).toEqual(before);
    // A caller that gives no version is refused before any SQL, not stored as NULL.
    const unversioned = { modifiedAt: "2024-03-01T00:00:00.000Z" } as MembershipWrite;
    await expect(
      store.transaction("v", (tx) => tx.addMembers("g", [{ value: "x", type: "User" }], unversioned)),
    ).rejects.toThrow(TypeError);
    expect(await stored()).toEqual(before);
  });
});

describe.each(databases)("a unit of work's log entries appended together (%s)", (_label, open) => {
  let db: TestDatabase;

  afterAll(async () => {
    await db.dispose();
  });

  it("inserts them in one statement and returns increasing seqs in the order given", async () => {
    db = await open();
    const recorder = recordingDriver(db.driver);
    const store = createPostgresStore({ driver: recorder, schema: db.schema });
    const entry = (n: number) => ({
      at: `2024-01-0${n}T00:00:00.000Z`,
      directoryId: n === 2 ? null : "d",
      resourceType: "User",
      resourceId: `u${n}`,
      data: { n, nested: { list: [n] } },
    });
    const rows = [1, 2, 3, 4].map((n) => ({
      log: n === 3 ? ("events" as const) : ("audit" as const),
      entry: entry(n),
    }));
    recorder.log.length = 0;
    const seqs = await store.transaction("l", async (tx) => {
      if (!tx.appendLogs) throw new Error("appendLogs is missing");
      return tx.appendLogs(rows);
    });
    // One INSERT for all four, which takes the tenant's log lock itself.
    expect(recorder.log).toHaveLength(1);
    expect(recorder.log[0]?.text).toContain("pg_advisory_xact_lock");
    expect(seqs).toHaveLength(4);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    expect(new Set(seqs).size).toBe(4);
    const [audit, events] = await store.transaction(
      "l",
      (tx) => Promise.all([tx.readLog("audit", { limit: 10 }), tx.readLog("events", { limit: 10 })]),
      { readOnly: true },
    );
    expect(audit).toEqual([0, 1, 3].map((i) => ({ seq: seqs[i], ...entry(i + 1) })));
    expect(events).toEqual([{ seq: seqs[2], ...entry(3) }]);
    expect(await store.transaction("l", async (tx) => tx.appendLogs?.([]))).toEqual([]);
  });
});

/** Plans for the lookups IdPs make on every sync use the indexes, not a scan over all resources. */
async function explainPlans(driver: SqlDriver, schema: string): Promise<Record<string, string>> {
  const recorder = recordingDriver(driver);
  const store = createPostgresStore({ driver: recorder, schema });
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
    "emails[type eq work].value eq": [
      "User",
      { filter: filter("User", 'emails[type eq "work"].value eq "USER7@example.com"'), startIndex: 1, count: 100 },
    ],
    "members.value eq": ["Group", { filter: filter("Group", 'members.value eq "1"'), startIndex: 1, count: 100 }],
    "userName eq with groups": [
      "User",
      {
        filter: filter("User", 'userName eq "user1@example.com"'),
        startIndex: 1,
        count: 100,
        projection: { groups: true },
      },
    ],
  };
  const plans: Record<string, string> = {};
  const texts: Record<string, string> = {};
  for (const [name, [type, query]] of Object.entries(queries)) {
    recorder.log.length = 0;
    await store.transaction("t", (tx) => tx.queryResources(type, query));
    const first = recorder.log.find((s) => !s.text.includes("pg_advisory_xact_lock"));
    if (!first) throw new Error("no statement recorded");
    texts[name] = first.text;
    plans[name] = await driver.transaction(async (sql) => {
      // With a handful of rows a scan is cheapest; forbid it to see whether an index serves the query.
      await sql.query("SET LOCAL enable_seqscan = off");
      const res = await sql.query(`EXPLAIN ${first.text}`, first.params);
      return res.rows.map((r) => String(r["QUERY PLAN"])).join("\n");
    });
  }
  // A user's groups are read by a PL/pgSQL function whose plan EXPLAIN does not show: the statement
  // must call it, and its query (as the catalog holds it) is explained on its own.
  const withGroups = texts["userName eq with groups"] ?? "";
  plans["groups_of"] = await driver.transaction(async (sql) => {
    await sql.query("SET LOCAL enable_seqscan = off");
    const text = await functionQuery(sql, schema, "groups_of");
    const res = await sql.query(`EXPLAIN ${text}`, ["t", "1"]);
    return `${withGroups}\n${res.rows.map((r) => String(r["QUERY PLAN"])).join("\n")}`;
  });
  return plans;
}

function expectIndexed(plans: Record<string, string>): void {
  expect(plans["userName eq"]).toContain("resources_user_name");
  expect(plans["userName sw"]).toContain("resources_user_name");
  expect(plans["externalId eq"]).toContain("resources_external_id");
  expect(plans["displayName eq"]).toContain("resources_display_name");
  expect(plans["default order page"]).toContain("resources_default_order");
  expect(plans["emails[type eq work].value eq"]).toContain("resource_emails_pkey");
  expect(plans["members.value eq"]).toMatch(/members_pkey|members_by_member/);
  // A user's groups come from the member-side index, and each group's display from its primary key.
  expect(plans["userName eq with groups"]).toContain("resources_user_name");
  expect(plans["groups_of"]).toContain("groups_of(");
  expect(plans["groups_of"]).toContain("members_by_member");
  expect(plans["groups_of"]).toContain("resources_pkey");
  expect(plans["groups_of"]).not.toMatch(/Seq Scan on members/);
  for (const plan of Object.values(plans)) expect(plan).not.toMatch(/Seq Scan on resources/);
}

describe("index use", () => {
  it("serves userName, externalId, displayName, email, member lookups and default paging from indexes on PGlite", async () => {
    const db = new PGlite();
    const driver = createPgliteDriver(db);
    await migrate(driver);
    expectIndexed(await explainPlans(driver, "scimkit"));
    await db.close();
  });

  it.runIf(PG_URL)("serves the same lookups from indexes on the PostgreSQL server", async () => {
    const pool = new pg.Pool({ connectionString: PG_URL, max: 2 });
    const schema = freshSchema("explain");
    try {
      const driver = createPgDriver(pool);
      await migrate(driver, { schema });
      expectIndexed(await explainPlans(driver, schema));
    } finally {
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await pool.end();
    }
  });
});
