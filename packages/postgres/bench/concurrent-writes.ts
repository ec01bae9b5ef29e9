/**
 * How much a tenant's writes gain from running in parallel: POSTs of different users to one tenant
 * through `server.fetch`, one at a time and then `--concurrency` in flight, on the PostgreSQL
 * server in SCIMKIT_TEST_PG_URL. Prints requests per second of both and their ratio, per round.
 *
 *   SCIMKIT_TEST_PG_URL=postgres://… node --conditions=source --import tsx bench/concurrent-writes.ts [--requests N] [--concurrency N] [--rounds N] [--pipeline] [--latency MS]
 *
 * `--latency MS` answers every round trip MS milliseconds after the server did, as a database on
 * another host would (a timer, so it costs no CPU; at least 1 ms, Node's timer resolution). On
 * loopback a lone POST keeps the two cores busy most of its time, which bounds the ratio near 2;
 * a database across a network is where parallel writes pay.
 *
 * Works in a schema of its own, dropped at the end. Not part of the test suite.
 */
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import pg from "pg";
import { createScimServer } from "@scimkit/core";
import { createPgDriver, createPostgresStore, migrate, type PgClientLike, type PgPoolLike } from "../src/index.js";

const url = process.env["SCIMKIT_TEST_PG_URL"];
if (!url) throw new Error("set SCIMKIT_TEST_PG_URL to the PostgreSQL server to measure");
const { values: args } = parseArgs({
  options: {
    requests: { type: "string", default: "320" },
    concurrency: { type: "string", default: "16" },
    rounds: { type: "string", default: "3" },
    pipeline: { type: "boolean", default: false },
    latency: { type: "string", default: "0" },
  },
});
const requests = Number(args.requests);
const concurrency = Number(args.concurrency);
const schema = `scimkit_bench_writes_${process.pid}`;

const pool = new pg.Pool({ connectionString: url, max: concurrency + 2, pipeline: args.pipeline } as pg.PoolConfig);
const latency = Number(args.latency);

/** A client whose every answer arrives `latency` ms late; statements sent together wait together. */
function distant<C extends PgClientLike>(client: C): C {
  if (latency <= 0) return client;
  const query: PgClientLike["query"] = async (q, values) => {
    const res = await client.query(q, values);
    await new Promise((resolve) => setTimeout(resolve, latency));
    return res;
  };
  return new Proxy(client, { get: (target, key) => (key === "query" ? query : Reflect.get(target, key, target)) });
}
const pooled: PgPoolLike = {
  query: distant(pool as unknown as PgClientLike).query,
  connect: async () => distant(await pool.connect()),
  on: pool.on.bind(pool) as NonNullable<PgPoolLike["on"]>,
};
const driver = createPgDriver(pooled);
await migrate(driver, { schema });
const server = createScimServer({ store: createPostgresStore({ driver, schema }) });
const directory = await server.directories.create({ tenantId: "bench", name: "bench" });
const { token } = await server.directories.mintToken(directory.id);

let next = 0;
async function post(): Promise<void> {
  const userName = `user${next++}@example.com`;
  const res = await server.fetch(
    new Request("https://bench.example.com/scim/v2/Users", {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/scim+json" },
      body: JSON.stringify({
        schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
        userName,
        name: { givenName: "A", familyName: "B" },
        emails: [{ value: userName, primary: true }],
        active: true,
      }),
    }),
  );
  if (res.status !== 201) throw new Error(`POST answered ${res.status}: ${await res.text()}`);
}

/** Runs `requests` POSTs with `inFlight` at a time; resolves to requests per second. */
async function measure(inFlight: number): Promise<number> {
  const started = performance.now();
  let left = requests;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (left > 0) {
        left -= 1;
        await post();
      }
    }),
  );
  return requests / ((performance.now() - started) / 1000);
}

try {
  // Warm up: authentication cached, connections open, plans cached.
  for (let i = 0; i < 50; i++) await post();
  await measure(concurrency);
  for (let round = 1; round <= Number(args.rounds); round++) {
    const serial = await measure(1);
    const parallel = await measure(concurrency);
    console.log(
      `round ${round}${latency > 0 ? ` (+${latency} ms a round trip)` : ""}: one at a time ${serial.toFixed(0)} POST/s, ${concurrency} in flight ${parallel.toFixed(0)} POST/s, ${(parallel / serial).toFixed(2)}×`,
    );
  }
} finally {
  // The server first: closing it writes its last health counts, into the schema still there.
  await server.close();
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await pool.end();
}
