/**
 * A cursor walk of 100,000 users on the PostgreSQL server, 1,000 a page, while each gap between
 * pages creates, deletes and renames users: every user that lives through the walk comes exactly
 * once, and none twice. The users are seeded with one INSERT … SELECT over generate_series into the
 * store's own table (100,000 POSTs would measure the write path, not paging); each page is one
 * keyset statement over the (tenant, type, created, id) index.
 */
import { createScimServer } from "@scimkit/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectEachOnce, walkWhileWriting } from "../../core/test/cursor-walk.js";
import { PG_URL, serverDatabase, type TestDatabase } from "../test/databases.js";
import { recordingDriver } from "../test/recording.js";
import { createPostgresStore } from "./index.js";

const N = 100_000;
const PAGE = 1000;

describe.skipIf(!PG_URL)("a cursor walk of 100,000 users on the PostgreSQL server", () => {
  let db: TestDatabase | undefined;
  beforeAll(async () => {
    db = await serverDatabase("walk", PG_URL ?? "");
  });
  afterAll(async () => {
    await db?.dispose();
  });

  it("gives every user that lives through the walk exactly once while users are created, deleted and renamed", async () => {
    if (!db) throw new Error("database not open");
    const driver = recordingDriver(db.driver);
    const store = createPostgresStore({ driver, schema: db.schema });
    let clock = Date.parse("2026-04-01T00:00:00.000Z");
    const server = createScimServer({ store, now: () => new Date(clock) });
    const tenantId = "walk";
    const dir = await server.directories.create({ tenantId, name: "IdP" });
    const { token } = await server.directories.mintToken(dir.id);
    // Ten users a millisecond, so ties in `created` fall to the id; userName and its folded column
    // as the store writes them (ASCII, so lower() and the store's folding agree).
    await db.driver.query(
      `INSERT INTO "${db.schema}".resources
         (tenant, type, id, attributes, unique_key, created, last_modified, version, user_name_ci, active)
       SELECT $1::text, 'User', 'seed-' || lpad(g::text, 6, '0'),
              jsonb_build_object('userName', 'seed' || g || '@example.com', 'active', true),
              'seed' || g || '@example.com', c, c, 1, 'seed' || g || '@example.com', true
       FROM generate_series(0, ${N - 1}) AS g,
            LATERAL (SELECT to_char(timestamp '2026-01-01' + (g / 10) * interval '1 millisecond',
                                    'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS c) t`,
      [tenantId],
    );
    const seeded = Array.from({ length: N }, (_, i) => `seed-${String(i).padStart(6, "0")}`);

    // One write round per gap: a write on the server costs tens of milliseconds, and the walk must stay short.
    const walk = await walkWhileWriting({
      server,
      token,
      seeded,
      pageSize: PAGE,
      roundsPerGap: 1,
      seed: 54_321,
      tick: () => {
        clock += 1000;
      },
    });
    expect(walk.firstTotal).toBe(N);
    expect(walk.deleted.size).toBeGreaterThan(80);
    expectEachOnce(walk, seeded);
    const { pages, seen, deleted, seconds, readingSeconds } = walk;
    await server.directories.flushHealth();

    // The page after a cursor is a range of the (tenant, type, created, id) index: no sort, no scan.
    const keyset = driver.log.findLast((st) => st.text.includes("(r.created, r.id) >"));
    if (!keyset) throw new Error("no keyset statement was sent");
    const plan = await db.driver.query(`EXPLAIN ${keyset.text}`, [...keyset.params]);
    const text = plan.rows.map((row) => String(row["QUERY PLAN"])).join("\n");
    expect(text).toContain("resources_default_order");
    expect(text).not.toMatch(/Seq Scan on resources|Sort Key: r\.created/);
    console.info(
      `postgres: ${pages} pages, ${seen.size} users, ${deleted.size} deleted, ${seconds.toFixed(1)} s (${readingSeconds.toFixed(1)} s reading pages)`,
    );
  }, 120_000);
});
