/**
 * A SCIM 2.0 server in Fastify, ready for Okta or Entra ID: `pnpm start` prints the base URL and a
 * bearer token to paste into the IdP.
 *
 * Environment: `PORT` (default 3000), `SCIMKIT_DATA_DIR` (keep data in that folder), `SCIMKIT_TOKEN`
 * (use this token instead of minting one; it starts with `scimkit_`), `SCIMKIT_IDP` (the demo
 * directory's IdP: okta, entra, onelogin, jumpcloud, ping or generic; default generic).
 */
import type { AddressInfo } from "node:net";
import { createFastifyPlugin } from "@scimkit/fastify";
import Fastify from "fastify";
import { announce, startScim, stopOnSignals } from "./scim.js";

const { server, token } = await startScim();

const app = Fastify();
// The plugin reads bodies itself (scim+json included) in its own context; the prefix is the SCIM base URL.
await app.register(createFastifyPlugin(server), { prefix: "/scim/v2" });

try {
  await app.listen({ port: Number(process.env["PORT"] ?? 3000), host: "127.0.0.1" });
} catch (error) {
  console.error(`Could not listen: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
announce((app.server.address() as AddressInfo).port, token);

stopOnSignals(async () => {
  // Lets requests in flight finish; idle keep-alive connections are closed at once.
  await app.close();
  // Flushes the store's last save to disk.
  await server.close();
});
