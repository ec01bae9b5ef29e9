/**
 * `defineStore`: what a store author writes is a small required core; core derives the rest.
 *
 * Required in every unit of work: resources (get, create, replace, delete, query), membership
 * changes (add, remove), records (get, put, delete, list) and logs (append, read); and on the
 * store, `transaction` and `findRecordByKey`. Derived when absent, and worth providing only for
 * speed: `replaceMembers`, `hasMembers`, `existing`, `groupsOf`, `appendLogs`, the groups of
 * `projection.groups`, and evaluating any filter or sort the store does not declare it supports.
 */
import type { Filter, Sort } from "../filter/ast.js";
import { SchemaRegistry, type AttributeRef } from "../schema/registry.js";
import { answerQuery } from "./in-memory.js";
import type { FeedStore, GlobalLogQuery, TenantLogEntry } from "./feed.js";
import {
  VersionConflictError,
  type LogName,
  type Membership,
  type ResourceTypeId,
  type ScimStore,
  type StoreCapabilities,
  type StoreRecord,
  type StoreTransaction,
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
   * The filters and sorts the store evaluates itself. One left out is evaluated by core in memory
   * over the store's unfiltered, unsorted listing: correct for any store, fast only for small ones.
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

/**
 * A unit of work as core sees it: the store's own operations, and the derived ones where it has
 * none. Plain closures, not a class: callers may wrap a unit of work (`Object.create(tx)`, a
 * spread) and its methods must not depend on `this`.
 */
function defined(
  tenantId: string,
  inner: TransactionDefinition,
  supportsFilter: FilterCapability,
  supportsSort: SortCapability,
): StoreTransaction {
  /** Derived: one `members.value eq <id>` query per id when the store evaluates that filter, else one read of every group with its members. */
  const groupsOf = async (memberIds: readonly string[]): Promise<ReadonlyMap<string, readonly Membership[]>> => {
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
  };
  const source = { queryResources: inner.queryResources.bind(inner), groupsOf };

  return {
    tenantId,
    ...(inner.native !== undefined ? { native: inner.native } : {}),
    async getResource(type, id, projection) {
      const found = await inner.getResource(type, id, projection);
      if (!found || !projection?.groups || found.groups !== undefined) return found;
      return { ...found, groups: (await groupsOf([id])).get(id) ?? [] };
    },
    createResource: (resource) => inner.createResource(resource),
    replaceResource: (resource, guard) => inner.replaceResource(resource, guard),
    deleteResource: (type, id, guard) => inner.deleteResource(type, id, guard),
    async queryResources(type, query) {
      const push = {
        filter: query.filter === undefined || supportsFilter(query.filter, type),
        sort: query.sort === undefined || supportsSort(query.sort, type),
      };
      if (push.filter && push.sort && !query.projection?.groups) return inner.queryResources(type, query);
      return answerQuery(source, type, query, push);
    },
    addMembers: (groupId, members, write) => inner.addMembers(groupId, members, write),
    removeMembers: (groupId, memberIds, write) => inner.removeMembers(groupId, memberIds, write),
    /**
     * Derived: reads the members, then removes those not wanted and adds the new ones. The guard is
     * checked against the group read, and again by the first write (which sets the new version, so
     * the second is guarded by that one).
     */
    async replaceMembers(groupId, members, write) {
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
    },
    /** Derived: one read of the group's members. */
    async hasMembers(groupId, memberIds) {
      if (inner.hasMembers) return inner.hasMembers(groupId, memberIds);
      if (memberIds.length === 0) return [];
      const group = await inner.getResource("Group", groupId, { members: true });
      const present = new Set((group?.members ?? []).map((m) => m.value));
      return memberIds.filter((id) => present.has(id));
    },
    groupsOf,
    /** Derived: one point read per id. */
    async existing(type, ids) {
      if (inner.existing) return inner.existing(type, ids);
      const found: string[] = [];
      for (const id of ids) if (await inner.getResource(type, id)) found.push(id);
      return found;
    },
    getRecord: (kind, id) => inner.getRecord(kind, id),
    putRecord: (kind, record) => inner.putRecord(kind, record),
    deleteRecord: (kind, id) => inner.deleteRecord(kind, id),
    listRecords: (kind) => inner.listRecords(kind),
    appendLog: (log, entry) => inner.appendLog(log, entry),
    /** Derived: one `appendLog` per entry, in order. */
    async appendLogs(entries) {
      if (inner.appendLogs) return inner.appendLogs(entries);
      const seqs: number[] = [];
      for (const { log, entry } of entries) seqs.push(await inner.appendLog(log, entry));
      return seqs;
    },
    readLog: (log, query) => inner.readLog(log, query),
  };
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
  const store: ScimStore = {
    name: definition.name,
    capabilities: { supportsFilter, supportsSort },
    transaction: (tenantId, work, options) =>
      definition.transaction(tenantId, (inner) => work(defined(tenantId, inner, supportsFilter, supportsSort)), {
        readOnly: options?.readOnly === true,
      }),
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
