/** RFC 7644 §3.4.2: the ListResponse envelope of a query, a search and a discovery collection. */
import type { JsonObject, JsonValue } from "../json.js";
import { URN } from "../schema/urns.js";

export function listResponse(resources: readonly JsonValue[], total = resources.length, startIndex = 1): JsonObject {
  return {
    schemas: [URN.ListResponse],
    totalResults: total,
    startIndex,
    itemsPerPage: resources.length,
    Resources: [...resources],
  };
}
