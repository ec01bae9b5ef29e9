/** RFC 7644 §3.4: retrieving one resource, and listing/searching with filter, sort and paging. */
import type { Filter, Sort } from "../filter/ast.js";
import { evaluateFilter, compareForSort, sortValue } from "../filter/evaluate.js";
import { parseFilter } from "../filter/parse.js";
import { badRequest } from "../errors.js";
import { isHidden } from "../schema/returned.js";
import type { ListParams } from "../query/list-params.js";
import type { Projector } from "../query/projection.js";
import { resourceView } from "../store/view.js";
import type { Membership, QueryResult, StoreQuery, StoredResource } from "../store/types.js";
import type { OperationContext } from "./context.js";
import { resourceNotFound } from "./errors.js";

export interface LoadedResource {
  readonly resource: StoredResource;
  /** The User's groups, when the response shows them. */
  readonly groups?: readonly Membership[] | undefined;
}

/** A resource with what the projection shows of it (members, a User's groups); null when absent. */
export async function findResource(ctx: OperationContext, typeId: string, id: string, projector: Projector): Promise<LoadedResource | null> {
  const resource = await ctx.tx.getResource(typeId, id, { members: typeId === "Group" && projector.wants("members") });
  if (!resource) return null;
  if (typeId !== "User" || !projector.wants("groups")) return { resource };
  const groups = (await ctx.tx.groupsOf([id])).get(id) ?? [];
  return { resource, groups };
}

export async function loadResource(ctx: OperationContext, typeId: string, id: string, projector: Projector): Promise<LoadedResource> {
  const loaded = await findResource(ctx, typeId, id, projector);
  if (!loaded) throw resourceNotFound(typeId, id);
  return loaded;
}

export function compileFilter(ctx: OperationContext, typeId: string, text: string): Filter {
  const parsed = parseFilter(ctx.registry, typeId, text, ctx.tol);
  if (!parsed.ok) throw badRequest("invalidFilter", parsed.error);
  return parsed.value;
}

export function compileSort(ctx: OperationContext, typeId: string, params: ListParams): Sort | undefined {
  if (params.sortBy === undefined) return undefined;
  const ref = ctx.registry.resolve(typeId, params.sortBy);
  if (!ref.ok) throw badRequest("invalidValue", `sortBy: ${ref.error}`);
  if (ref.value.leaf.type === "complex") throw badRequest("invalidValue", `sortBy: "${params.sortBy}" is a complex attribute`);
  // An order by a value no response shows would leak it, as a filter on it would.
  if (isHidden(ref.value.attribute) || isHidden(ref.value.leaf)) throw badRequest("invalidValue", `sortBy: attribute "${params.sortBy}" is never returned, so it cannot be sorted on`);
  return { by: ref.value, order: params.sortOrder };
}

/**
 * Runs a query, letting the store evaluate what it declares it can; otherwise core fetches the
 * unfiltered candidates and filters, sorts and pages them itself.
 */
export async function runQuery(ctx: OperationContext, typeId: string, query: StoreQuery): Promise<QueryResult> {
  const supports = query.filter ? ctx.supportsFilter(query.filter, typeId) : true;
  if (supports) return ctx.tx.queryResources(typeId, query);
  const all = await ctx.tx.queryResources(typeId, { startIndex: 1, count: Number.MAX_SAFE_INTEGER, projection: { members: true } });
  const filter = query.filter;
  let matches = all.resources.filter((r) => (filter ? evaluateFilter(filter, resourceView(r)) : true));
  if (query.sort) {
    const sort = query.sort;
    const sign = sort.order === "descending" ? -1 : 1;
    const keyed = matches.map((r) => ({ r, key: sortValue(sort.by, resourceView(r)) }));
    keyed.sort((a, b) =>
      a.key === undefined || b.key === undefined ? compareForSort(sort.by.leaf, a.key, b.key) : sign * compareForSort(sort.by.leaf, a.key, b.key),
    );
    matches = keyed.map((k) => k.r);
  }
  const skip = query.startIndex - 1;
  const page = query.count > 0 ? matches.slice(skip, skip + query.count) : [];
  const withMembers = query.projection?.members;
  return { total: matches.length, resources: withMembers ? page : page.map(({ members: _m, ...r }) => r) };
}

export interface ListResult {
  readonly total: number;
  readonly startIndex: number;
  readonly items: readonly LoadedResource[];
}

export async function listResources(ctx: OperationContext, typeId: string, params: ListParams, projector: Projector): Promise<ListResult> {
  const filter = params.filter !== undefined ? compileFilter(ctx, typeId, params.filter) : undefined;
  const sort = compileSort(ctx, typeId, params);
  const result = await runQuery(ctx, typeId, {
    filter,
    sort,
    startIndex: params.startIndex,
    count: params.count,
    projection: { members: typeId === "Group" && projector.wants("members") },
  });
  let groups: ReadonlyMap<string, readonly Membership[]> | undefined;
  if (typeId === "User" && projector.wants("groups") && result.resources.length > 0) {
    groups = await ctx.tx.groupsOf(result.resources.map((r) => r.id));
  }
  return {
    total: result.total,
    startIndex: params.startIndex,
    items: result.resources.map((resource) => ({ resource, groups: groups?.get(resource.id) })),
  };
}
