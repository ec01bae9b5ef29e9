/**
 * A committed write unit as the journal keeps it: the changes it made, in order, as after-images
 * (a resource's or record's new value, a log entry) and membership links. Replaying them on the
 * state the unit started from gives the state it committed. Its size is the size of the change,
 * whatever the size of the store.
 */
import { recordKey, recordTable, setRecord, tenantOf, type LogItem, type MemoryState } from "./state.js";
import type { LogEntry, LogName, Member, ResourceWrite, StoreRecord } from "../store/types.js";

export type RedoOp =
  /** A resource created or replaced (a group's new version after a membership change included). */
  | readonly ["put", ResourceWrite]
  /** A resource deleted, with every membership that names it. */
  | readonly ["delete", type: string, id: string]
  | readonly ["link", groupId: string, member: Member]
  | readonly ["unlink", groupId: string, memberId: string]
  | readonly ["putRecord", kind: string, record: StoreRecord]
  | readonly ["deleteRecord", kind: string, id: string]
  | readonly ["log", LogName, LogEntry];

/** One journal record: the unit's number, its tenant and its changes. */
export interface RedoRecord {
  readonly lsn: number;
  readonly tenantId: string;
  readonly ops: readonly RedoOp[];
}

/** Applies a committed unit's changes to `state`, exactly as the live unit of work applied them. */
export function applyRedo(state: MemoryState, record: RedoRecord): void {
  const data = tenantOf(state, record.tenantId);
  for (const op of record.ops) {
    switch (op[0]) {
      case "put": {
        const r = op[1];
        const table = data.table(r.resourceType);
        const current = table.byId.get(r.id);
        if (current) table.update(current, r);
        else table.insert(r);
        break;
      }
      case "delete": {
        const [, type, id] = op;
        const table = data.table(type);
        const current = table.byId.get(id);
        if (!current) break;
        table.remove(current);
        for (const member of data.membersOf(id)) data.unlink(id, member.value);
        for (const groupId of data.groupIdsOf(id)) data.unlink(groupId, id);
        break;
      }
      case "link":
        data.link(op[1], op[2]);
        break;
      case "unlink":
        data.unlink(op[1], op[2]);
        break;
      case "putRecord": {
        const [, kind, stored] = op;
        const table = recordTable(state, kind);
        const rk = recordKey(record.tenantId, stored.id);
        setRecord(table, rk, { tenantId: record.tenantId, record: stored }, table.byId.get(rk));
        break;
      }
      case "deleteRecord": {
        const [, kind, id] = op;
        const table = recordTable(state, kind);
        const rk = recordKey(record.tenantId, id);
        setRecord(table, rk, undefined, table.byId.get(rk));
        break;
      }
      case "log": {
        const [, log, entry] = op;
        const item: LogItem = { tenantId: record.tenantId, entry };
        state.logs[log].push(item);
        if (entry.seq > state.seq) state.seq = entry.seq;
        break;
      }
    }
  }
  state.lsn = record.lsn;
}
