/**
 * Hands the server `src/main.ts` started to the route handlers. Next compiles `app/` into its own
 * module graph, so a module-level variable would be a second, empty copy; a global keyed by a
 * registered symbol is the one thing both graphs share.
 */
import type { ScimServer } from "@scimkit/core";

const slot = Symbol.for("scimkit.example-next.server");
const globals = globalThis as typeof globalThis & { [slot]?: ScimServer };

export function setScimServer(server: ScimServer): void {
  globals[slot] = server;
}

export function scimServer(): ScimServer {
  const server = globals[slot];
  if (!server) throw new Error("The SCIM server is not running: start the app with `pnpm start` (src/main.ts)");
  return server;
}
