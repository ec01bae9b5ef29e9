/**
 * A complete scimkit store over the document database of db.ts: the operations defineStore requires
 * and nothing more. It declares no filter or sort capability, so core filters, sorts and pages its
 * listings itself, and derives replaceMembers, hasMembers, existing, groupsOf, appendLogs and
 * `projection.groups` from the operations below.
 * Per tenant: `resources/<type>` (id → resource), `unique/<type>` (uniqueKey → id), `members/<group id>`
 * (member id → member), `records/<kind>` (id → record), `logs/<log>` (seq → entry). Across tenants: record keys.
 */
import { defineStore, UniquenessError, VersionConflictError, type RequiredTransaction } from "@scimkit/core/store";
import type { LogEntry, Member, MembershipWrite, Projection, ResourceWrite } from "@scimkit/core/store";
import type { ScimStore, StoreRecord, StoredResource, WriteGuard } from "@scimkit/core/store";
import { DocumentDb, type Session } from "./db.js";

const resources = (type: string) => `resources/${type}`;
const uniques = (type: string) => `unique/${type}`;
const members = (groupId: string) => `members/${groupId}`;
const records = (kind: string) => `records/${kind}`;
const recordKey = (kind: string, key: string) => `${kind}\u0000${key}`;

/** The fields the contract stores: what core hands over may carry more (a read's `members`). */
const stored = ({ id, resourceType, attributes, internal, uniqueKey, created, lastModified, version }: ResourceWrite) =>
  ({ id, resourceType, attributes, internal, uniqueKey, created, lastModified, version }) satisfies StoredResource;

function checkVersion(current: StoredResource, g: WriteGuard | undefined): void {
  if (g?.expectedVersion !== undefined && g.expectedVersion !== current.version) throw new VersionConflictError();
}

/** The contract's default order: `created`, then `id` (core writes both as sortable strings). */
const defaultOrder = (a: StoredResource, b: StoredResource) =>
  a.created !== b.created ? (a.created < b.created ? -1 : 1) : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;

/** One unit of work. The session is bound to one tenant, so every operation is scoped to it. */
function operations(s: Session): RequiredTransaction {
  const withMembers = (r: StoredResource, projection: Projection | undefined): StoredResource =>
    projection?.members ? { ...r, members: s.list<Member>(members(r.id)) } : r;
  const guardedGroup = (id: string, write: MembershipWrite) => {
    const group = s.get<StoredResource>(resources("Group"), id);
    if (!group) throw new Error(`Group ${id} does not exist`);
    checkVersion(group, write);
    return group;
  };
  /** Core computed the group's next version and lastModified: set them as given, never bump. */
  const stamp = (group: StoredResource, write: MembershipWrite) =>
    s.put(resources("Group"), group.id, { ...group, version: write.version, lastModified: write.modifiedAt });
  /** Moves a resource's unique key; checks before writing, so a refused write leaves nothing behind. */
  const moveUnique = (type: string, id: string, from: string | null, to: string | null) => {
    if (from === to) return;
    if (to !== null && (s.get<string>(uniques(type), to) ?? id) !== id) throw new UniquenessError(to);
    if (from !== null) s.remove(uniques(type), from);
    if (to !== null) s.put(uniques(type), to, id);
  };

  return {
    async getResource(type, id, projection) {
      const found = s.get<StoredResource>(resources(type), id);
      return found ? withMembers(found, projection) : null;
    },
    async createResource(resource) {
      const type = resource.resourceType;
      if (s.get(resources(type), resource.id)) throw new UniquenessError(resource.id);
      moveUnique(type, resource.id, null, resource.uniqueKey);
      s.put(resources(type), resource.id, stored(resource));
      return stored(resource);
    },
    async replaceResource(resource, guard) {
      const type = resource.resourceType;
      const current = s.get<StoredResource>(resources(type), resource.id);
      if (!current) throw new Error(`${type} ${resource.id} does not exist`);
      checkVersion(current, guard);
      moveUnique(type, resource.id, current.uniqueKey, resource.uniqueKey);
      const next = { ...stored(resource), created: current.created };
      s.put(resources(type), resource.id, next);
      return next;
    },
    async deleteResource(type, id, guard) {
      const current = s.get<StoredResource>(resources(type), id);
      if (!current) return false;
      checkVersion(current, guard);
      moveUnique(type, id, current.uniqueKey, null);
      s.remove(resources(type), id);
      // Every membership row naming it goes too: its own members, and its place in other groups.
      for (const m of s.list<Member>(members(id))) s.remove(members(id), m.value);
      for (const group of s.list<StoredResource>(resources("Group"))) {
        if (s.get<Member>(members(group.id), id)?.type === type) s.remove(members(group.id), id);
      }
      return true;
    },
    async queryResources(type, query) {
      // With no capability declared, core passes no filter or sort: it filters and sorts this listing itself.
      if (query.filter || query.sort) throw new Error("this store evaluates no filter or sort");
      const all = s.list<StoredResource>(resources(type)).sort(defaultOrder);
      const start = Math.max(0, query.startIndex - 1);
      const page = query.count > 0 ? all.slice(start, start + query.count) : [];
      return { total: all.length, resources: page.map((r) => withMembers(r, query.projection)) };
    },
    async addMembers(groupId, list, write) {
      const group = guardedGroup(groupId, write);
      const added: string[] = [];
      for (const m of list) {
        if (s.get(members(groupId), m.value)) continue; // already a member, or listed twice
        s.put(members(groupId), m.value, { value: m.value, type: m.type, display: m.display });
        added.push(m.value);
      }
      // A call that changed nothing keeps the group's version.
      if (added.length > 0) stamp(group, write);
      return added;
    },
    async removeMembers(groupId, memberIds, write) {
      const group = guardedGroup(groupId, write);
      const removed: string[] = [];
      for (const id of memberIds) {
        if (!s.get(members(groupId), id)) continue; // not a member, or listed twice
        s.remove(members(groupId), id);
        removed.push(id);
      }
      if (removed.length > 0) stamp(group, write);
      return removed;
    },
    async getRecord(kind, id) {
      return s.get<StoreRecord>(records(kind), id) ?? null;
    },
    async putRecord(kind, record) {
      const previous = s.get<StoreRecord>(records(kind), record.id);
      const key = record.key ?? null;
      if (key !== null && !s.claim(recordKey(kind, key), record.id)) throw new UniquenessError(key);
      if (previous?.key != null && previous.key !== key) s.release(recordKey(kind, previous.key));
      s.put(records(kind), record.id, { id: record.id, key, data: record.data });
    },
    async deleteRecord(kind, id) {
      const previous = s.get<StoreRecord>(records(kind), id);
      if (!previous) return false;
      if (previous.key != null) s.release(recordKey(kind, previous.key));
      s.remove(records(kind), id);
      return true;
    },
    async listRecords(kind) {
      return s.list<StoreRecord>(records(kind));
    },
    async appendLog(log, entry) {
      const seq = s.next();
      s.put(`logs/${log}`, String(seq), { ...entry, seq });
      return seq;
    },
    async readLog(log, q) {
      // A whole scan, for brevity: a real database reads this from an index on (tenant, log, seq).
      const out: LogEntry[] = [];
      const newestFirst = q.order === "descending" ? -1 : 1;
      for (const doc of s.list<LogEntry>(`logs/${log}`).sort((a, b) => newestFirst * (a.seq - b.seq))) {
        if (out.length >= q.limit) break;
        if ((q.after !== undefined && doc.seq <= q.after) || (q.before !== undefined && doc.seq >= q.before)) continue;
        if (q.directoryId !== undefined && doc.directoryId !== q.directoryId) continue;
        if (q.resourceType !== undefined && doc.resourceType !== q.resourceType) continue;
        if (q.resourceId !== undefined && doc.resourceId !== q.resourceId) continue;
        // Core hands `from` and `to` over in the form it stamps `at` with, so strings compare as instants.
        if ((q.from !== undefined && doc.at < q.from) || (q.to !== undefined && doc.at >= q.to)) continue;
        out.push(doc);
      }
      return out;
    },
  };
}

/** Creates the store over `db`: your app's database handle, or a fresh in-process one. */
export function createDocumentStore(db: DocumentDb = new DocumentDb()): ScimStore {
  return defineStore({
    name: "document-db",
    transaction: (tenantId, work, { readOnly }) => db.transaction(tenantId, readOnly, (s) => work(operations(s))),
    async findRecordByKey(kind, key) {
      const holder = db.keyHolder(recordKey(kind, key));
      if (!holder) return null;
      const { tenantId, id } = holder;
      const record = await db.transaction(tenantId, true, async (s) => s.get<StoreRecord>(records(kind), id));
      return record ? { tenantId, record } : null;
    },
  });
}
