/**
 * @module @scimkit/bench
 *
 * The benchmark run: for each N, start each server in a child process (the bare-Express ceiling
 * first, then scimkit on each store, then SCIMMY), seed it, drive every scenario with autocannon,
 * stop it; then print the report, check the targets and write docs/benchmarks.md. With
 * `--baseline <ref>`, the memory store as that commit has it runs beside the working tree's, the
 * two taking each scenario in turn.
 *
 * @example
 * ```sh
 * pnpm bench            # the full run, about 20 minutes
 * pnpm bench --quick    # a smoke run, about 2 minutes, writes nothing
 * pnpm bench --baseline HEAD~1 --servers scimkit-memory --scenarios patch-user,post-user --out -
 * ```
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { BARE_PATH } from "./child/bare.js";
import { describeMachine } from "./machine.js";
import { parseOptions, USAGE, type BenchOptions } from "./options.js";
import { runLoad, settle, type LoadResult } from "./parent/load.js";
import { prepareBaseline, type PreparedBaseline } from "./parent/baseline.js";
import { buildChild } from "./parent/build.js";
import { CHILD_BUILT, startChild, type RunningServer } from "./parent/spawn.js";
import { BASELINE, SERVER_LABELS, serverLabel, type MeasuredServer, type ServerKind } from "./protocol.js";
import { mergeIntoDoc, renderResults } from "./report/render.js";
import {
  CEILING,
  ceilingRatio,
  findMeasurement,
  type BenchResults,
  type CeilingPair,
  type Measurement,
  type ProfileSummary,
  type ServerRun,
} from "./results.js";
import { SCENARIOS, seededRandom, type ScenarioRequest } from "./scenarios.js";
import { checkTargets } from "./targets.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const PROFILE_DIR = fileURLToPath(new URL("../profiles/", import.meta.url));
const RESULTS_DIR = fileURLToPath(new URL("../results/", import.meta.url));
/** Users outside the big group, for the membership scenario: even, so half can start inside. */
const OUTSIDERS = 1_000;
/** A backlog left by a slow server gets this long to drain before the next scenario starts. */
const SETTLE_MS = 120_000;
/** A scenario whose single probe request takes longer than this is measured on one connection. */
const SLOW_MS = 500;
/** …for at most this long (at least three requests' worth, one with --quick, and at least the normal duration). */
const SLOW_MAX_SECONDS = 60;

/** Sends one request of the stream and returns how long the answer took, in ms. */
async function probe(running: RunningServer, next: () => ScenarioRequest): Promise<number> {
  const r = next();
  const started = performance.now();
  const res = await fetch(`${running.url}${r.path}`, {
    method: r.method,
    headers: { authorization: `Bearer ${running.fixtures.token}`, "content-type": "application/scim+json" },
    ...(r.body === undefined ? {} : { body: r.body }),
    signal: AbortSignal.timeout(SETTLE_MS),
  });
  await res.arrayBuffer();
  return performance.now() - started;
}

const began = performance.now();
const clock = () => {
  const s = Math.floor((performance.now() - began) / 1000);
  return `${String(Math.floor(s / 60)).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}`;
};
const log = (text: string) => process.stdout.write(`${text}\n`);
/** Progress lines carry the time since start, so a slow step shows where a run's minutes went. */
const progress = (text: string) => log(`${clock()} ${text}`);

interface Stream {
  readonly name: Measurement["scenario"];
  readonly next: () => ScenarioRequest;
}

function streamsFor(server: ServerKind, running: RunningServer, options: BenchOptions, size: number): Stream[] {
  if (server === "bare") return [{ name: CEILING, next: () => ({ method: "GET", path: BARE_PATH }) }];
  return SCENARIOS.filter((s) => options.scenarios.includes(s.id) && (s.applies?.(running.fixtures) ?? true)).map(
    (s, i) => ({
      name: s.id,
      // The same seed for every server: each one answers the very same request stream.
      next: s.plan(running.fixtures, seededRandom(size * 31 + i)),
    }),
  );
}

/** One load window, with the server's CPU time over it. */
async function measured(running: RunningServer, work: () => Promise<LoadResult>): Promise<LoadResult> {
  // The child answers from its event loop, which a slow server's last request may hold for a while.
  const cpuStart = await running.cpuMicros(SETTLE_MS);
  const result = await work();
  const cpuEnd = cpuStart === undefined ? undefined : await running.cpuMicros(SETTLE_MS);
  if (cpuStart === undefined || cpuEnd === undefined || result.requests === 0) return result;
  return { ...result, cpuMicrosPerRequest: (cpuEnd - cpuStart) / result.requests };
}

/** The bare route, kept running through a block so every scenario can be read against it. */
interface CeilingSampler {
  /** The last sample's req/s. */
  last: number;
  /** Loads the bare route for a short while and returns (and remembers) its req/s. */
  sample(): Promise<number>;
}

function ceilingSampler(running: RunningServer, options: BenchOptions, first: number): CeilingSampler {
  const sampler: CeilingSampler = {
    last: first,
    async sample() {
      const result = await runLoad(running.url, running.fixtures.token, () => ({ method: "GET", path: BARE_PATH }), {
        seconds: options.ceilingSeconds,
        connections: options.connections,
        timeoutSeconds: 30,
      });
      sampler.last = result.reqPerSec;
      return result.reqPerSec;
    },
  };
  return sampler;
}

/** One server a run measures: the name its figures go under, the kind its child serves, and which built child to fork. */
interface Contender {
  readonly id: MeasuredServer;
  readonly kind: ServerKind;
  /** A built child other than this tree's (the `--baseline` commit's). */
  readonly child?: string | undefined;
  readonly label: string;
}

const contender = (kind: ServerKind): Contender => ({ id: kind, kind, label: SERVER_LABELS[kind] });

async function startServer(
  c: Contender,
  size: number,
  options: BenchOptions,
  tag: string,
): Promise<RunningServer | { failure: string }> {
  const bare = c.kind === "bare";
  try {
    return await startChild(
      {
        kind: c.kind,
        users: bare ? 0 : size,
        outsiders: bare ? 0 : OUTSIDERS,
        seedBudgetMs: options.seedBudgetSeconds * 1000,
        pgUrl: options.pgUrl ?? undefined,
      },
      // Three seeding steps, each bounded, plus start-up and migrations.
      options.seedBudgetSeconds * 3_000 + 120_000,
      (text) => progress(`${tag}: seeding ${text}`),
      options.fromSource,
      c.child,
    );
  } catch (error) {
    const failure = error instanceof Error ? error.message : String(error);
    progress(`${tag}: FAILED ${failure}`);
    return { failure };
  }
}

/** A server child that started and seeded, with what the run has found of it so far. */
interface Opened {
  readonly contender: Contender;
  readonly tag: string;
  readonly running: RunningServer;
  readonly startSeconds: number;
  readonly streams: readonly Stream[];
  readonly profiles: ProfileSummary[];
  failure?: string;
}

/**
 * Measures one stream on one server: a lone probe request, the warm-up, the measured window (with
 * the server's CPU time and, when asked, a profile), then the ceiling sample after it.
 */
async function measureStream(
  o: Opened,
  stream: Stream,
  size: number,
  options: BenchOptions,
  measurements: Measurement[],
  ceilingNow: CeilingSampler | null,
): Promise<void> {
  const { running, tag } = o;
  const server = o.contender.id;
  // One request first, alone: a server that needs seconds per request would otherwise be left
  // with a backlog of `connections` requests after every run, charged to the next scenario.
  const probeMs = await probe(running, stream.next);
  const slow = probeMs > SLOW_MS;
  const connections = slow ? 1 : options.connections;
  const seconds = slow
    ? Math.min(SLOW_MAX_SECONDS, Math.max(options.seconds, Math.ceil(((options.quick ? 1 : 3) * probeMs) / 1000)))
    : options.seconds;
  const load = (s: number) =>
    runLoad(running.url, running.fixtures.token, stream.next, {
      seconds: s,
      connections,
      timeoutSeconds: Math.max(30, (3 * probeMs) / 1000),
    });
  if (options.warmupSeconds > 0 && !slow) {
    await load(options.warmupSeconds);
    await settle(running.url, SETTLE_MS);
  }
  const scenario = stream.name === CEILING ? null : stream.name;
  const profiling = options.cpuProf && scenario !== null;
  const before = ceilingNow?.last;
  if (profiling) running.startProfile();
  const result = await measured(running, () => load(seconds));
  if (profiling && scenario !== null) {
    await mkdir(PROFILE_DIR, { recursive: true });
    const file = join(PROFILE_DIR, `${server}-${size}-${scenario}.cpuprofile`);
    o.profiles.push({ scenario, file, top: await running.stopProfile(file) });
  }
  await settle(running.url, SETTLE_MS);
  // The server just measured sits idle while the bare route is loaded: only one of them runs.
  const after = ceilingNow !== null && before !== undefined ? await ceilingNow.sample() : undefined;
  const ceilingPair: CeilingPair | undefined =
    before !== undefined && after !== undefined ? { before, after } : undefined;
  const m: Measurement = {
    server,
    size,
    scenario: stream.name,
    load: result,
    connections,
    seconds,
    ...(ceilingPair ? { ceilingPair } : {}),
  };
  measurements.push(m);
  const bad =
    result.non2xx + result.errors > 0
      ? `  non-2xx/errors ${result.non2xx}/${result.errors} ${JSON.stringify(result.statuses)}`
      : "";
  const how = slow
    ? `  (1 connection for ${seconds.toFixed(0)} s: one request took ${(probeMs / 1000).toFixed(1)} s)`
    : "";
  const cpu = result.cpuMicrosPerRequest === undefined ? "" : `  ${result.cpuMicrosPerRequest.toFixed(0)} µs CPU/req`;
  const share = ceilingPair ? ceilingRatio({ measurements }, m) : undefined;
  const ratio =
    ceilingPair && share !== undefined
      ? `  ${share.toFixed(2)}× ceiling (${ceilingPair.before.toFixed(0)}/${ceilingPair.after.toFixed(0)})`
      : "";
  progress(
    `${tag}: ${stream.name.padEnd(14)} ${result.reqPerSec.toFixed(1).padStart(8)} req/s  p50 ${result.p50Ms} ms  p99 ${result.p99Ms} ms${cpu}${ratio}${bad}${how}`,
  );
}

/**
 * Starts a group of servers (one, or HEAD's memory store and the baseline's), seeds each in turn,
 * runs the scenarios and stops them. With several, each scenario is taken on every one of them
 * before the next scenario starts, the first of the group going first on even scenarios and last
 * on odd ones, so both face the same minutes of the machine and neither always follows the other.
 * With a sampler, the bare route is measured again after each scenario, so each one has a ceiling
 * from just before and just after it. The bare child itself is returned running when `keep` asks.
 */
async function measureGroup(
  group: readonly Contender[],
  size: number,
  options: BenchOptions,
  measurements: Measurement[],
  ceilingNow: CeilingSampler | null,
  keep = false,
): Promise<{ runs: ServerRun[]; kept: RunningServer[] }> {
  const byId = new Map<MeasuredServer, Opened | { failure: string }>();
  const opened: Opened[] = [];
  try {
    for (const c of group) {
      const tag = `[N=${size.toLocaleString("en-US")}] ${c.label}`;
      const started = performance.now();
      const running = await startServer(c, size, options, tag);
      if ("failure" in running) {
        byId.set(c.id, running);
        continue;
      }
      const startSeconds = (performance.now() - started) / 1000;
      progress(
        `${tag}: ready after ${startSeconds.toFixed(1)} s, RSS ${(running.memory.rssBytes / 2 ** 20).toFixed(0)} MiB`,
      );
      const o: Opened = {
        contender: c,
        tag,
        running,
        startSeconds,
        streams: streamsFor(c.kind, running, options, size),
        profiles: [],
      };
      opened.push(o);
      byId.set(c.id, o);
    }
    const count = Math.max(0, ...opened.map((o) => o.streams.length));
    for (let i = 0; i < count; i++) {
      for (const o of i % 2 === 0 ? opened : [...opened].reverse()) {
        const stream = o.streams[i];
        if (o.failure !== undefined || stream === undefined) continue;
        try {
          await measureStream(o, stream, size, options, measurements, ceilingNow);
        } catch (error) {
          // One server failing mid-run costs its remaining scenarios, not the run's other figures.
          o.failure = `${stream.name}: ${error instanceof Error ? error.message : String(error)}`;
          progress(`${o.tag}: FAILED ${o.failure}`);
          await o.running.stop();
        }
      }
    }
  } finally {
    // A failed run never leaves its child behind, kept or not.
    for (const o of opened) if (!keep || o.failure !== undefined) await o.running.stop();
  }
  const runs = group.map((c): ServerRun => {
    const o = byId.get(c.id);
    if (o === undefined || !("running" in o))
      return { server: c.id, size, failure: o?.failure ?? "not started", profiles: [] };
    return {
      server: c.id,
      size,
      seed: o.running.seed,
      memory: o.running.memory,
      startSeconds: o.startSeconds,
      profiles: o.profiles,
      ...(o.failure === undefined ? {} : { failure: o.failure }),
    };
  });
  return { runs, kept: keep ? opened.filter((o) => o.failure === undefined).map((o) => o.running) : [] };
}

/**
 * Builds what the server children run, as it is published: the packages' `dist` (@scimkit/postgres
 * only when a PostgreSQL server runs), and the child itself bundled with them left external.
 */
function buildForRun(options: BenchOptions): void {
  const packages = [
    "core",
    "express",
    ...(options.servers.some((s) => s === "scimkit-pglite" || s === "scimkit-pg") ? ["postgres"] : []),
  ];
  progress(`building ${packages.map((p) => `@scimkit/${p}`).join(", ")} and the server child (tsup)`);
  const child = buildChild(ROOT, packages);
  if (resolve(child) !== resolve(CHILD_BUILT))
    throw new Error(`the child was built to ${child}, not where the harness forks it from (${CHILD_BUILT})`);
}

async function measureAll(
  options: BenchOptions,
  argv: readonly string[],
  startedAt: Date,
  baseline: PreparedBaseline | null,
): Promise<BenchResults> {
  const runs: ServerRun[] = [];
  const measurements: Measurement[] = [];
  // With a baseline, HEAD's memory store and the baseline's share their scenarios, one after the other.
  const groups = options.servers
    .filter((s) => s !== "bare")
    .map((s): Contender[] =>
      s === "scimkit-memory" && baseline !== null
        ? [
            contender(s),
            {
              id: BASELINE,
              kind: "scimkit-memory",
              child: baseline.child,
              label: serverLabel(BASELINE, baseline.info.ref),
            },
          ]
        : [contender(s)],
    );
  log(
    `scimkit bench: N = ${options.sizes.join(", ")}; servers ${groups.map((g) => g.map((c) => c.label).join(" + ")).join(", ")}; ${options.seconds} s per scenario after ${options.warmupSeconds} s warm-up; ceiling sampled for ${options.ceilingSeconds} s after each`,
  );
  for (const size of options.sizes) {
    // The ceiling first, then kept up (idle) through the block, sampled after every scenario.
    const bare = await measureGroup([contender("bare")], size, options, measurements, null, true);
    runs.push(...bare.runs);
    const bareRunning = bare.kept[0];
    const first = findMeasurement({ measurements }, "bare", size, CEILING)?.load.reqPerSec;
    const sampler =
      bareRunning !== undefined && first !== undefined ? ceilingSampler(bareRunning, options, first) : null;
    try {
      for (const group of groups) runs.push(...(await measureGroup(group, size, options, measurements, sampler)).runs);
    } finally {
      await bareRunning?.stop();
    }
  }
  return {
    startedAt,
    finishedAt: new Date(),
    command: ["pnpm bench", ...argv].join(" "),
    machine: describeMachine(),
    settings: {
      seconds: options.seconds,
      warmupSeconds: options.warmupSeconds,
      connections: options.connections,
      seedBudgetSeconds: options.seedBudgetSeconds,
      ceilingSeconds: options.ceilingSeconds,
    },
    sizes: options.sizes,
    runs,
    measurements,
    ...(baseline === null ? {} : { baseline: baseline.info }),
  };
}

/** A run saved as JSON, with its dates revived. */
async function loadRun(file: string): Promise<BenchResults> {
  const saved = JSON.parse(await readFile(file, "utf8")) as Omit<BenchResults, "startedAt" | "finishedAt"> & {
    startedAt: string;
    finishedAt: string;
  };
  return { ...saved, startedAt: new Date(saved.startedAt), finishedAt: new Date(saved.finishedAt) };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes("--help") || argv.includes("-h")) {
    log(USAGE);
    return;
  }
  const parsed = parseOptions(argv, process.env);
  if (!parsed.ok) {
    process.stderr.write(`${parsed.error}\n\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  const options = parsed.value;
  let results: BenchResults;
  if (options.render !== null) {
    // pnpm runs the script in the package folder; a path is meant from where the command was typed.
    results = await loadRun(resolve(process.env["INIT_CWD"] ?? process.cwd(), options.render));
  } else {
    const startedAt = new Date();
    if (!options.fromSource) buildForRun(options);
    const baseline = options.baseline === null ? null : prepareBaseline(ROOT, options.baseline, progress);
    // Interrupted, the run still removes the baseline's worktree (the children stop on disconnect).
    const interrupted = () => {
      baseline?.remove();
      process.exit(130);
    };
    process.once("SIGINT", interrupted).once("SIGTERM", interrupted);
    try {
      if (baseline !== null)
        log(
          `baseline ${baseline.info.ref}: its child and protocol against the working tree's:\n${baseline.childDiff || "  (identical)"}`,
        );
      results = await measureAll(options, argv, startedAt, baseline);
    } finally {
      baseline?.remove();
      process.off("SIGINT", interrupted).off("SIGTERM", interrupted);
    }
    await mkdir(RESULTS_DIR, { recursive: true });
    await writeFile(join(RESULTS_DIR, "last-run.json"), JSON.stringify(results));
  }
  const block = renderResults(results, checkTargets(results));
  log(`\n${block}`);
  if (options.out !== null) {
    const file = resolve(ROOT, options.out);
    const existing = await readFile(file, "utf8").catch(() => null);
    await writeFile(file, mergeIntoDoc(existing, block));
    log(`written to ${options.out}`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
