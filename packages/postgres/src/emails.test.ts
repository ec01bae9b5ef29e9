/**
 * The addresses table (migration 6) follows `email_values` through every kind of write, whoever
 * makes it, and e-mail filters read it first without changing any answer.
 */
import { PGlite } from "@electric-sql/pglite";
import { filterFromText } from "@scimkit/core/store";
import { afterEach, describe, expect, it } from "vitest";
import { createPgliteDriver, createPostgresStore, migrate, type SqlDriver } from "./index.js";
import { filterCompiler } from "./query/filter-sql.js";
import { Params } from "./sql/params.js";

let db: PGlite | undefined;
afterEach(async () => {
  await db?.close();
  db = undefined;
});

async function migrated(): Promise<SqlDriver> {
  db = new PGlite();
  const driver = createPgliteDriver(db);
  await migrate(driver);
  return driver;
}

const rows = async (driver: SqlDriver) =>
  (await driver.query("SELECT tenant, type, email, id FROM scimkit.resource_emails ORDER BY tenant, id, email")).rows;

const insert = (driver: SqlDriver, id: string, emails: string[]) =>
  driver.query(
    `INSERT INTO scimkit.resources (tenant, type, id, attributes, created, last_modified, version, email_values)
     VALUES ('t', 'User', $1, '{}'::jsonb, 'c', 'c', 1, $2::text[])`,
    [id, emails],
  );

describe("the addresses table", () => {
  it("follows inserts, updates that change the addresses, deletes and truncation", async () => {
    const driver = await migrated();
    await insert(driver, "u1", ["a@example.com", "b@example.com", "a@example.com"]);
    await insert(driver, "u2", []);
    expect(await rows(driver)).toEqual([
      { tenant: "t", type: "User", email: "a@example.com", id: "u1" },
      { tenant: "t", type: "User", email: "b@example.com", id: "u1" },
    ]);
    await driver.query("UPDATE scimkit.resources SET email_values = $1::text[] WHERE id = 'u1'", [
      ["b@example.com", "c@example.com"],
    ]);
    await driver.query("UPDATE scimkit.resources SET email_values = $1::text[] WHERE id = 'u2'", [["d@example.com"]]);
    // An update that leaves the addresses as they were touches nothing.
    await driver.query("UPDATE scimkit.resources SET version = 2, email_values = email_values WHERE id = 'u2'");
    expect((await rows(driver)).map((r) => `${r["id"]} ${r["email"]}`)).toEqual([
      "u1 b@example.com",
      "u1 c@example.com",
      "u2 d@example.com",
    ]);
    await driver.query("DELETE FROM scimkit.resources WHERE id = 'u1'");
    expect((await rows(driver)).map((r) => `${r["id"]} ${r["email"]}`)).toEqual(["u2 d@example.com"]);
    await driver.query("TRUNCATE scimkit.resources");
    expect(await rows(driver)).toEqual([]);
  });

  it("answers e-mail filters through the store exactly as the addresses are, in any case", async () => {
    const driver = await migrated();
    const store = createPostgresStore({ driver });
    const ids = await store.transaction("t", async (tx) => {
      const made: string[] = [];
      for (const [i, emails] of [["Ada@Example.com"], ["ada@example.org", "x@example.com"], []].entries()) {
        const r = await tx.createResource({
          id: `u${i}`,
          resourceType: "User",
          attributes: {
            userName: `user${i}`,
            emails: emails.map((value, n) => ({ value, type: n === 0 ? "work" : "home" })),
          },
          internal: {},
          uniqueKey: `user${i}`,
          created: `2026-12-07T10:00:0${i}.000Z`,
          lastModified: `2026-12-07T10:00:0${i}.000Z`,
          version: 1,
        });
        made.push(r.id);
      }
      return made;
    });
    const find = (text: string) =>
      store.transaction(
        "t",
        async (tx) =>
          (
            await tx.queryResources("User", {
              filter: filterFromText(text, { resourceType: "User" }),
              startIndex: 1,
              count: 10,
            })
          ).resources.map((r) => r.id),
        { readOnly: true },
      );
    expect(await find('emails.value eq "ADA@example.com"')).toEqual([ids[0]]);
    expect(await find('emails.value sw "ada@"')).toEqual([ids[0], ids[1]]);
    expect(await find('emails[type eq "work"].value eq "ada@example.org"')).toEqual([ids[1]]);
    expect(await find('emails[type eq "work"].value eq "x@example.com"')).toEqual([]);
    expect(await find('emails[type eq "home"].value sw "X@"')).toEqual([ids[1]]);
    expect(await find('not (emails.value sw "ada")')).toEqual([ids[2]]);
    // Another tenant's addresses are not this tenant's.
    const other = await store.transaction(
      "other",
      async (tx) =>
        (
          await tx.queryResources("User", {
            filter: filterFromText('emails.value sw "a"', { resourceType: "User" }),
            startIndex: 1,
            count: 10,
          })
        ).resources.length,
      { readOnly: true },
    );
    expect(other).toBe(0);
  });

  it("is read first for eq and sw, as a range of folded keys, and not under a not", () => {
    const compile = (text: string) => {
      const p = new Params();
      const emails = { table: "s.resource_emails", tenant: "$90", type: "$91" };
      const sql = filterCompiler("s.members", { p, fn: (name) => `s.${name}`, emails })(
        filterFromText(text, { resourceType: "User" }),
      );
      return { sql, values: p.values };
    };
    const eq = compile('emails.value eq "Ada@Example.com"');
    expect(eq.sql).toMatch(
      /^\(r\.id = ANY \(ARRAY\(SELECT e\.id FROM s\.resource_emails e WHERE e\.tenant = \$90 AND e\.type = \$91 AND e\.email = \$1::text\)\) AND /,
    );
    expect(eq.values[0]).toBe("ada@example.com");
    const sw = compile('emails.value sw "Ad"');
    expect(sw.sql).toContain("e.email >= $1::text AND e.email < $2::text");
    expect(sw.values.slice(0, 2)).toEqual(["ad", "ae"]);
    expect(compile('not (emails.value eq "a@example.com")').sql).not.toContain("resource_emails");
    expect(compile('emails.value co "ada"').sql).not.toContain("resource_emails");
  });
});
