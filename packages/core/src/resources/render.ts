/**
 * Stored resource → the JSON a client sees: `schemas` (core plus the extensions present), `id`,
 * attributes, derived `members` / `groups`, and `meta` with an absolute `location` and the version.
 * Attributes whose definition says `returned: "never"` or writeOnly are left out here, once, so no
 * response path (POST, GET, list, search, PATCH) can show them whatever its projection asks for.
 */
import { etagOf } from "./etag.js";
import type { SchemaRegistry } from "../schema/registry.js";
import { withoutHidden } from "../schema/returned.js";
import type { JsonObject, JsonValue, Membership, StoredResource } from "../store/types.js";

// Ids core makes (UUIDs) and most host ids need no escaping: testing for that allocates nothing,
// where encodeURIComponent copies every id of a page of 100 users with their groups.
const urlSafe = /^[A-Za-z0-9._~-]*$/;

export const locationOf = (baseUrl: string, endpoint: string, id: string) =>
  `${baseUrl}${endpoint}/${urlSafe.test(id) ? id : encodeURIComponent(id)}`;

export function renderResource(
  registry: SchemaRegistry,
  r: StoredResource,
  baseUrl: string,
  groups?: readonly Membership[] | undefined,
): JsonObject {
  const schemasOfType = registry.resourceType(r.resourceType);
  const { type, extensions } = schemasOfType;
  const attributes = withoutHidden(schemasOfType, r.attributes);
  const schemas: JsonValue[] = [type.schema];
  for (const ext of extensions) if (attributes[ext.id] !== undefined) schemas.push(ext.id);
  const out: JsonObject = { schemas, id: r.id };
  for (const [key, value] of Object.entries(attributes)) out[key] = value;
  if (r.members) {
    out["members"] = r.members.map((m) => {
      const member: JsonObject = {
        value: m.value,
        $ref: locationOf(baseUrl, m.type === "Group" ? "/Groups" : "/Users", m.value),
        type: m.type,
      };
      if (m.display !== undefined) member["display"] = m.display;
      return member;
    });
  }
  if (groups && groups.length > 0) {
    out["groups"] = groups.map((g) => {
      const group: JsonObject = { value: g.groupId, $ref: locationOf(baseUrl, "/Groups", g.groupId), type: "direct" };
      if (g.display !== undefined) group["display"] = g.display;
      return group;
    });
  }
  out["meta"] = {
    resourceType: type.name,
    created: r.created,
    lastModified: r.lastModified,
    location: locationOf(baseUrl, type.endpoint, r.id),
    version: etagOf(r.version),
  };
  return out;
}
