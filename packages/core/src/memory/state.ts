/** Everything the memory store holds, shared by the store, its journal replay and its snapshots. */
import { TenantData } from "./tables.js";
import type { LogEntry, StoreRecord } from "../store/types.js";

export interface RecordTable {
  /** `${tenantId}\0${id}` → the record with its tenant */
  readonly byId: Map<string, { tenantId: string; record: StoreRecord }>;
  /** the record's cross-tenant key → its `byId` key */
  readonly byKey: Map<string, string>;
}

export interface LogItem {
  readonly tenantId: string;
  readonly entry: LogEntry;
}

export interface MemoryState {
  readonly tenants: Map<string, TenantData>;
  readonly records: Map<string, RecordTable>;
  readonly logs: { audit: LogItem[]; events: LogItem[] };
  /** The last log `seq` handed out. */
  seq: number;
  /** The number of the last committed write unit (its journal record), 0 before the first. */
  lsn: number;
}

export const emptyState = (): MemoryState => ({
  tenants: new Map(),
  records: new Map(),
  logs: { audit: [], events: [] },
  seq: 0,
  lsn: 0,
});

export const recordKey = (tenantId: string, id: string) => `${tenantId}\u0000${id}`;

export function tenantOf(state: MemoryState, id: string): TenantData {
  let t = state.tenants.get(id);
  if (!t) state.tenants.set(id, (t = new TenantData()));
  return t;
}

export function recordTable(state: MemoryState, kind: string): RecordTable {
  let table = state.records.get(kind);
  if (!table) state.records.set(kind, (table = { byId: new Map(), byKey: new Map() }));
  return table;
}

/**
 * Drops the oldest audit entries and events beyond `retention`, in batches so the cost of dropping
 * is amortised. Runs after every committed write unit, live and in replay alike, so a replayed
 * store keeps exactly the entries the live one kept.
 */
export function trimLogs(state: MemoryState, retention: number): void {
  for (const list of [state.logs.audit, state.logs.events]) {
    if (list.length > retention + Math.max(100, retention >> 3)) list.splice(0, list.length - retention);
  }
}

type RecordEntry = { tenantId: string; record: StoreRecord };

/** Puts `entry` at `rk` in place of `replaced` (whose key it drops), or removes `rk` when `entry` is undefined. */
export function setRecord(
  table: RecordTable,
  rk: string,
  entry: RecordEntry | undefined,
  replaced: RecordEntry | undefined,
): void {
  if (replaced?.record.key != null) table.byKey.delete(replaced.record.key);
  if (entry) {
    table.byId.set(rk, entry);
    if (entry.record.key != null) table.byKey.set(entry.record.key, rk);
  } else table.byId.delete(rk);
}
