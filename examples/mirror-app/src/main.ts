/**
 * Starts the host app: `DATABASE_URL=postgres://… pnpm start`. Prints the SCIM base URL and, on the
 * first start only, the bearer token to paste into the IdP. `MIRROR_MODE=feed` leaves the mirroring
 * to `pnpm worker` (one or more processes); the default, `atomic`, mirrors inside each SCIM write.
 */
import { createPgDriver } from "@scimkit/postgres";
import pg from "pg";
import { createMirrorApp } from "./app.js";
import { readConfig } from "./config.js";

const config = readConfig();
const pool = new pg.Pool({ connectionString: config.DATABASE_URL });
const app = await createMirrorApp({
  driver: createPgDriver(pool),
  mode: config.MIRROR_MODE,
  tenantId: config.TENANT,
  scimSchema: config.SCIMKIT_SCHEMA,
  appSchema: config.APP_SCHEMA,
});
const baseUrl = await app.listen(config.PORT);

console.log(`SCIM base URL: ${baseUrl}`);
console.log(
  app.token !== null
    ? `Bearer token: ${app.token}`
    : "Bearer token: shown once, on the first start (the directory and its token are reused on every start)",
);
console.log(
  config.MIRROR_MODE === "atomic"
    ? `Mirroring into ${app.tables.users} and ${app.tables.memberships} inside each SCIM write`
    : `Mirroring through the event feed: run \`pnpm worker\` with the same environment`,
);

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  void app
    .close()
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
