/**
 * The event feed on PostgreSQL: the scenarios every store passes (on PGlite, and on the server when
 * SCIMKIT_TEST_PG_URL is set), and what only this store promises: a read across tenants that never
 * goes past a seq a unit still holds, and one lease holder among claimers racing on one connection pool.
 */
import type { ScimStore } from "@scimkit/core";
import type { FeedStore } from "@scimkit/core/store";
import { runFeedScenarios, writeFeedEvents } from "@scimkit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPostgresStore } from "./store.js";
import { PG_URL, pgliteDatabase, serverDatabase, type TestDatabase } from "../test/databases.js";

function scenarios(name: string, open: () => Promise<TestDatabase>, events: number): void {
  let db: TestDatabase | undefined;
  runFeedScenarios({
    name,
    events,
    makeStore: async () => {
      db = await open();
      return createPostgresStore({ driver: db.driver, schema: db.schema });
    },
    cleanup: async () => {
      await db?.dispose();
    },
  });
}

scenarios("postgres (pglite)", () => pgliteDatabase(), 1000);
const url = PG_URL;
if (url) scenarios("postgres on a PostgreSQL server (SCIMKIT_TEST_PG_URL)", () => serverDatabase("feed", url), 2000);

function native(name: string, open: () => Promise<TestDatabase>): void {
  describe(`the feed kept by the store: ${name}`, () => {
    let db: TestDatabase | undefined;
    let store: ScimStore | undefined;
    beforeAll(async () => {
      db = await open();
      store = createPostgresStore({ driver: db.driver, schema: db.schema });
    });
    afterAll(async () => {
      await db?.dispose();
    });
    const feedOf = (): FeedStore => {
      if (!store?.feed) throw new Error("the store keeps no feed");
      return store.feed;
    };

    it("gives a tenant's lease to one of many claimers racing for it, first and after a release", async () => {
      if (!store) throw new Error("no store");
      await writeFeedEvents(store, "race", 5);
      const feed = feedOf();
      const race = async (round: string) => {
        const claims = await Promise.all(
          Array.from({ length: 8 }, (_, i) =>
            feed.claim("race", "race", { owner: `${round}-${i}`, ms: 10_000, limit: 2 }),
          ),
        );
        const winners = claims.flatMap((c, i) => (c ? [{ owner: `${round}-${i}`, batch: c }] : []));
        expect(winners).toHaveLength(1);
        const [winner] = winners;
        if (!winner) throw new Error("no winner");
        // Only the holder acknowledges; the others are refused.
        expect(
          await feed.settle("race", "race", `${round}-${winner.owner === `${round}-0` ? 1 : 0}`, { cursor: 999 }),
        ).toBe(false);
        return winner;
      };
      // The first race inserts the cursor record; the second updates it.
      const first = await race("first");
      expect(first.batch.cursor).toBe(0);
      expect(first.batch.events).toHaveLength(2);
      const one = first.batch.events[0]?.seq ?? 0;
      expect(await feed.settle("race", "race", first.owner, { cursor: one })).toBe(true);
      const second = await race("second");
      expect(second.batch.cursor).toBe(one);
      expect(await feed.settle("race", "race", second.owner, { cursor: second.batch.events[1]?.seq ?? 0 })).toBe(true);
      const lag = (await feed.lag("race")).find((t) => t.tenantId === "race");
      expect(lag).toMatchObject({ pending: 2, leased: false, tries: 0 });
    });

    it("keeps a lease from others until it runs out, then lets another take over", async () => {
      if (!store) throw new Error("no store");
      await writeFeedEvents(store, "expiry", 3);
      const feed = feedOf();
      expect(await feed.claim("expiry", "expiry", { owner: "first", ms: 150, limit: 10 })).not.toBeNull();
      expect(await feed.claim("expiry", "expiry", { owner: "second", ms: 150, limit: 10 })).toBeNull();
      expect(await feed.pending("expiry", 100)).not.toContain("expiry");
      await new Promise((r) => setTimeout(r, 200));
      expect(await feed.pending("expiry", 100)).toContain("expiry");
      const taken = await feed.claim("expiry", "expiry", { owner: "second", ms: 10_000, limit: 10 });
      expect(taken?.cursor).toBe(0);
      expect(taken?.events).toHaveLength(3);
      // The first owner's late acknowledgement is refused: the second goes on from the cursor.
      expect(await feed.settle("expiry", "expiry", "first", { cursor: taken?.events[2]?.seq ?? 0 })).toBe(false);
    });
  });
}

native("pglite", () => pgliteDatabase());
if (url) native("server", () => serverDatabase("feed_native", url));

describe.skipIf(!url)("reading across tenants on a PostgreSQL server", () => {
  let db: TestDatabase | undefined;
  afterAll(async () => {
    await db?.dispose();
  });

  it("never reads past a seq that a unit still holds, and goes past one that rolled back", async () => {
    db = await serverDatabase("feed_gap", url ?? "");
    const store = createPostgresStore({ driver: db.driver, schema: db.schema });
    const readAll = (after: number) => {
      if (!store.readLogAll) throw new Error("no readLogAll");
      return store.readLogAll("events", { after, limit: 100 });
    };
    await writeFeedEvents(store, "before", 3);
    const start = (await readAll(0)).at(-1)?.seq ?? 0;

    /** A unit that appends an event, then waits to be told whether to commit. */
    const hold = async (tenantId: string) => {
      let decide!: (commit: boolean) => void;
      const decided = new Promise<boolean>((r) => (decide = r));
      let drew!: () => void;
      const drawn = new Promise<void>((r) => (drew = r));
      const unit = store.transaction(tenantId, async (tx) => {
        await tx.appendLog("events", {
          at: new Date().toISOString(),
          directoryId: null,
          resourceType: null,
          resourceId: null,
          data: { type: "user.updated", id: `${tenantId}-held`, tokenId: null, payload: {} },
        });
        drew();
        if (!(await decided)) throw new Error("rolled back on purpose");
      });
      await drawn;
      return { decide, unit };
    };

    const held = await hold("held");
    await writeFeedEvents(store, "after", 2);
    expect(await readAll(start)).toEqual([]);
    held.decide(true);
    await held.unit;
    const committed = await readAll(start);
    expect(committed.map((e) => e.tenantId)).toEqual(["held", "after", "after"]);

    const next = committed.at(-1)?.seq ?? 0;
    const rolledBack = await hold("rolled-back");
    await writeFeedEvents(store, "later", 2);
    expect(await readAll(next)).toEqual([]);
    rolledBack.decide(false);
    await expect(rolledBack.unit).rejects.toThrow("rolled back on purpose");
    expect((await readAll(next)).map((e) => e.tenantId)).toEqual(["later", "later"]);
  });
});
