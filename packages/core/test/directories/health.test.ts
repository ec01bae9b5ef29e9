import { afterEach, describe, expect, it, vi } from "vitest";
import { createMemoryStore, createScimServer, type ScimServer, type ScimStore } from "../../src/index.js";

const BASE = "https://app.example.com/scim/v2";
const MINUTE = 60_000;

const get = (server: ScimServer, token: string, path = "/Users") =>
  server.fetch(new Request(`${BASE}${path}`, { headers: { authorization: `Bearer ${token}` } }));

/** Two app instances on one store, as behind a load balancer, on a clock the test moves. */
async function twoInstances(store: ScimStore = createMemoryStore()) {
  let clock = Date.parse("2026-03-02T09:00:10.000Z");
  const now = () => new Date(clock);
  const a = createScimServer({ store, now });
  const b = createScimServer({ store, now });
  const dir = await a.directories.create({ tenantId: "acme", name: "Okta", idp: "okta" });
  const { token } = await a.directories.mintToken(dir.id);
  return { store, a, b, dir, token, advance: (ms: number) => void (clock += ms) };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("connection health across instances", () => {
  it("merges every instance's counts and last error once they are written, each instance exact for itself", async () => {
    const { a, b, dir, token } = await twoInstances();
    expect((await get(a, token)).status).toBe(200);
    expect((await get(a, token)).status).toBe(200);
    expect((await get(b, token, "/Users/missing")).status).toBe(404);
    // Nothing written yet: each instance sees what it served.
    expect(await a.directories.health(dir.id)).toMatchObject({ requests: 2, failures: 0, lastError: null });
    expect(await b.directories.health(dir.id)).toMatchObject({ requests: 1, failures: 1, byStatus: { "404": 1 } });

    await b.directories.flushHealth();
    const merged = await a.directories.health(dir.id);
    expect(merged).toMatchObject({ requests: 3, failures: 1, byStatus: { "200": 2, "404": 1 } });
    expect(merged.lastError?.status).toBe(404);

    // Closing an instance writes what it still holds.
    await a.close();
    expect(await b.directories.health(dir.id)).toMatchObject({
      requests: 3,
      failures: 1,
      byStatus: { "200": 2, "404": 1 },
    });
  });

  it("drops buckets that left the window, from the store too, and keeps the last request and error", async () => {
    const { store, a, b, dir, token, advance } = await twoInstances();
    await get(a, token);
    await get(b, token, "/Users/missing");
    await a.directories.flushHealth();
    await b.directories.flushHealth();
    advance(61 * MINUTE);
    // A fresh instance (say, after a deploy) holds nothing in memory.
    const c = createScimServer({ store, now: () => new Date(Date.parse("2026-03-02T10:01:10.000Z")) });
    const later = await c.directories.health(dir.id);
    expect(later).toMatchObject({ requests: 0, failures: 0, byStatus: {} });
    expect(later.lastError).toMatchObject({ status: 404, at: "2026-03-02T09:00:10.000Z" });
    expect(later.lastRequestAt).toBe("2026-03-02T09:00:10.000Z");

    await get(c, token);
    await c.directories.flushHealth();
    const minutes = await store.transaction("acme", (tx) => tx.listRecords("directory.health.minute"), {
      readOnly: true,
    });
    expect(minutes.map((r) => r.data["minute"])).toEqual([Math.floor(Date.parse("2026-03-02T10:01:10.000Z") / MINUTE)]);
    expect(await a.directories.health(dir.id)).toMatchObject({ requests: 1, byStatus: { "200": 1 } });
  });

  it("writes on its own a few seconds after a request by the server's clock, and never under a frozen clock", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const { a, b, dir, token, advance } = await twoInstances();
    await get(a, token);
    // The clock stands still: the timer fires but finds nothing due.
    await vi.advanceTimersByTimeAsync(30_000);
    expect((await b.directories.health(dir.id)).requests).toBe(0);
    advance(6_000);
    await vi.advanceTimersByTimeAsync(5_000);
    expect((await b.directories.health(dir.id)).requests).toBe(1);
  });

  it("logs a failed write without the request noticing, and writes the counts on a later flush", async () => {
    const inner = createMemoryStore();
    let broken = false;
    const flaky: ScimStore = {
      ...inner,
      name: inner.name,
      capabilities: inner.capabilities,
      transaction: (tenantId, work, options) =>
        broken && !options?.readOnly
          ? Promise.reject(new Error("connection lost"))
          : inner.transaction(tenantId, work, options),
      findRecordByKey: (kind, key) => inner.findRecordByKey(kind, key),
    };
    const logs: string[] = [];
    const a = createScimServer({ store: flaky, logger: { error: (m) => void logs.push(m) } });
    const b = createScimServer({ store: inner });
    const dir = await a.directories.create({ tenantId: "acme", name: "Okta" });
    const { token } = await a.directories.mintToken(dir.id);
    expect((await get(a, token)).status).toBe(200);
    broken = true;
    await a.directories.flushHealth();
    expect(logs).toEqual(["scimkit: connection health could not be written to the store"]);
    expect((await b.directories.health(dir.id)).requests).toBe(0);
    broken = false;
    await a.directories.flushHealth();
    expect((await b.directories.health(dir.id)).requests).toBe(1);
  });

  it("logs a flush that cannot even look up the directory's tenant (the database is down) instead of rejecting", async () => {
    const inner = createMemoryStore();
    let down = false;
    const unreachable = () => Promise.reject(new Error("connection lost"));
    const flaky: ScimStore = {
      ...inner,
      name: inner.name,
      capabilities: inner.capabilities,
      transaction: (tenantId, work, options) => (down ? unreachable() : inner.transaction(tenantId, work, options)),
      findRecordByKey: (kind, key) => (down ? unreachable() : inner.findRecordByKey(kind, key)),
    };
    const logs: string[] = [];
    const a = createScimServer({ store: flaky, logger: { error: (m) => void logs.push(m) } });
    const b = createScimServer({ store: inner });
    const dir = await a.directories.create({ tenantId: "acme", name: "Okta" });
    const { token } = await a.directories.mintToken(dir.id);
    expect((await get(a, token)).status).toBe(200);
    down = true;
    // The timer's flush has no caller to hand a rejection to: it must resolve.
    await expect(a.directories.flushHealth()).resolves.toBeUndefined();
    expect(logs).toEqual(["scimkit: connection health could not be written to the store"]);
    down = false;
    await a.directories.flushHealth();
    expect((await b.directories.health(dir.id)).requests).toBe(1);
  });

  it("forgets a deleted directory's health, in the store and in each instance", async () => {
    const { store, a, b, dir, token } = await twoInstances();
    await get(a, token, "/Users/missing");
    await a.directories.flushHealth();
    await get(b, token);
    await b.directories.delete(dir.id, { resources: "keep" });
    // b still held a count of the directory: its next write drops it instead of writing it back.
    await b.directories.flushHealth();
    const left = await store.transaction(
      "acme",
      async (tx) => [
        ...(await tx.listRecords("directory.health.minute")),
        ...(await tx.listRecords("directory.health.last")),
      ],
      { readOnly: true },
    );
    expect(left).toEqual([]);
  });
});
