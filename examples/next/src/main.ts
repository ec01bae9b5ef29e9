/**
 * A SCIM 2.0 server in Next.js (App Router), ready for Okta or Entra ID: `pnpm start` prints the
 * base URL and a bearer token to paste into the IdP. The routes live in `app/scim/v2/[[...path]]`;
 * this file starts Next in-process so the SCIM server and its store open once, before the first
 * request, and close cleanly on Ctrl-C.
 *
 * Runs `next dev` by default; with `NODE_ENV=production` it serves the output of `pnpm build`.
 * Environment: `PORT` (default 3000), `SCIMKIT_DATA_DIR` (keep data in that folder), `SCIMKIT_TOKEN`
 * (use this token instead of minting one; it starts with `scimkit_`), `SCIMKIT_IDP` (the demo
 * directory's IdP: okta, entra, onelogin, jumpcloud, ping or generic; default generic).
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import next from "next";
import { announce, closeHttpServer, startScim, stopOnSignals } from "./scim.js";
import { setScimServer } from "./server-slot.js";

const port = Number(process.env["PORT"] ?? 3000);
const { server, token } = await startScim();
setScimServer(server);

const app = next({
  dev: process.env["NODE_ENV"] !== "production",
  dir: fileURLToPath(new URL("..", import.meta.url)),
  hostname: "127.0.0.1",
  port,
});
await app.prepare();
const handle = app.getRequestHandler();

const listener = createServer((req, res) => void handle(req, res));
listener.on("error", (error) => {
  console.error(`Could not listen: ${error.message}`);
  process.exit(1);
});
listener.listen(port, "127.0.0.1", () => announce((listener.address() as AddressInfo).port, token));

stopOnSignals(async () => {
  await closeHttpServer(listener);
  await app.close();
  // Flushes the store's last save to disk.
  await server.close();
});
