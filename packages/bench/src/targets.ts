/**
 * The published targets, checked against one run and marked ✓/✗. They are not enforced anywhere:
 * figures from a shared two-core machine are too noisy to fail a build on.
 */
import { ceilingRatio, findMeasurement, type BenchResults } from "./results.js";
import { SERVER_LABELS, type ServerKind } from "./protocol.js";
import { SCENARIOS, type ScenarioId } from "./scenarios.js";

export interface TargetCheck {
  readonly kind: "ceiling-ratio" | "vs-memory" | "flat-in-n" | "vs-scimmy" | "rss";
  readonly subject: string;
  readonly want: string;
  readonly got: string;
  readonly met: boolean;
}

/** N = 100,000 may be at most this much slower than N = 10,000 in a lookup or membership scenario. */
export const FLAT_TOLERANCE = 0.1;
/** The memory store's RSS budget at 100,000 users. */
export const RSS_LIMIT_MIB = 150;
const RSS_AT = 100_000;

const pct = (x: number) => `${(x * 100).toFixed(0)} %`;
const ratio = (x: number) => x.toFixed(2);
const MEMORY: ServerKind = "scimkit-memory";
const SCIMKIT: readonly ServerKind[] = ["scimkit-memory", "scimkit-durable", "scimkit-pglite", "scimkit-pg"];

/**
 * The PostgreSQL server's shares of the ceiling: lookups and a page at least half and a fifth of it
 * (a network round trip to the database stays in every request), writes at least 0.3 (a commit
 * waits for the database's own flush).
 */
export const POSTGRES_RATIOS: Readonly<Partial<Record<ScenarioId, number>>> = {
  "get-user": 0.5,
  "filter-eq": 0.5,
  "page-100": 0.2,
  "page-cursor": 0.2,
  "patch-user": 0.3,
  "patch-members": 0.3,
  "post-user": 0.3,
};

/** The durable embedded store's writes against the memory store's, at the same N. */
export const DURABLE_SHARE = 0.8;
const WRITES: readonly ScenarioId[] = ["patch-user", "patch-members", "post-user"];

export function checkTargets(results: Pick<BenchResults, "measurements" | "runs" | "sizes">): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const sizes = [...results.sizes].sort((a, b) => a - b);
  const smallest = sizes[0];
  const largest = sizes[sizes.length - 1];

  // Ratios to the ceiling and to SCIMMY: the memory store, at every N.
  for (const size of sizes) {
    for (const s of SCENARIOS) {
      const m = findMeasurement(results, MEMORY, size, s.id);
      if (m === undefined) continue;
      const subject = `memory · ${s.label} · N=${size.toLocaleString("en-US")}`;
      const r = ceilingRatio(results, m);
      if (r !== undefined) {
        checks.push({
          kind: "ceiling-ratio",
          subject,
          want: `≥ ${ratio(s.minRatio)} × ceiling`,
          got: `${ratio(r)} × ceiling`,
          met: r >= s.minRatio,
        });
      }
      const scimmy = findMeasurement(results, "scimmy", size, s.id);
      if (scimmy !== undefined) {
        const x = scimmy.load.reqPerSec > 0 ? m.load.reqPerSec / scimmy.load.reqPerSec : Infinity;
        checks.push({
          kind: "vs-scimmy",
          subject,
          want: "≥ SCIMMY",
          got: Number.isFinite(x) ? `${ratio(x)} × SCIMMY` : "SCIMMY answered nothing",
          met: x >= 1,
        });
      }
    }
  }

  for (const size of sizes) {
    for (const s of SCENARIOS) {
      const want = POSTGRES_RATIOS[s.id];
      const m = findMeasurement(results, "scimkit-pg", size, s.id);
      const r = m && ceilingRatio(results, m);
      if (want === undefined || r === undefined) continue;
      checks.push({
        kind: "ceiling-ratio",
        subject: `PostgreSQL · ${s.label} · N=${size.toLocaleString("en-US")}`,
        want: `≥ ${ratio(want)} × ceiling`,
        got: `${ratio(r)} × ceiling`,
        met: r >= want,
      });
    }
    for (const s of SCENARIOS.filter((x) => WRITES.includes(x.id))) {
      const durable = findMeasurement(results, "scimkit-durable", size, s.id);
      const memory = findMeasurement(results, MEMORY, size, s.id);
      if (durable === undefined || memory === undefined || memory.load.reqPerSec <= 0) continue;
      const x = durable.load.reqPerSec / memory.load.reqPerSec;
      checks.push({
        kind: "vs-memory",
        subject: `durable embedded · ${s.label} · N=${size.toLocaleString("en-US")}`,
        want: `≥ ${ratio(DURABLE_SHARE)} × memory`,
        got: `${ratio(x)} × memory`,
        met: x >= DURABLE_SHARE,
      });
    }
  }

  // Flat in N: every scimkit store, lookups and membership, largest N against smallest. Each side is
  // taken as a share of the ceiling measured around it when there is one, so that the machine
  // getting faster or slower between the two blocks (minutes apart) does not count as N's doing.
  if (smallest !== undefined && largest !== undefined && largest > smallest) {
    for (const server of SCIMKIT) {
      for (const s of SCENARIOS.filter((x) => x.flat)) {
        const low = findMeasurement(results, server, smallest, s.id);
        const high = findMeasurement(results, server, largest, s.id);
        if (low === undefined || high === undefined || low.load.reqPerSec <= 0) continue;
        const lowShare = ceilingRatio(results, low);
        const highShare = ceilingRatio(results, high);
        const paired =
          low.ceilingPair !== undefined &&
          high.ceilingPair !== undefined &&
          lowShare !== undefined &&
          highShare !== undefined &&
          lowShare > 0;
        const change = paired ? highShare / lowShare - 1 : high.load.reqPerSec / low.load.reqPerSec - 1;
        checks.push({
          kind: "flat-in-n",
          subject: `${SERVER_LABELS[server]} · ${s.label}`,
          want: `N=${largest.toLocaleString("en-US")} within ${pct(FLAT_TOLERANCE)} of N=${smallest.toLocaleString("en-US")}`,
          got: `${change >= 0 ? "+" : ""}${pct(change)}`,
          met: change >= -FLAT_TOLERANCE,
        });
      }
    }
  }

  const memoryRun = results.runs.find((r) => r.server === MEMORY && r.size === RSS_AT && r.memory !== undefined);
  if (memoryRun?.memory !== undefined) {
    const mib = memoryRun.memory.rssBytes / 2 ** 20;
    checks.push({
      kind: "rss",
      subject: `memory store RSS at N=${RSS_AT.toLocaleString("en-US")}`,
      want: `≤ ${RSS_LIMIT_MIB} MiB`,
      got: `${mib.toFixed(0)} MiB`,
      met: mib <= RSS_LIMIT_MIB,
    });
  }
  return checks;
}
