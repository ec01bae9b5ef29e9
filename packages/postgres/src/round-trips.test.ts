/**
 * What each SCIM request costs the database, through the whole engine (`server.fetch`), counted
 * below the driver so BEGIN and COMMIT count: reads are one statement, writes take a handful of
 * round trips and no tenant-wide lock. Authentication is cached and the token's last use already
 * noted (both per token, not per request), and the clock is fixed, as in core's store-calls test.
 *
 * On the server the round trips are counted on a pool created with `pipeline: true`, where BEGIN
 * travels with a unit's first statement; the statement counts hold for any pool.
 */
import { afterEach, describe, expect, it } from "vitest";
import { harness, user, type Harness } from "../../core/test/support.js";
import { PG_URL } from "../test/databases.js";
import { countedPglite, countedServer, type CountedDatabase, type Counter } from "../test/round-trips.js";
import { createPostgresStore } from "./index.js";

const patchOp = (...ops: unknown[]) => ({
  schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
  Operations: ops,
});
const group = (displayName: string) => ({ schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], displayName });

interface Setup {
  readonly h: Harness;
  readonly counter: Counter;
  readonly ada: string;
  readonly admins: string;
}

let open: CountedDatabase | undefined;
afterEach(async () => {
  await open?.dispose();
  open = undefined;
});

async function setUp(database: () => Promise<CountedDatabase>): Promise<Setup> {
  open = await database();
  const fixed = new Date("2026-12-07T10:00:00.000Z");
  const h = await harness({
    store: createPostgresStore({ driver: open.driver, schema: open.schema }),
    now: () => fixed,
  });
  const ada = (await h.call("POST", "/Users", user("ada@example.com"))).body.id as string;
  await h.call("POST", "/Users", user("bob@example.com"));
  const admins = (await h.call("POST", "/Groups", group("Admins"))).body.id as string;
  open.counter.reset();
  return { h, counter: open.counter, ada, admins };
}

/** Runs one request on a fresh counter and returns what it cost. */
async function cost(
  s: Setup,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ statements: number; roundTrips: number; texts: string[] }> {
  s.counter.reset();
  const res = await s.h.call(method, path, body);
  expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
  const { statements, roundTrips, texts } = s.counter.counts;
  return { statements, roundTrips, texts: [...texts] };
}

/** Every request type, with what it costs. */
async function costs(database: () => Promise<CountedDatabase>) {
  const s = await setUp(database);
  const out = {
    get: await cost(s, "GET", `/Users/${s.ada}`),
    list: await cost(s, "GET", `/Users?filter=${encodeURIComponent('userName eq "ada@example.com"')}`),
    // A full page: the total is not the page's length, so it is counted, in the same statement.
    page: await cost(s, "GET", "/Users?startIndex=1&count=1"),
    group: await cost(s, "GET", `/Groups/${s.admins}`),
    post: await cost(s, "POST", "/Users", user("carl@example.com")),
    patch: await cost(s, "PATCH", `/Users/${s.ada}`, patchOp({ op: "replace", path: "displayName", value: "Ada L." })),
    put: await cost(s, "PUT", `/Users/${s.ada}`, user("ada@example.com", { displayName: "Ada" })),
    member: await cost(
      s,
      "PATCH",
      `/Groups/${s.admins}`,
      patchOp({ op: "add", path: "members", value: [{ value: s.ada }] }),
    ),
    delete: await cost(
      s,
      "DELETE",
      `/Users/${(await s.h.call("POST", "/Users", user("dan@example.com"))).body.id as string}`,
    ),
  };
  return out;
}

type Costs = Awaited<ReturnType<typeof costs>>;

/** Statements per request, BEGIN and COMMIT included; the same on PGlite and on any server pool. */
function expectStatements(c: Costs): void {
  const n = (k: keyof Costs) => [k, c[k].statements, c[k].texts] as const;
  // Reads: one statement, no transaction.
  expect(n("get")).toEqual(["get", 1, expect.anything()]);
  expect(n("list")).toEqual(["list", 1, expect.anything()]);
  expect(n("page")).toEqual(["page", 1, expect.anything()]);
  expect(n("group")).toEqual(["group", 1, expect.anything()]);
  // BEGIN, the insert, the journal, COMMIT.
  expect(n("post")).toEqual(["post", 4, expect.anything()]);
  // BEGIN, read-and-lock (with the User's groups), the write, the journal, COMMIT.
  expect(n("patch")).toEqual(["patch", 5, expect.anything()]);
  expect(n("put")).toEqual(["put", 5, expect.anything()]);
  // BEGIN, read-and-lock the group, which members exist, the change, the journal, COMMIT.
  expect(n("member")).toEqual(["member", 6, expect.anything()]);
  // Core's DELETE makes five store calls under the default policy: the user, the exclusion and
  // deprovisioning records (asked together), the delete, the journal. An active user has no
  // pending deletion to cancel.
  expect(n("delete")).toEqual(["delete", 7, expect.anything()]);
  for (const k of ["post", "patch", "put", "member", "delete"] as const) {
    expect(
      c[k].texts.some((t) => t.includes("pg_advisory_xact_lock($1::int, $2::int)")),
      `${k} takes no tenant lock`,
    ).toBe(false);
  }
}

describe("round trips per request on PGlite", () => {
  it("reads in one statement and writes in a handful, BEGIN and COMMIT included", async () => {
    expectStatements(await costs(countedPglite));
  });
});

describe.runIf(PG_URL)("round trips per request on the PostgreSQL server", () => {
  it("sends the same statements as on PGlite", async () => {
    const c = await costs(() => countedServer("trips"));
    expectStatements(c);
    for (const k of Object.keys(c) as (keyof Costs)[]) expect(c[k].roundTrips, k).toBe(c[k].statements);
  });

  it("with a pipelining pool, writes or deletes a user or writes a membership in at most 5 round trips, BEGIN and COMMIT included", async () => {
    const c = await costs(() => countedServer("trips", true));
    expectStatements(c);
    const trips = Object.fromEntries(Object.entries(c).map(([k, v]) => [k, v.roundTrips]));
    expect(trips).toEqual({ get: 1, list: 1, page: 1, group: 1, post: 3, patch: 4, put: 4, member: 5, delete: 5 });
  });
});
