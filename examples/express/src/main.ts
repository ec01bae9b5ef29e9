/**
 * A SCIM 2.0 server in Express, ready for Okta or Entra ID: `pnpm start` (or `pnpm demo` at the
 * repository root) prints the base URL and a bearer token to paste into the IdP, and the URL of the
 * admin page (`@scimkit/admin`) where connections, groups and roles, users and the activity log show.
 *
 * Environment: `PORT` (default 3000), `SCIMKIT_DATA_DIR` (keep data in that folder), `SCIMKIT_TOKEN`
 * (use this token instead of minting one; it starts with `scimkit_`), `SCIMKIT_IDP` (the demo
 * directory's IdP: okta, entra, onelogin, jumpcloud, ping or generic; default generic).
 */
import type { AddressInfo } from "node:net";
import { createAdminApi } from "@scimkit/admin";
import { createExpressMiddleware } from "@scimkit/express";
import express from "express";
import { announce, closeHttpServer, startScim, stopOnSignals, TENANT } from "./scim.js";

const { server, token } = await startScim();

const app = express();
// The adapter reads bodies itself (scim+json included), so no body parser is needed in front of it.
app.use("/scim/v2", createExpressMiddleware(server));

// The admin page and its API. A demo only: every visitor is the demo tenant's admin. A real app
// answers from its own session in `authorize` (null for anyone who is not an admin: 401).
const ADMIN = "/admin";
const admin = createAdminApi(server, {
  basePath: ADMIN,
  scimBaseUrl: (request) => `${new URL(request.url).origin}/scim/v2`,
  authorize: () => ({ tenantId: TENANT, actor: { id: "demo-admin", name: "Demo admin" } }),
});
app.use(ADMIN, createExpressMiddleware(admin));

const listener = app.listen(Number(process.env["PORT"] ?? 3000), "127.0.0.1", (error?: Error) => {
  if (error) {
    console.error(`Could not listen: ${error.message}`);
    process.exit(1);
  }
  announce((listener.address() as AddressInfo).port, token, ADMIN);
});

stopOnSignals(async () => {
  await closeHttpServer(listener);
  // Flushes the store's last save to disk.
  await server.close();
});
