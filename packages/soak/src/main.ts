/**
 * `pnpm soak`: several scimkit app processes on one private PostgreSQL cluster, an IdP-like client
 * spreading Okta and Entra traffic across them, and faults at seeded random moments. Afterwards the
 * database and the API are checked against every acknowledged write; the summary lists any
 * violation and the exit code is 1 when there is one (2 when the run could not start).
 */
import { randomInt } from "node:crypto";
import { createScimServer } from "@scimkit/core";
import { createPgDriver, createPostgresStore, migrate } from "@scimkit/postgres";
import pg from "pg";
import { startFleet } from "./apps.js";
import { check } from "./check.js";
import { type Attempt, createClient } from "./client.js";
import { findPgBin, startCluster, type Cluster } from "./cluster.js";
import { createInjector, type Fault, FAULT_KINDS, planFaults } from "./faults.js";
import { createWorkload } from "./idp.js";
import type { Directory, Profile } from "./model.js";
import { parseOptions, type SoakOptions, USAGE } from "./options.js";
import { createRng } from "./rng.js";
import { inFaultWindow, logSummary, percentile, statusViolations } from "./summary.js";

const log = (line: string) => process.stdout.write(`[soak ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const parsed = parseOptions(process.argv.slice(2), () => randomInt(0, 2 ** 31));
if ("error" in parsed) {
  if (parsed.error !== "") console.error(parsed.error);
  console.error(USAGE);
  process.exit(parsed.error === "" ? 0 : 2);
}
const options: SoakOptions = parsed;

const bin = await findPgBin();
if (bin === null) {
  console.error(
    "soak: the PostgreSQL server programs (initdb, pg_ctl) were not found: neither `pg_config --bindir` nor /usr/lib/postgresql/<version>/bin has them. Install the PostgreSQL server package.",
  );
  process.exit(2);
}

log(
  `seed ${options.seed}; ${options.duration} s, ${options.faults} faults of each kind, ${options.apps} apps, ${options.workers} in flight`,
);
log(
  `rerun: pnpm soak --duration ${options.duration} --faults ${options.faults} --seed ${options.seed} --apps ${options.apps} --workers ${options.workers}`,
);

let cluster: Cluster | null = null;
let stopFleet: (() => Promise<void>) | null = null;
const cleanup = async () => {
  await stopFleet?.().catch(() => undefined);
  await cluster?.destroy().catch(() => undefined);
};
// Stopped from outside (Ctrl-C, a CI timeout): the apps and the private cluster go with the run.
for (const signal of ["SIGINT", "SIGTERM"] as const)
  process.on(signal, () => {
    cleanup().finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
  });

let exitCode = 0;
try {
  cluster = await startCluster(bin, log);
  exitCode = await soak(cluster);
} catch (error) {
  console.error("soak: the run failed:", error);
  exitCode = 2;
} finally {
  await cleanup();
}
process.exit(exitCode);

async function soak(cluster: Cluster): Promise<number> {
  const rng = createRng(options.seed);
  // The harness's own connection to the store: setup, and the feed reader that follows the
  // cursor for the whole run. It rides out the faults like the apps do.
  const pool = new pg.Pool({ connectionString: cluster.url, max: 3, connectionTimeoutMillis: 3_000 });
  const driver = createPgDriver(pool, { endPoolOnClose: true });
  await migrate(driver);
  const harness = createScimServer({ store: createPostgresStore({ driver }), logger: { error: () => {} } });
  const profiles: [Profile, string][] = [
    ["okta", "acme"],
    ["entra", "globex"],
  ];
  const dirs: Directory[] = [];
  for (const [profile, tenantId] of profiles) {
    const d = await harness.directories.create({ tenantId, name: `${profile} soak`, idp: profile });
    const { token } = await harness.directories.mintToken(d.id);
    dirs.push({ profile, tenantId, directoryId: d.id, token, users: [], groups: [] });
  }

  const fleet = await startFleet(options.apps, cluster.url, log);
  stopFleet = fleet.stop;
  const attempts: Attempt[] = [];
  const send = createClient({
    targets: () => fleet.apps,
    rng,
    record: (a) => attempts.push(a),
    retryBudgetMs: 60_000,
    attemptTimeoutMs: 20_000,
    dropAnswers: 0.02,
  });

  // The feed reader: a consumer paging readAll with its cursor while everything else happens.
  const seen = new Set<number>();
  let cursor = 0;
  let reading = true;
  const reader = (async () => {
    while (reading) {
      try {
        const events = await harness.events.readAll({ after: cursor, limit: 500 });
        for (const e of events) {
          if (e.seq <= cursor) throw new Error(`readAll went back: ${e.seq} after ${cursor}`);
          seen.add(e.seq);
          cursor = e.seq;
        }
        if (events.length < 500) await sleep(200);
      } catch {
        // Down with the database like everyone else: read again shortly.
        await sleep(300);
      }
    }
  })();

  const runTag = options.seed.toString(36);
  const workload = createWorkload(dirs, send, rng, runTag);
  const injector = createInjector(cluster, fleet, attempts, createRng(options.seed ^ 0x5eed));
  const durationMs = options.duration * 1000;
  const plan = planFaults(createRng(options.seed ^ 0xfa17), durationMs, options.faults);
  const started = Date.now();
  const faults: Fault[] = [];
  const recoveryTimeoutMs = 60_000;

  // The load goes on until the last fault has recovered, since recovery is measured on it.
  let faultsDone = false;
  const load = workload.run(options.workers, () => Date.now() < started + durationMs || !faultsDone);
  const injecting = (async () => {
    for (const step of plan) {
      const wait = started + step.at - Date.now();
      if (wait > 0) await sleep(wait);
      const fault = await injector.inject(step.kind);
      faults.push(fault);
      log(`fault ${faults.length}/${plan.length}: ${fault.kind} (${fault.detail})`);
      await injector.awaitRecovery(fault, injector.touched(fault), recoveryTimeoutMs);
      if (fault.recoveredAt === null) log(`  no recovery within ${recoveryTimeoutMs / 1000} s`);
      else log(`  recovered in ${fault.recoveredAt - fault.injectedAt} ms`);
    }
    faultsDone = true;
  })();
  const progress = setInterval(() => {
    const acks = workload.writes.filter((w) => w.acked).length;
    log(`${Math.round((Date.now() - started) / 1000)} s: ${attempts.length} requests, ${acks} acknowledged writes`);
  }, 15_000);
  await Promise.all([load, injecting]);
  clearInterval(progress);
  const loadEnded = Date.now();
  log("load over; checking");

  // Drain the cursor up to the last event the database holds.
  const admin = new pg.Client({ connectionString: cluster.url });
  await admin.connect();
  const last = Number(
    (await admin.query<{ m: string | null }>("SELECT max(seq) AS m FROM scimkit.logs WHERE log = 'events'")).rows[0]
      ?.m ?? 0,
  );
  const drainUntil = Date.now() + 30_000;
  while (cursor < last && Date.now() < drainUntil) await sleep(100);
  reading = false;
  await reader;
  const perTenant = new Map<string, number[]>();
  for (const dir of dirs) {
    const seqs: number[] = [];
    let after = 0;
    for (;;) {
      const page = await harness.events.read(dir.tenantId, { after, limit: 500 });
      if (page.length === 0) break;
      for (const e of page) seqs.push(e.seq);
      after = page.at(-1)?.seq ?? after;
    }
    perTenant.set(dir.tenantId, seqs);
  }

  const violations = [...workload.violations];
  const figures = await check(admin, dirs, workload.writes, { seen, perTenant }, send, violations);
  await admin.end();
  for (const f of faults) if (f.recoveredAt === null) violations.push(`${f.kind} (${f.detail}): no recovery`);
  violations.push(...statusViolations(attempts, faults));
  violations.push(...fleet.crashes);

  // The summary.
  const outside503 = attempts.filter((a) => a.status === 503 && !inFaultWindow(a, faults)).length;
  const byStatus = new Map<string, number>();
  for (const a of attempts)
    byStatus.set(String(a.status ?? "no answer"), (byStatus.get(String(a.status ?? "no answer")) ?? 0) + 1);
  const acked = workload.writes.filter((w) => w.acked).length;
  const lines = [
    "",
    "== soak summary ==",
    `seed ${options.seed}; load ${((loadEnded - started) / 1000).toFixed(0)} s; ${options.apps} apps; ${options.workers} in flight`,
    `requests (attempts) ${attempts.length}; logical requests ${workload.counts.logical}; filtered reads ${workload.counts.reads}`,
    `writes ${workload.writes.length}; acknowledged ${acked}; answers lost after every retry ${workload.counts.lost}; retried POSTs answered 409 and found ${workload.counts.conflicts}`,
    `lost acknowledged writes ${figures.lost}; duplicated resources ${figures.duplicated}; 500s ${attempts.filter((a) => a.status === 500).length}; 503s ${attempts.filter((a) => a.status === 503).length}, outside a fault window ${outside503}`,
    `statuses: ${[...byStatus]
      .sort()
      .map(([s, n]) => `${s}×${n}`)
      .join(", ")}`,
    `checked: ${figures.users} users, ${figures.groups} groups, ${figures.memberships} memberships, ${figures.auditChecked} audit entries, ${figures.eventsChecked} events by transaction, ${figures.eventsInFeed} events against the cursor`,
    "faults:",
    ...FAULT_KINDS.map((kind) => {
      const times = faults
        .filter((f) => f.kind === kind && f.recoveredAt !== null)
        .map((f) => (f.recoveredAt ?? 0) - f.injectedAt);
      const count = faults.filter((f) => f.kind === kind).length;
      return `  ${kind}: ${count}; recovery p50 ${percentile(times, 0.5)} ms, max ${times.length ? Math.max(...times) : "-"} ms`;
    }),
    // scimkit's own log lines are JSON; anything else on stderr is a crash's output, shown whole.
    `app log lines (stderr) ${fleet.errorLines.length}; ${logSummary(fleet.errorLines)}`,
    ...fleet.errorLines
      .filter((l) => !/^app \d+: \{/.test(l))
      .slice(0, 60)
      .map((l) => `  ${l.slice(0, 400)}`),
    `violations: ${violations.length}`,
    ...violations.slice(0, 50).map((v) => `  - ${v}`),
    violations.length > 50 ? `  … and ${violations.length - 50} more` : "",
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
  await harness.close();
  return violations.length === 0 ? 0 : 1;
}
