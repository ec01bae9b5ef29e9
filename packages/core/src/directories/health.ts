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

/** Counts per key in one-minute buckets, for a window of recent minutes. */
class MinuteCounts<K> {
  readonly #byMinute = new Map<number, Map<K, number>>();

  add(minute: number, key: K): void {
    let bucket = this.#byMinute.get(minute);
    if (!bucket) this.#byMinute.set(minute, (bucket = new Map()));
    bucket.set(key, (bucket.get(key) ?? 0) + 1);
  }

  /** Forgets the minutes at or before `minute`. */
  dropThrough(minute: number): void {
    for (const m of this.#byMinute.keys()) if (m <= minute) this.#byMinute.delete(m);
  }

  /** The totals per key of the minutes after `minute`. */
  totalsAfter(minute: number): Map<K, number> {
    const totals = new Map<K, number>();
    for (const [m, bucket] of this.#byMinute) {
      if (m <= minute) continue;
      for (const [key, n] of bucket) totals.set(key, (totals.get(key) ?? 0) + n);
    }
    return totals;
  }

  has(minute: number): boolean {
    return this.#byMinute.has(minute);
  }
}

interface Entry {
  lastRequestAt: string | null;
  lastError: DirectoryHealth["lastError"];
  statuses: MinuteCounts<number>;
  tolerances: MinuteCounts<string>;
}

export class HealthTracker {
  readonly #entries = new Map<string, Entry>();

  constructor(
    private readonly windowMinutes = 60,
    private readonly now: () => Date = () => new Date(),
  ) {}

  record(directoryId: string, status: number, detail?: string, tolerances: readonly string[] = []): void {
    let e = this.#entries.get(directoryId);
    if (!e)
      this.#entries.set(
        directoryId,
        (e = { lastRequestAt: null, lastError: null, statuses: new MinuteCounts(), tolerances: new MinuteCounts() }),
      );
    const now = this.now();
    e.lastRequestAt = now.toISOString();
    if (status >= 400 && detail !== undefined) e.lastError = { at: e.lastRequestAt, status, detail };
    const minute = Math.floor(now.getTime() / 60_000);
    // Old minutes are dropped when a new one starts, so a busy directory prunes once a minute.
    if (!e.statuses.has(minute)) {
      e.statuses.dropThrough(minute - this.windowMinutes);
      e.tolerances.dropThrough(minute - this.windowMinutes);
    }
    e.statuses.add(minute, status);
    for (const name of tolerances) e.tolerances.add(minute, name);
  }

  get(directoryId: string): DirectoryHealth {
    const e = this.#entries.get(directoryId);
    const since = Math.floor(this.now().getTime() / 60_000) - this.windowMinutes;
    const byStatus: Record<string, number> = {};
    let requests = 0;
    let failures = 0;
    for (const [status, n] of e?.statuses.totalsAfter(since) ?? []) {
      byStatus[String(status)] = n;
      requests += n;
      if (status >= 400) failures += n;
    }
    const tolerances = Object.fromEntries(e?.tolerances.totalsAfter(since) ?? []);
    return {
      lastRequestAt: e?.lastRequestAt ?? null,
      lastError: e?.lastError ?? null,
      windowMinutes: this.windowMinutes,
      requests,
      failures,
      byStatus,
      tolerances,
    };
  }
}
