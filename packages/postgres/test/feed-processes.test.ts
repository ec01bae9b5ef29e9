/**
 * Two worker processes of one consumer group on one PostgreSQL server handle 10,000 events written
 * while they run: each exactly once when nothing crashes; at least once, and still in order per
 * tenant, when one is killed (SIGKILL) in the middle of a batch. Needs the server: PGlite is one
 * process's database, so the case is skipped only when SCIMKIT_TEST_PG_URL is unset.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeFeedEvents } from "@scimkit/testing";
import { afterEach, describe, expect, it } from "vitest";
import { createPostgresStore } from "../src/index.js";
import { PG_URL, serverDatabase, type TestDatabase } from "./databases.js";

const here = dirname(fileURLToPath(import.meta.url));
const EVENTS = 10_000;
const TENANTS = 20;

interface Worker {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
}

function startWorker(config: Record<string, unknown>): Promise<Worker> {
  const child = spawn(
    process.execPath,
    ["--conditions=source", "--import", "tsx", join(here, "feed-worker.ts"), JSON.stringify(config)],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes("ready\n")) resolve({ child, exited });
    });
    void exited.then((code) => reject(new Error(`worker exited (${code}) before it was ready`)));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function run(db: TestDatabase, workers: readonly Record<string, unknown>[]) {
  const { driver, schema } = db;
  const store = createPostgresStore({ driver, schema });
  await driver.query(
    `CREATE UNLOGGED TABLE "${schema}".feed_handled (id bigserial PRIMARY KEY, event_id text NOT NULL, tenant text NOT NULL, seq bigint NOT NULL, worker text NOT NULL)`,
  );
  const group = "two-processes";
  const started = await Promise.all(
    workers.map((w) => startWorker({ url: PG_URL, schema, group, batchSize: 100, leaseMs: 1500, ...w })),
  );
  const t0 = Date.now();
  // Written while the workers run: 20 tenants, in units of 50 events, four tenants at a time.
  const written = new Map<string, string[]>();
  const tenants = Array.from({ length: TENANTS }, (_, i) => `tenant-${i}`);
  for (let i = 0; i < tenants.length; i += 4) {
    await Promise.all(
      tenants.slice(i, i + 4).map(async (t) => written.set(t, await writeFeedEvents(store, t, EVENTS / TENANTS, 50))),
    );
  }
  const distinct = async () =>
    Number((await driver.query(`SELECT count(DISTINCT event_id) AS n FROM "${schema}".feed_handled`)).rows[0]?.["n"]);
  const deadline = Date.now() + 50_000;
  while ((await distinct()) < EVENTS || (await store.feed?.lag(group))?.some((t) => t.pending > 0)) {
    if (Date.now() > deadline) throw new Error(`only ${await distinct()} of ${EVENTS} events handled in time`);
    await sleep(100);
  }
  const elapsed = Date.now() - t0;
  for (const w of started) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill("SIGTERM");
  const codes = await Promise.all(started.map((w) => w.exited));
  const rows = (
    await driver.query(`SELECT event_id, tenant, seq, worker FROM "${schema}".feed_handled ORDER BY id`)
  ).rows.map((r) => ({
    id: String(r["event_id"]),
    tenant: String(r["tenant"]),
    seq: Number(r["seq"]),
    worker: String(r["worker"]),
  }));
  return { rows, written, codes, elapsed };
}

/** Every event of a tenant was handled only after every earlier one of that tenant had been. */
function expectOrdered(
  rows: readonly { id: string; tenant: string }[],
  written: ReadonlyMap<string, readonly string[]>,
) {
  const position = new Map<string, number>();
  for (const ids of written.values())
    ids.forEach((id, i) => {
      position.set(id, i);
    });
  const seen = new Map<string, Set<number>>();
  for (const r of rows) {
    const i = position.get(r.id);
    expect(i, `event ${r.id} was written by this test`).toBeDefined();
    let s = seen.get(r.tenant);
    if (!s) seen.set(r.tenant, (s = new Set()));
    if (i !== undefined && i > 0 && !s.has(i - 1)) throw new Error(`${r.tenant}: event #${i} handled before #${i - 1}`);
    if (i !== undefined) s.add(i);
  }
}

const url = PG_URL;
describe.skipIf(!url)("two worker processes of one consumer group on PostgreSQL", () => {
  let db: TestDatabase | undefined;
  afterEach(async () => {
    await db?.dispose();
    db = undefined;
  });

  it("handle 10,000 events exactly once, in order per tenant", { timeout: 90_000 }, async () => {
    db = await serverDatabase("feed2p", url ?? "");
    const { rows, written, codes, elapsed } = await run(db, [{ name: "a" }, { name: "b" }]);
    console.log(
      `two processes: ${EVENTS} events handled exactly once in ${elapsed} ms (a ${rows.filter((r) => r.worker === "a").length}, b ${rows.filter((r) => r.worker === "b").length})`,
    );
    expect(codes).toEqual([0, 0]);
    expect(rows).toHaveLength(EVENTS);
    expect(new Set(rows.map((r) => r.id)).size).toBe(EVENTS);
    expectOrdered(rows, written);
    for (const t of written.keys()) {
      const seqs = rows.filter((r) => r.tenant === t).map((r) => r.seq);
      expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    }
    expect(rows.some((r) => r.worker === "a") && rows.some((r) => r.worker === "b")).toBe(true);
  });

  it("handle every event at least once, in order per tenant, when one is killed mid-batch", {
    timeout: 90_000,
  }, async () => {
    db = await serverDatabase("feed2pkill", url ?? "");
    const { rows, written, codes, elapsed } = await run(db, [{ name: "a", killAfter: 1250 }, { name: "b" }]);
    const ids = [...written.values()].flat();
    const handled = new Set(rows.map((r) => r.id));
    const again = rows.length - handled.size;
    console.log(
      `two processes, one killed after 1250 events: ${EVENTS} events handled at least once in ${elapsed} ms (${again} handled twice)`,
    );
    expect(codes[0]).toBeNull(); // killed by a signal
    expect(codes[1]).toBe(0);
    expect(ids.every((id) => handled.has(id))).toBe(true);
    // Its other lane may have been mid-insert too.
    expect(rows.filter((r) => r.worker === "a").length).toBeGreaterThanOrEqual(1250);
    // Killed mid-batch: what it had handled since its last acknowledgement was handled again.
    expect(again).toBeGreaterThan(0);
    expectOrdered(rows, written);
  });
});
