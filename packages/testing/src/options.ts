/** What a host passes to {@link runStoreConformance}, and the capabilities a store may lack. */
import type { LogEntry, LogName, ScimStore, StoreRecord, StoredResource } from "@scimkit/core";

/**
 * The parts of the contract the suite checks, one `describe` block each. A store that cannot offer
 * one names it in `skip` with the reason, and the block is reported as skipped with that reason.
 */
export const storeCapabilities = [
  "resources",
  "uniqueness",
  "versionGuards",
  "filters",
  "sorting",
  "paging",
  "members",
  "tenantIsolation",
  "rollback",
  "records",
  "logs",
] as const;

export type StoreCapability = (typeof storeCapabilities)[number];

/**
 * Reads what a store persisted without going through the store under test (for a SQL store: plain
 * SELECTs on its tables). When given, the suite checks every write with it, so a store whose reads
 * and writes share a bug cannot pass by agreeing with itself.
 */
export interface StoreInspector {
  /** The resource as persisted, without members; null when there is none. */
  resource(tenantId: string, type: string, id: string): Promise<StoredResource | null>;
  /** Ids of a group's members as persisted, in any order. */
  memberIds(tenantId: string, groupId: string): Promise<readonly string[]>;
  /** A record as persisted; null when there is none. */
  record(kind: string, tenantId: string, id: string): Promise<StoreRecord | null>;
  /** A tenant's entries of one log as persisted, in `seq` order. */
  logEntries(log: LogName, tenantId: string): Promise<readonly LogEntry[]>;
}

export interface ConformanceOptions {
  /** Names the suite in the test report, e.g. `"postgres (pglite)"`. */
  readonly name: string;
  /**
   * Creates the store under test, called once for the whole suite. Every test works in tenants of
   * its own, so the store may be shared with other suites; it need not be empty.
   */
  readonly makeStore: () => Promise<ScimStore>;
  /**
   * Runs after the last test, before the store is closed.
   * @default undefined
   */
  readonly cleanup?: ((store: ScimStore) => Promise<void>) | undefined;
  /**
   * Reads persisted state directly; without it the suite checks writes through the store's own reads.
   * @default undefined
   */
  readonly inspect?: StoreInspector | undefined;
  /**
   * Capabilities the store does not offer, each with the reason it gives.
   * @default {}
   */
  readonly skip?: { readonly [capability in StoreCapability]?: string } | undefined;
}
