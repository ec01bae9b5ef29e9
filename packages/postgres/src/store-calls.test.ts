/**
 * Core's store-call budget (packages/core/test/engine/store-calls.test.ts) on this store: the
 * calls core makes per request are core's, so the lists are the memory store's; what this proves
 * is that the PostgreSQL store answers each request without core falling back to derived
 * operations (a User's groups in the read, members added without reading the group's members).
 * On PGlite always, and on the server when SCIMKIT_TEST_PG_URL is set.
 */
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { countingStore, type CountingStore } from "../../core/test/engine/store-calls.js";
import { harness, user, type Harness } from "../../core/test/support.js";
import { PG_URL, pgliteSchemas, serverDatabase, type TestDatabase } from "../test/databases.js";
import { createPostgresStore } from "./index.js";

const patchOp = (...ops: unknown[]) => ({
  schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
  Operations: ops,
});
const group = (displayName: string) => ({ schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], displayName });

const pglite = pgliteSchemas("calls");
afterAll(() => pglite.close());
const databases: [string, () => Promise<TestDatabase>][] = [["PGlite", () => pglite.open()]];
const serverUrl = PG_URL;
if (serverUrl) databases.push(["PostgreSQL server", () => serverDatabase("calls", serverUrl)]);

describe.each(databases)("store calls per request (%s)", (_label, openDatabase) => {
  let db: TestDatabase | undefined;
  afterEach(async () => {
    await db?.dispose();
    db = undefined;
  });

  async function setUp(policy = {}): Promise<{ h: Harness; c: CountingStore; ada: string; admins: string }> {
    db = await openDatabase();
    const c = countingStore(createPostgresStore({ driver: db.driver, schema: db.schema }));
    const fixed = new Date("2026-12-07T10:00:00.000Z");
    const h = await harness({ store: c.store, now: () => fixed, policy });
    const ada = (await h.call("POST", "/Users", user("ada@example.com"))).body.id as string;
    const admins = (await h.call("POST", "/Groups", group("Admins"))).body.id as string;
    c.reset();
    return { h, c, ada, admins };
  }

  it("reads a user by id, with its groups, in one call", async () => {
    const { h, c, ada } = await setUp();
    expect((await h.call("GET", `/Users/${ada}`)).status).toBe(200);
    expect(c.calls).toEqual(["getResource"]);
  });

  it("lists with a filter in one call", async () => {
    const { h, c } = await setUp();
    expect(
      (await h.call("GET", `/Users?filter=${encodeURIComponent('userName eq "ada@example.com"')}`)).body.totalResults,
    ).toBe(1);
    expect(c.calls).toEqual(["queryResources"]);
  });

  it("creates a user with one write and one journal append", async () => {
    const { h, c } = await setUp({ roles: [{ id: "member", label: "Member" }], fallbackRole: "member" });
    expect((await h.call("POST", "/Users", user("bob@example.com"))).status).toBe(201);
    expect(c.calls).toEqual(["createResource", "appendLogs"]);
  });

  it("patches a user with one read, one write and one journal append, answering from what it wrote", async () => {
    const { h, c, ada } = await setUp();
    const res = await h.call(
      "PATCH",
      `/Users/${ada}`,
      patchOp({ op: "replace", path: "displayName", value: "Ada L." }),
    );
    expect(res.body.displayName).toBe("Ada L.");
    expect(c.calls).toEqual(["getResource", "replaceResource", "appendLogs"]);
  });

  it("replaces a user with one read, one write and one journal append", async () => {
    const { h, c, ada } = await setUp();
    expect((await h.call("PUT", `/Users/${ada}`, user("ada@example.com", { displayName: "Ada" }))).status).toBe(200);
    expect(c.calls).toEqual(["getResource", "replaceResource", "appendLogs"]);
  });

  it("deactivates a user with its roles taken away in the same single write", async () => {
    const { h, c, ada } = await setUp({ roles: [{ id: "member", label: "Member" }], fallbackRole: "member" });
    expect((await h.call("PATCH", `/Users/${ada}`, patchOp({ op: "replace", value: { active: false } }))).status).toBe(
      200,
    );
    // The guards (exclusion, last admin) and the directory's setting are records, read once each.
    expect(c.calls.filter((m) => ["getResource", "replaceResource", "appendLogs"].includes(m))).toEqual([
      "getResource",
      "replaceResource",
      "appendLogs",
    ]);
    expect(await h.server.policy.rolesOf("acme", ada)).toEqual([]);
  });

  it("adds a member with one membership write and no read of the other members", async () => {
    const { h, c, ada, admins } = await setUp();
    expect(
      (await h.call("PATCH", `/Groups/${admins}`, patchOp({ op: "add", path: "members", value: [{ value: ada }] })))
        .status,
    ).toBe(204);
    expect(
      c.calls.filter(
        (m) => m === "addMembers" || m === "removeMembers" || m === "replaceMembers" || m === "replaceResource",
      ),
    ).toEqual(["addMembers"]);
    expect(c.calls[0]).toBe("getResource");
    expect(c.calls.at(-1)).toBe("appendLogs");
  });
});
