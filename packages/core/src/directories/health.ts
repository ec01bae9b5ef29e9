/**
 * Connection health a settings page shows ("connected" / "failing"): last request, last error, and
 * request counts by status over a recent window. Kept in memory per server instance: it describes
 * what this process saw, costs no store write per request, and resets on restart.
 */

export interface DirectoryHealth {
  readonly lastRequestAt: string | null;
  readonly lastError: { readonly at: string; readonly status: number; readonly detail: string } | null;
  /** Counts over the last `windowMinutes` minutes. */
  readonly windowMinutes: number;
  readonly requests: number;
  readonly failures: number;
  readonly byStatus: Readonly<Record<string, number>>;
  /**
   * How many requests in the window each compatibility tolerance shaped, reads included (reads
   * write no audit entry): which departures from the RFC this connection relies on.
   */
  readonly tolerances: Readonly<Record<string, number>>;
}

interface Entry {
  lastRequestAt: string | null;
  lastError: DirectoryHealth["lastError"];
  /** minute number → status → count */
  buckets: Map<number, Map<number, number>>;
  /** minute number → tolerance name → count */
  tolerances: Map<number, Map<string, number>>;
}

export class HealthTracker {
  readonly #entries = new Map<string, Entry>();

  constructor(
    private readonly windowMinutes = 60,
    private readonly now: () => Date = () => new Date(),
  ) {}

  record(directoryId: string, status: number, detail?: string, tolerances: readonly string[] = []): void {
    let e = this.#entries.get(directoryId);
    if (!e) this.#entries.set(directoryId, (e = { lastRequestAt: null, lastError: null, buckets: new Map(), tolerances: new Map() }));
    const now = this.now();
    e.lastRequestAt = now.toISOString();
    if (status >= 400 && detail !== undefined) e.lastError = { at: e.lastRequestAt, status, detail };
    const minute = Math.floor(now.getTime() / 60_000);
    let bucket = e.buckets.get(minute);
    if (!bucket) {
      e.buckets.set(minute, (bucket = new Map()));
      for (const m of e.buckets.keys()) if (m <= minute - this.windowMinutes) e.buckets.delete(m);
      for (const m of e.tolerances.keys()) if (m <= minute - this.windowMinutes) e.tolerances.delete(m);
    }
    bucket.set(status, (bucket.get(status) ?? 0) + 1);
    if (tolerances.length === 0) return;
    let fired = e.tolerances.get(minute);
    if (!fired) e.tolerances.set(minute, (fired = new Map()));
    for (const name of tolerances) fired.set(name, (fired.get(name) ?? 0) + 1);
  }

  get(directoryId: string): DirectoryHealth {
    const e = this.#entries.get(directoryId);
    const minute = Math.floor(this.now().getTime() / 60_000);
    const byStatus: Record<string, number> = {};
    let requests = 0;
    let failures = 0;
    for (const [m, bucket] of e?.buckets ?? []) {
      if (m <= minute - this.windowMinutes) continue;
      for (const [status, n] of bucket) {
        byStatus[String(status)] = (byStatus[String(status)] ?? 0) + n;
        requests += n;
        if (status >= 400) failures += n;
      }
    }
    const tolerances: Record<string, number> = {};
    for (const [m, fired] of e?.tolerances ?? []) {
      if (m <= minute - this.windowMinutes) continue;
      for (const [name, n] of fired) tolerances[name] = (tolerances[name] ?? 0) + n;
    }
    return { lastRequestAt: e?.lastRequestAt ?? null, lastError: e?.lastError ?? null, windowMinutes: this.windowMinutes, requests, failures, byStatus, tolerances };
  }
}
