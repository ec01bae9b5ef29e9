/**
 * The memory store's data structures for one tenant: resources by id per type, secondary indexes for
 * the lookups IdPs make on every sync (userName, externalId, displayName), and membership both
 * ways (group → members, member → groups) so one member change is one map operation.
 */
import { SortedIndex } from "./memory-sorted-index.js";
import type { Member, StoredResource } from "./types.js";

/** Attributes the memory store indexes for `eq`, with whether the index is case-insensitive. */
export const indexedAttributes: Readonly<Record<string, readonly (readonly [name: string, caseInsensitive: boolean])[]>> = {
  User: [
    ["userName", true],
    ["externalId", false],
  ],
  Group: [
    ["displayName", true],
    ["externalId", false],
  ],
};

const indexKey = (value: unknown, ci: boolean): string | undefined =>
  typeof value === "string" ? (ci ? value.toLowerCase() : value) : undefined;

export class TypeTable {
  readonly byId = new Map<string, StoredResource>();
  readonly byUnique = new Map<string, string>();
  /** attribute → normalised value → id, or ids when several share the value (a Set per key would cost 100+ bytes each) */
  readonly indexes = new Map<string, Map<string, string | Set<string>>>();
  /** Case-insensitive indexed attributes also keep a sorted list for `sw`. */
  readonly prefixIndexes = new Map<string, SortedIndex>();
  /** Ids in insertion order, for paging without walking the map; rebuilt after a removal. */
  #order: string[] | null = [];

  constructor(readonly type: string) {
    for (const [name, ci] of indexedAttributes[type] ?? []) {
      this.indexes.set(name, new Map());
      if (ci) this.prefixIndexes.set(name, new SortedIndex());
    }
  }

  /** Ids in insertion order (the contract's default order). */
  orderedIds(): readonly string[] {
    if (!this.#order) this.#order = [...this.byId.keys()];
    return this.#order;
  }

  /** Ids whose case-insensitive indexed `attribute` starts with `prefix`; undefined if not indexed. */
  prefix(attribute: string, prefix: string): string[] | undefined {
    return this.prefixIndexes.get(attribute)?.withPrefix(prefix.toLowerCase());
  }

  insert(r: StoredResource): void {
    const isNew = !this.byId.has(r.id);
    this.byId.set(r.id, r);
    if (isNew) this.#order?.push(r.id);
    if (r.uniqueKey !== null) this.byUnique.set(r.uniqueKey, r.id);
    this.#index(r, 1);
  }

  /** Swaps a stored object for its next version in place, keeping its position in insertion order. */
  update(current: StoredResource, next: StoredResource): void {
    if (current.uniqueKey !== next.uniqueKey) {
      if (current.uniqueKey !== null && this.byUnique.get(current.uniqueKey) === current.id) this.byUnique.delete(current.uniqueKey);
      if (next.uniqueKey !== null) this.byUnique.set(next.uniqueKey, next.id);
    }
    // Only keys that changed move: most updates (PATCH active, a new name) touch no indexed value,
    // and moving an unchanged userName would cost two sorted-index operations for nothing.
    for (const [name, ci] of indexedAttributes[this.type] ?? []) {
      const before = indexKey(current.attributes[name], ci);
      const after = indexKey(next.attributes[name], ci);
      if (before === after) continue;
      if (before !== undefined) this.#indexOne(name, before, current.id, -1);
      if (after !== undefined) this.#indexOne(name, after, next.id, 1);
    }
    this.byId.set(next.id, next);
  }

  /** Re-sorts `byId` into (created, id) order, after a rolled-back delete put an entry back at the end. */
  restoreOrder(order: (a: StoredResource, b: StoredResource) => number): void {
    this.#order = null;
    const all = [...this.byId.values()].sort(order);
    this.byId.clear();
    for (const r of all) this.byId.set(r.id, r);
  }

  remove(r: StoredResource): void {
    this.byId.delete(r.id);
    this.#order = null;
    if (r.uniqueKey !== null && this.byUnique.get(r.uniqueKey) === r.id) this.byUnique.delete(r.uniqueKey);
    this.#index(r, -1);
  }

  /** Ids whose indexed `attribute` equals `value` under the index's case rule; undefined if not indexed. */
  lookup(attribute: string, value: string): ReadonlySet<string> | undefined {
    const index = this.indexes.get(attribute);
    if (!index) return undefined;
    const ci = indexedAttributes[this.type]?.find(([n]) => n === attribute)?.[1] ?? false;
    const hit = index.get(ci ? value.toLowerCase() : value);
    return hit === undefined ? new Set() : typeof hit === "string" ? new Set([hit]) : hit;
  }

  #index(r: StoredResource, direction: 1 | -1): void {
    for (const [name, ci] of indexedAttributes[this.type] ?? []) {
      const key = indexKey(r.attributes[name], ci);
      if (key !== undefined) this.#indexOne(name, key, r.id, direction);
    }
  }

  #indexOne(name: string, key: string, id: string, direction: 1 | -1): void {
    const index = this.indexes.get(name);
    if (!index) return;
    const sorted = this.prefixIndexes.get(name);
    if (sorted) {
      if (direction === 1) sorted.add(key, id);
      else sorted.delete(key, id);
    }
    const ids = index.get(key);
    if (direction === 1) {
      if (ids === undefined || ids === id) index.set(key, id);
      else if (typeof ids === "string") index.set(key, new Set([ids, id]));
      else ids.add(id);
    } else if (ids === id) {
      index.delete(key);
    } else if (typeof ids === "object") {
      ids.delete(id);
      if (ids.size === 1) index.set(key, [...ids][0] ?? "");
    }
  }
}

export class TenantData {
  readonly tables = new Map<string, TypeTable>();
  /** groupId → memberId → member */
  readonly members = new Map<string, Map<string, Member>>();
  /** memberId → groupIds */
  readonly memberOf = new Map<string, Set<string>>();

  table(type: string): TypeTable {
    let t = this.tables.get(type);
    if (!t) this.tables.set(type, (t = new TypeTable(type)));
    return t;
  }

  link(groupId: string, member: Member): void {
    let list = this.members.get(groupId);
    if (!list) this.members.set(groupId, (list = new Map()));
    list.set(member.value, member);
    let groups = this.memberOf.get(member.value);
    if (!groups) this.memberOf.set(member.value, (groups = new Set()));
    groups.add(groupId);
  }

  unlink(groupId: string, memberId: string): Member | undefined {
    const list = this.members.get(groupId);
    const member = list?.get(memberId);
    if (!member || !list) return undefined;
    list.delete(memberId);
    if (list.size === 0) this.members.delete(groupId);
    const groups = this.memberOf.get(memberId);
    groups?.delete(groupId);
    if (groups?.size === 0) this.memberOf.delete(memberId);
    return member;
  }
}
