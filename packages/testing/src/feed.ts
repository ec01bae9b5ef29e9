/**
 * The event feed scenarios: `scim.events.readAll` and consumer groups (`scim.events.consume`,
 * `parked`, `lag`) run against the store under test, with two servers over the one store standing
 * for two workers' processes. A store passes them with its own `feed` or with the one core derives
 * from `readLogAll` and records.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createScimServer, type FeedConsumer, type ScimEvent, type ScimServer, type ScimStore } from "@scimkit/core";
import type { NewLogEntry } from "@scimkit/core/store";

export interface FeedScenarioOptions {
  /** Shown in the suite's name. */
  readonly name: string;
  /**
   * Opens the store once for the whole suite. Scenarios write to tenants of their own and use
   * groups of their own, so the store may hold other data (a memory store needs a `logRetention`
   * above the events written, 10,000 covers every scenario).
   */
  readonly makeStore: () => Promise<ScimStore>;
  /** Called after the suite, before `store.close()`. */
  readonly cleanup?: ((store: ScimStore) => Promise<void>) | undefined;
  /** Events the two-worker scenario writes while its workers run. @default 2000 */
  readonly events?: number | undefined;
}

interface Handled {
  readonly id: string;
  readonly tenantId: string;
  readonly seq: number;
  readonly worker: string;
  readonly attempt: number;
  readonly at: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** Appends `count` synthetic outbox rows to a tenant, `chunk` per unit of work; returns their ids in order. */
export async function writeFeedEvents(
  store: ScimStore,
  tenantId: string,
  count: number,
  chunk = 25,
): Promise<string[]> {
  const ids: string[] = [];
  for (let done = 0; done < count; done += chunk) {
    const n = Math.min(chunk, count - done);
    const rows: NewLogEntry[] = [];
    for (let i = 0; i < n; i++) {
      const id = randomUUID();
      ids.push(id);
      rows.push({
        at: new Date().toISOString(),
        directoryId: null,
        resourceType: "User",
        resourceId: `u-${done + i}`,
        data: { type: "user.updated", id, tokenId: null, payload: { n: done + i } },
      });
    }
    await store.transaction(tenantId, async (tx) => {
      if (tx.appendLogs) await tx.appendLogs(rows.map((entry) => ({ log: "events" as const, entry })));
      else for (const entry of rows) await tx.appendLog("events", entry);
    });
  }
  return ids;
}

/** Each tenant's handled seqs never go back except to start again from an earlier acknowledgement, and an event is handled only once every earlier event of its tenant has been. */
function expectOrderedPerTenant(handled: readonly Handled[], written: ReadonlyMap<string, readonly string[]>): void {
  const position = new Map<string, number>();
  for (const ids of written.values())
    ids.forEach((id, i) => {
      position.set(id, i);
    });
  const seen = new Map<string, Set<number>>();
  for (const h of handled) {
    const i = position.get(h.id);
    if (i === undefined) continue;
    let s = seen.get(h.tenantId);
    if (!s) seen.set(h.tenantId, (s = new Set()));
    if (i > 0 && !s.has(i - 1))
      throw new Error(`tenant ${h.tenantId}: event #${i} (seq ${h.seq}) handled before event #${i - 1}`);
    s.add(i);
  }
}

/**
 * Registers the event feed scenarios with vitest. Call it at the top level of a test file.
 *
 * @example
 * ```ts
 * runFeedScenarios({ name: "my store", makeStore: async () => myStore() });
 * ```
 */
export function runFeedScenarios(options: FeedScenarioOptions): void {
  describe(`event feed scenarios: ${options.name}`, () => {
    let store: ScimStore | undefined;
    const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
    let counter = 0;
    const consumers: FeedConsumer[] = [];
    beforeAll(async () => {
      store = await options.makeStore();
    });
    afterAll(async () => {
      await Promise.all(consumers.map((c) => c.stop()));
      if (!store) return;
      await options.cleanup?.(store);
      await store.close?.();
    });

    /** Two servers over the store (two workers' processes), a group and tenants of the scenario's own. */
    function scenario(tenants: number) {
      if (!store) throw new Error("the store is not ready: makeStore() failed or has not run");
      const s = store;
      const n = ++counter;
      // Handler failures are the scenarios' own doing: keep them out of the test output.
      const logger = { error: () => {}, warn: () => {} };
      const servers: [ScimServer, ScimServer] = [
        createScimServer({ store: s, logger }),
        createScimServer({ store: s, logger }),
      ];
      const tenantIds = Array.from({ length: tenants }, (_, i) => `feed-${run}-${n}-${i}`);
      const mine = new Set(tenantIds);
      const handled: Handled[] = [];
      const record = (worker: string) => (e: ScimEvent, ctx: { attempt: number }) => {
        if (mine.has(e.tenantId))
          handled.push({ id: e.id, tenantId: e.tenantId, seq: e.seq, worker, attempt: ctx.attempt, at: Date.now() });
      };
      const consume = (server: ScimServer, ...args: Parameters<ScimServer["events"]["consume"]>) => {
        const c = server.events.consume(...args);
        consumers.push(c);
        return c;
      };
      const lagOf = async (group: string) => {
        const lag = await servers[0].events.lag(group);
        const tenantsLag = lag.tenants.filter((t) => mine.has(t.tenantId));
        return { total: tenantsLag.reduce((sum, t) => sum + t.pending, 0), tenants: tenantsLag };
      };
      return { store: s, servers, tenantIds, mine, handled, record, consume, lagOf, group: `scenario-${run}-${n}` };
    }

    it("reads every tenant's events with one cursor, in seq order, without skipping or repeating", async () => {
      const sc = scenario(3);
      const written = await Promise.all(sc.tenantIds.map((t) => writeFeedEvents(sc.store, t, 40, 7)));
      const expected = new Set(written.flat());
      const got: ScimEvent[] = [];
      let after: number | undefined;
      for (let page = 0; page < 10_000; page++) {
        const events = await sc.servers[0].events.readAll({ ...(after === undefined ? {} : { after }), limit: 9 });
        if (events.length === 0) break;
        for (let i = 1; i < events.length; i++) expect((events[i]?.seq ?? 0) > (events[i - 1]?.seq ?? 0)).toBe(true);
        got.push(...events.filter((e) => sc.mine.has(e.tenantId)));
        after = events[events.length - 1]?.seq;
      }
      expect(got.map((e) => e.id).sort()).toEqual([...expected].sort());
      expect(new Set(got.map((e) => e.id)).size).toBe(got.length);
      for (const [i, tenantId] of sc.tenantIds.entries()) {
        expect(got.filter((e) => e.tenantId === tenantId).map((e) => e.id)).toEqual(written[i]);
      }
    });

    it("has two workers of a group handle every event exactly once, in order per tenant, while events are written", async () => {
      const total = options.events ?? 2000;
      const sc = scenario(8);
      const per = Math.ceil(total / sc.tenantIds.length);
      const opts = { group: sc.group, batchSize: 50, concurrency: 2, pollMs: 50 };
      const a = sc.consume(sc.servers[0], sc.record("a"), opts);
      const b = sc.consume(sc.servers[1], sc.record("b"), opts);
      const written = new Map<string, string[]>();
      await Promise.all(sc.tenantIds.map(async (t) => written.set(t, await writeFeedEvents(sc.store, t, per, 25))));
      const count = per * sc.tenantIds.length;
      await until(`${count} events handled`, () => sc.handled.length >= count, 60_000);
      await until("no lag", async () => (await sc.lagOf(sc.group)).total === 0);
      await Promise.all([a.stop(), b.stop()]);
      expect(sc.handled.length).toBe(count);
      expect(new Set(sc.handled.map((h) => h.id)).size).toBe(count);
      expectOrderedPerTenant(sc.handled, written);
      for (const t of sc.tenantIds) {
        const seqs = sc.handled.filter((h) => h.tenantId === t).map((h) => h.seq);
        expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
      }
      // Both workers took part.
      expect(new Set(sc.handled.map((h) => h.worker)).size).toBe(2);
    });

    it("gives every event to each group", async () => {
      const sc = scenario(2);
      const ids = (await Promise.all(sc.tenantIds.map((t) => writeFeedEvents(sc.store, t, 30)))).flat();
      const other = `${sc.group}-other`;
      const seen = new Map<string, string[]>();
      const handler = (group: string) => (e: ScimEvent) => {
        if (!sc.mine.has(e.tenantId)) return;
        const list = seen.get(group) ?? [];
        list.push(e.id);
        seen.set(group, list);
      };
      const cs = [
        sc.consume(sc.servers[0], handler(sc.group), { group: sc.group, pollMs: 20 }),
        sc.consume(sc.servers[1], handler(other), { group: other, pollMs: 20 }),
      ];
      await until(
        "both groups done",
        () => (seen.get(sc.group)?.length ?? 0) >= ids.length && (seen.get(other)?.length ?? 0) >= ids.length,
      );
      await Promise.all(cs.map((c) => c.stop()));
      expect([...(seen.get(sc.group) ?? [])].sort()).toEqual([...ids].sort());
      expect([...(seen.get(other) ?? [])].sort()).toEqual([...ids].sort());
    });

    it("retries a failing event with backoff, holding back its tenant's later events, while other tenants go on", async () => {
      const sc = scenario(2);
      const [slow, fine] = sc.tenantIds as [string, string];
      const slowIds = await writeFeedEvents(sc.store, slow, 4);
      const fineIds = await writeFeedEvents(sc.store, fine, 4);
      const failing = slowIds[1];
      const attempts: { attempt: number; at: number }[] = [];
      const c = sc.consume(
        sc.servers[0],
        (e, ctx) => {
          if (e.id === failing) {
            attempts.push({ attempt: ctx.attempt, at: Date.now() });
            if (ctx.attempt < 3) throw new Error("not yet");
          }
          sc.record("a")(e, ctx);
        },
        { group: sc.group, maxTries: 5, backoff: { initialMs: 80, factor: 2 }, pollMs: 10 },
      );
      await until("every event handled", () => sc.handled.length >= 8);
      await c.stop();
      expect(attempts.map((a) => a.attempt)).toEqual([1, 2, 3]);
      const [first = 0, second = 0, third = 0] = attempts.map((a) => a.at);
      expect(second - first).toBeGreaterThanOrEqual(70);
      expect(third - second).toBeGreaterThanOrEqual(150);
      expect(sc.handled.filter((h) => h.tenantId === slow).map((h) => h.id)).toEqual(slowIds);
      expect(sc.handled.filter((h) => h.tenantId === fine).map((h) => h.id)).toEqual(fineIds);
      // The healthy tenant did not wait for the failing one's retries.
      const fineDone = Math.max(...sc.handled.filter((h) => h.tenantId === fine).map((h) => h.at));
      expect(fineDone).toBeLessThan(third);
      expect(await sc.servers[0].events.parked(slow, sc.group)).toEqual([]);
    });

    it("parks a poison event after its last try, lists it without the error's message, and goes on", async () => {
      const sc = scenario(1);
      const [tenant] = sc.tenantIds as [string];
      const ids = await writeFeedEvents(sc.store, tenant, 5);
      const poison = ids[2];
      let tries = 0;
      const c = sc.consume(
        sc.servers[1],
        (e, ctx) => {
          if (e.id === poison) {
            tries++;
            throw new TypeError("cannot mirror user: token sk_live_secret_value");
          }
          sc.record("b")(e, ctx);
        },
        { group: sc.group, maxTries: 3, backoff: { initialMs: 10 }, pollMs: 10 },
      );
      await until("the others handled", () => sc.handled.length >= 4);
      await until("no lag", async () => (await sc.lagOf(sc.group)).total === 0);
      await c.stop();
      expect(tries).toBe(3);
      expect(sc.handled.map((h) => h.id)).toEqual(ids.filter((id) => id !== poison));
      const parked = await sc.servers[0].events.parked(tenant, sc.group);
      expect(parked).toHaveLength(1);
      expect(parked[0]).toMatchObject({ eventId: poison, tries: 3, error: "TypeError", type: "user.updated" });
      expect(JSON.stringify(parked)).not.toContain("sk_live");
      expect(await sc.servers[0].events.parked(tenant, `${sc.group}-none`)).toEqual([]);
    });

    it("reports the events a group has not acknowledged, per tenant and in total", async () => {
      const sc = scenario(2);
      const [t1, t2] = sc.tenantIds as [string, string];
      await writeFeedEvents(sc.store, t1, 5);
      await writeFeedEvents(sc.store, t2, 3);
      const before = await sc.lagOf(sc.group);
      expect(before.total).toBe(8);
      expect(before.tenants.map((t) => [t.tenantId, t.pending]).sort()).toEqual([
        [t1, 5],
        [t2, 3],
      ]);
      expect(before.tenants.every((t) => t.cursor === 0 && !t.leased && t.latest > 0)).toBe(true);
      const c = sc.consume(sc.servers[0], sc.record("a"), { group: sc.group, pollMs: 10 });
      await until("all handled", () => sc.handled.length >= 8);
      await c.stop();
      expect((await sc.lagOf(sc.group)).total).toBe(0);
      await writeFeedEvents(sc.store, t2, 2);
      expect((await sc.lagOf(sc.group)).tenants.map((t) => [t.tenantId, t.pending])).toEqual([[t2, 2]]);
    });

    it("lets another worker take over from the last acknowledgement when one stops answering mid-batch", async () => {
      const sc = scenario(2);
      const written = new Map<string, string[]>();
      for (const t of sc.tenantIds) written.set(t, await writeFeedEvents(sc.store, t, 60));
      let release!: () => void;
      const hung = new Promise<void>((r) => (release = r));
      let stuck = false;
      const opts = { group: sc.group, batchSize: 20, leaseMs: 300, pollMs: 20 };
      const a = sc.consume(
        sc.servers[0],
        async (e, ctx) => {
          if (!stuck && sc.handled.filter((h) => h.worker === "a").length === 10) {
            stuck = true;
            await hung;
          }
          sc.record("a")(e, ctx);
        },
        opts,
      );
      await until("worker a stuck", () => stuck);
      const b = sc.consume(sc.servers[1], sc.record("b"), opts);
      const ids = [...written.values()].flat();
      await until("every event handled at least once", () => ids.every((id) => sc.handled.some((h) => h.id === id)));
      await until("no lag", async () => (await sc.lagOf(sc.group)).total === 0);
      release();
      await Promise.all([a.stop(), b.stop()]);
      // What a had handled but not acknowledged, b handled again: at least once, never lost.
      const twice = ids.filter((id) => sc.handled.filter((h) => h.id === id).length > 1);
      expect(twice.length).toBeGreaterThan(0);
      expect(sc.handled.filter((h) => h.worker === "b").length).toBeGreaterThan(0);
      expectOrderedPerTenant(sc.handled, written);
    });

    it("stops after the handler in flight, acknowledging it", async () => {
      const sc = scenario(1);
      const [tenant] = sc.tenantIds as [string];
      const ids = await writeFeedEvents(sc.store, tenant, 10);
      let entered!: () => void;
      const inHandler = new Promise<void>((r) => (entered = r));
      const c = sc.consume(
        sc.servers[0],
        async (e, ctx) => {
          if (e.id === ids[3]) {
            entered();
            await sleep(100);
          }
          sc.record("a")(e, ctx);
        },
        { group: sc.group, pollMs: 10 },
      );
      await inHandler;
      await c.stop();
      const done = sc.handled.length;
      expect(sc.handled.map((h) => h.id)).toEqual(ids.slice(0, done));
      expect(done).toBeGreaterThanOrEqual(4);
      // Nothing handled before stop() comes again.
      const again = sc.consume(sc.servers[1], sc.record("b"), { group: sc.group, pollMs: 10 });
      await until("the rest handled", () => sc.handled.length >= ids.length);
      await again.stop();
      expect(sc.handled.map((h) => h.id)).toEqual(ids);
    });
  });
}
