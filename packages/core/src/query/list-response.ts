/**
 * RFC 7644 §3.4.2: the ListResponse envelope of a query, a search and a discovery collection; and
 * RFC 9865's for a page found by cursor.
 */
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

/**
 * A page found by cursor (RFC 9865 §2): `nextCursor` on every page but the last, `previousCursor`
 * on every page but the first, no `startIndex` (a cursor page has no index).
 */
export function cursorListResponse(
  resources: readonly JsonValue[],
  total: number,
  nextCursor?: string,
  previousCursor?: string,
): JsonObject {
  return {
    schemas: [URN.ListResponse],
    totalResults: total,
    itemsPerPage: resources.length,
    ...(previousCursor !== undefined ? { previousCursor } : {}),
    ...(nextCursor !== undefined ? { nextCursor } : {}),
    Resources: [...resources],
  };
}
