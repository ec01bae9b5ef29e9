/**
 * The host app: scimkit on the app's PostgreSQL database, served over HTTP at `/scim/v2`, with the
 * app's own tables kept in step in one of two modes.
 *
 * - `atomic`: `onEventInTransaction` applies each event with `postgresExecutor(tx)`, inside the SCIM
 *   write's transaction: the app's rows and scimkit's commit or roll back together.
 * - `feed`: the server only writes scimkit's outbox; a worker (`src/worker.ts`, any number of
 *   processes) applies the events through the consumer group `mirror`.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createScimServer, type ScimServer } from "@scimkit/core";
import { nodeHandler } from "@scimkit/core/node";
import { createPostgresStore, migrate, postgresExecutor, type SqlDriver } from "@scimkit/postgres";
import { applyEvent } from "./mirror.js";
import { appTables, migrateApp, type AppTables } from "./tables.js";

export type MirrorMode = "atomic" | "feed";

/** The roles the app knows; a user in no mapped team is a member. */
export const ROLES = [
  { id: "admin", label: "Administrator", priority: 10 },
  { id: "engineer", label: "Engineer", priority: 5 },
  { id: "member", label: "Member" },
] as const;

export type AppRole = (typeof ROLES)[number]["id"];

export const SCIM_PATH = "/scim/v2";

export interface MirrorAppOptions {
  /** One database for scimkit's tables and the app's. */
  readonly driver: SqlDriver;
  readonly mode: MirrorMode;
  /** The customer whose IdP provisions the app. @default "acme" */
  readonly tenantId?: string | undefined;
  /** @default "scimkit" */
  readonly scimSchema?: string | undefined;
  /** @default "public" */
  readonly appSchema?: string | undefined;
}

export interface MirrorApp {
  readonly scim: ScimServer;
  readonly tables: AppTables;
  readonly tenantId: string;
  readonly mode: MirrorMode;
  readonly directoryId: string;
  /** The bearer token, on the start that created the directory only; null afterwards (it is kept hashed). */
  readonly token: string | null;
  /**
   * The app's settings-page action: the IdP's group `groupId` grants `role`. scimkit re-roles the
   * members (their `role.changed` events reach app_users); the team row and its memberships get
   * the role here, as the mapping is the app's own.
   */
  mapTeam(groupId: string, role: AppRole): Promise<void>;
  /** Listens on `host:port` (0: any free port) and resolves to the SCIM base URL. */
  listen(port: number, host?: string): Promise<string>;
  close(): Promise<void>;
}

/** Creates the tables when missing and opens scimkit; reuses the directory an earlier start created. */
export async function createMirrorApp(options: MirrorAppOptions): Promise<MirrorApp> {
  const { driver, mode } = options;
  const tenantId = options.tenantId ?? "acme";
  const scimSchema = options.scimSchema ?? "scimkit";
  const tables = appTables(options.appSchema ?? "public");
  await migrate(driver, { schema: scimSchema });
  await migrateApp(driver, tables);

  const scim = createScimServer({
    store: createPostgresStore({ driver, schema: scimSchema }),
    basePath: SCIM_PATH,
    policy: { roles: [...ROLES], mode: "single", fallbackRole: "member" },
    // Atomic mode: the app's rows are written by the SCIM request's own transaction; a failure
    // here fails the request, and the IdP retries it.
    ...(mode === "atomic"
      ? { onEventInTransaction: async (event, tx) => void (await applyEvent(postgresExecutor(tx), tables, event)) }
      : {}),
  });

  const { directoryId, token } = await ensureDirectory(scim, driver, tables, tenantId);
  let http: Server | undefined;

  return {
    scim,
    tables,
    tenantId,
    mode,
    directoryId,
    token,
    async mapTeam(groupId, role) {
      await scim.policy.mapGroup(tenantId, groupId, role);
      await driver.transaction(async (sql) => {
        // The upsert locks the team row, so a worker adding members meanwhile waits and reads the new role.
        await sql.query(
          `INSERT INTO ${tables.teams} (tenant_id, scim_id, role) VALUES ($1, $2, $3)
           ON CONFLICT (tenant_id, scim_id) DO UPDATE SET role = excluded.role`,
          [tenantId, groupId, role],
        );
        await sql.query(`UPDATE ${tables.memberships} SET role = $3 WHERE tenant_id = $1 AND team_scim_id = $2`, [
          tenantId,
          groupId,
          role,
        ]);
      });
    },
    async listen(port, host = "127.0.0.1") {
      const scimHandler = nodeHandler(scim);
      const server = createServer((req, res) => {
        if (req.url === SCIM_PATH || req.url?.startsWith(`${SCIM_PATH}/`)) return void scimHandler(req, res);
        res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
      });
      http = server;
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => resolve());
      });
      return `http://${host}:${(server.address() as AddressInfo).port}${SCIM_PATH}`;
    },
    async close() {
      const server = http;
      if (server) {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
      await scim.close();
    },
  };
}

/**
 * The tenant's one directory, created on the first start with its token and remembered in the app's
 * settings table: later starts reuse it, so restarts and deploys never revoke what the IdP holds.
 */
async function ensureDirectory(
  scim: ScimServer,
  driver: SqlDriver,
  t: AppTables,
  tenantId: string,
): Promise<{ directoryId: string; token: string | null }> {
  const key = `directory:${tenantId}`;
  const stored = (await driver.query(`SELECT value FROM ${t.settings} WHERE key = $1`, [key])).rows[0]?.["value"];
  if (typeof stored === "string" && (await scim.directories.get(stored)) !== null) {
    return { directoryId: stored, token: null };
  }
  const directory = await scim.directories.create({ tenantId, name: "Identity provider", idp: "generic" });
  const { token } = await scim.directories.mintToken(directory.id);
  await driver.query(
    `INSERT INTO ${t.settings} (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
    [key, directory.id],
  );
  return { directoryId: directory.id, token };
}
