/**
 * Query evaluation in memory, for the parts of a query a store leaves to core: the filter, the
 * sort, or both. The store lists candidates (with whatever it does evaluate pushed down), and
 * filtering, ordering and paging happen here over the same client-visible view the SQL push-down
 * answers from, so both give the same results.
 */
import type { Filter, Sort } from "../filter/ast.js";
import { compareForSort, evaluateFilter, sortValue } from "../filter/evaluate.js";
import type { JsonObject, JsonValue } from "../json.js";
import type {
  KeysetPosition,
  Membership,
  Projection,
  QueryResult,
  ResourceTypeId,
  StoreQuery,
  StoreTransaction,
  StoredResource,
} from "./types.js";
import { resourceView } from "./view.js";

/** The part of a query {@link queryInMemory} evaluates: no projection, since the resources are loaded. */
export type InMemoryQuery = Pick<StoreQuery, "filter" | "sort" | "startIndex" | "count" | "after" | "before">;

/**
 * Orders two sort keys: missing values last in either direction, present ones in the requested
 * order. Callers keep ties in the contract's default order (`created`, then `id`) with a stable sort.
 */
export function compareSortKeys(sort: Sort, a: JsonValue | undefined, b: JsonValue | undefined): number {
  if (a === undefined || b === undefined) return compareForSort(sort.by.leaf, a, b);
  return (sort.order === "descending" ? -1 : 1) * compareForSort(sort.by.leaf, a, b);
}

/**
 * Where a resource with sort value `value` stands against a keyset position, in the order of
 * `sort` then `created` then `id`: negative before it, positive after it, 0 at it.
 */
export function compareToPosition(
  sort: Sort | undefined,
  value: JsonValue | undefined,
  created: string,
  id: string,
  at: KeysetPosition,
): number {
  if (sort) {
    const bySort = compareSortKeys(sort, value, at.value);
    if (bySort !== 0) return bySort;
  }
  if (created !== at.created) return created < at.created ? -1 : 1;
  return id < at.id ? -1 : id > at.id ? 1 : 0;
}

/**
 * The index of the first of `ordered` (in the query's full order) that stands after `at`; binary
 * search, since a keyset page must not cost a walk from the start.
 */
export function firstAfter<T>(
  ordered: readonly T[],
  at: KeysetPosition,
  keyOf: (item: T) => { value: JsonValue | undefined; created: string; id: string },
  sort: Sort | undefined,
  inclusive = false,
): number {
  let lo = 0;
  let hi = ordered.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const k = keyOf(ordered[mid] as T);
    const c = compareToPosition(sort, k.value, k.created, k.id, at);
    if (c < 0 || (c === 0 && !inclusive)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The `[from, to)` range of `ordered` a query's page covers: from `startIndex`, after `after`, or
 * the last `count` before `before`.
 */
export function pageRange<T>(
  ordered: readonly T[],
  query: Pick<StoreQuery, "startIndex" | "count" | "after" | "before" | "sort">,
  keyOf: (item: T) => { value: JsonValue | undefined; created: string; id: string },
): readonly [number, number] {
  const count = Math.max(0, query.count);
  if (query.before) {
    const to = firstAfter(ordered, query.before, keyOf, query.sort, true);
    return [Math.max(0, to - count), to];
  }
  const from = query.after ? firstAfter(ordered, query.after, keyOf, query.sort) : Math.max(0, query.startIndex - 1);
  return [from, Math.min(ordered.length, from + count)];
}

/**
 * Filters, sorts and pages `resources`, which must be in the contract's default order (or already
 * in `query.sort`'s order when the query carries no sort). A filter on `members` needs the
 * resources loaded with their members.
 *
 * @example
 * const all = await tx.queryResources("User", { startIndex: 1, count: Number.MAX_SAFE_INTEGER });
 * queryInMemory(all.resources, { filter, sort, startIndex: 1, count: 100 });
 */
export function queryInMemory(
  resources: readonly StoredResource[],
  query: InMemoryQuery,
  view: (r: StoredResource) => JsonObject = resourceView,
): QueryResult {
  const { filter, sort } = query;
  let matches = filter ? resources.filter((r) => evaluateFilter(filter, view(r))) : [...resources];
  const keyed = matches.map((r) => ({ r, key: sort ? sortValue(sort.by, view(r)) : undefined }));
  if (sort) keyed.sort((a, b) => compareSortKeys(sort, a.key, b.key));
  matches = keyed.map((k) => k.r);
  const [from, to] = pageRange(keyed, query, (k) => ({ value: k.key, created: k.r.created, id: k.r.id }));
  return { resources: query.count > 0 ? matches.slice(from, to) : [], total: matches.length };
}

/** True when `filter` reads `members`, so the candidates it is evaluated on need their members loaded. */
export function referencesMembers(filter: Filter | undefined): boolean {
  if (!filter) return false;
  switch (filter.kind) {
    case "and":
    case "or":
      return filter.filters.some(referencesMembers);
    case "not":
      return referencesMembers(filter.filter);
    default:
      return filter.attr.name === "members" && !filter.attr.extension;
  }
}

/** What {@link answerQuery} reads through: a unit of work, or the part of one a store implements. */
export type QuerySource = Pick<StoreTransaction, "queryResources" | "groupsOf">;

/**
 * Answers `query` from `source`, pushing down what `push` says the store evaluates and doing the
 * rest in memory. Members are loaded only when the filter or sort reads them or the page shows
 * them; the groups of `projection.groups` are read for the page only, and only when the store did
 * not return them itself.
 */
export async function answerQuery(
  source: QuerySource,
  type: ResourceTypeId,
  query: StoreQuery,
  push: { readonly filter: boolean; readonly sort: boolean; readonly keyset?: boolean | undefined },
): Promise<QueryResult> {
  const keyset = (query.after === undefined && query.before === undefined) || push.keyset !== false;
  if (push.filter && push.sort && keyset)
    return withGroups(source, await source.queryResources(type, query), query.projection);
  const filter = push.filter ? undefined : query.filter;
  // A filter keeps the relative order of what it keeps, so a sort the store supports is still
  // pushed down when the filter is not. A keyset position left to core needs the sort here too, to
  // compare against (re-sorting what is already in that order keeps it as it is).
  const sort = push.sort && keyset ? undefined : query.sort;
  const showMembers = query.projection?.members === true;
  const loadMembers = showMembers || referencesMembers(filter) || sort?.by.name === "members";
  const candidates = await source.queryResources(type, {
    filter: push.filter ? query.filter : undefined,
    sort: push.sort ? query.sort : undefined,
    startIndex: 1,
    count: Number.MAX_SAFE_INTEGER,
    projection: loadMembers ? { members: true } : undefined,
  });
  const page = queryInMemory(candidates.resources, {
    filter,
    sort,
    startIndex: query.startIndex,
    count: query.count,
    after: query.after,
    before: query.before,
  });
  const resources =
    showMembers || !loadMembers ? page.resources : page.resources.map(({ members: _members, ...r }) => r);
  return withGroups(source, { total: page.total, resources }, query.projection);
}

/** Fills `groups` from `groupsOf` on the resources that lack it, when the projection asks for it. */
export async function withGroups(
  source: Pick<StoreTransaction, "groupsOf">,
  result: QueryResult,
  projection: Projection | undefined,
): Promise<QueryResult> {
  if (!projection?.groups) return result;
  const missing = result.resources.filter((r) => r.groups === undefined).map((r) => r.id);
  if (missing.length === 0) return result;
  const groups = await source.groupsOf(missing);
  const none: readonly Membership[] = [];
  return {
    total: result.total,
    resources: result.resources.map((r) => (r.groups === undefined ? { ...r, groups: groups.get(r.id) ?? none } : r)),
  };
}
