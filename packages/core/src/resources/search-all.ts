/**
 * RFC 7644 §3.4.3 search at the base URL: one result list over Users then Groups. A filter that
 * names an attribute one type lacks simply matches nothing of that type; a filter valid for no type
 * is a 400 `invalidFilter`. `sortBy` is refused here (400) rather than ignored: one order across
 * resource types that share few attributes has no meaning the RFC defines, and a client asking for
 * an order must not silently get another; `/Users/.search` and `/Groups/.search` sort. Paging is
 * by index or, with RFC 9865's `cursor`, by keyset across the two types in turn.
 */
import { badRequest } from "../errors.js";
import { parseFilter } from "../filter/parse.js";
import { issueCursor, openCursor } from "../query/cursor.js";
import { cursorListResponse, listResponse } from "../query/list-response.js";
import type { ListParams } from "../query/list-params.js";
import { compileProjection } from "../query/projection.js";
import type { JsonObject, JsonValue, StoredResource } from "../store/types.js";
import type { OperationContext } from "./context.js";
import { positionOf, runQuery } from "./read.js";
import { renderResource } from "./render.js";

export async function searchAll(ctx: OperationContext, params: ListParams): Promise<JsonObject> {
  if (params.sortBy !== undefined) {
    throw badRequest(
      "invalidValue",
      "sortBy is not supported by a search at the base URL; search /Users/.search or /Groups/.search to sort",
    );
  }
  const types = ["User", "Group"];
  const filters = types.map((t) =>
    params.filter === undefined ? undefined : parseFilter(ctx.registry, t, params.filter, ctx.tol),
  );
  if (filters.every((f) => f !== undefined && !f.ok)) {
    const first = filters[0];
    throw badRequest("invalidFilter", first && !first.ok ? first.error : "invalid filter");
  }
  if (params.cursor !== undefined) return searchAllByCursor(ctx, params, params.cursor, types, filters);
  const out: JsonValue[] = [];
  let total = 0;
  let skip = params.startIndex - 1;
  for (const [i, typeId] of types.entries()) {
    const parsed = filters[i];
    if (parsed !== undefined && !parsed.ok) continue;
    const projection = compileProjection(ctx.registry, typeId, params);
    const want = Math.max(0, params.count - out.length);
    const result = await runQuery(ctx, typeId, {
      filter: parsed?.value,
      startIndex: skip + 1,
      count: want,
      projection: { members: typeId === "Group" && projection.wants("members") },
    });
    total += result.total;
    skip = Math.max(0, skip - result.total);
    // Users show their groups here as everywhere else.
    const groups =
      typeId === "User" && projection.wants("groups") && result.resources.length > 0
        ? await ctx.tx.groupsOf(result.resources.map((r) => r.id))
        : undefined;
    for (const r of result.resources)
      out.push(projection.apply(renderResource(ctx.registry, r, ctx.baseUrl, groups?.get(r.id))));
  }
  return listResponse(out, total, params.startIndex);
}

/**
 * The same walk by cursor (RFC 9865): the position names the type it stands in, so a page that
 * ends in the Users resumes there, and one that ends in the Groups skips the Users (counting them
 * only, for `totalResults`).
 */
async function searchAllByCursor(
  ctx: OperationContext,
  params: ListParams,
  cursor: string,
  types: readonly string[],
  filters: readonly (ReturnType<typeof parseFilter> | undefined)[],
): Promise<JsonObject> {
  const scope = { scope: "*", filter: params.filter, sortBy: undefined, sortOrder: params.sortOrder };
  const now = ctx.settings.now().getTime();
  const at = openCursor(cursor, scope, params.count, now);
  const from = at ? types.indexOf(at.type ?? "") : 0;
  // This search offers no previousCursor: one that claims to be is not one this server issued.
  if (from < 0 || at?.backwards)
    throw badRequest("invalidCursor", "The cursor is not one this server issued for this search");
  // One more than the page tells whether a next page exists.
  const wanted = params.count === 0 ? 0 : params.count + 1;
  const found: { typeId: string; resource: StoredResource }[] = [];
  let total = 0;
  for (const [i, typeId] of types.entries()) {
    const parsed = filters[i];
    if (parsed !== undefined && !parsed.ok) continue;
    const projection = compileProjection(ctx.registry, typeId, params);
    const result = await runQuery(ctx, typeId, {
      filter: parsed?.value,
      startIndex: 1,
      count: i < from ? 0 : Math.max(0, wanted - found.length),
      after: i === from && at ? { created: at.created, id: at.id } : undefined,
      projection: { members: typeId === "Group" && projection.wants("members") },
    });
    total += result.total;
    for (const resource of result.resources) found.push({ typeId, resource });
  }
  const page = found.slice(0, params.count);
  const last = page[page.length - 1];
  const next =
    found.length > params.count && last
      ? issueCursor(positionOf(last.resource, undefined, last.typeId), scope, params.count, now)
      : undefined;
  const out: JsonValue[] = [];
  for (const typeId of types) {
    const mine = page.filter((f) => f.typeId === typeId).map((f) => f.resource);
    if (mine.length === 0) continue;
    const projection = compileProjection(ctx.registry, typeId, params);
    const groups =
      typeId === "User" && projection.wants("groups") ? await ctx.tx.groupsOf(mine.map((r) => r.id)) : undefined;
    for (const r of mine) out.push(projection.apply(renderResource(ctx.registry, r, ctx.baseUrl, groups?.get(r.id))));
  }
  return cursorListResponse(out, total, next);
}
