/**
 * Feed mode's worker process: `DATABASE_URL=postgres://… pnpm worker`. Applies scimkit's events to the
 * app's tables as the consumer group `mirror`; start several for more throughput or availability.
 * SIGTERM (or Ctrl-C) finishes the event in hand, acknowledges and exits; a crash loses nothing, as
 * the next worker picks up from the last acknowledgement.
 */
import { createScimServer } from "@scimkit/core";
import { createPgDriver, createPostgresStore } from "@scimkit/postgres";
import pg from "pg";
import { readConfig } from "./config.js";
import { startMirrorWorker } from "./consumer.js";
import { appTables, migrateApp } from "./tables.js";

const config = readConfig();
const pool = new pg.Pool({ connectionString: config.DATABASE_URL });
const driver = createPgDriver(pool);
const tables = appTables(config.APP_SCHEMA);
await migrateApp(driver, tables);
const scim = createScimServer({ store: createPostgresStore({ driver, schema: config.SCIMKIT_SCHEMA }) });
const worker = startMirrorWorker(scim, driver, tables, {
  batchSize: config.MIRROR_BATCH_SIZE,
  leaseMs: config.MIRROR_LEASE_MS,
  pollMs: config.MIRROR_POLL_MS,
});
console.log(`mirror worker ${process.pid} consuming as group "mirror"`);

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  void worker
    .stop()
    .then(() => scim.close())
    .then(() => pool.end())
    .then(
      () => process.exit(0),
      (error: unknown) => {
        console.error("could not stop cleanly:", error);
        process.exit(1);
      },
    );
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
