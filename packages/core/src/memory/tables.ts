/**
 * The memory store's data structures for one tenant: resources by id per type, secondary indexes for
 * the lookups IdPs make (userName, externalId, displayName, name.familyName, e-mail addresses), and
 * membership both ways (group → members, member → groups) so one member change is one map operation.
 */
import { SortedIndex } from "./sorted-index.js";
import type { JsonObject, Member, StoredResource } from "../store/types.js";

/** An index's keys of one resource: none, one, or several (a multi-valued attribute). */
type Keys = string | readonly string[] | undefined;

interface IndexSpec {
  /** Keys are lower-cased, and `sw` is served from a sorted list of them. */
  readonly caseInsensitive: boolean;
  /**
   * Built with the table and kept from the start: the lookups every sync makes. The others are
   * built the first time a filter asks for them (one pass over the table, which that filter would
   * have cost anyway) and kept from then on, so a host that never filters on them pays nothing.
   */
  readonly eager: boolean;
  readonly values: (attributes: JsonObject) => unknown;
}

const top =
  (name: string) =>
  (a: JsonObject): unknown =>
    a[name];
/** `sub` of a complex value; undefined for anything else. */
const pick = (v: unknown, sub: string): unknown =>
  v !== null && typeof v === "object" && !Array.isArray(v) ? (v as JsonObject)[sub] : undefined;
const subOf =
  (name: string, sub: string) =>
  (a: JsonObject): unknown =>
    pick(a[name], sub);
const eachSubOf =
  (name: string, sub: string) =>
  (a: JsonObject): unknown => {
    const v = a[name];
    return Array.isArray(v) ? v.map((e) => pick(e, sub)) : undefined;
  };

/** What the memory store indexes, by filter path (`name.familyName` for a sub-attribute). */
const INDEXES: Readonly<Record<string, Readonly<Record<string, IndexSpec>>>> = {
  User: {
    userName: { caseInsensitive: true, eager: true, values: top("userName") },
    externalId: { caseInsensitive: false, eager: true, values: top("externalId") },
    displayName: { caseInsensitive: true, eager: false, values: top("displayName") },
    "name.familyName": { caseInsensitive: true, eager: false, values: subOf("name", "familyName") },
    "emails.value": { caseInsensitive: true, eager: false, values: eachSubOf("emails", "value") },
  },
  Group: {
    displayName: { caseInsensitive: true, eager: true, values: top("displayName") },
    externalId: { caseInsensitive: false, eager: true, values: top("externalId") },
  },
};

/**
 * The index key of a value. A lower-cased key equal to the unique key is kept as that same string,
 * so a mixed-case userName's lower-case form is held once, not twice (an already lower-case value
 * is its own key: `toLowerCase` returns the same string then).
 */
function keyOf(value: unknown, ci: boolean, uniqueKey: string | null): string | undefined {
  if (typeof value !== "string") return undefined;
  if (!ci) return value;
  const key = value.toLowerCase();
  return key === uniqueKey ? uniqueKey : key;
}

function keysOf(spec: IndexSpec, r: StoredResource): Keys {
  const v = spec.values(r.attributes);
  if (!Array.isArray(v)) return keyOf(v, spec.caseInsensitive, r.uniqueKey);
  const keys: string[] = [];
  for (const item of v) {
    const key = keyOf(item, spec.caseInsensitive, r.uniqueKey);
    // Two addresses that fold alike are one key: each (key, id) pair is held once.
    if (key !== undefined && !keys.includes(key)) keys.push(key);
  }
  return keys;
}

const sameKeys = (a: Keys, b: Keys): boolean =>
  a === b || (Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((k, i) => k === b[i]));

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

/** One built index: key → ids, and for a case-insensitive one the sorted keys for `sw`. */
interface Index {
  readonly spec: IndexSpec;
  readonly byKey: OneOrMany;
  readonly sorted: SortedIndex | undefined;
}

export class TypeTable {
  readonly byId = new Map<string, StoredResource>();
  readonly byUnique = new Map<string, string>();
  /** The indexes built so far, by filter path. */
  readonly #indexes = new Map<string, Index>();
  /** The same, as a list: the write path walks it on every insert and update. */
  #built: Index[] = [];
  /** Ids in insertion order, for paging without walking the map; rebuilt after a removal. */
  #order: string[] | null = [];

  constructor(readonly type: string) {
    for (const [path, spec] of Object.entries(INDEXES[type] ?? {})) if (spec.eager) this.#build(path, spec);
  }

  /** Ids in insertion order (the contract's default order). */
  orderedIds(): readonly string[] {
    if (!this.#order) this.#order = [...this.byId.keys()];
    return this.#order;
  }

  /** Ids whose case-insensitive indexed `path` starts with `prefix`; undefined if not so indexed. */
  prefix(path: string, prefix: string): string[] | undefined {
    return this.#index(path)?.sorted?.withPrefix(prefix.toLowerCase());
  }

  /** Ids whose indexed `path` equals `value` under the index's case rule; undefined if not indexed. */
  lookup(path: string, value: string): ReadonlySet<string> | undefined {
    const index = this.#index(path);
    if (!index) return undefined;
    return idsOf(index.byKey, index.spec.caseInsensitive ? value.toLowerCase() : value);
  }

  insert(r: StoredResource): void {
    const isNew = !this.byId.has(r.id);
    this.byId.set(r.id, r);
    if (isNew) this.#order?.push(r.id);
    if (r.uniqueKey !== null) this.byUnique.set(r.uniqueKey, r.id);
    for (const index of this.#built) TypeTable.#apply(index, keysOf(index.spec, r), r.id, 1);
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
    for (const index of this.#built) {
      const before = keysOf(index.spec, current);
      const after = keysOf(index.spec, next);
      if (sameKeys(before, after)) continue;
      TypeTable.#apply(index, before, current.id, -1);
      TypeTable.#apply(index, after, next.id, 1);
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
    for (const index of this.#built) TypeTable.#apply(index, keysOf(index.spec, r), r.id, -1);
  }

  /** The index of `path`, built now if this is its first use; undefined if `path` is not indexed. */
  #index(path: string): Index | undefined {
    const built = this.#indexes.get(path);
    if (built) return built;
    const spec = INDEXES[this.type]?.[path];
    return spec ? this.#build(path, spec) : undefined;
  }

  #build(path: string, spec: IndexSpec): Index {
    const index: Index = {
      spec,
      byKey: new Map(),
      sorted: spec.caseInsensitive ? new SortedIndex() : undefined,
    };
    for (const r of this.byId.values()) TypeTable.#apply(index, keysOf(spec, r), r.id, 1);
    this.#indexes.set(path, index);
    this.#built = [...this.#built, index];
    return index;
  }

  static #apply(index: Index, keys: Keys, id: string, direction: 1 | -1): void {
    if (keys === undefined) return;
    if (typeof keys === "string") TypeTable.#applyOne(index, keys, id, direction);
    else for (const key of keys) TypeTable.#applyOne(index, key, id, direction);
  }

  static #applyOne(index: Index, key: string, id: string, direction: 1 | -1): void {
    if (direction === 1) {
      index.sorted?.add(key, id);
      addOne(index.byKey, key, id);
    } else {
      index.sorted?.delete(key, id);
      removeOne(index.byKey, key, id);
    }
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
