/** What a host passes to {@link runStoreConformance}, and the push-down capabilities a store may leave to core. */
import type { ScimStore } from "@scimkit/core";
import type { LogEntry, LogName, StoreRecord, StoredResource } from "@scimkit/core/store";

/**
 * The blocks of the suite that check something a store may leave to core: evaluating filters and
 * sorting natively. A store that declares it does not (`capabilities.supportsFilter` /
 * `supportsSort` false) has core evaluate them in memory, so it may skip these blocks with a reason.
 * Everything else (resources, uniqueness, version guards, paging, members, projections, tenant
 * isolation, rollback, records, logs) is called by core on every store and cannot be skipped.
 */
export const optionalCapabilities = ["filters", "sorting"] as const;

export type OptionalCapability = (typeof optionalCapabilities)[number];

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
   * Push-down capabilities the store leaves to core, each with the reason it gives: the block is
   * reported as skipped with that reason.
   * @default {}
   */
  readonly skip?: { readonly [capability in OptionalCapability]?: string } | undefined;
}
