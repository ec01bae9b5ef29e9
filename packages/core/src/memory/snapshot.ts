/**
 * The memory store's snapshot: the whole state at one journal position (`lsn`), written by
 * compaction so the journal can start over. Taken in two steps: a capture that only collects
 * references (synchronous, at a commit boundary, so it is consistent: stored resources, records
 * and log entries are never modified in place), then a write that serialises piece by piece,
 * letting requests run between pieces.
 */
import { readFileSync } from "node:fs";
import type { FileIo } from "./io.js";
import { emptyState, recordKey, recordTable, tenantOf, type LogItem, type MemoryState } from "./state.js";
import type { Member, StoreRecord, StoredResource } from "../store/types.js";

/** The snapshot file as written. Format 1 (no `lsn`) is what earlier versions wrote after every commit. */
interface SnapshotFile {
  readonly format: 1 | 2;
  readonly lsn?: number;
  readonly seq: number;
  readonly tenants: readonly { id: string; resources: StoredResource[]; members: [string, Member[]][] }[];
  readonly records: readonly { kind: string; tenantId: string; record: StoreRecord }[];
  readonly logs: { audit: LogItem[]; events: LogItem[] };
}

/** The state at one position, by reference. */
export interface Capture {
  readonly lsn: number;
  readonly seq: number;
  readonly tenants: readonly { id: string; resources: StoredResource[]; members: [string, Member[]][] }[];
  readonly records: readonly { kind: string; tenantId: string; record: StoreRecord }[];
  readonly logs: { readonly audit: readonly LogItem[]; readonly events: readonly LogItem[] };
}

/** Collects what the snapshot will hold. Must run synchronously at a commit boundary. */
export function capture(state: MemoryState): Capture {
  return {
    lsn: state.lsn,
    seq: state.seq,
    tenants: [...state.tenants].map(([id, data]) => ({
      id,
      resources: [...data.tables.values()].flatMap((t) => [...t.byId.values()]),
      members: [...data.memberships()],
    })),
    records: [...state.records].flatMap(([kind, recs]) =>
      [...recs.byId.values()].map((e) => ({ kind, tenantId: e.tenantId, record: e.record })),
    ),
    logs: { audit: state.logs.audit.slice(), events: state.logs.events.slice() },
  };
}

const CHUNK = 1 << 20;

/**
 * Writes `snap` to `tmp` and flushes it (data and metadata), piece by piece. Returns its size in
 * bytes. The caller renames it into place.
 */
export async function writeCapture(io: FileIo, tmp: string, snap: Capture): Promise<number> {
  const fd = await io.openWrite(tmp);
  let size = 0;
  let pending: string[] = [];
  let pendingLength = 0;
  const flush = async () => {
    const bytes = Buffer.from(pending.join(""), "utf8");
    pending = [];
    pendingLength = 0;
    size += bytes.length;
    await io.write(fd, bytes);
  };
  const put = async (text: string) => {
    pending.push(text);
    pendingLength += text.length;
    if (pendingLength >= CHUNK) await flush();
  };
  const list = async <T>(items: readonly T[]) => {
    for (let i = 0; i < items.length; i++) await put((i === 0 ? "" : ",") + JSON.stringify(items[i]));
  };
  try {
    await put(`{"format":2,"lsn":${snap.lsn},"seq":${snap.seq},"tenants":[`);
    for (let t = 0; t < snap.tenants.length; t++) {
      const tenant = snap.tenants[t];
      if (!tenant) continue;
      await put(`${t === 0 ? "" : ","}{"id":${JSON.stringify(tenant.id)},"resources":[`);
      await list(tenant.resources);
      await put(`],"members":[`);
      await list(tenant.members);
      await put("]}");
    }
    await put(`],"records":[`);
    await list(snap.records);
    await put(`],"logs":{"audit":[`);
    await list(snap.logs.audit);
    await put(`],"events":[`);
    await list(snap.logs.events);
    await put("]}}");
    await flush();
    await io.fsync(fd);
  } finally {
    await io.close(fd);
  }
  return size;
}

/** Reads a snapshot file into a fresh state; an absent file gives the empty state. */
export function loadSnapshot(file: string): { state: MemoryState; bytes: number } {
  const state = emptyState();
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { state, bytes: 0 };
    throw error;
  }
  const snap = JSON.parse(text) as SnapshotFile;
  if (snap.format !== 1 && snap.format !== 2)
    throw new Error(`${file}: unknown snapshot format ${String(snap.format)}`);
  for (const t of snap.tenants) {
    const data = tenantOf(state, t.id);
    for (const r of t.resources) data.table(r.resourceType).insert(r);
    for (const [groupId, members] of t.members) for (const m of members) data.link(groupId, m);
  }
  for (const { kind, tenantId, record } of snap.records) {
    const recs = recordTable(state, kind);
    const rk = recordKey(tenantId, record.id);
    recs.byId.set(rk, { tenantId, record });
    if (record.key != null) recs.byKey.set(record.key, rk);
  }
  state.logs.audit = snap.logs.audit;
  state.logs.events = snap.logs.events;
  state.seq = snap.seq;
  state.lsn = snap.lsn ?? 0;
  return { state, bytes: Buffer.byteLength(text) };
}
