/**
 * A worker process for the two-process feed test: one consumer of a group on the PostgreSQL
 * server, recording every event it handles in the test's `feed_handled` table (its `id` orders the
 * handling across processes). With `killAfter`, it kills itself (SIGKILL) right after handling that
 * many events, in the middle of a batch. SIGTERM stops it cleanly.
 *
 * Usage: node --conditions=source --import tsx feed-worker.ts '<json config>'
 */
import pg from "pg";
import { createScimServer } from "@scimkit/core";
import { createPgDriver, createPostgresStore } from "../src/index.js";

interface WorkerConfig {
  readonly url: string;
  readonly schema: string;
  readonly group: string;
  readonly name: string;
  readonly batchSize: number;
  readonly leaseMs: number;
  readonly killAfter?: number | undefined;
}

const config = JSON.parse(process.argv[2] ?? "{}") as WorkerConfig;
const pool = new pg.Pool({ connectionString: config.url, max: 4 });
// The record of what was handled is the test's, not the store's: it need not wait for the disk
// (the database does not crash here; a worker does, and a committed row outlives its process).
const recorder = new pg.Pool({ connectionString: config.url, max: 2, options: "-c synchronous_commit=off" });
const scim = createScimServer({ store: createPostgresStore({ driver: createPgDriver(pool), schema: config.schema }) });
let handled = 0;
const consumer = scim.events.consume(
  async (event) => {
    await recorder.query(
      `INSERT INTO "${config.schema}".feed_handled (event_id, tenant, seq, worker) VALUES ($1, $2, $3, $4)`,
      [event.id, event.tenantId, event.seq, config.name],
    );
    handled++;
    if (config.killAfter !== undefined && handled >= config.killAfter) process.kill(process.pid, "SIGKILL");
  },
  { group: config.group, batchSize: config.batchSize, leaseMs: config.leaseMs, pollMs: 50, concurrency: 2 },
);
process.stdout.write("ready\n");
process.on("SIGTERM", () => {
  void (async () => {
    await consumer.stop();
    await Promise.all([pool.end(), recorder.end()]);
    process.exit(0);
  })();
});
