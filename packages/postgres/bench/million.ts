/**
 * Bulk-loads N users and a large group, then measures the lookups IdPs make and member changes on
 * the large group, printing p50/p99 per operation.
 *
 *   node --conditions=source --import tsx bench/million.ts [--users N] [--group N] [--iterations N] [--keep]
 *
 * Runs against the server in SCIMKIT_TEST_PG_URL (default 1,000,000 users, a 100,000-member group),
 * or in-process on PGlite when it is unset (default 20,000 users, a 5,000-member group). Works in a
 * schema of its own, dropped at the end unless --keep is given. Not part of the test suite.
 */
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { filterFromText, sortFromText, type StoreQuery } from "@scimkit/core/store";
import { migrate, createPgDriver, createPgliteDriver, createPostgresStore, type SqlDriver } from "../src/index.js";
import { extract } from "../src/sql/extract.js";

const url = process.env["SCIMKIT_TEST_PG_URL"];
const { values: args } = parseArgs({
  options: {
    users: { type: "string" },
    group: { type: "string" },
    iterations: { type: "string", default: "200" },
    keep: { type: "boolean", default: false },
  },
});
const users = Number(args.users ?? (url ? 1_000_000 : 20_000));
const groupSize = Math.min(users, Number(args.group ?? (url ? 100_000 : 5_000)));
const iterations = Number(args.iterations);
const schema = `scimkit_bench_${process.pid}`;
const tenant = "bench";

const id = (i: number) => `u${String(i).padStart(9, "0")}`;
const base = Date.UTC(2024, 0, 1);
const titles = ["Engineer", "Manager", "Director", "Designer", "Analyst"];

const filter = (text: string) => filterFromText(text, { profile: "okta" });

async function open(): Promise<{ driver: SqlDriver; close: () => Promise<void> }> {
  if (url) {
    const pool = new pg.Pool({ connectionString: url, max: 4 });
    return { driver: createPgDriver(pool), close: () => pool.end() };
  }
  const db = new PGlite();
  return { driver: createPgliteDriver(db), close: () => db.close() };
}

/** Multi-row INSERTs: one statement per batch, columns bound as parallel arrays. */
async function load(driver: SqlDriver): Promise<void> {
  const t = `"${schema}"`;
  const batch = 5_000;
  const started = performance.now();
  for (let from = 0; from < users; from += batch) {
    const cols: (string | null)[][] = Array.from({ length: 9 }, () => []);
    for (let i = from; i < Math.min(users, from + batch); i++) {
      const userName = `user${i}@example.com`;
      const attributes = {
        userName,
        externalId: `ext-${i}`,
        displayName: `User ${i}`,
        name: { givenName: `Given${i % 1000}`, familyName: `Family${i}` },
        title: titles[i % titles.length] ?? "",
        active: i % 10 !== 0,
        emails: [{ value: userName, type: "work", primary: true }],
      };
      const x = extract(attributes);
      const created = new Date(base + i).toISOString();
      // The one email is the userName, so its folded value is the folded userName.
      const row = [
        id(i),
        JSON.stringify(attributes),
        userName.toLowerCase(),
        created,
        x.userNameCi,
        x.displayNameCi,
        x.externalId,
        String(x.active),
        x.emailValues[0] ?? null,
      ];
      row.forEach((v, c) => {
        cols[c]?.push(v);
      });
    }
    await driver.query(
      `INSERT INTO ${t}.resources (tenant, type, id, attributes, internal, unique_key, created, last_modified, version, user_name_ci, display_name_ci, external_id, active, email_values)
       SELECT $1, 'User', id, attrs::jsonb, '{}'::jsonb, un, cr, cr, 1, unc, dnc, ext, act::boolean, ARRAY[em]
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[]) AS x(id, attrs, un, cr, unc, dnc, ext, act, em)`,
      [tenant, ...cols],
    );
    if ((from / batch) % 20 === 0)
      process.stdout.write(`\r  loading: ${Math.min(users, from + batch).toLocaleString()} users`);
  }
  await driver.query(
    `INSERT INTO ${t}.resources (tenant, type, id, attributes, internal, unique_key, created, last_modified, version, display_name_ci)
     VALUES ($1, 'Group', 'big', '{"displayName":"Everyone"}'::jsonb, '{}'::jsonb, NULL, $2, $2, 1, 'everyone')`,
    [tenant, new Date(base).toISOString()],
  );
  await driver.query(
    `INSERT INTO ${t}.members (tenant, group_id, member_id, member_type)
     SELECT tenant, 'big', id, 'User' FROM ${t}.resources WHERE tenant = $1 AND type = 'User' ORDER BY id LIMIT $2::bigint`,
    [tenant, String(groupSize)],
  );
  // What autovacuum would do soon after a bulk load: statistics, and a visibility map for index-only counts.
  await driver.query(`VACUUM ANALYZE ${t}.resources`);
  await driver.query(`VACUUM ANALYZE ${t}.members`);
  console.log(
    `\r  loaded ${users.toLocaleString()} users and a ${groupSize.toLocaleString()}-member group in ${((performance.now() - started) / 1000).toFixed(1)} s`.padEnd(
      70,
    ),
  );
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

async function measure(name: string, n: number, op: (i: number) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < Math.min(5, n); i++) await op(i + n);
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    await op(i);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  console.log(
    `  ${name.padEnd(48)} p50 ${percentile(times, 50).toFixed(2).padStart(8)} ms   p99 ${percentile(times, 99).toFixed(2).padStart(8)} ms   (${n} runs)`,
  );
}

const { driver, close } = await open();
console.log(
  `scimkit postgres bench on ${url ? "PostgreSQL server" : "PGlite"}: ${users.toLocaleString()} users, schema ${schema}`,
);
try {
  await migrate(driver, { schema });
  await load(driver);
  const store = createPostgresStore({ driver, schema });
  const rand = (i: number) => (i * 7_919 + 104_729) % users;
  const query = (q: StoreQuery) => store.transaction(tenant, (tx) => tx.queryResources("User", q), { readOnly: true });
  const page = { startIndex: 1, count: 100 };

  await measure("userName eq (case differs)", iterations, (i) =>
    query({ ...page, filter: filter(`userName eq "USER${rand(i)}@Example.com"`) }),
  );
  await measure("externalId eq", iterations, (i) =>
    query({ ...page, filter: filter(`externalId eq "ext-${rand(i)}"`) }),
  );
  await measure("userName sw, page of 100", iterations, (i) =>
    query({ ...page, filter: filter(`userName sw "user${rand(i) % 1000}"`) }),
  );
  const sortUserName = sortFromText("userName");
  await measure("sorted by userName, page of 100 (+ total)", iterations, (i) =>
    query({ startIndex: 1 + (rand(i) % 10_000), count: 100, sort: sortUserName }),
  );
  await measure("default order, page of 100 (+ total)", iterations, (i) =>
    query({ startIndex: 1 + (rand(i) % 10_000), count: 100 }),
  );
  await measure("emails[type eq work].value eq (Entra)", iterations, (i) =>
    query({ ...page, filter: filter(`emails[type eq "work"].value eq "user${rand(i)}@example.com"`) }),
  );
  let version = 1;
  const at = () => ({ modifiedAt: new Date().toISOString(), version: ++version });
  const outsider = (i: number) => id(groupSize + (i % Math.max(1, users - groupSize)));
  await measure(`add 1 member to the ${groupSize.toLocaleString()}-member group`, iterations, (i) =>
    store.transaction(tenant, (tx) => tx.addMembers("big", [{ value: outsider(i), type: "User" }], at())),
  );
  await measure(`remove 1 member from the ${groupSize.toLocaleString()}-member group`, iterations, (i) =>
    store.transaction(tenant, (tx) => tx.removeMembers("big", [outsider(i)], at())),
  );
  await measure("hasMembers (1 id) on the big group", iterations, (i) =>
    store.transaction(tenant, (tx) => tx.hasMembers("big", [id(rand(i))]), { readOnly: true }),
  );
} finally {
  if (!args.keep) await driver.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await close();
}
