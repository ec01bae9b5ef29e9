/**
 * The memory store's data structures for one tenant: resources by id per type, secondary indexes for
 * the lookups IdPs make on every sync (userName, externalId, displayName), and membership both
 * ways (group → members, member → groups) so one member change is one map operation.
 */
import { SortedIndex } from "./sorted-index.js";
import type { Member, StoredResource } from "../store/types.js";

/** Attributes the memory store indexes for `eq`, with whether the index is case-insensitive. */
export const indexedAttributes: Readonly<
  Record<string, readonly (readonly [name: string, caseInsensitive: boolean])[]>
> = {
  User: [
    ["userName", true],
    ["externalId", false],
  ],
  Group: [
    ["displayName", true],
    ["externalId", false],
  ],
};

/**
 * The index key of a value. A lower-cased key equal to the unique key is kept as that same string,
 * so a mixed-case userName's lower-case form is held once, not twice (an already lower-case value
 * is its own key: `toLowerCase` returns the same string then).
 */
function indexKey(value: unknown, ci: boolean, uniqueKey: string | null): string | undefined {
  if (typeof value !== "string") return undefined;
  if (!ci) return value;
  const key = value.toLowerCase();
  return key === uniqueKey ? uniqueKey : key;
}

/**
 * A map from a key to one id, or to a Set once several ids share it: most keys (a userName, a
 * user's groups) have one, and a Set per key would cost 100+ bytes each.
 */
type OneOrMany = Map<string, string | Set<string>>;

function addOne(map: OneOrMany, key: string, id: string): void {
  const ids = map.get(key);
  if (ids === undefined || ids === id) map.set(key, id);
  else if (typeof ids === "string") map.set(key, new Set([ids, id]));
  else ids.add(id);
}

function removeOne(map: OneOrMany, key: string, id: string): void {
  const ids = map.get(key);
  if (ids === id) map.delete(key);
  else if (typeof ids === "object") {
    ids.delete(id);
    if (ids.size === 1) map.set(key, [...ids][0] ?? "");
  }
}

function idsOf(map: OneOrMany, key: string): ReadonlySet<string> {
  const ids = map.get(key);
  return ids === undefined ? new Set() : typeof ids === "string" ? new Set([ids]) : ids;
}

export class TypeTable {
  readonly byId = new Map<string, StoredResource>();
  readonly byUnique = new Map<string, string>();
  /** attribute → normalised value → the id, or ids, holding it */
  readonly indexes = new Map<string, OneOrMany>();
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
      if (current.uniqueKey !== null && this.byUnique.get(current.uniqueKey) === current.id)
        this.byUnique.delete(current.uniqueKey);
      if (next.uniqueKey !== null) this.byUnique.set(next.uniqueKey, next.id);
    }
    // Only keys that changed move: most updates (PATCH active, a new name) touch no indexed value,
    // and moving an unchanged userName would cost two sorted-index operations for nothing.
    for (const [name, ci] of indexedAttributes[this.type] ?? []) {
      const before = indexKey(current.attributes[name], ci, current.uniqueKey);
      const after = indexKey(next.attributes[name], ci, next.uniqueKey);
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
    return idsOf(index, ci ? value.toLowerCase() : value);
  }

  #index(r: StoredResource, direction: 1 | -1): void {
    for (const [name, ci] of indexedAttributes[this.type] ?? []) {
      const key = indexKey(r.attributes[name], ci, r.uniqueKey);
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
    if (direction === 1) addOne(index, key, id);
    else removeOne(index, key, id);
  }
}

/**
 * A member as the memory store keeps it: a User member without a display value (what IdPs send
 * almost always) is kept as its type alone, so a 100,000-member group holds no object per member.
 */
type KeptMember = Member | Member["type"];

const keep = (m: Member): KeptMember => (m.display === undefined ? m.type : m);
const restore = (value: string, kept: KeptMember): Member => (typeof kept === "string" ? { value, type: kept } : kept);

export class TenantData {
  readonly tables = new Map<string, TypeTable>();
  /** groupId → memberId → member */
  readonly #members = new Map<string, Map<string, KeptMember>>();
  /** memberId → the group id, or ids, it belongs to */
  readonly #memberOf: OneOrMany = new Map();

  table(type: string): TypeTable {
    let t = this.tables.get(type);
    if (!t) this.tables.set(type, (t = new TypeTable(type)));
    return t;
  }

  /** The members of a group, in the order they were added. */
  membersOf(groupId: string): Member[] {
    const list = this.#members.get(groupId);
    const out: Member[] = [];
    if (list) for (const [value, kept] of list) out.push(restore(value, kept));
    return out;
  }

  isMember(groupId: string, memberId: string): boolean {
    return this.#members.get(groupId)?.has(memberId) ?? false;
  }

  /** The ids of the groups `memberId` belongs to directly. */
  groupIdsOf(memberId: string): string[] {
    return [...idsOf(this.#memberOf, memberId)];
  }

  /** Every group with members, for the snapshot. */
  *memberships(): IterableIterator<[groupId: string, members: Member[]]> {
    for (const groupId of this.#members.keys()) yield [groupId, this.membersOf(groupId)];
  }

  link(groupId: string, member: Member): void {
    // The member's id is kept as the stored resource's own id string, not the copy the request
    // parsed, so a membership costs no second copy of the id.
    const value = this.tables.get(member.type)?.byId.get(member.value)?.id ?? member.value;
    let list = this.#members.get(groupId);
    if (!list) this.#members.set(groupId, (list = new Map()));
    list.set(value, keep(member));
    addOne(this.#memberOf, value, groupId);
  }

  unlink(groupId: string, memberId: string): Member | undefined {
    const list = this.#members.get(groupId);
    const kept = list?.get(memberId);
    if (kept === undefined || !list) return undefined;
    list.delete(memberId);
    if (list.size === 0) this.#members.delete(groupId);
    removeOne(this.#memberOf, memberId, groupId);
    return restore(memberId, kept);
  }
}
