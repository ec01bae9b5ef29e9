/**
 * The SCIM side of the example, the same in every framework: one server on the embedded store, one
 * tenant with one directory, a bearer token for the IdP, and a clean stop on Ctrl-C / SIGTERM.
 */
import type { Server } from "node:http";
import { createScimServer, createMemoryStore, type IdpKind, type ScimServer } from "@scimkit/core";

const TENANT = "demo";

/**
 * The IdP's token: the secret when this start minted it or was given it (print it), or the hint of
 * the stored one a restart kept (its secret was shown once, when minted, and is not kept anywhere).
 */
export type DemoToken = string | { readonly keptHint: string };

export interface DemoScim {
  readonly server: ScimServer;
  readonly token: DemoToken;
}

const IDPS: readonly IdpKind[] = ["okta", "entra", "onelogin", "jumpcloud", "ping", "generic"];

/**
 * Opens the store (kept in the folder `$SCIMKIT_DATA_DIR` when that is set, else in memory), makes
 * sure the demo directory exists (for the IdP `$SCIMKIT_IDP` names, default `generic`), and
 * registers `$SCIMKIT_TOKEN`, or mints a token when the directory has none that works. A restart on
 * the same data folder reuses the directory and keeps its token: minting revokes the earlier tokens,
 * which would cut off the IdP holding it.
 */
export async function startScim(env: NodeJS.ProcessEnv = process.env): Promise<DemoScim> {
  const dataDir = env["SCIMKIT_DATA_DIR"];
  const idp = IDPS.find((kind) => kind === env["SCIMKIT_IDP"]) ?? "generic";
  // With a folder, every write is journaled there and flushed to disk before it is answered.
  const server = createScimServer({ store: createMemoryStore(dataDir ? { directory: dataDir } : {}) });
  // On a data folder from an earlier run the directory is already there; keep using it.
  const existing = (await server.directories.list(TENANT))[0];
  const directory = existing ?? (await server.directories.create({ tenantId: TENANT, name: "Demo IdP", idp }));
  const chosen = env["SCIMKIT_TOKEN"];
  if (!chosen) {
    const kept = existing ? await workingToken(server, directory.id) : undefined;
    if (kept) return { server, token: { keptHint: kept.hint ?? kept.id } };
    return { server, token: (await server.directories.mintToken(directory.id)).token };
  }
  try {
    await server.directories.importToken(directory.id, chosen);
  } catch (error) {
    // Restarting on the same data folder with the same token: it is registered already.
    if (!(await accepts(server, chosen))) {
      console.error(`SCIMKIT_TOKEN cannot be used: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    }
  }
  return { server, token: chosen };
}

/** A token of the directory that is neither revoked nor expired, if any. */
async function workingToken(server: ScimServer, directoryId: string) {
  const now = new Date().toISOString();
  return (await server.directories.listTokens(directoryId)).find(
    (t) => t.revokedAt === null && (t.expiresAt === null || t.expiresAt > now),
  );
}

async function accepts(server: ScimServer, token: string): Promise<boolean> {
  const probe = new Request("http://127.0.0.1/scim/v2/Users?count=0", {
    headers: { authorization: `Bearer ${token}` },
  });
  return (await server.fetch(probe)).status === 200;
}

/** Prints where the IdP should point, in the lines the README and the tests look for. */
export function announce(port: number, token: DemoToken): void {
  console.log(`SCIM base URL: http://127.0.0.1:${port}/scim/v2`);
  if (typeof token === "string") console.log(`Bearer token: ${token}`);
  else {
    console.log(`Bearer token: unchanged, the one shown when it was minted (${token.keptHint}) still works.`);
    console.log(
      "To replace it, start with SCIMKIT_TOKEN=scimkit_<32+ characters> (the old one stops working), or delete the data folder to start over.",
    );
  }
  console.log(
    "Okta: put both in Provisioning > Integration (SCIM connector base URL, HTTP Header auth); Entra ID: Tenant URL and Secret Token (it needs a public HTTPS URL, e.g. a tunnel).",
  );
}

/** Stops taking connections, lets requests in flight finish for up to five seconds, then cuts the rest. */
export function closeHttpServer(listener: Server): Promise<void> {
  return new Promise((resolve) => {
    const force = setTimeout(() => listener.closeAllConnections(), 5_000);
    force.unref();
    listener.close(() => {
      clearTimeout(force);
      resolve();
    });
    listener.closeIdleConnections();
  });
}

/** Runs `stop` once on Ctrl-C or SIGTERM, then exits 0 (1 if stopping failed). */
export function stopOnSignals(stop: () => Promise<void>): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping`);
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error("Could not stop cleanly:", error);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
}
