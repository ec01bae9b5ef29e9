/**
 * Reads a whole resource body (POST and PUT) into canonical attributes. `id`, `meta`, User `groups`
 * and other readOnly attributes are ignored; unknown schema URIs are ignored (Entra sends its own
 * ADSCIM Group schema); `password` is taken out so it never reaches stored attributes; Group
 * `members` are taken out because the store keeps them apart. Other writeOnly attributes (a host
 * extension's) are stored like any value: rendering never shows them.
 */
import type { ToleranceContext } from "../compat/tolerances.js";
import { badRequest } from "../errors.js";
import type { JsonObject, JsonValue } from "../json.js";
import type { SchemaDefinition } from "./attribute.js";
import { decodeValue, findByName, isPlainObject, unknownAttribute } from "./codec.js";
import type { SchemaRegistry } from "./registry.js";

/** A member as a client names it; the engine checks that it exists and learns its type. */
export interface MemberInput {
  readonly value: string;
  readonly display?: string | undefined;
  readonly type?: "User" | "Group" | undefined;
}

export interface DecodedBody {
  readonly attributes: JsonObject;
  /** A password sent in the body; never stored as an attribute. */
  readonly password?: string | undefined;
  /** Group members when the body carried a `members` attribute (possibly empty). */
  readonly members?: readonly MemberInput[] | undefined;
}

/** Reads `members` values (already decoded against the Group schema) into member inputs. */
export function toMemberInputs(value: JsonValue | undefined): MemberInput[] {
  if (value === undefined) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.map((m) => {
    if (!isPlainObject(m) || typeof m["value"] !== "string" || m["value"] === "") {
      throw badRequest("invalidValue", 'Every member needs a "value" holding the id of a User or Group');
    }
    const type = typeof m["type"] === "string" ? m["type"].toLowerCase() : undefined;
    return {
      value: m["value"],
      display: typeof m["display"] === "string" ? m["display"] : undefined,
      type: type === "user" ? "User" : type === "group" ? "Group" : undefined,
    };
  });
}

function decodeInto(
  out: JsonObject,
  schema: SchemaDefinition,
  key: string,
  value: unknown,
  path: string,
  tol: ToleranceContext,
  result: { password?: string; members?: MemberInput[] },
): void {
  const def = findByName(schema.attributes, key);
  if (!def) return unknownAttribute(path, tol);
  if (def.mutability === "readOnly") {
    tol.fire("ignoreUnknownSchemasAndReadOnly");
    return;
  }
  if (def.name === "password" && def.mutability === "writeOnly") {
    if (value === null || value === undefined) return;
    if (typeof value !== "string") throw badRequest("invalidValue", 'Attribute "password" must be a string');
    result.password = value;
    return;
  }
  const decoded = decodeValue(def, value, path, tol);
  if (def.name === "members" && schema.id === "urn:ietf:params:scim:schemas:core:2.0:Group") {
    result.members = toMemberInputs(decoded);
    return;
  }
  if (decoded !== undefined) out[def.name] = decoded;
}

export function decodeResourceBody(
  registry: SchemaRegistry,
  typeId: string,
  body: unknown,
  tol: ToleranceContext,
): DecodedBody {
  if (!isPlainObject(body)) throw badRequest("invalidSyntax", "The request body must be a JSON object");
  const { core, extensions } = registry.resourceType(typeId);
  const attributes: JsonObject = {};
  const result: { password?: string; members?: MemberInput[] } = {};
  for (const [key, value] of Object.entries(body)) {
    const lower = key.toLowerCase();
    if (lower === "schemas") {
      if (!Array.isArray(value) || !value.every((s) => typeof s === "string")) {
        throw badRequest("invalidSyntax", '"schemas" must be an array of schema URIs');
      }
      if (value.some((s) => !registry.isSchemaOf(typeId, s))) tol.fire("ignoreUnknownSchemasAndReadOnly");
      continue;
    }
    if (lower === "id" || lower === "meta") {
      tol.fire("ignoreUnknownSchemasAndReadOnly");
      continue;
    }
    if (lower === "externalid") {
      if (value === null || value === undefined) continue;
      if (typeof value !== "string") throw badRequest("invalidValue", 'Attribute "externalId" must be a string');
      attributes["externalId"] = value;
      continue;
    }
    const ext = extensions.find((s) => s.id.toLowerCase() === lower);
    if (ext) {
      if (value === null || value === undefined) continue;
      if (!isPlainObject(value)) throw badRequest("invalidValue", `Extension "${ext.id}" must be an object`);
      const inner: JsonObject = {};
      for (const [k, v] of Object.entries(value)) decodeInto(inner, ext, k, v, `${ext.id}:${k}`, tol, result);
      if (Object.keys(inner).length > 0) attributes[ext.id] = inner;
      continue;
    }
    if (lower.startsWith("urn:")) {
      const ref = registry.resolve(typeId, key);
      if (!ref.ok || ref.value.sub !== undefined) {
        // An unknown schema's object (e.g. Entra's ADSCIM Group extension) is ignored like an unknown schema URI.
        tol.fire("ignoreUnknownSchemasAndReadOnly");
        continue;
      }
      const schema = registry.schema(ref.value.schema);
      if (!schema) continue;
      if (ref.value.extension) {
        const inner = isPlainObject(attributes[schema.id]) ? (attributes[schema.id] as JsonObject) : {};
        decodeInto(inner, schema, ref.value.name, value, key, tol, result);
        if (Object.keys(inner).length > 0) attributes[schema.id] = inner;
      } else {
        decodeInto(attributes, schema, ref.value.name, value, key, tol, result);
      }
      continue;
    }
    decodeInto(attributes, core, key, value, key, tol, result);
  }
  // `required` is checked by the caller (schema/rules.ts) on what will be stored: a PUT keeps some
  // omitted values, and those count.
  // Keys set one by one, not spread in conditionally: every POST and PUT decodes a body.
  const decoded: { attributes: JsonObject; password?: string; members?: readonly MemberInput[] } = { attributes };
  if (result.password !== undefined) decoded.password = result.password;
  if (result.members !== undefined) decoded.members = result.members;
  return decoded;
}
