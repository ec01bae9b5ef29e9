/**
 * Connection health a settings page shows ("connected" / "failing"): last request, last error, and
 * request counts by status over a recent window, as seen by every instance of the app.
 *
 * Counting a request costs it no store call: each instance counts in one-minute buckets in memory,
 * and writes the buckets that changed to the store off the request path — once its clock has moved
 * {@link HEALTH_FLUSH_MS} past the first unwritten count, on `flush()` and on close. A read merges the
 * buckets every instance wrote for the window with this instance's own, so it is exact for this
 * instance and at most one flush behind for the others.
 */
import { z } from "zod";
import type { ScimLogger } from "../logger.js";
import { defineRecord, type RecordOperations } from "../store/define-record.js";
import type { ScimStore } from "../store/types.js";
import { DIRECTORY } from "./model.js";
import { isoTime } from "../time.js";

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

/** How long counts may stay only in an instance's memory, by the server's clock. */
export const HEALTH_FLUSH_MS = 5_000;

type LastError = DirectoryHealth["lastError"];

const lastErrorSchema = z.object({ at: z.string(), status: z.number(), detail: z.string() }).nullable();
const counts = z.record(z.string(), z.number());

/** One instance's counts of one directory for one minute (id: directory, instance, minute). */
const minuteRecord = defineRecord(
  "directory.health.minute",
  z.object({
    directoryId: z.string(),
    instanceId: z.string(),
    minute: z.number(),
    byStatus: counts,
    tolerances: counts,
    lastRequestAt: z.string(),
    lastError: lastErrorSchema,
  }),
);

/**
 * A directory's last request and last error across instances (id: directory), kept past the window.
 * Instances merge into it (newest wins); should two flushes race, the minute buckets still carry
 * the newest values for as long as they are in the window.
 */
const lastRecord = defineRecord(
  "directory.health.last",
  z.object({ lastRequestAt: z.string().nullable(), lastError: lastErrorSchema }),
);

// Request times are kept as epoch milliseconds and written as ISO text only when read or flushed:
// formatting a date on every request costs more than counting it.
const iso = (ms: number): string => isoTime(new Date(ms));

interface Bucket {
  readonly byStatus: Map<number, number>;
  readonly tolerances: Map<string, number>;
  lastRequestMs: number;
  lastError: LastError;
  /** Changed since it was last written to the store. */
  dirty: boolean;
}

interface Entry {
  lastRequestMs: number | null;
  lastError: LastError;
  readonly buckets: Map<number, Bucket>;
}

export interface HealthTrackerOptions {
  readonly store: ScimStore;
  readonly now: () => Date;
  readonly logger: ScimLogger;
  /** @default 60 */
  readonly windowMinutes?: number | undefined;
  /** Names this instance's buckets in the store. @default a random id */
  readonly instanceId?: string | undefined;
}

const newer = (a: string | null, b: string | null) => (a === null ? b : b === null || a >= b ? a : b);
const newerError = (a: LastError, b: LastError) => (a === null ? b : b === null || a.at >= b.at ? a : b);

function add<K>(into: Map<K, number>, key: K, n: number): void {
  into.set(key, (into.get(key) ?? 0) + n);
}

export class HealthTracker {
  readonly #entries = new Map<string, Entry>();
  /** The minute each tenant's expired buckets were last dropped. */
  readonly #swept = new Map<string, number>();
  readonly #windowMinutes: number;
  readonly #instanceId: string;
  /** The server-clock time of the oldest count not yet written, or null when all are written. */
  #unwrittenSince: number | null = null;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #flushing: Promise<void> | null = null;
  #closed = false;

  constructor(private readonly options: HealthTrackerOptions) {
    this.#windowMinutes = options.windowMinutes ?? 60;
    this.#instanceId = options.instanceId ?? crypto.randomUUID();
  }

  #minuteNow(): number {
    return Math.floor(this.options.now().getTime() / 60_000);
  }

  /** Counts one request. Memory only: the request path never waits on the store for health. */
  record(directoryId: string, status: number, detail?: string, tolerances: readonly string[] = []): void {
    let e = this.#entries.get(directoryId);
    if (!e) this.#entries.set(directoryId, (e = { lastRequestMs: null, lastError: null, buckets: new Map() }));
    const ms = this.options.now().getTime();
    const minute = Math.floor(ms / 60_000);
    e.lastRequestMs = ms;
    const error = status >= 400 && detail !== undefined ? { at: iso(ms), status, detail } : null;
    if (error) e.lastError = error;
    let bucket = e.buckets.get(minute);
    if (!bucket) {
      // Old minutes are dropped when a new one starts, so a busy directory prunes once a minute.
      for (const m of e.buckets.keys()) if (m <= minute - this.#windowMinutes) e.buckets.delete(m);
      bucket = { byStatus: new Map(), tolerances: new Map(), lastRequestMs: ms, lastError: null, dirty: true };
      e.buckets.set(minute, bucket);
    }
    add(bucket.byStatus, status, 1);
    for (const name of tolerances) add(bucket.tolerances, name, 1);
    bucket.lastRequestMs = ms;
    if (error) bucket.lastError = error;
    bucket.dirty = true;
    this.#unwrittenSince ??= ms;
    this.#arm();
  }

  /**
   * A real-time timer checks the server's clock: counts are written once that clock has moved
   * {@link HEALTH_FLUSH_MS} past the first unwritten one. Under a frozen test clock nothing is
   * written behind a test's back; the timer never keeps a Node process alive.
   */
  #arm(): void {
    if (this.#timer !== null || this.#closed) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      const since = this.#unwrittenSince;
      if (since === null) return;
      if (this.options.now().getTime() - since >= HEALTH_FLUSH_MS) void this.flush().finally(() => this.#rearm());
      else this.#arm();
    }, HEALTH_FLUSH_MS);
    (this.#timer as { unref?: () => void }).unref?.();
  }

  #rearm(): void {
    if (this.#unwrittenSince !== null) this.#arm();
  }

  /** Writes this instance's changed buckets to the store now. A failure is logged and retried later. */
  flush(): Promise<void> {
    // One flush at a time; a caller arriving during one waits for it and then writes what is left.
    const run = async (): Promise<void> => {
      await this.#flushing;
      await this.#write();
    };
    const p = run().finally(() => {
      if (this.#flushing === p) this.#flushing = null;
    });
    this.#flushing = p;
    return p;
  }

  async #write(): Promise<void> {
    if (this.#unwrittenSince === null) return;
    this.#unwrittenSince = null;
    const byTenant = new Map<string, { directoryId: string; entry: Entry; minutes: [number, Bucket][] }[]>();
    for (const [directoryId, entry] of this.#entries) {
      const minutes = [...entry.buckets].filter(([, b]) => b.dirty);
      if (minutes.length === 0) continue;
      let tenantId: string | null;
      try {
        tenantId = await this.#tenantOf(directoryId);
      } catch (error) {
        // The store is unreachable (this runs off the request path, on a timer, where a rejection
        // would end the process): everything unwritten stays dirty for a later flush.
        for (const list of byTenant.values())
          for (const { minutes } of list) for (const [, b] of minutes) b.dirty = true;
        this.#unwrittenSince ??= this.options.now().getTime();
        this.options.logger.error("scimkit: connection health could not be written to the store", {
          error: error instanceof Error ? error.message : String(error),
        });
        return;
      }
      if (tenantId === null) {
        // The directory is gone: nothing to show its health to.
        this.#entries.delete(directoryId);
        continue;
      }
      for (const [, b] of minutes) b.dirty = false;
      let list = byTenant.get(tenantId);
      if (!list) byTenant.set(tenantId, (list = []));
      list.push({ directoryId, entry, minutes });
    }
    const current = this.#minuteNow();
    for (const [tenantId, list] of byTenant) {
      try {
        await this.options.store.transaction(tenantId, async (tx) => {
          for (const { directoryId, entry, minutes } of list) {
            for (const [minute, b] of minutes) {
              await minuteRecord.put(tx, {
                id: `${directoryId}/${this.#instanceId}/${minute}`,
                value: {
                  directoryId,
                  instanceId: this.#instanceId,
                  minute,
                  byStatus: Object.fromEntries([...b.byStatus].map(([s, n]) => [String(s), n])),
                  tolerances: Object.fromEntries(b.tolerances),
                  lastRequestAt: iso(b.lastRequestMs),
                  lastError: b.lastError,
                },
              });
            }
            const stored = await lastRecord.get(tx, directoryId);
            await lastRecord.put(tx, {
              id: directoryId,
              value: {
                lastRequestAt: newer(
                  stored?.lastRequestAt ?? null,
                  entry.lastRequestMs === null ? null : iso(entry.lastRequestMs),
                ),
                lastError: newerError(stored?.lastError ?? null, entry.lastError),
              },
            });
          }
          // Buckets of every instance, including ones that are gone, leave the store once a minute.
          if (this.#swept.get(tenantId) !== current) {
            for (const r of await minuteRecord.list(tx))
              if (r.value.minute <= current - this.#windowMinutes) await minuteRecord.delete(tx, r.id);
          }
        });
        this.#swept.set(tenantId, current);
      } catch (error) {
        for (const { minutes } of list) for (const [, b] of minutes) b.dirty = true;
        this.#unwrittenSince ??= this.options.now().getTime();
        this.options.logger.error("scimkit: connection health could not be written to the store", {
          tenantId,
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
  }

  /** Looked up on every write rather than remembered, so a deleted directory stops being written. */
  async #tenantOf(directoryId: string): Promise<string | null> {
    return (await this.options.store.findRecordByKey(DIRECTORY, directoryId))?.tenantId ?? null;
  }

  /**
   * A directory's health across instances: the buckets every other instance wrote for the window,
   * plus this instance's own from memory (exact, even before they are written).
   */
  async get(directoryId: string): Promise<DirectoryHealth> {
    const since = this.#minuteNow() - this.#windowMinutes;
    const statuses = new Map<number, number>();
    const tolerances = new Map<string, number>();
    const own = this.#entries.get(directoryId);
    let lastRequestAt = own === undefined || own.lastRequestMs === null ? null : iso(own.lastRequestMs);
    let lastError = own?.lastError ?? null;
    for (const [minute, b] of own?.buckets ?? []) {
      if (minute <= since) continue;
      for (const [s, n] of b.byStatus) add(statuses, s, n);
      for (const [t, n] of b.tolerances) add(tolerances, t, n);
    }
    const tenantId = await this.#tenantOf(directoryId);
    if (tenantId !== null) {
      const { minutes, last } = await this.options.store.transaction(
        tenantId,
        async (tx) => ({ minutes: await minuteRecord.list(tx), last: await lastRecord.get(tx, directoryId) }),
        { readOnly: true },
      );
      lastRequestAt = newer(lastRequestAt, last?.lastRequestAt ?? null);
      lastError = newerError(lastError, last?.lastError ?? null);
      for (const { value: m } of minutes) {
        if (m.directoryId !== directoryId || m.instanceId === this.#instanceId || m.minute <= since) continue;
        for (const [s, n] of Object.entries(m.byStatus)) add(statuses, Number(s), n);
        for (const [t, n] of Object.entries(m.tolerances)) add(tolerances, t, n);
        lastRequestAt = newer(lastRequestAt, m.lastRequestAt);
        lastError = newerError(lastError, m.lastError);
      }
    }
    const byStatus: Record<string, number> = {};
    let requests = 0;
    let failures = 0;
    for (const [status, n] of [...statuses].sort(([a], [b]) => a - b)) {
      byStatus[String(status)] = n;
      requests += n;
      if (status >= 400) failures += n;
    }
    return {
      lastRequestAt,
      lastError,
      windowMinutes: this.#windowMinutes,
      requests,
      failures,
      byStatus,
      tolerances: Object.fromEntries(tolerances),
    };
  }

  /** Stops the timer and writes what is left; later counts stay in memory. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    await this.flush();
  }
}

/** Removes a directory's health from the store, with the directory itself. */
export async function deleteHealth(tx: RecordOperations, directoryId: string): Promise<void> {
  await lastRecord.delete(tx, directoryId);
  for (const r of await minuteRecord.list(tx))
    if (r.value.directoryId === directoryId) await minuteRecord.delete(tx, r.id);
}
