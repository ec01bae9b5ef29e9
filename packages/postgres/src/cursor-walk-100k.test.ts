/**
 * A cursor walk of 100,000 users on the PostgreSQL server, 1,000 a page, while each gap between
 * pages creates, deletes and renames users: every user that lives through the walk comes exactly
 * once, and none twice. The users are seeded with one INSERT … SELECT over generate_series into the
 * store's own table (100,000 POSTs would measure the write path, not paging); each page is one
 * keyset statement over the (tenant, type, created, id) index.
 */
import { createScimServer } from "@scimkit/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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

    const call = async (method: string, path: string, body?: unknown) => {
      const res = await server.fetch(
        new Request(`https://app.example.com/scim/v2${path}`, {
          method,
          headers: { authorization: `Bearer ${token}`, "content-type": "application/scim+json" },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        }),
      );
      return { status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, unknown> };
    };

    const deleted = new Set<string>();
    const lateIds: string[] = [];
    const seen = new Map<string, number>();
    let cursor = "";
    let pages = 0;
    let created = 0;
    // A fixed pseudo-random sequence, so a failure can be replayed.
    let seed = 54_321;
    const pick = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seeded[seed % N] ?? "";
    };
    const began = performance.now();
    let reading = 0;
    for (;;) {
      const t0 = performance.now();
      const page = await call("GET", `/Users?count=${PAGE}&cursor=${cursor}&attributes=userName`);
      reading += performance.now() - t0;
      expect(page.status).toBe(200);
      if (pages === 0) expect(page.body["totalResults"]).toBe(N);
      pages++;
      for (const r of page.body["Resources"] as { id: string }[]) seen.set(r.id, (seen.get(r.id) ?? 0) + 1);
      const next = page.body["nextCursor"];
      if (next === undefined) break;
      cursor = String(next);
      clock += 1000;
      // One of each per gap: a write on the server costs tens of milliseconds, and the walk must stay short.
      for (let k = 0; k < 1; k++) {
        const late = await call("POST", "/Users", { userName: `late${created++}@example.com` });
        expect(late.status).toBe(201);
        lateIds.push(String(late.body["id"]));
        const victim = pick();
        if (!deleted.has(victim)) {
          expect((await call("DELETE", `/Users/${victim}`)).status).toBe(204);
          deleted.add(victim);
        }
        const renamed = pick();
        if (!deleted.has(renamed)) {
          const res = await call("PATCH", `/Users/${renamed}`, {
            schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            Operations: [{ op: "replace", path: "userName", value: `renamed-${pages}-${k}-${renamed}@example.com` }],
          });
          expect(res.status).toBe(200);
        }
      }
    }
    const seconds = (performance.now() - began) / 1000;
    expect(deleted.size).toBeGreaterThan(80);
    expect([...seen.values()].filter((n) => n !== 1)).toEqual([]);
    expect(seeded.filter((id) => !deleted.has(id) && seen.get(id) !== 1)).toEqual([]);
    // Users created during the walk sort after every cursor (created later), so each comes too.
    expect(lateIds.filter((id) => seen.get(id) !== 1)).toEqual([]);
    await server.directories.flushHealth();

    // The page after a cursor is a range of the (tenant, type, created, id) index: no sort, no scan.
    const keyset = driver.log.findLast((st) => st.text.includes("(r.created, r.id) >"));
    if (!keyset) throw new Error("no keyset statement was sent");
    const plan = await db.driver.query(`EXPLAIN ${keyset.text}`, [...keyset.params]);
    const text = plan.rows.map((row) => String(row["QUERY PLAN"])).join("\n");
    expect(text).toContain("resources_default_order");
    expect(text).not.toMatch(/Seq Scan on resources|Sort Key: r\.created/);
    console.info(
      `postgres: ${pages} pages, ${seen.size} users, ${deleted.size} deleted, ${seconds.toFixed(1)} s (${(reading / 1000).toFixed(1)} s reading pages)`,
    );
  }, 120_000);
});
