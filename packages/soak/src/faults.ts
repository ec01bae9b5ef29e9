/**
 * Faults at seeded random moments, one at a time: SIGKILL of an app (started again after a short
 * pause), `pg_terminate_backend` of every session on the run's database, and a PostgreSQL restart.
 * Each fault's window runs from its injection to its recovery: the first 2xx answer, sent after the
 * fault was over, from every instance it touched.
 */
import pg from "pg";
import type { AppFleet } from "./apps.js";
import type { Attempt } from "./client.js";
import type { Cluster } from "./cluster.js";
import type { Rng } from "./rng.js";

export const FAULT_KINDS = ["app-kill", "pg-terminate", "pg-restart"] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface Fault {
  readonly kind: FaultKind;
  readonly detail: string;
  readonly injectedAt: number;
  /** When the fault itself was over (the app restarted, the sessions gone, the server back). */
  readonly clearedAt: number;
  /** First 2xx from every instance touched, sent after `clearedAt`; null if it never came. */
  recoveredAt: number | null;
}

export interface FaultPlan {
  readonly kind: FaultKind;
  /** Milliseconds after the load started. */
  readonly at: number;
}

/** `perKind` faults of each kind, shuffled, spread over the middle of the run with jitter. */
export function planFaults(rng: Rng, durationMs: number, perKind: number): FaultPlan[] {
  const kinds: FaultKind[] = FAULT_KINDS.flatMap((k) => Array.from({ length: perKind }, () => k));
  for (let i = kinds.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [kinds[i], kinds[j]] = [kinds[j] as FaultKind, kinds[i] as FaultKind];
  }
  const from = durationMs * 0.08;
  const span = durationMs * 0.8;
  const slot = kinds.length === 0 ? 0 : span / kinds.length;
  return kinds.map((kind, i) => ({ kind, at: Math.round(from + slot * i + rng.next() * slot * 0.5) }));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Injector {
  inject(kind: FaultKind): Promise<Fault>;
  /** Waits until every touched instance answered a 2xx sent after the fault cleared. */
  awaitRecovery(fault: Fault, touched: readonly number[], timeoutMs: number): Promise<void>;
}

export function createInjector(
  cluster: Cluster,
  fleet: AppFleet,
  attempts: readonly Attempt[],
  rng: Rng,
): Injector & { touched(f: Fault): number[] } {
  const touchedBy = new Map<Fault, number[]>();
  const adminUrl = `postgres://postgres@127.0.0.1:${cluster.port}/postgres`;
  return {
    touched: (f) => touchedBy.get(f) ?? [],
    async inject(kind) {
      const injectedAt = Date.now();
      if (kind === "app-kill") {
        const index = rng.int(0, fleet.apps.length - 1);
        const downMs = rng.int(200, 1500);
        await fleet.killAndRestart(index, downMs);
        const f: Fault = {
          kind,
          detail: `app ${index}, down ${downMs} ms`,
          injectedAt,
          clearedAt: Date.now(),
          recoveredAt: null,
        };
        touchedBy.set(f, [index]);
        return f;
      }
      if (kind === "pg-terminate") {
        // From the maintenance database, so the session doing it is not on the list.
        const admin = new pg.Client({ connectionString: adminUrl });
        await admin.connect();
        try {
          const res = await admin.query<{ pid: number }>(
            "SELECT pid, pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
            [cluster.database],
          );
          const pids = res.rows.map((r) => r.pid);
          // pg_terminate_backend only signals: the fault is over once those sessions are gone.
          for (let i = 0; i < 100; i++) {
            const left = await admin.query("SELECT 1 FROM pg_stat_activity WHERE pid = ANY($1::int[])", [pids]);
            if (left.rowCount === 0) break;
            await sleep(20);
          }
          const f: Fault = {
            kind,
            detail: `${pids.length} sessions`,
            injectedAt,
            clearedAt: Date.now(),
            recoveredAt: null,
          };
          touchedBy.set(
            f,
            fleet.apps.map((a) => a.index),
          );
          return f;
        } finally {
          await admin.end();
        }
      }
      await cluster.restart();
      const f: Fault = { kind, detail: "pg_ctl restart -m fast", injectedAt, clearedAt: Date.now(), recoveredAt: null };
      touchedBy.set(
        f,
        fleet.apps.map((a) => a.index),
      );
      return f;
    },
    async awaitRecovery(fault, touched, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      let scanned = 0;
      const firstOk = new Map<number, number>();
      while (Date.now() < deadline) {
        for (; scanned < attempts.length; scanned++) {
          const a = attempts[scanned];
          if (a === undefined) continue;
          if (a.sentAt >= fault.clearedAt && a.status !== null && a.status < 300 && touched.includes(a.app)) {
            const seen = firstOk.get(a.app);
            if (seen === undefined || a.doneAt < seen) firstOk.set(a.app, a.doneAt);
          }
        }
        if (touched.every((i) => firstOk.has(i))) {
          fault.recoveredAt = Math.max(...touched.map((i) => firstOk.get(i) ?? 0));
          return;
        }
        await sleep(50);
      }
    },
  };
}
