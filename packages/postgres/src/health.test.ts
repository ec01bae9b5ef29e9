/**
 * Connection health on several app instances: each instance counts in memory and writes its
 * minute buckets to PostgreSQL off the request path; any instance reads the merged counts.
 */
import { createScimServer } from "@scimkit/core";
import { afterAll, describe, expect, it } from "vitest";
import { PG_URL, pgliteDatabase, serverDatabase, type TestDatabase } from "../test/databases.js";
import { createPostgresStore } from "./index.js";

const BASE = "https://app.example.com/scim/v2";
const databases: [string, () => Promise<TestDatabase>][] = [["pglite", () => pgliteDatabase()]];
const url = PG_URL;
if (url) databases.push(["postgres", () => serverDatabase("health", url)]);

const opened: TestDatabase[] = [];
afterAll(async () => {
  for (const db of opened) await db.dispose();
});

describe.each(databases)("connection health across instances on %s", (_label, open) => {
  it("merges both instances' counts and the last error from the store", async () => {
    const db = await open();
    opened.push(db);
    const now = () => new Date("2026-03-02T09:00:10.000Z");
    // Two instances, each with a store of its own over the same database.
    const a = createScimServer({ store: createPostgresStore({ driver: db.driver, schema: db.schema }), now });
    const b = createScimServer({ store: createPostgresStore({ driver: db.driver, schema: db.schema }), now });
    const dir = await a.directories.create({ tenantId: "acme", name: "Entra", idp: "entra" });
    const { token } = await a.directories.mintToken(dir.id);
    const get = (server: typeof a, path: string) =>
      server.fetch(new Request(`${BASE}${path}`, { headers: { authorization: `Bearer ${token}` } }));

    expect((await get(a, "/Users")).status).toBe(200);
    expect((await get(a, "/Users?filter=externalId%20eq%20jyoung")).status).toBe(200);
    expect((await get(b, "/Groups/missing")).status).toBe(404);
    await a.directories.flushHealth();
    await b.directories.flushHealth();

    for (const server of [a, b]) {
      const health = await server.directories.health(dir.id);
      expect(health).toMatchObject({
        requests: 3,
        failures: 1,
        byStatus: { "200": 2, "404": 1 },
        tolerances: { legacyFilterForms: 1 },
        lastRequestAt: "2026-03-02T09:00:10.000Z",
      });
      expect(health.lastError?.status).toBe(404);
    }
    // Written again with nothing new, the counts stay as they are (a bucket is replaced, not added to).
    await get(b, "/Users");
    await b.directories.flushHealth();
    await b.directories.flushHealth();
    expect((await a.directories.health(dir.id)).requests).toBe(4);
  });
});
