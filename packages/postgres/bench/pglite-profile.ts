/**
 * Where a request's time goes on PGlite: inside PGlite (parsing, planning and executing each
 * statement in its WebAssembly PostgreSQL, which runs on the calling thread) or in scimkit (HTTP
 * handling, validation, the engine, rendering). Every statement goes through a timing wrapper
 * around the driver, so "in PGlite" is measured, not inferred; each statement shape is then run
 * once more under `EXPLAIN ANALYZE` to split PGlite's part into planning and execution.
 *
 *   node --conditions=source --import tsx bench/pglite-profile.ts [--users N] [--requests N]
 *
 * Not part of the test suite: a machine's figures move with its load.
 */
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { PGlite } from "@electric-sql/pglite";
import { createScimServer } from "@scimkit/core";
import { createPgliteDriver, createPostgresStore, migrate, type SqlDriver, type SqlExecutor } from "../src/index.js";

const { values: args } = parseArgs({
  options: { users: { type: "string", default: "2000" }, requests: { type: "string", default: "500" } },
});
const users = Number(args.users);
const requests = Number(args.requests);

interface Timing {
  statements: number;
  ms: number;
  shapes: Map<string, readonly unknown[]>;
}
const timing: Timing = { statements: 0, ms: 0, shapes: new Map() };

const timed = (inner: SqlExecutor): SqlExecutor => ({
  async query(text, params) {
    const start = performance.now();
    try {
      return await inner.query(text, params);
    } finally {
      timing.ms += performance.now() - start;
      timing.statements += 1;
      if (!timing.shapes.has(text)) timing.shapes.set(text, params ?? []);
    }
  },
});

const db = new PGlite();
const raw = createPgliteDriver(db);
const driver: SqlDriver = {
  ...raw,
  query: timed(raw).query,
  transaction: (work, options) => raw.transaction((sql) => work(timed(sql)), options),
};
await migrate(driver);
const server = createScimServer({ store: createPostgresStore({ driver }) });
const dir = await server.directories.create({ tenantId: "bench", name: "PGlite profile", idp: "okta" });
const { token } = await server.directories.mintToken(dir.id);

async function call(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await server.fetch(
    new Request(`http://127.0.0.1/scim/v2${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/scim+json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }),
  );
  if (res.status >= 300) throw new Error(`${method} ${path} answered ${res.status}: ${await res.text()}`);
  return res.status === 204 ? {} : ((await res.json()) as Record<string, unknown>);
}

const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const person = (name: string) => ({
  schemas: [USER],
  userName: `${name}@example.com`,
  name: { givenName: "Ada", familyName: name },
  emails: [{ value: `${name}@example.com`, type: "work", primary: true }],
});
const ids: string[] = [];
for (let i = 0; i < users; i++) ids.push(String((await call("POST", "/Users", person(`user${i}`)))["id"]));
const cursors: string[] = [];
for (let cursor = ""; cursors.length < 10; ) {
  const page = await call("GET", `/Users?count=100&cursor=${encodeURIComponent(cursor)}`);
  if (typeof page["nextCursor"] !== "string") break;
  cursor = page["nextCursor"];
  cursors.push(cursor);
}

const at = (i: number) => ids[(i * 7919) % ids.length] as string;
const kinds: readonly [string, (i: number) => Promise<unknown>][] = [
  ["GET /Users/{id}", (i) => call("GET", `/Users/${at(i)}`)],
  [
    'filter userName eq "…"',
    (i) => call("GET", `/Users?filter=${encodeURIComponent(`userName eq "user${i % users}@example.com"`)}`),
  ],
  [
    "page of 100 by cursor",
    (i) => call("GET", `/Users?count=100&cursor=${encodeURIComponent(cursors[i % cursors.length] ?? "")}`),
  ],
  [
    "PATCH active (Okta)",
    (i) =>
      call("PATCH", `/Users/${at(i)}`, {
        schemas: [PATCH],
        Operations: [{ op: "replace", value: { active: i % 2 === 1 } }],
      }),
  ],
  ["POST /Users", (i) => call("POST", "/Users", person(`extra${i}`))],
];

console.log(`PGlite, ${users} users, ${requests} requests per kind, one at a time (${new Date().toISOString()})\n`);
console.log("| request | ms/req | of which in PGlite | share | statements/req | CPU µs/req |");
console.log("| --- | ---: | ---: | ---: | ---: | ---: |");
for (const [label, send] of kinds) {
  for (let i = 0; i < 20; i++) await send(i + requests); // warm-up
  timing.statements = 0;
  timing.ms = 0;
  timing.shapes.clear();
  const cpu = process.cpuUsage();
  const start = performance.now();
  for (let i = 0; i < requests; i++) await send(i);
  const wall = (performance.now() - start) / requests;
  const used = process.cpuUsage(cpu);
  const inside = timing.ms / requests;
  console.log(
    `| ${label} | ${wall.toFixed(2)} | ${inside.toFixed(2)} | ${((100 * inside) / wall).toFixed(0)} % | ${(timing.statements / requests).toFixed(1)} | ${((used.user + used.system) / requests).toFixed(0)} |`,
  );
  // Planning against execution, per statement shape, as PGlite itself reports them.
  const parts: string[] = [];
  for (const [text, params] of timing.shapes) {
    if (!/^\s*(SELECT|WITH|INSERT|UPDATE|DELETE)/i.test(text)) continue;
    const plan = await db.query<Record<string, string>>(`EXPLAIN (ANALYZE, FORMAT TEXT) ${text}`, [...params]);
    const lines = plan.rows.map((r) => Object.values(r)[0] ?? "");
    const planning = lines.find((l) => l.startsWith("Planning Time"))?.replace(/[^\d.]/g, "");
    const execution = lines.find((l) => l.startsWith("Execution Time"))?.replace(/[^\d.]/g, "");
    parts.push(`${text.trim().split(/\s+/)[0]} plan ${planning} ms, run ${execution} ms`);
  }
  if (parts.length > 0) console.log(`|  ↳ ${parts.join("; ")} | | | | | |`);
}
await server.close();
