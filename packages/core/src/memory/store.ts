/**
 * The memory store: scimkit's embedded default. Indexed lookups (id, userName, externalId,
 * displayName), membership kept both ways, and an undo log per unit of work so a failed request
 * leaves nothing behind. Optionally persisted as a JSON snapshot written after each commit.
 *
 * Write units of work run one at a time; read-only units run without waiting, and so may observe a
 * write that is still in progress (and might still roll back). Hosts needing strict isolation or
 * several processes use the PostgreSQL store.
 */
import { evaluateFilter } from "../filter/evaluate.js";
import { copyJson } from "../json-diff.js";
import { defineStore, type TransactionDefinition } from "../store/define-store.js";
import { referencesMembers } from "../store/in-memory.js";
import { TenantData } from "./tables.js";
import { loadSnapshot, saveSnapshot, type MemoryState } from "./snapshot.js";
import { defaultOrder, queryTable } from "./query.js";
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
  type WriteGuard,
} from "../store/types.js";

export interface MemoryStoreOptions {
  /**
   * A JSON file to load at start and to save after every committed write (atomically, coalesced).
   * Without it the data lives only as long as the process.
   * @default undefined
   */
  readonly file?: string | undefined;
  /**
   * How many audit entries and how many events the store keeps (the oldest go first). The memory
   * store is for development and small deployments; the PostgreSQL store keeps every entry.
   * @default 1000
   */
  readonly logRetention?: number | undefined;
}

type Undo = () => void;

const recordKey = (tenantId: string, id: string) => `${tenantId}\u0000${id}`;

function checkVersion(current: StoredResource, guard: WriteGuard | undefined): void {
  if (guard?.expectedVersion !== undefined && guard.expectedVersion !== current.version) throw new VersionConflictError();
}

/** Creates a memory store. Each call returns an independent store. */
export function createMemoryStore(options: MemoryStoreOptions = {}): ScimStore {
  const state: MemoryState = options.file ? loadSnapshot(options.file) : { tenants: new Map(), records: new Map(), logs: { audit: [], events: [] }, seq: 0 };
  let lock: Promise<void> = Promise.resolve();
  let saving: Promise<void> = Promise.resolve();
  let dirty = false;

  const tenant = (id: string): TenantData => {
    let t = state.tenants.get(id);
    if (!t) state.tenants.set(id, (t = new TenantData()));
    return t;
  };

  const retention = options.logRetention ?? 1_000;
  // Trimming in batches keeps the cost of dropping old entries amortised.
  const trimLogs = () => {
    for (const list of [state.logs.audit, state.logs.events]) {
      if (list.length > retention + Math.max(100, retention >> 3)) list.splice(0, list.length - retention);
    }
  };

  const scheduleSave = () => {
    if (!options.file || dirty) return;
    dirty = true;
    const file = options.file;
    saving = saving.then(async () => {
      await new Promise((r) => setTimeout(r, 20));
      dirty = false;
      await saveSnapshot(file, state);
    });
  };

  /** Every operation of the contract: the memory store implements the derived ones too, for speed. */
  function makeTransaction(tenantId: string, undo: Undo[] | null): Required<TransactionDefinition> {
    const data = tenant(tenantId);
    const write = (fn: Undo) => {
      if (!undo) throw new Error("write attempted in a read-only unit of work");
      undo.push(fn);
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
      return {
        ...r,
        ...(projection.members ? { members: data.membersOf(r.id) } : {}),
        ...(projection.groups ? { groups: membershipsOf(r.id) } : {}),
      };
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
        write(() => table.update(next, group));
      };
    };

    const append = (log: LogName, entry: NewLogEntry): number => {
      const list = state.logs[log];
      write(() => {
        list.pop();
        state.seq -= 1;
      });
      state.seq += 1;
      list.push({ tenantId, entry: { ...copyJson(entry), seq: state.seq } });
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
        if (resource.uniqueKey !== null && table.byUnique.has(resource.uniqueKey)) throw new UniquenessError(resource.uniqueKey);
        if (table.byId.has(resource.id)) throw new UniquenessError(resource.id);
        write(() => table.remove(resource));
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
        write(() => table.update(resource, current));
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
        });
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
        const result = queryTable(table, query, referencesMembers(query.filter) ? withMembers : (r) => r, evaluateFilter);
        if (!query.projection?.members && !query.projection?.groups) return result;
        return { total: result.total, resources: result.resources.map((r) => project(r, query.projection)) };
      },
      async addMembers(groupId, members, w) {
        const commit = stamp(groupId, w);
        const added: string[] = [];
        for (const m of members) {
          if (data.isMember(groupId, m.value)) continue;
          data.link(groupId, m);
          write(() => data.unlink(groupId, m.value));
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
          write(() => data.link(groupId, m));
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
          write(() => data.link(groupId, current));
          removed.push(current.value);
        }
        for (const m of wanted.values()) {
          if (data.isMember(groupId, m.value)) continue;
          data.link(groupId, m);
          write(() => data.unlink(groupId, m.value));
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
        let recs = state.records.get(kind);
        if (!recs) state.records.set(kind, (recs = { byId: new Map(), byKey: new Map() }));
        const rk = recordKey(tenantId, record.id);
        const table = recs;
        if (record.key != null) {
          const holder = table.byKey.get(record.key);
          if (holder !== undefined && holder !== rk) throw new UniquenessError(record.key);
        }
        const previous = table.byId.get(rk);
        const put = (entry: { tenantId: string; record: StoreRecord } | undefined, replaced: { record: StoreRecord } | undefined) => {
          if (replaced?.record.key != null) table.byKey.delete(replaced.record.key);
          if (entry) {
            table.byId.set(rk, entry);
            if (entry.record.key != null) table.byKey.set(entry.record.key, rk);
          } else table.byId.delete(rk);
        };
        const entry = { tenantId, record: copyJson(record) };
        write(() => put(previous, entry));
        put(entry, previous);
      },
      async deleteRecord(kind, id) {
        const table = state.records.get(kind);
        const rk = recordKey(tenantId, id);
        const previous = table?.byId.get(rk);
        if (!table || !previous) return false;
        table.byId.delete(rk);
        if (previous.record.key != null) table.byKey.delete(previous.record.key);
        write(() => {
          table.byId.set(rk, previous);
          if (previous.record.key != null) table.byKey.set(previous.record.key, rk);
        });
        return true;
      },
      async listRecords(kind) {
        const out: StoreRecord[] = [];
        for (const entry of state.records.get(kind)?.byId.values() ?? []) if (entry.tenantId === tenantId) out.push(entry.record);
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
        let i = q.after === undefined ? 0 : firstAfter(list, q.after);
        for (; i < list.length && out.length < q.limit; i++) {
          const item = list[i];
          if (!item || item.tenantId !== tenantId) continue;
          const e = item.entry;
          if (q.directoryId !== undefined && e.directoryId !== q.directoryId) continue;
          if (q.resourceType !== undefined && e.resourceType !== q.resourceType) continue;
          if (q.resourceId !== undefined && e.resourceId !== q.resourceId) continue;
          if (q.from !== undefined && e.at < q.from) continue;
          if (q.to !== undefined && e.at >= q.to) continue;
          out.push(e);
        }
        return out;
      },
    };
  }

  return defineStore({
    name: "memory",
    // Every filter and sort: indexed lookups where they help, a scan otherwise.
    capabilities: { supportsFilter: () => true, supportsSort: () => true },
    async transaction(tenantId, work, opts) {
      if (opts.readOnly) return work(makeTransaction(tenantId, null));
      const previous = lock;
      let release!: () => void;
      lock = new Promise((r) => (release = r));
      await previous;
      const undo: Undo[] = [];
      try {
        const result = await work(makeTransaction(tenantId, undo));
        if (undo.length > 0) {
          trimLogs();
          scheduleSave();
        }
        return result;
      } catch (error) {
        for (let i = undo.length - 1; i >= 0; i--) undo[i]?.();
        throw error;
      } finally {
        release();
      }
    },
    async findRecordByKey(kind, key) {
      const table = state.records.get(kind);
      const rk = table?.byKey.get(key);
      const entry = rk === undefined ? undefined : table?.byId.get(rk);
      return entry ? { tenantId: entry.tenantId, record: entry.record } : null;
    },
    async close() {
      await lock;
      await saving;
      if (options.file) await saveSnapshot(options.file, state);
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
