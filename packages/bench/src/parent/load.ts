/**
 * Load generation with autocannon's programmatic API: a fixed number of keep-alive connections
 * sending one scenario's request stream for a fixed time, against 127.0.0.1 only.
 */
import autocannon from "autocannon";
import type { ScenarioRequest } from "../scenarios.js";

export interface LoadOptions {
  readonly seconds: number;
  readonly connections: number;
  /** A request not answered within this many seconds counts as an error. */
  readonly timeoutSeconds: number;
}

export interface LoadResult {
  /** Responses received, whatever their status. */
  readonly requests: number;
  readonly reqPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly non2xx: number;
  /** Connection errors and timeouts. */
  readonly errors: number;
  /** Count per status code, to tell a 404 stream from a 409 stream. */
  readonly statuses: Readonly<Record<string, number>>;
  /** The server process's CPU time (every thread, garbage collection included) per response, in µs. */
  readonly cpuMicrosPerRequest?: number | undefined;
}

export async function runLoad(
  baseUrl: string,
  token: string,
  next: () => ScenarioRequest,
  options: LoadOptions,
): Promise<LoadResult> {
  if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(baseUrl))
    throw new Error(`load is only ever sent to 127.0.0.1, not ${baseUrl}`);
  const headers = {
    authorization: `Bearer ${token}`,
    "content-type": "application/scim+json",
    accept: "application/scim+json",
  };
  const result = await autocannon({
    url: baseUrl,
    connections: options.connections,
    pipelining: 1,
    duration: options.seconds,
    timeout: options.timeoutSeconds,
    headers,
    requests: [
      {
        setupRequest: (request) => {
          const r = next();
          return {
            ...request,
            method: r.method,
            path: r.path,
            headers,
            ...(r.body === undefined ? {} : { body: r.body }),
          };
        },
      },
    ],
  });
  const statuses: Record<string, number> = {};
  for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) statuses[code] = stat.count ?? 0;
  const seconds = result.duration > 0 ? result.duration : options.seconds;
  return {
    requests: result.requests.total,
    reqPerSec: result.requests.total / seconds,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    statuses,
  };
}

/**
 * Waits until the server answers promptly again. A run that ends leaves requests the server has
 * accepted but not finished (a slow server may hold seconds of them); measuring the next scenario
 * before they drain would charge their cost to it.
 */
export async function settle(baseUrl: string, limitMs: number): Promise<void> {
  const until = Date.now() + limitMs;
  while (Date.now() < until) {
    const started = Date.now();
    try {
      const res = await fetch(`${baseUrl}/__bench_idle`, {
        signal: AbortSignal.timeout(Math.max(1, until - Date.now())),
      });
      await res.arrayBuffer();
    } catch {
      return;
    }
    if (Date.now() - started < 50) return;
  }
}
