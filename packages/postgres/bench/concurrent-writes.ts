/**
 * How much a tenant's writes gain from running in parallel: POSTs of different users to one tenant
 * through `server.fetch`, one at a time and then `--concurrency` in flight, on the PostgreSQL
 * server in SCIMKIT_TEST_PG_URL. Prints requests per second of both and their ratio, per round.
 *
 *   SCIMKIT_TEST_PG_URL=postgres://… node --conditions=source --import tsx bench/concurrent-writes.ts [--requests N] [--concurrency N] [--rounds N] [--pipeline] [--latency MS] [--tenant-lock]
 *
 * `--tenant-lock` is the control: every unit of work first takes one advisory lock for the tenant,
 * as every write did before writes locked only what they touch.
 *
 * `--latency MS` answers every round trip MS milliseconds after the server did, as a database on
 * another host would (a timer, so it costs no CPU; at least 1 ms, Node's timer resolution). On
 * loopback a lone POST keeps the two cores busy most of its time, which bounds the ratio near 2;
 * a database across a network is where parallel writes pay.
 *
 * Each line also gives the CPU time per POST of this process and, when the server runs on this
 * machine (Linux), of all its processes: their sum against the cores there are is what bounds the
 * ratio.
 *
 * Works in a schema of its own, dropped at the end. Not part of the test suite.
 */
import { readdirSync, readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import pg from "pg";
import { createScimServer } from "@scimkit/core";
import {
  createPgDriver,
  createPostgresStore,
  migrate,
  type PgClientLike,
  type PgPoolLike,
  type SqlDriver,
} from "../src/index.js";

const url = process.env["SCIMKIT_TEST_PG_URL"];
if (!url) throw new Error("set SCIMKIT_TEST_PG_URL to the PostgreSQL server to measure");
const { values: args } = parseArgs({
  options: {
    requests: { type: "string", default: "320" },
    concurrency: { type: "string", default: "16" },
    rounds: { type: "string", default: "3" },
    pipeline: { type: "boolean", default: false },
    latency: { type: "string", default: "0" },
    "tenant-lock": { type: "boolean", default: false },
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
const far = distant(pool as unknown as PgClientLike);
const pooled: PgPoolLike = {
  query: (q, values) => far.query(q, values),
  connect: async () => distant(await pool.connect()),
  on: pool.on.bind(pool) as NonNullable<PgPoolLike["on"]>,
};
const pgDriver = createPgDriver(pooled);
const driver: SqlDriver = args["tenant-lock"]
  ? {
      ...pgDriver,
      query: (text, params) => pgDriver.query(text, params),
      transaction: (work, options) =>
        pgDriver.transaction(async (sql) => {
          await sql.query("SELECT pg_advisory_xact_lock($1::int, $2::int)", [7, 7]);
          return work(sql);
        }, options),
    }
  : pgDriver;
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

/** CPU time (ms) of every local `postgres` process so far, read from /proc; 0 where there is none. */
function serverCpuMs(): number {
  let ticks = 0;
  let dirs: string[] = [];
  try {
    dirs = readdirSync("/proc").filter((d) => /^\d+$/.test(d));
  } catch {
    return 0;
  }
  for (const dir of dirs) {
    try {
      const stat = readFileSync(`/proc/${dir}/stat`, "utf8");
      if (!stat.includes("(postgres)")) continue;
      // utime and stime are fields 14 and 15; counted from the state (field 3), 11 and 12.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // The process ended while being read.
    }
  }
  return ticks * 10; // USER_HZ is 100 on Linux.
}

interface Measured {
  readonly perSecond: number;
  /** CPU µs per POST: this process, and the local server's processes (0 when not local). */
  readonly nodeCpu: number;
  readonly serverCpu: number;
}

/** Runs `requests` POSTs with `inFlight` at a time. */
async function measure(inFlight: number): Promise<Measured> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const server0 = serverCpuMs();
  let left = requests;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (left > 0) {
        left -= 1;
        await post();
      }
    }),
  );
  const elapsed = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return {
    perSecond: requests / (elapsed / 1000),
    nodeCpu: (used.user + used.system) / requests,
    serverCpu: ((serverCpuMs() - server0) * 1000) / requests,
  };
}

const describe = (m: Measured) =>
  `${m.perSecond.toFixed(0)} POST/s (CPU per POST: ${m.nodeCpu.toFixed(0)} µs here${m.serverCpu > 0 ? `, ${m.serverCpu.toFixed(0)} µs in the server` : ""})`;

try {
  // Warm up: authentication cached, connections open, plans cached.
  for (let i = 0; i < 50; i++) await post();
  await measure(concurrency);
  for (let round = 1; round <= Number(args.rounds); round++) {
    const serial = await measure(1);
    const parallel = await measure(concurrency);
    console.log(
      `round ${round}${latency > 0 ? ` (+${latency} ms a round trip)` : ""}${args["tenant-lock"] ? " (tenant lock)" : ""}: one at a time ${describe(serial)}; ${concurrency} in flight ${describe(parallel)}: ${(parallel.perSecond / serial.perSecond).toFixed(2)}×`,
    );
  }
} finally {
  // The server first: closing it writes its last health counts, into the schema still there.
  await server.close();
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await pool.end();
}
