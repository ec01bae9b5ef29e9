/**
 * The locking of write units on a real server (see sql/unit.ts), one store call at a time: writes
 * to different resources of a tenant do not wait for each other; a unit that meets a lock past its
 * first is run again and then waits; a member being deleted is never added; and a tenant's log
 * entries commit in seq order, so a reader following `after` misses none. Runs only with
 * SCIMKIT_TEST_PG_URL.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ScimStore } from "@scimkit/core";
import type { ResourceWrite, StoreTransaction } from "@scimkit/core/store";
import { PG_URL, serverDatabase, type TestDatabase } from "../test/databases.js";
import type { SqlDriver } from "./index.js";
import { createPostgresStore } from "./index.js";

const user = (id: string): ResourceWrite => ({
  id,
  resourceType: "User",
  attributes: { userName: `${id}@example.com` },
  internal: {},
  uniqueKey: `${id}@example.com`,
  created: "2024-01-01T00:00:00.000Z",
  lastModified: "2024-01-01T00:00:00.000Z",
  version: 1,
});
const group = (id: string): ResourceWrite => ({
  ...user(id),
  resourceType: "Group",
  attributes: { displayName: id },
  uniqueKey: null,
});
const at = (version: number) => ({ modifiedAt: "2024-01-02T00:00:00.000Z", version });
const entry = (n: number) => ({
  at: "2024-01-01T00:00:00.000Z",
  directoryId: null,
  resourceType: "User",
  resourceId: `u${n}`,
  data: { n },
});

/** A promise with its resolver, to hold a unit of work open at a chosen point. */
function latch(): { promise: Promise<void>; open(): void } {
  let open = () => {};
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/** Fails instead of hanging when `work` waits for a lock it should not wait for. */
const within = <T>(ms: number, work: Promise<T>): Promise<T> =>
  Promise.race([
    work,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`still waiting after ${ms} ms`)), ms)),
  ]);

describe.runIf(PG_URL)("write units lock what they touch (PostgreSQL server)", () => {
  let db: TestDatabase;
  let store: ScimStore;
  const retries: { reason: string }[] = [];
  const tx = <T>(tenant: string, work: (tx: StoreTransaction) => Promise<T>) => store.transaction(tenant, work);

  beforeAll(async () => {
    db = await serverDatabase("locks", PG_URL ?? "");
    store = createPostgresStore({ driver: db.driver, schema: db.schema, onRetry: (r) => void retries.push(r) });
  });
  afterAll(async () => {
    await db.dispose();
  });

  it("lets a unit write other resources of the tenant while one holds its own", async () => {
    await tx("a", async (t) => {
      await t.createResource(user("held"));
      await t.createResource(user("other"));
      await t.createResource(group("g"));
    });
    const hold = latch();
    const started = latch();
    const first = tx("a", async (t) => {
      await t.getResource("User", "held");
      await t.createResource(user("new-1"));
      started.open();
      await hold.promise;
    });
    await started.promise;
    // Everything a SCIM write does, on other rows of the same tenant, while the first unit is open.
    await within(
      5000,
      tx("a", async (t) => {
        await t.createResource(user("new-2"));
        const other = await t.getResource("User", "other", { groups: true });
        if (!other) throw new Error("missing");
        await t.replaceResource({ ...other, version: 2 });
        const g = await t.getResource("Group", "g");
        await t.addMembers("g", [{ value: "other", type: "User" }], at((g?.version ?? 0) + 1));
        await t.appendLogs?.([{ log: "audit", entry: entry(1) }]);
      }),
    );
    hold.open();
    await first;
    expect(await store.transaction("a", (t) => t.existing("User", ["new-1", "new-2"]), { readOnly: true })).toEqual([
      "new-1",
      "new-2",
    ]);
  });

  it("runs a unit again, waiting this time, when a lock past its first is held", async () => {
    await tx("b", async (t) => {
      await t.createResource(user("u"));
      await t.createResource(group("g"));
    });
    const hold = latch();
    const started = latch();
    const holder = tx("b", async (t) => {
      const u = await t.getResource("User", "u");
      started.open();
      await hold.promise;
      if (u) await t.replaceResource({ ...u, attributes: { ...u.attributes, title: "held" }, version: u.version + 1 });
    });
    await started.promise;
    let runs = 0;
    const waiter = tx("b", async (t) => {
      runs += 1;
      await t.getResource("Group", "g");
      const u = await t.getResource("User", "u");
      if (!u) throw new Error("missing");
      await t.replaceResource({ ...u, attributes: { ...u.attributes, nickName: "waited" }, version: u.version + 1 });
    });
    // The second run waits for the holder's row; let it see the holder still open, then release.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(runs).toBe(2);
    hold.open();
    await Promise.all([holder, waiter]);
    const u = await store.transaction("b", (t) => t.getResource("User", "u"), { readOnly: true });
    expect(u).toMatchObject({ version: 3, attributes: { title: "held", nickName: "waited" } });
  });

  it("never adds a member that another unit is deleting", async () => {
    await tx("c", async (t) => {
      await t.createResource(user("leaving"));
      await t.createResource(group("g"));
    });
    const hold = latch();
    const deleted = latch();
    const deleting = tx("c", async (t) => {
      await t.getResource("User", "leaving");
      await t.deleteResource("User", "leaving");
      deleted.open();
      await hold.promise;
    });
    await deleted.promise;
    let runs = 0;
    const adding = tx("c", async (t) => {
      runs += 1;
      const g = await t.getResource("Group", "g");
      return t.addMembers("g", [{ value: "leaving", type: "User" }], at((g?.version ?? 0) + 1));
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    hold.open();
    await deleting;
    // The add found the member locked by the delete, ran again, waited, and left it out.
    expect(await adding).toEqual([]);
    expect(runs).toBe(2);
    expect(await store.transaction("c", (t) => t.hasMembers("g", ["leaving"]), { readOnly: true })).toEqual([]);
  });

  it("loses no update when units read and rewrite one record at once, with no deadlock to break", async () => {
    retries.length = 0;
    await Promise.all(
      Array.from({ length: 12 }, () =>
        tx("e", async (t) => {
          const n = (await t.getRecord("counter", "c"))?.data["n"];
          await t.putRecord("counter", { id: "c", data: { n: (typeof n === "number" ? n : 0) + 1 } });
        }),
      ),
    );
    expect((await store.transaction("e", (t) => t.getRecord("counter", "c"), { readOnly: true }))?.data).toEqual({
      n: 12,
    });
    // Units ran again because a lock was taken, never because the server had to break a deadlock
    // (which it finds only after deadlock_timeout, 1 s by default).
    expect(retries.length).toBeGreaterThan(0);
    expect(retries.filter((r) => r.reason !== "lock")).toEqual([]);
  });

  it("returns no entry past one still being appended when the read passed its barrier", async () => {
    // Between a read's barrier and its read, one unit draws a seq and stays open while a second
    // draws the next seq and commits: the read must not return the second, or its cursor would
    // pass the first for good.
    let between: (() => Promise<void>) | undefined;
    const hooked: SqlDriver = {
      ...db.driver,
      query: async (text, params) => {
        const res = await db.driver.query(text, params);
        const hook = between;
        if (hook && text.includes("last_value")) {
          between = undefined;
          await hook();
        }
        return res;
      },
      transaction: (work, options) => db.driver.transaction(work, options),
    };
    const logs = createPostgresStore({ driver: hooked, schema: db.schema });
    const append = (n: number, hold?: Promise<void>, appended?: () => void) =>
      logs.transaction("f", async (t) => {
        const [seq] = (await t.appendLogs?.([{ log: "audit", entry: entry(n) }])) ?? [];
        appended?.();
        await hold;
        return seq ?? 0;
      });
    const read = (after: number) =>
      logs.transaction("f", (t) => t.readLog("audit", { after, limit: 100 }), { readOnly: true });
    const first = await append(0);
    const hold = latch();
    const appended = latch();
    let open: Promise<number> | undefined;
    let second: number | undefined;
    between = async () => {
      open = append(1, hold.promise, appended.open);
      await appended.promise;
      second = await append(2);
    };
    const page = await read(0);
    expect(page.map((e) => e.seq)).toEqual([first]);
    hold.open();
    const held = await open;
    const next = await read(page.at(-1)?.seq ?? 0);
    expect(next.map((e) => e.seq)).toEqual([held, second]);
  });

  it("commits a tenant's log entries in seq order, so a reader following the cursor misses none", async () => {
    const writers = Array.from({ length: 24 }, (_, i) =>
      tx("d", async (t) => {
        const [seq] = (await t.appendLogs?.([{ log: "audit", entry: entry(i) }])) ?? [];
        // Held open after the append for a while: a later seq must not commit before this one.
        await new Promise((resolve) => setTimeout(resolve, (i * 7) % 13));
        return seq;
      }),
    );
    const seen: number[] = [];
    let done = false;
    const reader = (async () => {
      let cursor = 0;
      for (;;) {
        const finished = done;
        const page = await store.transaction("d", (t) => t.readLog("audit", { after: cursor, limit: 1000 }), {
          readOnly: true,
        });
        for (const e of page) seen.push(e.seq);
        cursor = page.at(-1)?.seq ?? cursor;
        if (finished) return;
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    })();
    const seqs = await Promise.all(writers);
    done = true;
    await reader;
    expect([...seen].sort((a, b) => a - b)).toEqual([...seqs].sort((a, b) => (a ?? 0) - (b ?? 0)));
  });
});
