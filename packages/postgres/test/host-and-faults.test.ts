/**
 * A host's own table written in scimkit's transaction (postgresExecutor), and a database that cannot
 * be reached answered 503 with Retry-After — then served again once it is back.
 */
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { createScimServer } from "@scimkit/core";
import { createPgDriver, createPostgresStore, postgresExecutor } from "../src/index.js";
import { PG_URL, pgliteDatabase, serverDatabase, type TestDatabase } from "./databases.js";

const user = (userName: string) => ({
  schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
  userName,
  emails: [{ value: userName, primary: true }],
});
const patchOp = (...ops: unknown[]) => ({
  schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
  Operations: ops,
});

const opened: TestDatabase[] = [];
afterAll(async () => {
  for (const db of opened) await db.dispose();
});

const targets: [string, () => Promise<TestDatabase>][] = [["pglite", () => pgliteDatabase()]];
const serverUrl = PG_URL;
if (serverUrl) targets.push(["postgres", () => serverDatabase("hostmirror", serverUrl)]);

describe.each(targets)("a host table in scimkit's transaction on %s", (_label, open) => {
  it("commits the host's row with the SCIM change, and rolls both back together", async () => {
    const db = await open();
    opened.push(db);
    const table = `"${db.schema}".app_users`;
    await db.driver.query(
      `CREATE TABLE ${table} (id text PRIMARY KEY, email text NOT NULL CHECK (email NOT LIKE '%@blocked.example'))`,
    );
    const scim = createScimServer({
      store: createPostgresStore({ driver: db.driver, schema: db.schema }),
      logger: { error: () => undefined },
      onEventInTransaction: async (e, tx) => {
        if (e.type !== "user.created" && e.type !== "user.updated") return;
        await postgresExecutor(tx).query(
          `INSERT INTO ${table} (id, email) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET email = $2`,
          [e.user.id, e.user.email ?? ""],
        );
      },
    });
    const dir = await scim.directories.create({ tenantId: "acme", name: "IdP" });
    const { token } = await scim.directories.mintToken(dir.id);
    const call = (method: string, path: string, body?: unknown) =>
      scim.fetch(
        new Request(`https://app.example/scim/v2${path}`, {
          method,
          headers: { authorization: `Bearer ${token}`, "content-type": "application/scim+json" },
          ...(body ? { body: JSON.stringify(body) } : {}),
        }),
      );
    const created = await (await call("POST", "/Users", user("ada@example.com"))).json();
    expect((await db.driver.query(`SELECT email FROM ${table} WHERE id = $1`, [created.id])).rows).toEqual([
      { email: "ada@example.com" },
    ]);
    // The host's CHECK refuses the new email: the SCIM change and the host row both stay as they were.
    const refused = await call(
      "PATCH",
      `/Users/${created.id}`,
      patchOp({ op: "replace", path: "emails", value: [{ value: "ada@blocked.example", primary: true }] }),
    );
    expect(refused.status).toBe(500);
    expect((await (await call("GET", `/Users/${created.id}`)).json()).emails[0].value).toBe("ada@example.com");
    expect((await db.driver.query(`SELECT email FROM ${table} WHERE id = $1`, [created.id])).rows).toEqual([
      { email: "ada@example.com" },
    ]);
    expect(() => postgresExecutor({ tenantId: "x" } as never)).toThrow(/not a unit of work/);
  });
});

describe("a database that cannot be reached", () => {
  it("is answered 503 with Retry-After, without ending the process, and served again when it is back", async () => {
    // A pool aimed at a port nothing listens on: every connection is refused.
    const dead = new pg.Pool({ host: "127.0.0.1", port: 1, connectionTimeoutMillis: 2000 });
    let reachable = false;
    const db = await pgliteDatabase();
    opened.push(db);
    const live = createPostgresStore({ driver: db.driver, schema: db.schema });
    const down = createPostgresStore({ driver: createPgDriver(dead) });
    const store = {
      ...live,
      transaction: ((...args: Parameters<typeof live.transaction>) =>
        (reachable ? live : down).transaction(...args)) as typeof live.transaction,
    };
    const scim = createScimServer({ store, logger: { error: () => undefined } });
    reachable = true;
    const dir = await scim.directories.create({ tenantId: "acme", name: "IdP" });
    const { token } = await scim.directories.mintToken(dir.id);
    reachable = false;
    const res = await scim.fetch(
      new Request("https://app.example/scim/v2/Users", {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/scim+json" },
        body: JSON.stringify(user("bo@example.com")),
      }),
    );
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toMatch(/^\d+$/);
    reachable = true;
    const again = await scim.fetch(
      new Request("https://app.example/scim/v2/Users", {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/scim+json" },
        body: JSON.stringify(user("bo@example.com")),
      }),
    );
    expect(again.status).toBe(201);
    await dead.end();
  });
});
