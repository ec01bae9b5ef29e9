/**
 * scimkit on Express 5, on the memory store (in memory only, or durable: journaled to a folder and
 * flushed to disk before each answer), PostgreSQL on PGlite, or a real PostgreSQL server.
 * Seeding goes through `server.fetch` in-process: the same code path a request takes, minus the
 * socket, so seeding throughput is the engine's own write throughput.
 */
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import express from "express5";
import { createScimServer, createMemoryStore, type ScimServer, type ScimStore } from "@scimkit/core";
import { createExpressMiddleware } from "@scimkit/express";
import { GROUP_SCHEMA, addMembersBody, outsiderName, userBody, userName } from "./people.js";
import { withinBudget } from "./budget.js";
import { SCIM_BASE, type ChildConfig, type Fixtures, type SeedReport } from "../protocol.js";
import type { BenchServer } from "./server.js";

const ORIGIN = "http://127.0.0.1";
/** Members per seeding PATCH: large enough to be quick, far below the engine's body limit. */
const MEMBER_BATCH = 1_000;

interface OpenedStore {
  readonly store: ScimStore;
  readonly close: () => Promise<void>;
  /** Runs after seeding: what the database itself would do after a bulk load. */
  readonly afterSeed: () => Promise<void>;
}

async function openStore(config: ChildConfig): Promise<OpenedStore> {
  if (config.kind === "scimkit-memory")
    return { store: createMemoryStore(), close: async () => {}, afterSeed: async () => {} };
  if (config.kind === "scimkit-durable") {
    // A fresh folder per run, on the machine's temporary disk, removed at the end.
    const directory = await mkdtemp(join(tmpdir(), "scimkit-bench-"));
    const store = createMemoryStore({ directory });
    return {
      store,
      // The server's close() closes the store (flushing its journal); then the folder goes.
      close: () => rm(directory, { recursive: true, force: true }),
      afterSeed: async () => {},
    };
  }
  const { migrate, createPgDriver, createPgliteDriver, createPostgresStore } = await import("@scimkit/postgres");
  if (config.kind === "scimkit-pglite") {
    const { PGlite } = await import("@electric-sql/pglite");
    const db = new PGlite();
    const driver = createPgliteDriver(db);
    await migrate(driver);
    // PGlite runs no autovacuum, so nothing collects planner statistics: left as a PGlite host has it.
    return { store: createPostgresStore({ driver }), close: () => db.close(), afterSeed: async () => {} };
  }
  if (config.pgUrl === undefined) throw new Error("scimkit-pg needs a connection string (SCIMKIT_TEST_PG_URL)");
  const pg = (await import("pg")).default;
  const pool = new pg.Pool({ connectionString: config.pgUrl, max: 8 });
  const driver = createPgDriver(pool);
  // A schema of its own per run, dropped at the end, so a shared server is left as it was.
  const schema = `scimkit_bench_${process.pid}`;
  await migrate(driver, { schema });
  return {
    store: createPostgresStore({ driver, schema }),
    // Autovacuum would analyze the freshly loaded tables within a minute; do it now.
    afterSeed: async () => {
      await driver.query(`ANALYZE "${schema}".resources`);
      await driver.query(`ANALYZE "${schema}".members`);
    },
    close: async () => {
      await driver.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await pool.end();
    },
  };
}

/** Sends one request through the engine and returns its JSON body; any non-2xx is a seeding bug. */
async function call(
  server: ScimServer,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ id?: string }> {
  const res = await server.fetch(
    new Request(`${ORIGIN}${SCIM_BASE}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/scim+json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }),
  );
  if (res.status >= 300) throw new Error(`seeding ${method} ${path} answered ${res.status}: ${await res.text()}`);
  return res.status === 204 ? {} : ((await res.json()) as { id?: string });
}

/** At most this many cursors are kept for the cursor scenario, spread along the walk. */
const CURSORS_KEPT = 200;

/**
 * Walks every user in pages of 100 by cursor and keeps `nextCursor`s spread evenly along the way,
 * so the cursor scenario starts pages anywhere in the list, as an IdP's import walking it would.
 */
async function cursorsAlong(server: ScimServer, token: string, total: number): Promise<string[]> {
  const pages = Math.ceil(total / 100);
  const every = Math.max(1, Math.floor(pages / CURSORS_KEPT));
  const kept: string[] = [];
  let cursor = "";
  for (let page = 0; page < pages; page++) {
    const body = (await call(server, token, "GET", `/Users?count=100&cursor=${encodeURIComponent(cursor)}`)) as {
      nextCursor?: string;
    };
    if (body.nextCursor === undefined) break;
    cursor = body.nextCursor;
    if (page % every === 0 && kept.length < CURSORS_KEPT) kept.push(cursor);
  }
  return kept;
}

type CreateUsers = (
  count: number,
  name: (i: number) => string,
  tag: string,
  progress: (done: number) => void,
) => Promise<{ ids: string[]; seconds: number }>;

/** One POST per user through the engine: validation, uniqueness, audit and events included. */
function postUsers(server: ScimServer, token: string, budgetMs: number): CreateUsers {
  return async (count, name, tag, progress) => {
    const ids: string[] = [];
    const outcome = await withinBudget(
      count,
      500,
      budgetMs,
      async (from, to) => {
        for (let i = from; i < to; i++) {
          const { id } = await call(server, token, "POST", "/Users", userBody(name(i), `${tag}${i}`));
          if (id === undefined) throw new Error("POST /Users answered without an id");
          ids.push(id);
        }
      },
      progress,
    );
    return { ids, seconds: outcome.seconds };
  };
}

/**
 * Users written straight through the store contract, 1,000 per unit of work, in the canonical form
 * the engine stores (core attributes at the top level, the lower-cased userName as unique key).
 * PostgreSQL commits cost milliseconds each, so one POST per user would take far longer.
 */
function bulkUsers(store: ScimStore, directoryId: string, budgetMs: number): CreateUsers {
  return async (count, name, tag, progress) => {
    const ids: string[] = [];
    const outcome = await withinBudget(
      count,
      1_000,
      budgetMs,
      (from, to) =>
        store.transaction("bench", async (tx) => {
          const at = new Date().toISOString();
          for (let i = from; i < to; i++) {
            const { schemas: _schemas, ...attributes } = userBody(name(i), `${tag}${i}`);
            const id = randomUUID();
            await tx.createResource({
              id,
              resourceType: "User",
              attributes: {
                ...attributes,
                name: { ...attributes.name },
                emails: attributes.emails.map((e) => ({ ...e })),
              },
              internal: { directoryId },
              uniqueKey: attributes.userName.toLowerCase(),
              created: at,
              lastModified: at,
              version: 1,
            });
            ids.push(id);
          }
        }),
      progress,
    );
    return { ids, seconds: outcome.seconds };
  };
}

export async function startScimkit(config: ChildConfig, progress: (text: string) => void): Promise<BenchServer> {
  const opened = await openStore(config);
  // The default logger would print every failure; a benchmark wants quiet, and non-2xx are counted anyway.
  const server = createScimServer({ store: opened.store, logger: { error: () => {} } });
  const dir = await server.directories.create({ tenantId: "bench", name: "bench", idp: "okta" });
  const { token } = await server.directories.mintToken(dir.id);

  const bulk = config.kind !== "scimkit-memory" && config.kind !== "scimkit-durable";
  const createUsers = bulk
    ? bulkUsers(opened.store, dir.id, config.seedBudgetMs)
    : postUsers(server, token, config.seedBudgetMs);
  const users = await createUsers(config.users, userName, "u", (n) => progress(`users ${n}/${config.users}`));
  const outsiders = await createUsers(config.outsiders, outsiderName, "o", () => {});
  const group = await call(server, token, "POST", "/Groups", {
    schemas: [GROUP_SCHEMA],
    displayName: "Everyone",
    members: [],
  });
  if (group.id === undefined) throw new Error("POST /Groups answered without an id");
  const groupId = group.id;
  // The second half of the outsiders starts in the group: the membership scenario removes them first.
  await call(
    server,
    token,
    "PATCH",
    `/Groups/${groupId}`,
    addMembersBody(outsiders.ids.slice(outsiders.ids.length / 2)),
  );
  const members = await withinBudget(
    users.ids.length,
    MEMBER_BATCH,
    config.seedBudgetMs,
    async (from, to) => {
      await call(server, token, "PATCH", `/Groups/${groupId}`, addMembersBody(users.ids.slice(from, to)));
    },
    (n) => progress(`members ${n}/${users.ids.length}`),
  );

  await opened.afterSeed();
  const cursors = await cursorsAlong(server, token, users.ids.length + outsiders.ids.length);
  const seed: SeedReport = {
    usersWanted: config.users,
    usersSeeded: users.ids.length,
    userSeconds: users.seconds,
    membersWanted: config.users,
    membersSeeded: members.done,
    memberSeconds: members.seconds,
    method: `${bulk ? "users through the store contract, 1,000 per unit of work" : "POST /Users one by one through server.fetch"}; members by PATCH add, ${MEMBER_BATCH.toLocaleString("en-US")} at a time, through server.fetch${config.kind === "scimkit-pg" ? "; then ANALYZE, as autovacuum would" : ""}`,
  };
  const fixtures: Fixtures = { token, userIds: users.ids, outsiderIds: outsiders.ids, groupId, cursors };
  const app = express();
  app.disable("x-powered-by");
  app.use(SCIM_BASE, createExpressMiddleware(server));
  return {
    listener: app,
    seed,
    fixtures,
    close: async () => {
      await server.close();
      await opened.close();
    },
  };
}
