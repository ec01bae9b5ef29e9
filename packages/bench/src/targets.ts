/**
 * The targets of issue 7, checked against one run and marked ✓/✗. They are not enforced anywhere:
 * figures from a shared two-core machine are too noisy to fail a build on.
 */
import { ceilingRatio, findMeasurement, type BenchResults } from "./results.js";
import { SERVER_LABELS, type ServerKind } from "./protocol.js";
import { SCENARIOS } from "./scenarios.js";

export interface TargetCheck {
  readonly kind: "ceiling-ratio" | "flat-in-n" | "vs-scimmy" | "rss";
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
const SCIMKIT: readonly ServerKind[] = ["scimkit-memory", "scimkit-pglite", "scimkit-pg"];

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
