/**
 * The memory store's optional persistence: a JSON snapshot, loaded synchronously at start and
 * written atomically (temporary file, then rename) after commits.
 */
import { mkdirSync, readFileSync } from "node:fs";
import { rename, writeFile, mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { TenantData } from "./tables.js";
import type { LogEntry, Member, StoreRecord, StoredResource } from "../store/types.js";

export interface MemoryState {
  tenants: Map<string, TenantData>;
  records: Map<string, { byId: Map<string, { tenantId: string; record: StoreRecord }>; byKey: Map<string, string> }>;
  logs: { audit: { tenantId: string; entry: LogEntry }[]; events: { tenantId: string; entry: LogEntry }[] };
  seq: number;
}

interface Snapshot {
  readonly format: 1;
  readonly tenants: { id: string; resources: StoredResource[]; members: [string, Member[]][] }[];
  readonly records: { kind: string; tenantId: string; record: StoreRecord }[];
  readonly logs: MemoryState["logs"];
  readonly seq: number;
}

export function loadSnapshot(file: string): MemoryState {
  const state: MemoryState = { tenants: new Map(), records: new Map(), logs: { audit: [], events: [] }, seq: 0 };
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    mkdirSync(dirname(file), { recursive: true });
    return state;
  }
  const snap = JSON.parse(text) as Snapshot;
  for (const t of snap.tenants) {
    const data = new TenantData();
    for (const r of t.resources) data.table(r.resourceType).insert(r);
    for (const [groupId, members] of t.members) for (const m of members) data.link(groupId, m);
    state.tenants.set(t.id, data);
  }
  for (const { kind, tenantId, record } of snap.records) {
    let recs = state.records.get(kind);
    if (!recs) state.records.set(kind, (recs = { byId: new Map(), byKey: new Map() }));
    const rk = `${tenantId}\u0000${record.id}`;
    recs.byId.set(rk, { tenantId, record });
    if (record.key != null) recs.byKey.set(record.key, rk);
  }
  state.logs = snap.logs;
  state.seq = snap.seq;
  return state;
}

export async function saveSnapshot(file: string, state: MemoryState): Promise<void> {
  const snap: Snapshot = {
    format: 1,
    tenants: [...state.tenants].map(([id, data]) => ({
      id,
      resources: [...data.tables.values()].flatMap((t) => [...t.byId.values()]),
      members: [...data.memberships()],
    })),
    records: [...state.records].flatMap(([kind, recs]) => [...recs.byId.values()].map((e) => ({ kind, tenantId: e.tenantId, record: e.record }))),
    logs: state.logs,
    seq: state.seq,
  };
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(snap));
  await rename(tmp, file);
}
