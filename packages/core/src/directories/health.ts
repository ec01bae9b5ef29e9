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
}

interface Entry {
  lastRequestAt: string | null;
  lastError: DirectoryHealth["lastError"];
  /** minute number → status → count */
  buckets: Map<number, Map<number, number>>;
}

export class HealthTracker {
  readonly #entries = new Map<string, Entry>();

  constructor(
    private readonly windowMinutes = 60,
    private readonly now: () => Date = () => new Date(),
  ) {}

  record(directoryId: string, status: number, detail?: string): void {
    let e = this.#entries.get(directoryId);
    if (!e) this.#entries.set(directoryId, (e = { lastRequestAt: null, lastError: null, buckets: new Map() }));
    const now = this.now();
    e.lastRequestAt = now.toISOString();
    if (status >= 400 && detail !== undefined) e.lastError = { at: e.lastRequestAt, status, detail };
    const minute = Math.floor(now.getTime() / 60_000);
    let bucket = e.buckets.get(minute);
    if (!bucket) {
      e.buckets.set(minute, (bucket = new Map()));
      for (const m of e.buckets.keys()) if (m <= minute - this.windowMinutes) e.buckets.delete(m);
    }
    bucket.set(status, (bucket.get(status) ?? 0) + 1);
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
    return { lastRequestAt: e?.lastRequestAt ?? null, lastError: e?.lastError ?? null, windowMinutes: this.windowMinutes, requests, failures, byStatus };
  }
}
