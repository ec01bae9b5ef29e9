/**
 * Several processes changing one group at once on a real server: every add lands exactly once, and
 * the group's version counts every change (no lost update). Runs only with SCIMKIT_TEST_PG_URL.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshSchema, PG_URL } from "../test/databases.js";
import { migrate, createPgDriver, createPostgresStore } from "./index.js";

const run = promisify(execFile);
const packageDir = fileURLToPath(new URL("..", import.meta.url));

describe.runIf(PG_URL)("concurrent membership changes from several processes (PostgreSQL server)", () => {
  const url = PG_URL ?? "";
  const schema = freshSchema("concurrency");
  let pool: pg.Pool;

  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: url, max: 2 });
    const driver = createPgDriver(pool);
    await migrate(driver, { schema });
    await createPostgresStore({ driver, schema }).transaction("t", (tx) =>
      tx.createResource({
        id: "g",
        resourceType: "Group",
        attributes: { displayName: "Big" },
        internal: {},
        uniqueKey: null,
        created: "c",
        lastModified: "c",
        version: 1,
      }),
    );
  });
  afterAll(async () => {
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pool.end();
  });

  it("4 processes × 250 concurrent adds leave all 1,000 members, each once, and 1,000 version bumps", async () => {
    const workers = [0, 1, 2, 3].map((w) =>
      run(
        process.execPath,
        ["--conditions=source", "--import", "tsx", "test/member-adder.ts", url, schema, "t", "g", String(w), "250"],
        { cwd: packageDir, maxBuffer: 1 << 24 },
      ),
    );
    const reported = (await Promise.all(workers)).flatMap((r) => JSON.parse(r.stdout) as string[]);

    const rows = await pool.query(`SELECT member_id FROM "${schema}".members WHERE tenant = 't' AND group_id = 'g'`);
    const ids = rows.rows.map((r: { member_id: string }) => r.member_id);
    const own = ids.filter((id) => !id.startsWith("shared-"));
    expect(own).toHaveLength(1000);
    expect(new Set(own).size).toBe(1000);
    expect(ids.filter((id) => id.startsWith("shared-")).sort()).toEqual(
      Array.from({ length: 50 }, (_, i) => `shared-${i}`).sort(),
    );
    // Each id was reported added by exactly one unit of work.
    expect(reported).toHaveLength(1050);
    expect(new Set(reported).size).toBe(1050);
    const group = await pool.query(
      `SELECT version FROM "${schema}".resources WHERE tenant = 't' AND type = 'Group' AND id = 'g'`,
    );
    expect(group.rows[0]?.version).toBe(1001);
  }, 120_000);
});
