/**
 * The filter view of a stored resource: the JSON a client would see (canonical attribute names,
 * extension attributes under their URN), with `id`, `meta` and, when loaded, `members`. In-memory
 * filter evaluation and sorting read this shape, so any store gets the same answers as SQL push-down.
 * `meta.version` is the bare revision ("3"), as the PostgreSQL store keeps it: the filter parser
 * translates the entity tag a client compares with (`W/"3"`) into it, so no store has to.
 * Derived values (`meta.location`, User `groups`, `members.$ref`) are absent here; the parser
 * refuses filters on them rather than let them match nothing (filter/filterable.ts).
 */
import type { JsonObject, JsonValue, StoredResource } from "./types.js";

export function resourceView(r: StoredResource): JsonObject {
  const view: JsonObject = {
    ...r.attributes,
    id: r.id,
    meta: {
      resourceType: r.resourceType,
      created: r.created,
      lastModified: r.lastModified,
      version: String(r.version),
    },
  };
  if (r.members) {
    view["members"] = r.members.map((m): JsonValue => {
      const out: JsonObject = { value: m.value, type: m.type };
      if (m.display !== undefined) out["display"] = m.display;
      return out;
    });
  }
  return view;
}
