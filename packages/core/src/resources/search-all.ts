/**
 * RFC 7644 §3.4.3 search at the base URL: one result list over Users then Groups. A filter that
 * names an attribute one type lacks simply matches nothing of that type; a filter valid for no type
 * is a 400 `invalidFilter`. `sortBy` is refused here (400) rather than ignored: one order across
 * resource types that share few attributes has no meaning the RFC defines, and a client asking for
 * an order must not silently get another; `/Users/.search` and `/Groups/.search` sort.
 */
import { badRequest } from "../errors.js";
import { parseFilter } from "../filter/parse.js";
import { listResponse } from "../query/list-response.js";
import type { ListParams } from "../query/list-params.js";
import { compileProjection } from "../query/projection.js";
import type { JsonObject, JsonValue } from "../store/types.js";
import type { OperationContext } from "./context.js";
import { runQuery } from "./read.js";
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
