/**
 * The command line. Defaults give the full run (N = 10,000 and 100,000, 10 s per scenario after a
 * 2 s warm-up, results written to docs/benchmarks.md); `--quick` gives a smoke run of about three
 * minutes that writes nothing unless `--out` says where. Durations are whole seconds because
 * autocannon checks the time once a second: 1.5 s would run for 2.
 */
import { parseArgs } from "node:util";
import { SERVER_KINDS, type ServerKind } from "./protocol.js";
import { SCENARIO_IDS, type ScenarioId } from "./scenarios.js";

type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };
const ok = <T>(value: T): Result<T> => ({ ok: true, value });
const err = (error: string): Result<never> => ({ ok: false, error });

export interface BenchOptions {
  readonly quick: boolean;
  readonly sizes: readonly number[];
  readonly seconds: number;
  readonly warmupSeconds: number;
  readonly connections: number;
  /** Whole seconds of the ceiling sample taken after every scenario. */
  readonly ceilingSeconds: number;
  readonly servers: readonly ServerKind[];
  readonly scenarios: readonly ScenarioId[];
  readonly seedBudgetSeconds: number;
  /** Load scimkit from its TypeScript sources instead of building it and loading `dist`. */
  readonly fromSource: boolean;
  /** Profile every measured scenario of every SCIM server. */
  readonly cpuProf: boolean;
  /** Where the markdown goes, relative to the workspace root; null writes nothing. */
  readonly out: string | null;
  /** Render a saved run (its JSON) instead of measuring. */
  readonly render: string | null;
  readonly pgUrl: string | null;
  /**
   * A git ref whose memory store is measured beside HEAD's (`--baseline`): built in a temporary
   * worktree and run as a second server, each scenario taken on both in turn.
   */
  readonly baseline: string | null;
}

export const USAGE = `Usage: pnpm bench [options]
  --quick               smoke run: N = 1,000 and 10,000, 2 s per scenario, no warm-up, nothing written
  --duration <s>        whole seconds measured per scenario (default 10; 2 with --quick)
  --warmup <s>          whole seconds of warm-up before each scenario (default 2; 0 with --quick)
  --sizes <n,n>         seeded user counts (default 10000,100000)
  --servers <k,k>       ${SERVER_KINDS.join(", ")} (bare always runs: it is the ceiling)
  --scenarios <id,id>   ${SCENARIO_IDS.join(", ")}
  --connections <n>     concurrent keep-alive connections (default 10)
  --ceiling <s>         whole seconds the bare route is measured again after each scenario (default 4; 1 with --quick)
  --seed-budget <s>     time limit of each seeding step (default 120)
  --cpu-prof            CPU-profile each measured scenario in the server child
  --from-source         run scimkit from its TypeScript sources (no build first; slower than what users run)
  --baseline <ref>      also build the memory store at that git ref (in a temporary worktree) and measure
                        it beside HEAD's, scenario by scenario; the report gives both ratios and the change
  --out <file|->        markdown report (default docs/benchmarks.md for the full default run, else none; - for none)
  --render <json>       re-render a saved run (every run saves packages/bench/results/last-run.json)
Environment: SCIMKIT_TEST_PG_URL adds scimkit on that PostgreSQL server.`;

function list<T extends string>(
  raw: string | undefined,
  allowed: readonly T[],
  what: string,
): Result<readonly T[] | undefined> {
  if (raw === undefined) return ok(undefined);
  const items = raw
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  const unknown = items.filter((s) => !(allowed as readonly string[]).includes(s));
  if (unknown.length > 0) return err(`unknown ${what}: ${unknown.join(", ")} (choose from ${allowed.join(", ")})`);
  return ok(items as T[]);
}

function positive(raw: string | undefined, what: string, fallback: number, integer = false): Result<number> {
  if (raw === undefined) return ok(fallback);
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n)))
    return err(`${what} must be a positive ${integer ? "integer" : "number"}, not "${raw}"`);
  return ok(n);
}

const BENCH_OPTIONS = {
  quick: { type: "boolean", default: false },
  duration: { type: "string" },
  warmup: { type: "string" },
  sizes: { type: "string" },
  servers: { type: "string" },
  scenarios: { type: "string" },
  connections: { type: "string" },
  ceiling: { type: "string" },
  "seed-budget": { type: "string" },
  "cpu-prof": { type: "boolean", default: false },
  "from-source": { type: "boolean", default: false },
  out: { type: "string" },
  render: { type: "string" },
  baseline: { type: "string" },
} as const;

export function parseOptions(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): Result<BenchOptions> {
  let values: ReturnType<
    typeof parseArgs<{ options: typeof BENCH_OPTIONS; strict: true; allowPositionals: false }>
  >["values"];
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: BENCH_OPTIONS,
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    return err(error instanceof Error ? error.message : String(error));
  }
  const quick = values.quick === true;
  const seconds = positive(values.duration, "--duration", quick ? 2 : 10, true);
  const warmup = values.warmup === "0" ? ok(0) : positive(values.warmup, "--warmup", quick ? 0 : 2, true);
  const connections = positive(values.connections, "--connections", 10, true);
  const ceilingSeconds = positive(values.ceiling, "--ceiling", quick ? 1 : 4, true);
  const budget = positive(values["seed-budget"], "--seed-budget", 120);
  const servers = list(values.servers, SERVER_KINDS, "server");
  const scenarios = list(values.scenarios, SCENARIO_IDS, "scenario");
  if (!seconds.ok) return seconds;
  if (!warmup.ok) return warmup;
  if (!connections.ok) return connections;
  if (!ceilingSeconds.ok) return ceilingSeconds;
  if (!budget.ok) return budget;
  if (!servers.ok) return servers;
  if (!scenarios.ok) return scenarios;
  const baseline = values.baseline ?? null;
  if (baseline !== null && !/^[A-Za-z0-9][A-Za-z0-9._/@^~{}-]*$/.test(baseline))
    return err(`--baseline takes a git ref (a commit, branch or tag), not "${baseline}"`);
  if (baseline !== null && values.render !== undefined)
    return err("--baseline measures; --render only re-renders a saved run");
  if (baseline !== null && values["from-source"] === true)
    return err("--baseline runs built children only: drop --from-source");

  let sizes: number[] = quick ? [1_000, 10_000] : [10_000, 100_000];
  if (values.sizes !== undefined) {
    sizes = values.sizes.split(",").map(Number);
    if (sizes.length === 0 || sizes.some((n) => !Number.isInteger(n) || n < 100 || n > 1_000_000)) {
      return err(`--sizes takes integers from 100 to 1,000,000, not "${values.sizes}"`);
    }
  }

  const pgUrl = env["SCIMKIT_TEST_PG_URL"] || null;
  const wanted = servers.value ?? SERVER_KINDS.filter((k) => k !== "scimkit-pg" || pgUrl !== null);
  if (wanted.includes("scimkit-pg") && pgUrl === null) return err("scimkit-pg needs SCIMKIT_TEST_PG_URL");
  if (baseline !== null && !wanted.includes("scimkit-memory"))
    return err("--baseline is measured beside scimkit-memory: keep it in --servers");
  // The ceiling runs first in every size, so each ratio compares figures taken minutes apart at most.
  const ordered = SERVER_KINDS.filter((k) => k === "bare" || wanted.includes(k));

  // Only the full default run (or a re-render of one) replaces the published figures by default.
  const partial =
    quick ||
    [
      values.duration,
      values.warmup,
      values.sizes,
      values.servers,
      values.scenarios,
      values.connections,
      values.ceiling,
    ].some((v) => v !== undefined) ||
    values["cpu-prof"] === true ||
    values["from-source"] === true ||
    baseline !== null;
  const out =
    values.out === undefined ? (partial ? null : "docs/benchmarks.md") : values.out === "-" ? null : values.out;
  return ok({
    quick,
    sizes,
    seconds: seconds.value,
    warmupSeconds: warmup.value,
    connections: connections.value,
    ceilingSeconds: ceilingSeconds.value,
    servers: ordered,
    scenarios: scenarios.value ?? SCENARIO_IDS,
    seedBudgetSeconds: budget.value,
    cpuProf: values["cpu-prof"] === true,
    fromSource: values["from-source"] === true,
    out,
    render: values.render ?? null,
    pgUrl,
    baseline,
  });
}
