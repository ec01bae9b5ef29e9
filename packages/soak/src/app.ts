/**
 * One app instance of the soak: a plain `node:http` server mounting scimkit on the PostgreSQL store
 * (node-postgres pool), as a host would deploy it behind a load balancer. The harness starts several
 * on one database, kills them and restarts them. It prints one line, `ready <port>`, once listening;
 * anything scimkit logs goes to stderr, where the harness counts it.
 */
import { createServer } from "node:http";
import { createScimServer } from "@scimkit/core";
import { nodeHandler } from "@scimkit/core/node";
import { createPgDriver, createPostgresStore } from "@scimkit/postgres";
import pg from "pg";
import { z } from "zod";
import { SCIM_BASE } from "./protocol.js";

const env = z
  .object({
    SOAK_PG_URL: z.string().startsWith("postgres://"),
    SOAK_PORT: z.coerce.number().int().min(1).max(65535),
    SOAK_DEADLINE_MS: z.coerce.number().int().min(100).default(10_000),
  })
  .parse(process.env);

// A small pool per instance, as three instances share one server; connect attempts fail fast while
// the database is down, so the request is answered 503 instead of waiting for it.
const pool = new pg.Pool({ connectionString: env.SOAK_PG_URL, max: 6, connectionTimeoutMillis: 3_000 });
const store = createPostgresStore({ driver: createPgDriver(pool, { endPoolOnClose: true }) });
const scim = createScimServer({
  store,
  basePath: SCIM_BASE,
  requestTimeoutMs: env.SOAK_DEADLINE_MS,
  // Without it a retried group POST whose first answer was lost makes a second group: displayName is
  // the only key an IdP's group push has (docs/reliability.md).
  uniqueGroupDisplayName: true,
  logger: {
    error: (message: string, data?: unknown) =>
      process.stderr.write(`${JSON.stringify({ message, data: data ?? null })}\n`),
  },
});

const handle = nodeHandler(scim);
const http = createServer((req, res) => {
  handle(req, res).catch((error: unknown) => {
    // The bridge answers every request itself; reaching here is a bug the harness must see.
    process.stderr.write(`${JSON.stringify({ message: "unhandled", data: String(error) })}\n`);
    if (!res.headersSent) res.writeHead(500).end();
  });
});
http.keepAliveTimeout = 5_000;
http.listen(env.SOAK_PORT, "127.0.0.1", () => {
  process.stdout.write(`ready ${env.SOAK_PORT}\n`);
});

let stopping = false;
process.on("SIGTERM", () => {
  if (stopping) return;
  stopping = true;
  http.close();
  http.closeIdleConnections();
  scim.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
