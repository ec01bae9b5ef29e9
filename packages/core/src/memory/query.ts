/**
 * Query evaluation for the memory store: an index lookup when the filter pins an indexed attribute
 * with `eq` or `sw` (alone, as one conjunct of an `and`, or inside a value path), otherwise a scan;
 * then sort and page. Without a filter or sort, a page is read straight from insertion order.
 */
import type { Filter } from "../filter/ast.js";
import { sortValue } from "../filter/evaluate.js";
import { compareSortKeys, pageRange } from "../store/in-memory.js";
import type { TypeTable } from "./tables.js";
import { resourceView } from "../store/view.js";
import type { JsonObject, QueryResult, StoreQuery, StoredResource } from "../store/types.js";

type Evaluate = (filter: Filter, view: JsonObject) => boolean;

const views = new WeakMap<StoredResource, JsonObject>();

/** Views are cached per stored object: stored resources are immutable, so a cached view never goes stale. */
export function cachedView(r: StoredResource): JsonObject {
  let v = views.get(r);
  if (!v) views.set(r, (v = resourceView(r)));
  return v;
}

/**
 * Candidate ids from an index, or undefined when the filter must be evaluated by a scan. They are a
 * superset of the matches (every candidate is still evaluated): a case-insensitive index folds the
 * value, and `emails[type eq "work" and value eq "x"]` is served by the addresses alone.
 */
function indexCandidates(table: TypeTable, filter: Filter): ReadonlySet<string> | undefined {
  if (filter.kind === "and") {
    for (const f of filter.filters) {
      const c = indexCandidates(table, f);
      if (c) return c;
    }
    return undefined;
  }
  // A resource matches `attr[inner]` only through one value of `attr` that matches `inner`.
  if (filter.kind === "valuePath") return indexCandidates(table, filter.filter);
  if (filter.kind !== "compare" || typeof filter.value !== "string") return undefined;
  if (filter.attr.extension) return undefined;
  const path = filter.attr.sub === undefined ? filter.attr.name : `${filter.attr.name}.${filter.attr.sub}`;
  if (filter.op === "sw") {
    const ids = table.prefix(path, filter.value);
    return ids ? new Set(ids) : undefined;
  }
  if (filter.op !== "eq") return undefined;
  if (path === "id") return new Set(table.byId.has(filter.value) ? [filter.value] : []);
  return table.lookup(path, filter.value);
}

export function queryTable(
  table: TypeTable,
  query: StoreQuery,
  forFilter: (r: StoredResource) => StoredResource,
  evaluate: Evaluate,
): QueryResult {
  const { filter, sort } = query;
  if (!filter && !sort) {
    const resources: StoredResource[] = [];
    const order = table.orderedIds();
    // Insertion order is (created, id) order, so a keyset position is found by binary search.
    const [from, to] = pageRange(order, query, (id) => keyOf(table.byId.get(id)));
    for (let i = from; i < to; i++) {
      const r = table.byId.get(order[i] ?? "");
      if (r) resources.push(r);
    }
    return { resources, total: table.byId.size };
  }
  let matches: StoredResource[] = [];
  if (filter) {
    const ids = indexCandidates(table, filter);
    const candidates: Iterable<StoredResource> = ids
      ? [...ids].flatMap((id) => table.byId.get(id) ?? []).sort(defaultOrder)
      : table.byId.values();
    for (const r of candidates) {
      const subject = forFilter(r);
      if (evaluate(filter, subject === r ? cachedView(r) : resourceView(subject))) matches.push(r);
    }
  } else matches = [...table.byId.values()];
  const keyed = matches.map((r) => ({ r, key: sort ? sortValue(sort.by, cachedView(r)) : undefined }));
  if (sort) {
    keyed.sort((a, b) => compareSortKeys(sort, a.key, b.key));
    matches = keyed.map((k) => k.r);
  }
  // The matches stand in the query's full order (a stable sort over creation order), so a page
  // next to a keyset position is found by binary search.
  const [from, to] = pageRange(keyed, query, (k) => ({ value: k.key, created: k.r.created, id: k.r.id }));
  return { resources: query.count > 0 ? matches.slice(from, to) : [], total: matches.length };
}

/** The keys of a resource in the default order (the insertion order holds live ids only). */
function keyOf(r: StoredResource | undefined): { value: undefined; created: string; id: string } {
  return { value: undefined, created: r?.created ?? "", id: r?.id ?? "" };
}

/** The contract's default order: `created`, then `id` (core's ids are time-ordered, so this is also insertion order). */
export function defaultOrder(a: StoredResource, b: StoredResource): number {
  if (a.created !== b.created) return a.created < b.created ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
