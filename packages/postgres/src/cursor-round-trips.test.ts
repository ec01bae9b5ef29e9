/**
 * A cursor page costs what an index page costs: one SQL statement (the page, its keyset predicate
 * and the total together), with a warm authentication cache, in the default order, sorted and
 * filtered, on PGlite and (when set) the PostgreSQL server. Counted below the driver.
 */
import { afterEach, describe, expect, it } from "vitest";
import { harness, user } from "../../core/test/support.js";
import { PG_URL } from "../test/databases.js";
import { countedPglite, countedServer, type CountedDatabase } from "../test/round-trips.js";
import { createPostgresStore } from "./index.js";

let open: CountedDatabase | undefined;
afterEach(async () => {
  await open?.dispose();
  open = undefined;
});

async function cursorPageCosts(database: () => Promise<CountedDatabase>): Promise<Record<string, number>> {
  const db = await database();
  open = db;
  const fixed = new Date("2026-12-07T10:00:00.000Z");
  const h = await harness({ store: createPostgresStore({ driver: db.driver, schema: db.schema }), now: () => fixed });
  for (const name of ["ada", "bob", "cy", "dee", "eve"]) await h.call("POST", "/Users", user(`${name}@example.com`));
  const out: Record<string, number> = {};
  for (const [label, query] of [
    ["default order", "count=2"],
    ["sorted", "count=2&sortBy=userName&sortOrder=descending"],
    ["filtered", `count=2&filter=${encodeURIComponent('userName ew "@example.com"')}`],
  ] as const) {
    // The first request warms the authentication cache; then each page is counted on its own.
    const first = await h.call("GET", `/Users?${query}&cursor`);
    expect(first.status).toBe(200);
    db.counter.reset();
    const again = await h.call("GET", `/Users?${query}&cursor`);
    out[`${label}, first page`] = db.counter.counts.statements;
    const next = again.body["nextCursor"];
    if (typeof next === "string") {
      db.counter.reset();
      const second = await h.call("GET", `/Users?${query}&cursor=${next}`);
      expect(second.status).toBe(200);
      out[`${label}, next page`] = db.counter.counts.statements;
      db.counter.reset();
      const back = await h.call("GET", `/Users?${query}&cursor=${String(second.body["previousCursor"])}`);
      expect(back.body["Resources"]).toEqual(again.body["Resources"]);
      out[`${label}, previous page`] = db.counter.counts.statements;
    }
  }
  return out;
}

const expected = {
  "default order, first page": 1,
  "default order, next page": 1,
  "default order, previous page": 1,
  "sorted, first page": 1,
  "sorted, next page": 1,
  "sorted, previous page": 1,
  "filtered, first page": 1,
  "filtered, next page": 1,
  "filtered, previous page": 1,
};

describe("a cursor page's round trips", () => {
  it("is one statement on PGlite, in every order", async () => {
    expect(await cursorPageCosts(countedPglite)).toEqual(expected);
  });
  it.skipIf(!PG_URL)("is one statement on the PostgreSQL server, in every order", async () => {
    expect(await cursorPageCosts(() => countedServer("cursor_trips"))).toEqual(expected);
  });
});
