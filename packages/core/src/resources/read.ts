/** RFC 7644 §3.4: retrieving one resource, and listing/searching with filter, sort and paging. */
import type { Filter, Sort } from "../filter/ast.js";
import { parseFilter } from "../filter/parse.js";
import { badRequest } from "../errors.js";
import { isHidden } from "../schema/returned.js";
import { issueCursor, openCursor, type CursorPosition } from "../query/cursor.js";
import { sortValue } from "../filter/evaluate.js";
import type { ListParams } from "../query/list-params.js";
import { resourceView } from "../store/view.js";
import type { Projector } from "../query/projection.js";
import { answerQuery } from "../store/in-memory.js";
import type { KeysetPosition, Membership, QueryResult, StoreQuery, StoredResource } from "../store/types.js";
import type { OperationContext } from "./context.js";
import { resourceNotFound } from "./errors.js";

export interface LoadedResource {
  readonly resource: StoredResource;
  /** The User's groups, when the response shows them. */
  readonly groups?: readonly Membership[] | undefined;
}

/**
 * A resource with what the projection shows of it (members, a User's groups); null when absent.
 * One store read: a User's groups come with it (`projection.groups`).
 */
export async function findResource(
  ctx: OperationContext,
  typeId: string,
  id: string,
  projector: Projector,
): Promise<LoadedResource | null> {
  const groups = typeId === "User" && projector.wants("groups");
  const resource = await ctx.tx.getResource(typeId, id, {
    members: typeId === "Group" && projector.wants("members"),
    groups,
  });
  if (!resource) return null;
  if (!groups) return { resource };
  // A store object written without defineStore may not know `projection.groups` yet.
  return { resource, groups: resource.groups ?? (await ctx.tx.groupsOf([id])).get(id) ?? [] };
}

export async function loadResource(
  ctx: OperationContext,
  typeId: string,
  id: string,
  projector: Projector,
): Promise<LoadedResource> {
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
  if (ref.value.leaf.type === "complex")
    throw badRequest("invalidValue", `sortBy: "${params.sortBy}" is a complex attribute`);
  // An order by a value no response shows would leak it, as a filter on it would.
  if (isHidden(ref.value.attribute) || isHidden(ref.value.leaf))
    throw badRequest(
      "invalidValue",
      `sortBy: attribute "${params.sortBy}" is never returned, so it cannot be sorted on`,
    );
  return { by: ref.value, order: params.sortOrder };
}

/**
 * Runs a query, letting the store evaluate what it declares it can. What it cannot is done in
 * memory over the candidates it lists: the filter, the sort, or both. Members are loaded only when
 * the filter or sort reads them or the page shows them.
 */
export async function runQuery(ctx: OperationContext, typeId: string, query: StoreQuery): Promise<QueryResult> {
  const push = {
    filter: query.filter === undefined || ctx.supportsFilter(query.filter, typeId),
    sort: query.sort === undefined || ctx.supportsSort(query.sort, typeId),
  };
  return answerQuery(ctx.tx, typeId, query, push);
}

export interface ListResult {
  readonly total: number;
  readonly startIndex: number;
  readonly items: readonly LoadedResource[];
  /** Paged by cursor (RFC 9865): true, with the cursor of the next page unless this is the last. */
  readonly byCursor?: boolean | undefined;
  readonly nextCursor?: string | undefined;
  /** The cursor of the page before, on a cursor page that is not the first. */
  readonly previousCursor?: string | undefined;
}

/** The keyset position of a resource in the order of `sort` (then `created`, `id`). */
export function positionOf(r: StoredResource, sort: Sort | undefined, type?: string): CursorPosition {
  const value = sort ? sortValue(sort.by, resourceView(r)) : undefined;
  return {
    ...(type !== undefined ? { type } : {}),
    ...(value !== undefined ? { value } : {}),
    created: r.created,
    id: r.id,
  };
}

export async function listResources(
  ctx: OperationContext,
  typeId: string,
  params: ListParams,
  projector: Projector,
): Promise<ListResult> {
  const filter = params.filter !== undefined ? compileFilter(ctx, typeId, params.filter) : undefined;
  const sort = compileSort(ctx, typeId, params);
  const projection = {
    members: typeId === "Group" && projector.wants("members"),
    groups: typeId === "User" && projector.wants("groups"),
  };
  const loaded = (resources: readonly StoredResource[]) =>
    resources.map((resource) => ({ resource, groups: resource.groups }));
  if (params.cursor !== undefined) {
    const scope = { scope: typeId, filter: params.filter, sortBy: params.sortBy, sortOrder: params.sortOrder };
    const now = ctx.settings.now().getTime();
    const at = openCursor(params.cursor, scope, params.count, now);
    const position = at && {
      ...(at.value !== undefined ? { value: at.value } : {}),
      created: at.created,
      id: at.id,
    };
    const count = params.count;
    // One more than the page, in the same store call, tells whether a page lies beyond it.
    const ask = (side: { after?: KeysetPosition | undefined; before?: KeysetPosition | undefined }) =>
      runQuery(ctx, typeId, { filter, sort, startIndex: 1, count: count === 0 ? 0 : count + 1, ...side, projection });
    const cursor = (r: StoredResource | undefined, backwards: boolean) =>
      r && issueCursor({ ...positionOf(r, sort), ...(backwards ? { backwards } : {}) }, scope, count, now);
    let result = await ask(at?.backwards ? { before: position } : { after: position });
    let page: readonly StoredResource[];
    let next: string | undefined;
    let previous: string | undefined;
    if (at?.backwards && (result.resources.length > 0 || count === 0)) {
      // Read backwards, the extra resource is the first: a page lies before this one when it came.
      page = result.resources.slice(Math.max(0, result.resources.length - count));
      next = cursor(page[page.length - 1], false);
      previous = result.resources.length > count ? cursor(page[0], true) : undefined;
    } else {
      // Nothing before a previousCursor's position any more (deleted since): the walk starts again.
      if (at?.backwards) result = await ask({});
      page = result.resources.slice(0, count);
      next = result.resources.length > count ? cursor(page[page.length - 1], false) : undefined;
      previous = at && !at.backwards ? cursor(page[0], true) : undefined;
    }
    return {
      total: result.total,
      startIndex: 1,
      items: loaded(page),
      byCursor: true,
      nextCursor: next,
      previousCursor: previous,
    };
  }
  // A User page comes with its groups (`projection.groups`): one store call.
  const result = await runQuery(ctx, typeId, {
    filter,
    sort,
    startIndex: params.startIndex,
    count: params.count,
    projection,
  });
  return { total: result.total, startIndex: params.startIndex, items: loaded(result.resources) };
}
