/** What one benchmark run found, as the report and the target checks read it. */
import type { LoadResult } from "./parent/load.js";
import type { Frame, MeasuredServer, MemoryReport, SeedReport } from "./protocol.js";
import type { ScenarioId } from "./scenarios.js";

/** The bare route's stream: one request, measured like any scenario. */
export const CEILING = "ceiling";

export interface Measurement {
  readonly server: MeasuredServer;
  readonly size: number;
  readonly scenario: ScenarioId | typeof CEILING;
  readonly load: LoadResult;
  /** Connections used: 1 for a scenario too slow to load with more without leaving a backlog. */
  readonly connections: number;
  /** Seconds measured. */
  readonly seconds: number;
  /**
   * The bare route's req/s measured right before and right after this scenario (the ceiling child
   * stays up, idle, while the other servers run), so its ratio divides figures taken seconds apart.
   */
  readonly ceilingPair?: CeilingPair | undefined;
}

/** The ceiling's req/s sampled just before and just after one scenario. */
export interface CeilingPair {
  readonly before: number;
  readonly after: number;
}

export interface ProfileSummary {
  readonly scenario: ScenarioId;
  readonly file: string;
  readonly top: readonly Frame[];
}

/** One server child's life: seeding, memory, and whether it got as far as serving. */
export interface ServerRun {
  readonly server: MeasuredServer;
  readonly size: number;
  readonly seed?: SeedReport | undefined;
  readonly memory?: MemoryReport | undefined;
  /** Seconds from fork to listening (seeding included). */
  readonly startSeconds?: number | undefined;
  /** Why the child could not be measured, when it could not. */
  readonly failure?: string | undefined;
  readonly profiles: readonly ProfileSummary[];
}

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly os: string;
  readonly versions: Readonly<Record<string, string>>;
}

export interface BenchResults {
  readonly startedAt: Date;
  readonly finishedAt: Date;
  readonly command: string;
  readonly machine: Machine;
  readonly settings: {
    readonly seconds: number;
    readonly warmupSeconds: number;
    readonly connections: number;
    readonly seedBudgetSeconds: number;
    /** Seconds of each ceiling sample taken after a scenario; absent in runs saved before samples were taken. */
    readonly ceilingSeconds?: number | undefined;
  };
  readonly sizes: readonly number[];
  readonly runs: readonly ServerRun[];
  readonly measurements: readonly Measurement[];
  /** The commit measured beside HEAD's memory store (`--baseline`), when there was one. */
  readonly baseline?: BaselineInfo | undefined;
}

/** What `--baseline` checked out and built. */
export interface BaselineInfo {
  /** The ref as given on the command line (`181ba3d`, `main~3`, a tag). */
  readonly ref: string;
  /** The commit it named. */
  readonly commit: string;
  /** The commit's subject line, for the report. */
  readonly subject: string;
  /** The version of Express 5 the baseline's child was installed with (HEAD's is in the versions). */
  readonly express: string;
  /** The commit the other side was checked out at, and its uncommitted files that the children load. */
  readonly head: { readonly commit: string; readonly uncommitted: readonly string[] };
}

export function findMeasurement(
  results: Pick<BenchResults, "measurements">,
  server: MeasuredServer,
  size: number,
  scenario: Measurement["scenario"],
): Measurement | undefined {
  return results.measurements.find((m) => m.server === server && m.size === size && m.scenario === scenario);
}

/**
 * What a measurement's ratio divides by: the mean of the ceiling samples taken around it, or, for a
 * run without them, the block's ceiling.
 */
export function ceilingFor(results: Pick<BenchResults, "measurements">, m: Measurement): number | undefined {
  return m.ceilingPair !== undefined ? (m.ceilingPair.before + m.ceilingPair.after) / 2 : ceiling(results, m.size);
}

/** A measurement's req/s as a share of its ceiling, if there is one. */
export function ceilingRatio(results: Pick<BenchResults, "measurements">, m: Measurement): number | undefined {
  const top = ceilingFor(results, m);
  return top !== undefined && top > 0 ? m.load.reqPerSec / top : undefined;
}

/** Every ceiling sample taken at `size` (the block's own run and each paired sample), for the spread. */
export function ceilingSamples(results: Pick<BenchResults, "measurements">, size: number): number[] {
  const out = new Set<number>();
  for (const m of results.measurements) {
    if (m.size !== size) continue;
    if (m.scenario === CEILING) out.add(m.load.reqPerSec);
    if (m.ceilingPair) {
      out.add(m.ceilingPair.before);
      out.add(m.ceilingPair.after);
    }
  }
  return [...out].sort((a, b) => a - b);
}

/** The bare-Express ceiling at `size` in req/s, if it was measured. */
export function ceiling(results: Pick<BenchResults, "measurements">, size: number): number | undefined {
  return findMeasurement(results, "bare", size, CEILING)?.load.reqPerSec;
}
