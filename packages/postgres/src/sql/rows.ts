/**
 * Row ⇄ store shapes. Drivers differ in how they return `bigint` (string, number or BigInt) and
 * `jsonb` (parsed or text), so every field is read through a small coercion here.
 */
import type { JsonObject } from "@scimkit/core";
import type { LogEntry, StoreRecord, StoredResource } from "@scimkit/core/store";
import type { SqlRow } from "../driver.js";

export const num = (v: unknown): number => (typeof v === "number" ? v : Number(v));
export const str = (v: unknown): string => (typeof v === "string" ? v : String(v));
export const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : str(v));

export function json(v: unknown): JsonObject {
  const parsed: unknown = typeof v === "string" ? JSON.parse(v) : v;
  return parsed !== null && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as JsonObject) : {};
}

/** Columns every resource read selects, in the order {@link toResource} expects. */
export const RESOURCE_COLUMNS =
  "r.id, r.type, r.attributes, r.internal, r.unique_key, r.created, r.last_modified, r.version";

export function toResource(row: SqlRow): StoredResource {
  return {
    id: str(row["id"]),
    resourceType: str(row["type"]),
    attributes: json(row["attributes"]),
    internal: json(row["internal"]),
    uniqueKey: strOrNull(row["unique_key"]),
    created: str(row["created"]),
    lastModified: str(row["last_modified"]),
    version: num(row["version"]),
  };
}

export function toRecord(row: SqlRow): StoreRecord {
  return { id: str(row["id"]), key: strOrNull(row["key"]), data: json(row["data"]) };
}

export function toLogEntry(row: SqlRow): LogEntry {
  return {
    seq: num(row["seq"]),
    at: str(row["at"]),
    directoryId: strOrNull(row["directory_id"]),
    resourceType: strOrNull(row["resource_type"]),
    resourceId: strOrNull(row["resource_id"]),
    data: json(row["data"]),
  };
}
