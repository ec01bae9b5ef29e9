/**
 * Test support: a database per run (the PostgreSQL server named by SCIMKIT_TEST_PG_URL, in schemas
 * of this run's own, else in-process PGlite), an IdP-like SCIM client over HTTP, the comparison of
 * the app's tables with scimkit's state read through the host read API, and the worker process.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import type { UserView } from "@scimkit/core";
import { createPgDriver, createPgliteDriver, type SqlDriver } from "@scimkit/postgres";
import pg from "pg";
import { expect } from "vitest";
import type { MirrorApp } from "../src/app.js";
import { displayNameOf, roleOf } from "../src/mirror.js";

export const PG_URL = process.env["SCIMKIT_TEST_PG_URL"];

export interface TestDatabase {
  readonly kind: "postgres" | "pglite";
  readonly driver: SqlDriver;
  readonly scimSchema: string;
  readonly appSchema: string;
  dispose(): Promise<void>;
}

/** Fresh schemas on the server per run, so runs and other test files never share tables. */
export async function openDatabase(label: string): Promise<TestDatabase> {
  const suffix = `${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const scimSchema = `mirror_scim_${label}_${suffix}`;
  const appSchema = `mirror_app_${label}_${suffix}`;
  if (PG_URL) {
    const pool = new pg.Pool({ connectionString: PG_URL, max: 6 });
    return {
      kind: "postgres",
      driver: createPgDriver(pool),
      scimSchema,
      appSchema,
      async dispose() {
        await pool.query(`DROP SCHEMA IF EXISTS "${scimSchema}" CASCADE`);
        await pool.query(`DROP SCHEMA IF EXISTS "${appSchema}" CASCADE`);
        await pool.end();
      },
    };
  }
  const db = new PGlite();
  return { kind: "pglite", driver: createPgliteDriver(db), scimSchema, appSchema, dispose: () => db.close() };
}

const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
const PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/** What an IdP sends, over real HTTP with the bearer token the app printed. */
export class Idp {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
  ) {}

  async #call(method: string, path: string, body?: unknown): Promise<Record<string, unknown> | null> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body === undefined ? {} : { "content-type": "application/scim+json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return text.length > 0 ? (JSON.parse(text) as Record<string, unknown>) : null;
  }

  async createUser(userName: string, givenName: string, familyName: string): Promise<string> {
    const created = await this.#call("POST", "/Users", {
      schemas: [USER],
      userName,
      externalId: `ext-${userName}`,
      name: { givenName, familyName },
      displayName: `${givenName} ${familyName}`,
      emails: [{ value: userName, type: "work", primary: true }],
      active: true,
    });
    return String(created?.["id"]);
  }

  async createGroup(displayName: string, memberIds: readonly string[]): Promise<string> {
    const created = await this.#call("POST", "/Groups", {
      schemas: [GROUP],
      displayName,
      members: memberIds.map((value) => ({ value })),
    });
    return String(created?.["id"]);
  }

  patchUser(id: string, operations: readonly Record<string, unknown>[]) {
    return this.#call("PATCH", `/Users/${id}`, { schemas: [PATCH], Operations: operations });
  }

  addMember(groupId: string, userId: string) {
    return this.#call("PATCH", `/Groups/${groupId}`, {
      schemas: [PATCH],
      Operations: [{ op: "add", path: "members", value: [{ value: userId }] }],
    });
  }

  removeMember(groupId: string, userId: string) {
    return this.#call("PATCH", `/Groups/${groupId}`, {
      schemas: [PATCH],
      Operations: [{ op: "remove", path: `members[value eq "${userId}"]` }],
    });
  }

  deleteUser(id: string) {
    return this.#call("DELETE", `/Users/${id}`);
  }

  deleteGroup(id: string) {
    return this.#call("DELETE", `/Groups/${id}`);
  }
}

export interface Mirrored {
  readonly users: {
    scim_id: string;
    user_name: string;
    email: string | null;
    display_name: string | null;
    active: boolean;
    role: string | null;
  }[];
  readonly teams: { scim_id: string; name: string | null; role: string | null }[];
  readonly memberships: { user_scim_id: string; team_scim_id: string; role: string | null }[];
}

const byKey =
  <T>(key: (row: T) => string) =>
  (a: T, b: T) =>
    key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;

/** scimkit's state as the app's rows should hold it, read through the host read API. */
export async function scimState(app: MirrorApp): Promise<Mirrored> {
  const { scim, tenantId } = app;
  const users = (await scim.users.list(tenantId, { count: 1000 })).items;
  const groups = (await scim.groups.list(tenantId, { count: 1000 })).items;
  const roleOfGroup = new Map((await scim.policy.listGroups(tenantId)).map((g) => [g.id, g.roleId]));
  const memberships: Mirrored["memberships"] = [];
  for (const g of groups) {
    for (const m of await scim.groups.members(tenantId, g.id)) {
      if (m.type === "User")
        memberships.push({ user_scim_id: m.id, team_scim_id: g.id, role: roleOfGroup.get(g.id) ?? null });
    }
  }
  return {
    users: users
      .map((u: UserView) => ({
        scim_id: u.id,
        user_name: u.userName,
        email: u.email,
        display_name: displayNameOf(u),
        active: u.active,
        role: roleOf(u.roles),
      }))
      .sort(byKey((r) => r.scim_id)),
    teams: groups
      .map((g) => ({ scim_id: g.id, name: g.displayName, role: roleOfGroup.get(g.id) ?? null }))
      .sort(byKey((r) => r.scim_id)),
    memberships: memberships.sort(byKey((r) => `${r.team_scim_id}/${r.user_scim_id}`)),
  };
}

/** The app's own rows for the tenant. */
export async function appState(app: MirrorApp, driver: SqlDriver): Promise<Mirrored> {
  const t = app.tables;
  const q = async (text: string) => (await driver.query(text, [app.tenantId])).rows;
  const users = await q(
    `SELECT scim_id, user_name, email, display_name, active, role FROM ${t.users} WHERE tenant_id = $1`,
  );
  const teams = await q(`SELECT scim_id, name, role FROM ${t.teams} WHERE tenant_id = $1`);
  const memberships = await q(`SELECT user_scim_id, team_scim_id, role FROM ${t.memberships} WHERE tenant_id = $1`);
  return {
    users: (users as unknown as Mirrored["users"]).map((r) => ({ ...r })).sort(byKey((r) => r.scim_id)),
    teams: (teams as unknown as Mirrored["teams"]).map((r) => ({ ...r })).sort(byKey((r) => r.scim_id)),
    memberships: (memberships as unknown as Mirrored["memberships"])
      .map((r) => ({ ...r }))
      .sort(byKey((r) => `${r.team_scim_id}/${r.user_scim_id}`)),
  };
}

/** The app's tables match scimkit's state now (atomic mode) or within `withinMs` (feed mode). */
export async function expectMirrored(app: MirrorApp, driver: SqlDriver, withinMs = 0): Promise<Mirrored> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const [want, have] = [await scimState(app), await appState(app, driver)];
    if (Date.now() >= deadline) {
      expect(have).toEqual(want);
      return have;
    }
    try {
      expect(have).toEqual(want);
      return have;
    } catch {
      await sleep(50);
    }
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface WorkerProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const workerEntry = fileURLToPath(new URL("../src/worker.ts", import.meta.url));

/** Spawns `src/worker.ts` as `pnpm worker` runs it, and resolves once it consumes. */
export function spawnWorker(env: Record<string, string>): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ["--conditions=source", "--import", "tsx", workerEntry], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes("consuming")) resolve({ child, exited });
    });
    void exited.then(({ code, signal }) => reject(new Error(`worker exited (${code ?? signal}) before it consumed`)));
  });
}
