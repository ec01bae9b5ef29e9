/**
 * A SCIM 2.0 server in Hono, on Node through `@hono/node-server`, ready for Okta or Entra ID:
 * `pnpm start` prints the base URL and a bearer token to paste into the IdP. On Bun, Deno or an edge
 * runtime the same `app` is served by the runtime itself (`export default app`).
 *
 * Environment: `PORT` (default 3000), `SCIMKIT_DATA_DIR` (keep data in that folder), `SCIMKIT_TOKEN`
 * (use this token instead of minting one; it starts with `scimkit_`), `SCIMKIT_IDP` (the demo
 * directory's IdP: okta, entra, onelogin, jumpcloud, ping or generic; default generic).
 */
import type { Server } from "node:http";
import { serve } from "@hono/node-server";
import { createHonoApp } from "@scimkit/hono";
import { Hono } from "hono";
import { announce, closeHttpServer, startScim, stopOnSignals } from "./scim.js";

const { server, token } = await startScim();

const app = new Hono();
app.route("/scim/v2", createHonoApp(server));

const listener = serve(
  { fetch: app.fetch, port: Number(process.env["PORT"] ?? 3000), hostname: "127.0.0.1" },
  (info) => {
    announce(info.port, token);
  },
);
listener.on("error", (error) => {
  console.error(`Could not listen: ${error.message}`);
  process.exit(1);
});

stopOnSignals(async () => {
  // Without a `createServer` option, serve() runs a node:http server.
  await closeHttpServer(listener as Server);
  // Flushes the store's last save to disk.
  await server.close();
});
