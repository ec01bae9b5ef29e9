/**
 * The event feed's side of the store contract: reading a log across tenants, and the cursors and
 * leases of consumer groups. Both are optional. A store without `feed` gets one derived from
 * `readLogAll` and records (`feed/derived.ts`); a store without `readLogAll` has no feed.
 *
 * A consumer group keeps, per tenant, a cursor (every event up to it is handled or parked), the
 * failed tries of the event after it and when that one may be tried again, and a lease: the owner
 * handling the tenant's events now and until when. One owner at a time handles a tenant's events,
 * in `seq` order; another takes over only once the lease has run out.
 */
import type { LogEntry } from "./types.js";

/** A log entry together with its tenant: what a read across tenants returns. */
export interface TenantLogEntry extends LogEntry {
  readonly tenantId: string;
}

/** A read of one log across every tenant, oldest first. */
export interface GlobalLogQuery {
  /** Only entries with `seq` greater than this cursor. */
  readonly after?: number | undefined;
  readonly limit: number;
}

/** What a claim hands its owner: the tenant's position and the events after it, oldest first. */
export interface FeedBatch {
  /** Every event with `seq` up to this one is handled or parked; 0 before the first. */
  readonly cursor: number;
  /** Failed tries of the event right after the cursor (0 when it has not failed yet). */
  readonly tries: number;
  /** At most `limit` events after the cursor, in `seq` order; never empty. */
  readonly events: readonly LogEntry[];
}

/** A lease request. */
export interface FeedLease {
  /** Who asks: a consumer's id, unique per process and call. */
  readonly owner: string;
  /** How long the lease lasts without a renewal, in milliseconds. */
  readonly ms: number;
  /** The most events to return. */
  readonly limit: number;
}

/** An event given up on after its last try. Never holds an error message: messages may carry data. */
export interface ParkedEvent {
  readonly eventId: string;
  readonly seq: number;
  readonly type: string;
  readonly tries: number;
  /** The last error's name (`TypeError`, `FetchError`, …), or its `code` when it has one. */
  readonly error: string;
  readonly parkedAt: string;
}

/** What the owner of a lease reports. Applied only while it still holds the lease. */
export interface FeedOutcome {
  /** The new cursor: every event up to it is handled or parked. Never moves a cursor back. */
  readonly cursor: number;
  /**
   * The event right after `cursor` failed its `tries`th try: no owner tries it again until
   * `retryInMs` from now. Absent: the event after the cursor has not failed.
   */
  readonly failure?: { readonly tries: number; readonly retryInMs: number; readonly error: string } | undefined;
  /** Events given up on (the cursor is past them), kept for {@link FeedStore.parked}. */
  readonly parked?: readonly ParkedEvent[] | undefined;
  /** Keeps the lease this much longer from now; absent releases it. */
  readonly renewMs?: number | undefined;
}

/** One tenant's position in a consumer group. */
export interface FeedTenantLag {
  readonly tenantId: string;
  readonly cursor: number;
  /** Events after the cursor: not yet acknowledged. */
  readonly pending: number;
  /** The tenant's newest event's `seq`. */
  readonly latest: number;
  /** Failed tries of the event after the cursor. */
  readonly tries: number;
  /** The last failure's error name, while the event after the cursor is being retried. */
  readonly error: string | null;
  /** Whether an owner holds the tenant's lease now. */
  readonly leased: boolean;
}

/**
 * Cursors and leases of consumer groups, kept by the store. Group names are letters, digits, `.`,
 * `-` and `_`. Each method may be called from several processes at once; a lease must be held by
 * one owner at a time even then (an atomic conditional update, a row lock, …).
 */
export interface FeedStore {
  /**
   * Tenants with events after their cursor whose lease is free (or ran out) and whose retry time
   * has come, oldest work first, at most `limit`.
   */
  pending(group: string, limit: number): Promise<readonly string[]>;
  /**
   * Takes the tenant's lease for `lease.owner` when it is free, ran out or is the owner's own, the
   * retry time has come and events wait after the cursor; returns them. Null (and no lease) when
   * another holds it, a retry must wait, or nothing waits.
   */
  claim(group: string, tenantId: string, lease: FeedLease): Promise<FeedBatch | null>;
  /** Applies `outcome` when `owner` still holds the lease (even run out, if nobody took it since); false when it does not. */
  settle(group: string, tenantId: string, owner: string, outcome: FeedOutcome): Promise<boolean>;
  /** The tenant's parked events of a group, oldest first. */
  parked(group: string, tenantId: string): Promise<readonly ParkedEvent[]>;
  /** Every tenant with events: its position in the group (a tenant the group never claimed is at cursor 0). */
  lag(group: string): Promise<readonly FeedTenantLag[]>;
}
