/**
 * The event feed on the server: real SCIM changes reaching a consumer group, its options refused
 * when wrong, the memory store's read across tenants seeing only committed units, what a store
 * without the feed's methods answers, and `close()` stopping the consumers.
 * (The scenarios every store passes are @scimkit/testing's `runFeedScenarios`.)
 */
import { describe, expect, it } from "vitest";
import {
  createMemoryStore,
  createScimServer,
  ScimConfigError,
  type ScimEvent,
  type ScimStore,
} from "../../src/index.js";
import { harness, user } from "../support.js";

const until = async (check: () => boolean, timeoutMs = 5000) => {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe("the event feed", () => {
  it("hands a consumer group the typed events of SCIM changes, in order per tenant, waking on commits of this process", async () => {
    const h = await harness({ tenantId: "feed-acme" });
    const seen: ScimEvent[] = [];
    // A long poll: only the wake-up on commit can make this quick.
    const consumer = h.server.events.consume((e) => void seen.push(e), { group: "mirror", pollMs: 60_000 });
    await until(() => seen.some((e) => e.type === "token.minted"));
    const id = (await h.call("POST", "/Users", user("ada@example.com"))).body.id as string;
    await h.call("DELETE", `/Users/${id}`);
    await until(() => seen.some((e) => e.type === "user.deleted"));
    await consumer.stop();
    expect(seen.map((e) => e.type)).toEqual(["directory.created", "token.minted", "user.created", "user.deleted"]);
    const created = seen[2];
    expect(created?.type === "user.created" && created.user.userName).toBe("ada@example.com");
    expect(seen.map((e) => e.seq)).toEqual([...seen.map((e) => e.seq)].sort((a, b) => a - b));
    expect((await h.server.events.lag("mirror")).total).toBe(0);
    // Each event once, with the id a replay reads.
    expect(seen.map((e) => e.id)).toEqual((await h.server.events.read("feed-acme")).map((e) => e.id));
  });

  it("refuses a group name or option it cannot use", async () => {
    const scim = createScimServer();
    const bad = [
      { group: "" },
      { group: "has space" },
      { group: "x".repeat(65) },
      { group: "ok", batchSize: 0 },
      { group: "ok", leaseMs: 10 },
      { group: "ok", maxTries: 1.5 },
      { group: "ok", backoff: { factor: 0.5 } },
      { group: "ok", pollInterval: 10 },
    ];
    for (const options of bad)
      expect(() => scim.events.consume(() => {}, options as never), JSON.stringify(options)).toThrow(ScimConfigError);
    expect(() => scim.events.consume("nope" as never, { group: "ok" })).toThrow(ScimConfigError);
    await expect(scim.events.lag("bad group")).rejects.toThrow(ScimConfigError);
    await expect(scim.events.parked("acme", "bad group")).rejects.toThrow(ScimConfigError);
  });

  it("reads across tenants on the memory store only what has committed", async () => {
    const store = createMemoryStore();
    const scim = createScimServer({ store });
    await scim.directories.create({ tenantId: "a", name: "A" });
    const before = await scim.events.readAll();
    expect(before.map((e) => [e.tenantId, e.type])).toEqual([["a", "directory.created"]]);
    const after = before.at(-1)?.seq;

    // A unit that appended an event and has not finished: a read across tenants waits for it.
    let finish!: (commit: boolean) => void;
    const decided = new Promise<boolean>((r) => (finish = r));
    const unit = store.transaction("b", async (tx) => {
      await tx.appendLog("events", {
        at: new Date().toISOString(),
        directoryId: null,
        resourceType: null,
        resourceId: null,
        data: { type: "user.updated", id: "held", tokenId: null, payload: {} },
      });
      if (!(await decided)) throw new Error("rolled back");
    });
    let read: ScimEvent[] | undefined;
    const reading = scim.events.readAll({ ...(after === undefined ? {} : { after }) }).then((r) => (read = r));
    await new Promise((r) => setTimeout(r, 20));
    expect(read).toBeUndefined();
    finish(false);
    await expect(unit).rejects.toThrow("rolled back");
    await reading;
    expect(read).toEqual([]);
    await scim.directories.create({ tenantId: "c", name: "C" });
    expect((await scim.events.readAll({ ...(after === undefined ? {} : { after }) })).map((e) => e.tenantId)).toEqual([
      "c",
    ]);
  });

  it("says so when the store can neither read across tenants nor keep a feed", async () => {
    const memory = createMemoryStore();
    const plain: ScimStore = {
      name: "plain",
      capabilities: memory.capabilities,
      transaction: memory.transaction,
      findRecordByKey: memory.findRecordByKey,
    };
    const scim = createScimServer({ store: plain });
    expect(() => scim.events.consume(() => {}, { group: "g" })).toThrow(/keeps no event feed/);
    await expect(scim.events.readAll()).rejects.toThrow(/readLogAll/);
    await expect(scim.events.lag("g")).rejects.toThrow(ScimConfigError);
  });

  it("stops its consumers on close(), after the handler in flight", async () => {
    const scim = createScimServer();
    await scim.directories.create({ tenantId: "t", name: "T" });
    let entered = false;
    let finished = false;
    scim.events.consume(
      async () => {
        entered = true;
        await new Promise((r) => setTimeout(r, 50));
        finished = true;
      },
      { group: "g", pollMs: 10 },
    );
    await until(() => entered);
    await scim.close();
    expect(finished).toBe(true);
  });

  it("stops a consumer whose signal is aborted", async () => {
    const scim = createScimServer();
    const controller = new AbortController();
    const seen: string[] = [];
    const consumer = scim.events.consume((e) => void seen.push(e.type), {
      group: "g",
      pollMs: 10,
      signal: controller.signal,
    });
    controller.abort();
    await consumer.stop();
    await scim.directories.create({ tenantId: "t", name: "T" });
    await new Promise((r) => setTimeout(r, 30));
    expect(seen).toEqual([]);
    expect((await scim.events.lag("g")).total).toBe(1);
  });
});
