/**
 * `defineStore`: what a store author writes is a small required core; core derives the rest.
 *
 * Required in every unit of work: resources (get, create, replace, delete, query), membership
 * changes (add, remove), records (get, put, delete, list) and logs (append, read); and on the
 * store, `transaction` and `findRecordByKey`. Derived when absent, and worth providing only for
 * speed: `replaceMembers`, `hasMembers`, `existing`, `groupsOf`, `appendLogs`, the groups of
 * `projection.groups`, evaluating any filter or sort the store does not declare it supports, and
 * starting a page at a keyset position (`query.after`) when it does not declare `supportsKeyset`.
 */
import type { Filter, Sort } from "../filter/ast.js";
import { SchemaRegistry, type AttributeRef } from "../schema/registry.js";
import { answerQuery } from "./in-memory.js";
import type { FeedStore, GlobalLogQuery, TenantLogEntry } from "./feed.js";
import {
  VersionConflictError,
  type LogEntry,
  type LogName,
  type LogQuery,
  type Member,
  type Membership,
  type MembershipWrite,
  type NewLogEntry,
  type Projection,
  type QueryResult,
  type ResourceWrite,
  type ResourceTypeId,
  type ScimStore,
  type StoreCapabilities,
  type StoreRecord,
  type StoreQuery,
  type StoreTransaction,
  type StoredResource,
  type WriteGuard,
} from "./types.js";

/** The operations of a unit of work every store implements itself. */
export const requiredOperations = [
  "getResource",
  "createResource",
  "replaceResource",
  "deleteResource",
  "queryResources",
  "addMembers",
  "removeMembers",
  "getRecord",
  "putRecord",
  "deleteRecord",
  "listRecords",
  "appendLog",
  "readLog",
] as const satisfies readonly (keyof StoreTransaction)[];

/** The operations `defineStore` derives from the required ones when a store leaves them out. */
export const derivedOperations = [
  "replaceMembers",
  "hasMembers",
  "existing",
  "groupsOf",
  "appendLogs",
] as const satisfies readonly (keyof StoreTransaction)[];

export type RequiredOperation = (typeof requiredOperations)[number];
export type DerivedOperation = (typeof derivedOperations)[number];

/** What a store's unit of work must offer. Contracts of each method: {@link StoreTransaction}. */
export type RequiredTransaction = Pick<StoreTransaction, RequiredOperation>;

/**
 * A store's unit of work as its author writes it: the required operations, plus any derived one it
 * implements faster itself. `getResource` and `queryResources` may ignore `projection.groups`:
 * when a result comes back without `groups`, core fills it from `groupsOf`.
 */
export type TransactionDefinition = RequiredTransaction & Partial<Pick<StoreTransaction, DerivedOperation | "native">>;

/** What a store author hands {@link defineStore}. */
export interface StoreDefinition {
  /** A short name for logs and error messages. */
  readonly name: string;
  /**
   * The filters and sorts the store evaluates itself, and whether it starts a page at a keyset
   * position. One left out is evaluated by core in memory over the store's unfiltered, unsorted
   * listing: correct for any store, fast only for small ones.
   * @default {} (core evaluates every filter and sort)
   */
  readonly capabilities?: StoreCapabilities | undefined;
  /**
   * Runs `work` as one unit of work for `tenantId`: committed when it resolves, rolled back
   * entirely when it throws. `readOnly` units may skip write locks.
   */
  transaction<T>(
    tenantId: string,
    work: (tx: TransactionDefinition) => Promise<T>,
    options: { readonly readOnly: boolean },
  ): Promise<T>;
  /** Finds a record by its cross-tenant `key` (e.g. a token hash) together with its tenant. */
  findRecordByKey(
    kind: string,
    key: string,
  ): Promise<{ readonly tenantId: string; readonly record: StoreRecord } | null>;
  /** Optional: reads one log across every tenant ({@link ScimStore.readLogAll}). Passed on as it is. */
  readLogAll?(log: LogName, query: GlobalLogQuery): Promise<readonly TenantLogEntry[]>;
  /** Optional: the event feed's cursors and leases, kept natively ({@link ScimStore.feed}). Passed on as it is. */
  readonly feed?: FeedStore | undefined;
  /** Releases connections or files. */
  close?(): Promise<void>;
}

type FilterCapability = (filter: Filter, type: ResourceTypeId) => boolean;
type SortCapability = (sort: Sort, type: ResourceTypeId) => boolean;

const none = () => false;
const ALL = Number.MAX_SAFE_INTEGER;

let membersValue: AttributeRef | undefined;

/** `members.value eq <id>`, which a store that supports it answers from its membership index. */
function memberIs(id: string): Filter {
  if (!membersValue) {
    const ref = new SchemaRegistry().resolve("Group", "members.value");
    if (!ref.ok) throw new Error(`members.value does not resolve: ${ref.error}`);
    membersValue = ref.value;
  }
  return { kind: "compare", op: "eq", attr: membersValue, value: id };
}

const displayOf = (attributes: { readonly [key: string]: unknown }): string | undefined =>
  typeof attributes["displayName"] === "string" ? attributes["displayName"] : undefined;

/** Derived `groupsOf`: one `members.value eq <id>` query per id when the store evaluates that filter, else one read of every group with its members. */
async function deriveGroupsOf(
  inner: TransactionDefinition,
  supportsFilter: FilterCapability,
  memberIds: readonly string[],
): Promise<ReadonlyMap<string, readonly Membership[]>> {
  if (inner.groupsOf) return inner.groupsOf(memberIds);
  const out = new Map<string, Membership[]>();
  for (const id of memberIds) out.set(id, []);
  const [first] = memberIds;
  if (first === undefined) return out;
  if (supportsFilter(memberIs(first), "Group")) {
    for (const [id, list] of out) {
      const found = await inner.queryResources("Group", { filter: memberIs(id), startIndex: 1, count: ALL });
      for (const g of found.resources) list.push({ groupId: g.id, display: displayOf(g.attributes) });
    }
    return out;
  }
  const groups = await inner.queryResources("Group", { startIndex: 1, count: ALL, projection: { members: true } });
  for (const g of groups.resources) {
    for (const m of g.members ?? []) out.get(m.value)?.push({ groupId: g.id, display: displayOf(g.attributes) });
  }
  return out;
}

/**
 * A unit of work as core sees it: the store's own operations, and the derived ones where it has
 * none. A class, so a unit of work costs one object and not two dozen closures (it is made for
 * every request, reads included). Its state lives in ordinary fields, not `#private` ones, and no
 * method calls another through `this`: a caller that wraps a unit of work with `Object.create(tx)`
 * and overrides a method still gets the store's behaviour everywhere else.
 */
class DerivedTransaction implements StoreTransaction {
  // Declared, not defined: a store without a native handle leaves the property absent.
  declare readonly native?: unknown;

  constructor(
    readonly tenantId: string,
    private readonly inner: TransactionDefinition,
    private readonly filterCapability: FilterCapability,
    private readonly sortCapability: SortCapability,
    private readonly keysetCapability: boolean,
  ) {
    if (inner.native !== undefined) this.native = inner.native;
  }

  async getResource(type: ResourceTypeId, id: string, projection?: Projection): Promise<StoredResource | null> {
    const found = await this.inner.getResource(type, id, projection);
    if (!found || !projection?.groups || found.groups !== undefined) return found;
    return { ...found, groups: (await deriveGroupsOf(this.inner, this.filterCapability, [id])).get(id) ?? [] };
  }
  createResource(resource: ResourceWrite): Promise<StoredResource> {
    return this.inner.createResource(resource);
  }
  replaceResource(resource: ResourceWrite, guard?: WriteGuard): Promise<StoredResource> {
    return this.inner.replaceResource(resource, guard);
  }
  deleteResource(type: ResourceTypeId, id: string, guard?: WriteGuard): Promise<boolean> {
    return this.inner.deleteResource(type, id, guard);
  }
  queryResources(type: ResourceTypeId, query: StoreQuery): Promise<QueryResult> {
    const push = {
      filter: query.filter === undefined || this.filterCapability(query.filter, type),
      sort: query.sort === undefined || this.sortCapability(query.sort, type),
      keyset: (query.after === undefined && query.before === undefined) || this.keysetCapability,
    };
    if (push.filter && push.sort && push.keyset && !query.projection?.groups)
      return this.inner.queryResources(type, query);
    const inner = this.inner;
    const source = {
      queryResources: inner.queryResources.bind(inner),
      groupsOf: (ids: readonly string[]) => deriveGroupsOf(inner, this.filterCapability, ids),
    };
    return answerQuery(source, type, query, push);
  }
  addMembers(groupId: string, members: readonly Member[], write: MembershipWrite): Promise<readonly string[]> {
    return this.inner.addMembers(groupId, members, write);
  }
  removeMembers(groupId: string, memberIds: readonly string[], write: MembershipWrite): Promise<readonly string[]> {
    return this.inner.removeMembers(groupId, memberIds, write);
  }
  /**
   * Derived: reads the members, then removes those not wanted and adds the new ones. The guard is
   * checked against the group read, and again by the first write (which sets the new version, so
   * the second is guarded by that one).
   */
  async replaceMembers(
    groupId: string,
    members: readonly Member[],
    write: MembershipWrite,
  ): Promise<{ readonly added: readonly string[]; readonly removed: readonly string[] }> {
    const inner = this.inner;
    if (inner.replaceMembers) return inner.replaceMembers(groupId, members, write);
    const group = await inner.getResource("Group", groupId, { members: true });
    if (!group) throw new Error(`group ${groupId} does not exist`);
    if (write.expectedVersion !== undefined && write.expectedVersion !== group.version)
      throw new VersionConflictError();
    const wanted = new Map(members.map((m) => [m.value, m]));
    const current = new Set((group.members ?? []).map((m) => m.value));
    const leaving = [...current].filter((id) => !wanted.has(id));
    const joining = [...wanted.values()].filter((m) => !current.has(m.value));
    const removed = leaving.length > 0 ? await inner.removeMembers(groupId, leaving, write) : [];
    const guard = write.expectedVersion !== undefined && removed.length > 0 ? write.version : write.expectedVersion;
    const added =
      joining.length > 0
        ? await inner.addMembers(groupId, joining, {
            modifiedAt: write.modifiedAt,
            version: write.version,
            expectedVersion: guard,
          })
        : [];
    return { added, removed };
  }
  /** Derived: one read of the group's members. */
  async hasMembers(groupId: string, memberIds: readonly string[]): Promise<readonly string[]> {
    if (this.inner.hasMembers) return this.inner.hasMembers(groupId, memberIds);
    if (memberIds.length === 0) return [];
    const group = await this.inner.getResource("Group", groupId, { members: true });
    const present = new Set((group?.members ?? []).map((m) => m.value));
    return memberIds.filter((id) => present.has(id));
  }
  groupsOf(memberIds: readonly string[]): Promise<ReadonlyMap<string, readonly Membership[]>> {
    return deriveGroupsOf(this.inner, this.filterCapability, memberIds);
  }
  /** Derived: one point read per id. */
  async existing(type: ResourceTypeId, ids: readonly string[]): Promise<readonly string[]> {
    if (this.inner.existing) return this.inner.existing(type, ids);
    const found: string[] = [];
    for (const id of ids) if (await this.inner.getResource(type, id)) found.push(id);
    return found;
  }
  getRecord(kind: string, id: string): Promise<StoreRecord | null> {
    return this.inner.getRecord(kind, id);
  }
  putRecord(kind: string, record: StoreRecord): Promise<void> {
    return this.inner.putRecord(kind, record);
  }
  deleteRecord(kind: string, id: string): Promise<boolean> {
    return this.inner.deleteRecord(kind, id);
  }
  listRecords(kind: string): Promise<readonly StoreRecord[]> {
    return this.inner.listRecords(kind);
  }
  appendLog(log: LogName, entry: NewLogEntry): Promise<number> {
    return this.inner.appendLog(log, entry);
  }
  /** Derived: one `appendLog` per entry, in order. */
  async appendLogs(
    entries: readonly { readonly log: LogName; readonly entry: NewLogEntry }[],
  ): Promise<readonly number[]> {
    if (this.inner.appendLogs) return this.inner.appendLogs(entries);
    const seqs: number[] = [];
    for (const { log, entry } of entries) seqs.push(await this.inner.appendLog(log, entry));
    return seqs;
  }
  readLog(log: LogName, query: LogQuery): Promise<readonly LogEntry[]> {
    return this.inner.readLog(log, query);
  }
}

/**
 * Builds the store core uses from a store author's definition: each unit of work offers the whole
 * {@link StoreTransaction}, with the operations the definition leaves out derived from the ones it
 * has, and every filter and sort the definition does not declare evaluated in memory.
 *
 * @example
 * export const myStore = () =>
 *   defineStore({
 *     name: "my-store",
 *     capabilities: { supportsFilter: (f) => canTranslate(f), supportsSort: () => true },
 *     transaction: (tenantId, work, { readOnly }) => db.unitOfWork(readOnly, (conn) => work(operations(conn, tenantId))),
 *     findRecordByKey: (kind, key) => db.findRecord(kind, key),
 *     close: () => db.end(),
 *   });
 */
export function defineStore(definition: StoreDefinition): ScimStore {
  const supportsFilter: FilterCapability = definition.capabilities?.supportsFilter ?? none;
  const supportsSort: SortCapability = definition.capabilities?.supportsSort ?? none;
  const supportsKeyset = definition.capabilities?.supportsKeyset === true;
  const store: ScimStore = {
    name: definition.name,
    // Every unit of work answers a keyset position, natively or in memory, so core may pass one.
    capabilities: { supportsFilter, supportsSort, supportsKeyset: true },
    transaction: (tenantId, work, options) =>
      definition.transaction(
        tenantId,
        (inner) => work(new DerivedTransaction(tenantId, inner, supportsFilter, supportsSort, supportsKeyset)),
        { readOnly: options?.readOnly === true },
      ),
    findRecordByKey: (kind, key) => definition.findRecordByKey(kind, key),
  };
  const readLogAll = definition.readLogAll?.bind(definition);
  const close = definition.close?.bind(definition);
  return {
    ...store,
    ...(readLogAll ? { readLogAll } : {}),
    ...(definition.feed ? { feed: definition.feed } : {}),
    ...(close ? { close } : {}),
  };
}
