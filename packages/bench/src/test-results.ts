/** Synthetic results for the report and target tests. */
import type { LoadResult } from "./parent/load.js";
import type { ServerKind } from "./protocol.js";
import { CEILING, type BenchResults, type Measurement, type ServerRun } from "./results.js";
import { SCENARIOS } from "./scenarios.js";

export const load = (reqPerSec: number, extra: Partial<LoadResult> = {}): LoadResult => ({
  requests: reqPerSec * 10,
  reqPerSec,
  p50Ms: 2,
  p99Ms: 9,
  non2xx: 0,
  errors: 0,
  statuses: { "200": reqPerSec * 10 },
  cpuMicrosPerRequest: 120,
  ...extra,
});

/** Every scenario of `server` at `size` answering `rps(scenarioId)` req/s. */
export function everyScenario(
  server: ServerKind,
  size: number,
  rps: (id: string) => number,
  connections = 10,
): Measurement[] {
  return SCENARIOS.map((s) => ({ server, size, scenario: s.id, load: load(rps(s.id)), connections, seconds: 10 }));
}

export const ceilingAt = (size: number, reqPerSec: number): Measurement => ({
  server: "bare",
  size,
  scenario: CEILING,
  load: load(reqPerSec),
  connections: 10,
  seconds: 10,
});

export function results(measurements: Measurement[], runs: ServerRun[] = [], sizes = [10_000, 100_000]): BenchResults {
  return {
    startedAt: new Date("2025-01-02T03:04:00Z"),
    finishedAt: new Date("2025-01-02T03:24:00Z"),
    command: "pnpm bench",
    machine: {
      cpu: "Test CPU",
      cores: 2,
      memoryGiB: 24,
      node: "v20.0.0",
      os: "Linux 6",
      versions: { scimmy: "1.3.5" },
    },
    settings: { seconds: 10, warmupSeconds: 2, connections: 10, seedBudgetSeconds: 120 },
    sizes,
    runs,
    measurements,
  };
}
