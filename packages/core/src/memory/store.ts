/**
 * The memory store: scimkit's embedded default. Indexed lookups (id, userName, externalId,
 * displayName), membership kept both ways, and an undo log per unit of work so a failed request
 * leaves nothing behind. With a `directory`, every committed write unit is also recorded as a redo
 * record (its changes, in order) and appended to a journal there, flushed to the device before
 * the unit resolves (see durable.ts).
 *
 * Write units of work run one at a time; read-only units run without waiting, and so may observe a
 * write that is still in progress (and might still roll back). A unit releases the write lock once
 * its changes are applied and its record queued, then waits for the flush: units committed while
 * a flush runs share the next one. Every unit, read-only ones included, resolves only once every
 * write it could have seen is on the device, so no answer shows a write a crash could still undo.
 * Hosts needing strict isolation or several processes use the PostgreSQL store.
 */
import { basename, dirname } from "node:path";
import { evaluateFilter } from "../filter/evaluate.js";
import { copyJson } from "../json-diff.js";
import { defineStore, type TransactionDefinition } from "../store/define-store.js";
import { referencesMembers } from "../store/in-memory.js";
import { openDurable, type Durable } from "./durable.js";
import { nodeFileIo, type FileIo } from "./io.js";
import { defaultOrder, queryTable } from "./query.js";
import type { RedoOp } from "./redo.js";
import { emptyState, recordKey, recordTable, setRecord, tenantOf, trimLogs, type MemoryState } from "./state.js";
import {
  UniquenessError,
  VersionConflictError,
  type LogEntry,
  type LogName,
  type Member,
  type Membership,
  type MembershipWrite,
  type NewLogEntry,
  type Projection,
  type ScimStore,
  type StoreRecord,
  type StoredResource,
  type TenantLogEntry,
  type WriteGuard,
} from "../store/types.js";

export interface MemoryStoreOptions {
  /**
   * A folder to keep the data in across restarts: a snapshot (`scimkit.json`) and a journal
   * (`scimkit-<n>.journal`). Every committed write is appended to the journal and flushed to disk
   * before it is answered; concurrent writes share one flush. Created when missing; one process at
   * a time. Without it the data lives only as long as the process.
   * @default undefined
   */
  readonly directory?: string | undefined;
  /**
   * Like `directory`, with the snapshot at this path (e.g. `data/store.json`) and the journal's
   * segments beside it (`data/store-<n>.journal`). Ignored when `directory` is given.
   * @deprecated Use `directory`.
   * @default undefined
   */
  readonly file?: string | undefined;
  /**
   * The journal size, in bytes, from which a background compaction writes a fresh snapshot and
   * starts the journal over. It runs once the journal is larger than both this and the last
   * snapshot, so its cost stays proportional to the writes made since.
   * @default 16777216 (16 MiB)
   */
  readonly compactAfterBytes?: number | undefined;
  /**
   * How many audit entries and how many events the store keeps (the oldest go first). The memory
   * store is for development and small deployments; the PostgreSQL store keeps every entry.
   * @default 1000
   */
  readonly logRetention?: number | undefined;
}

type Undo = () => void;

function checkVersion(current: StoredResource, guard: WriteGuard | undefined): void {
  if (guard?.expectedVersion !== undefined && guard.expectedVersion !== current.version)
    throw new VersionConflictError();
}

/** Creates a memory store. Each call returns an independent store. */
export function createMemoryStore(options: MemoryStoreOptions = {}): ScimStore {
  return openMemoryStore(options, nodeFileIo);
}

/** {@link createMemoryStore} with the file operations given: tests count or break them. */
export function openMemoryStore(options: MemoryStoreOptions, io: FileIo): ScimStore {
  const retention = options.logRetention ?? 1_000;
  const where = options.directory
    ? { directory: options.directory, snapshot: "scimkit.json" }
    : options.file
      ? { directory: dirname(options.file), snapshot: basename(options.file) }
      : undefined;
  const durable: Durable | undefined = where
    ? openDurable({ ...where, compactAfterBytes: options.compactAfterBytes ?? 16 << 20, logRetention: retention, io })
    : undefined;
  const state: MemoryState = durable?.state ?? emptyState();
  let lock: Promise<void> = Promise.resolve();
  let closing = false;

  const refuse = (write: boolean) => {
    if (durable?.failure !== undefined) {
      const cause = durable.failure;
      throw new Error(
        `the memory store's journal could not be written (${cause instanceof Error ? cause.message : String(cause)}); restart to reload what was saved`,
        { cause },
      );
    }
    if (write && closing) throw new Error("the memory store is closed");
  };

  /**
   * Every operation of the contract: the memory store implements the derived ones too, for speed.
   * Each change pushes what undoes it, and (with a directory) what redoes it.
   */
  function makeTransaction(
    tenantId: string,
    undo: Undo[] | null,
    redo: RedoOp[] | null,
  ): Required<Omit<TransactionDefinition, "native">> {
    const data = tenantOf(state, tenantId);
    const write = (fn: Undo, op?: RedoOp) => {
      if (!undo) throw new Error("write attempted in a read-only unit of work");
      undo.push(fn);
      if (op && redo) redo.push(op);
    };
    const withMembers = (r: StoredResource): StoredResource => ({ ...r, members: data.membersOf(r.id) });
    const membershipsOf = (id: string): Membership[] => {
      const groups = data.table("Group");
      return data.groupIdsOf(id).map((groupId) => {
        const display = groups.byId.get(groupId)?.attributes["displayName"];
        return { groupId, display: typeof display === "string" ? display : undefined };
      });
    };
    const project = (r: StoredResource, projection: Projection | undefined): StoredResource => {
      if (!projection?.members && !projection?.groups) return r;
      // Object.assign rather than a literal opening with `...r`: V8 takes a slow path for a spread
      // followed by new properties, and this runs on every read that shows members or groups.
      const out: { members?: Member[]; groups?: Membership[] } = {};
      if (projection.members) out.members = data.membersOf(r.id);
      if (projection.groups) out.groups = membershipsOf(r.id);
      return Object.assign({}, r, out);
    };
    /**
     * Checks the guard, and returns what sets the group's version and lastModified to the values
     * the write carries (core owns versions): called once the change turned out to change something.
     */
    const stamp = (groupId: string, w: MembershipWrite) => {
      const table = data.table("Group");
      const group = table.byId.get(groupId);
      if (!group) throw new Error(`group ${groupId} does not exist`);
      checkVersion(group, w);
      return () => {
        const next = { ...group, version: w.version, lastModified: w.modifiedAt };
        table.update(group, next);
        write(() => table.update(next, group), ["put", next]);
      };
    };

    const append = (log: LogName, entry: NewLogEntry): number => {
      const list = state.logs[log];
      // Kept as core handed it over, not copied: a unit of work's rows are built fresh for the append
      // and never changed after, and whatever they share with stored resources is never changed in
      // place either. Every read copies instead, so no reader can change the log (reads are rare,
      // appends come with every write).
      const stored = { seq: state.seq + 1, ...entry };
      write(() => {
        list.pop();
        state.seq -= 1;
      }, ["log", log, stored]);
      state.seq += 1;
      list.push({ tenantId, entry: stored });
      return state.seq;
    };

    return {
      async getResource(type, id, projection) {
        const r = data.table(type).byId.get(id);
        if (!r) return null;
        return project(r, projection);
      },
      async createResource(resource) {
        const table = data.table(resource.resourceType);
        if (resource.uniqueKey !== null && table.byUnique.has(resource.uniqueKey))
          throw new UniquenessError(resource.uniqueKey);
        if (table.byId.has(resource.id)) throw new UniquenessError(resource.id);
        write(() => table.remove(resource), ["put", resource]);
        table.insert(resource);
        return resource;
      },
      async replaceResource(resource, guard) {
        const table = data.table(resource.resourceType);
        const current = table.byId.get(resource.id);
        if (!current) throw new Error(`resource ${resource.id} does not exist`);
        checkVersion(current, guard);
        if (resource.uniqueKey !== null) {
          const holder = table.byUnique.get(resource.uniqueKey);
          if (holder !== undefined && holder !== resource.id) throw new UniquenessError(resource.uniqueKey);
        }
        write(() => table.update(resource, current), ["put", resource]);
        table.update(current, resource);
        return resource;
      },
      async deleteResource(type, id, guard) {
        const table = data.table(type);
        const current = table.byId.get(id);
        if (!current) return false;
        checkVersion(current, guard);
        write(() => {
          table.insert(current);
          table.restoreOrder(defaultOrder);
        }, ["delete", type, id]);
        table.remove(current);
        for (const member of data.membersOf(id)) {
          data.unlink(id, member.value);
          write(() => data.link(id, member));
        }
        for (const groupId of data.groupIdsOf(id)) {
          const member = data.unlink(groupId, id);
          if (member) write(() => data.link(groupId, member));
        }
        return true;
      },
      async queryResources(type, query) {
        const table = data.table(type);
        const result = queryTable(
          table,
          query,
          referencesMembers(query.filter) ? withMembers : (r) => r,
          evaluateFilter,
        );
        if (!query.projection?.members && !query.projection?.groups) return result;
        return { total: result.total, resources: result.resources.map((r) => project(r, query.projection)) };
      },
      async addMembers(groupId, members, w) {
        const commit = stamp(groupId, w);
        const added: string[] = [];
        for (const m of members) {
          if (data.isMember(groupId, m.value)) continue;
          data.link(groupId, m);
          write(() => data.unlink(groupId, m.value), ["link", groupId, m]);
          added.push(m.value);
        }
        if (added.length > 0) commit();
        return added;
      },
      async removeMembers(groupId, memberIds, w) {
        const commit = stamp(groupId, w);
        const removed: string[] = [];
        for (const id of memberIds) {
          const m = data.unlink(groupId, id);
          if (!m) continue;
          write(() => data.link(groupId, m), ["unlink", groupId, id]);
          removed.push(id);
        }
        if (removed.length > 0) commit();
        return removed;
      },
      async replaceMembers(groupId, members, w) {
        const commit = stamp(groupId, w);
        const wanted = new Map(members.map((m) => [m.value, m]));
        const removed: string[] = [];
        const added: string[] = [];
        for (const current of data.membersOf(groupId)) {
          if (wanted.has(current.value)) continue;
          data.unlink(groupId, current.value);
          write(() => data.link(groupId, current), ["unlink", groupId, current.value]);
          removed.push(current.value);
        }
        for (const m of wanted.values()) {
          if (data.isMember(groupId, m.value)) continue;
          data.link(groupId, m);
          write(() => data.unlink(groupId, m.value), ["link", groupId, m]);
          added.push(m.value);
        }
        if (added.length + removed.length > 0) commit();
        return { added, removed };
      },
      async hasMembers(groupId, memberIds) {
        return memberIds.filter((id) => data.isMember(groupId, id));
      },
      async groupsOf(memberIds) {
        const out = new Map<string, Membership[]>();
        for (const id of memberIds) out.set(id, membershipsOf(id));
        return out;
      },
      async existing(type, ids) {
        const table = data.table(type);
        return ids.filter((id) => table.byId.has(id));
      },
      async getRecord(kind, id) {
        return state.records.get(kind)?.byId.get(recordKey(tenantId, id))?.record ?? null;
      },
      async putRecord(kind, record) {
        const table = recordTable(state, kind);
        const rk = recordKey(tenantId, record.id);
        if (record.key != null) {
          const holder = table.byKey.get(record.key);
          if (holder !== undefined && holder !== rk) throw new UniquenessError(record.key);
        }
        const previous = table.byId.get(rk);
        const entry = { tenantId, record: copyJson(record) };
        write(() => setRecord(table, rk, previous, entry), ["putRecord", kind, entry.record]);
        setRecord(table, rk, entry, previous);
      },
      async deleteRecord(kind, id) {
        const table = state.records.get(kind);
        const rk = recordKey(tenantId, id);
        const previous = table?.byId.get(rk);
        if (!table || !previous) return false;
        setRecord(table, rk, undefined, previous);
        write(() => setRecord(table, rk, previous, undefined), ["deleteRecord", kind, id]);
        return true;
      },
      async listRecords(kind) {
        const out: StoreRecord[] = [];
        for (const entry of state.records.get(kind)?.byId.values() ?? [])
          if (entry.tenantId === tenantId) out.push(entry.record);
        return out;
      },
      async appendLog(log, entry) {
        return append(log, entry);
      },
      async appendLogs(entries) {
        return entries.map(({ log, entry }) => append(log, entry));
      },
      async readLog(log, q) {
        const list = state.logs[log];
        const out: LogEntry[] = [];
        const start = q.after === undefined ? 0 : firstAfter(list, q.after);
        const end = q.before === undefined ? list.length : firstAfter(list, q.before - 1);
        const descending = q.order === "descending";
        for (let n = 0; n < end - start && out.length < q.limit; n++) {
          const item = list[descending ? end - 1 - n : start + n];
          if (!item || item.tenantId !== tenantId) continue;
          const e = item.entry;
          if (q.directoryId !== undefined && e.directoryId !== q.directoryId) continue;
          if (q.resourceType !== undefined && e.resourceType !== q.resourceType) continue;
          if (q.resourceId !== undefined && e.resourceId !== q.resourceId) continue;
          if (q.from !== undefined && e.at < q.from) continue;
          if (q.to !== undefined && e.at >= q.to) continue;
          out.push(copyJson(e));
        }
        return out;
      },
    };
  }

  return defineStore({
    name: "memory",
    // Every filter and sort: indexed lookups where they help, a scan otherwise; keyset pages by binary search.
    capabilities: { supportsFilter: () => true, supportsSort: () => true, supportsKeyset: true },
    async transaction(tenantId, work, opts) {
      refuse(!opts.readOnly);
      if (opts.readOnly) {
        const result = await work(makeTransaction(tenantId, null, null));
        // What the unit read may include writes still being flushed: answer once they are on disk.
        if (durable) await durable.settled();
        return result;
      }
      const previous = lock;
      let release!: () => void;
      lock = new Promise((r) => (release = r));
      await previous;
      const undo: Undo[] = [];
      const redo: RedoOp[] | null = durable ? [] : null;
      let flushed: Promise<void> | undefined;
      let result: Awaited<ReturnType<typeof work>>;
      try {
        refuse(false);
        result = await work(makeTransaction(tenantId, undo, redo));
        if (undo.length > 0) {
          // The journal may have failed while the unit ran: then nothing of it is kept.
          refuse(false);
          trimLogs(state, retention);
          if (durable && redo) flushed = durable.commit(tenantId, redo);
        } else flushed = durable?.settled();
      } catch (error) {
        for (let i = undo.length - 1; i >= 0; i--) undo[i]?.();
        throw error;
      } finally {
        release();
      }
      // The lock is free for the next unit while this one's record is flushed.
      if (flushed) await flushed;
      return result;
    },
    /**
     * Taken under the write lock, so no unit is half-applied (a unit's entries are visible to
     * read-only units while it runs, and a rolled-back unit's seqs are handed out again): every entry
     * read has committed, and later ones get higher seqs.
     */
    async readLogAll(log, q) {
      refuse(false);
      const previous = lock;
      let release!: () => void;
      lock = new Promise((r) => (release = r));
      await previous;
      const list = state.logs[log];
      const out: TenantLogEntry[] = [];
      try {
        const start = q.after === undefined ? 0 : firstAfter(list, q.after);
        for (let i = start; i < list.length && out.length < q.limit; i++) {
          const item = list[i];
          if (item) out.push({ ...copyJson(item.entry), tenantId: item.tenantId });
        }
      } finally {
        release();
      }
      if (durable) await durable.settled();
      return out;
    },
    async findRecordByKey(kind, key) {
      const table = state.records.get(kind);
      const rk = table?.byKey.get(key);
      const entry = rk === undefined ? undefined : table?.byId.get(rk);
      return entry ? { tenantId: entry.tenantId, record: entry.record } : null;
    },
    async close() {
      closing = true;
      await lock;
      await durable?.close();
    },
  });
}

function firstAfter(list: readonly { entry: LogEntry }[], seq: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((list[mid]?.entry.seq ?? 0) <= seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export type { Member, LogName };
