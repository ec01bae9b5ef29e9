/**
 * A SCIM 2.0 server in NestJS (Express platform), ready for Okta or Entra ID: `pnpm start` prints the
 * base URL and a bearer token to paste into the IdP.
 *
 * Environment: `PORT` (default 3000), `SCIMKIT_DATA_DIR` (keep data in that folder), `SCIMKIT_TOKEN`
 * (use this token instead of minting one; it starts with `scimkit_`), `SCIMKIT_IDP` (the demo
 * directory's IdP: okta, entra, onelogin, jumpcloud, ping or generic; default generic).
 */
import "reflect-metadata";
import type { AddressInfo } from "node:net";
import { Controller, Get, Module } from "@nestjs/common";
import { NestFactory } from "@nestjs/core";
import { ScimModule } from "@scimkit/nestjs";
import { announce, startScim, stopOnSignals } from "./scim.js";

const { server, token } = await startScim();

/** The app's own routes stay Nest's: only /scim/v2 and below go to the SCIM server. */
@Controller("health")
class HealthController {
  @Get()
  ok() {
    return { ok: true };
  }
}

@Module({ imports: [ScimModule.forRoot(server)], controllers: [HealthController] })
class AppModule {}

// forceCloseConnections: on a signal, idle keep-alive connections do not hold up the stop.
const app = await NestFactory.create(AppModule, { logger: ["error", "warn"], forceCloseConnections: true });
try {
  await app.listen(Number(process.env["PORT"] ?? 3000), "127.0.0.1");
} catch (error) {
  console.error(`Could not listen: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
announce((app.getHttpServer().address() as AddressInfo).port, token);

stopOnSignals(async () => {
  await app.close();
  // Flushes the store's last save to disk.
  await server.close();
});
