/**
 * RFC 6902 differences between two JSON documents, via fast-json-patch. The package is CommonJS
 * without named ESM exports, so it is reached through its default export in every module system.
 */
import jsonPatch from "fast-json-patch";
import type { JsonObject } from "./store/types.js";

export function jsonDiff(before: JsonObject, after: JsonObject): JsonObject[] {
  return jsonPatch.compare(before, after) as unknown as JsonObject[];
}
