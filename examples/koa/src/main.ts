/**
 * A SCIM 2.0 server in Koa, ready for Okta or Entra ID: `pnpm start` prints the base URL and a
 * bearer token to paste into the IdP.
 *
 * Environment: `PORT` (default 3000), `SCIMKIT_DATA_DIR` (keep data in that folder), `SCIMKIT_TOKEN`
 * (use this token instead of minting one; it starts with `scimkit_`), `SCIMKIT_IDP` (the demo
 * directory's IdP: okta, entra, onelogin, jumpcloud, ping or generic; default generic).
 */
import type { AddressInfo } from "node:net";
import { createKoaMiddleware } from "@scimkit/koa";
import Koa from "koa";
import mount from "koa-mount";
import { announce, closeHttpServer, startScim, stopOnSignals } from "./scim.js";

const { server, token } = await startScim();

const app = new Koa();
// The adapter reads bodies itself (scim+json included), so no body parser is needed in front of it.
app.use(mount("/scim/v2", createKoaMiddleware(server)));

const listener = app.listen(Number(process.env["PORT"] ?? 3000), "127.0.0.1", () => {
  announce((listener.address() as AddressInfo).port, token);
});
listener.on("error", (error) => {
  console.error(`Could not listen: ${error.message}`);
  process.exit(1);
});

stopOnSignals(async () => {
  await closeHttpServer(listener);
  // Flushes the store's last save to disk.
  await server.close();
});
