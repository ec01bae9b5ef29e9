/**
 * Reads client JSON into canonical attribute values, driven by the attribute definitions: names
 * matched case-insensitively, types checked with zod, readOnly values dropped (RFC 7643 §7: a
 * client's readOnly values are ignored), `null` treated as absent (RFC 7643 §2.5), and the IdP
 * tolerances that concern values (string booleans, manager as a string, JSON-encoded roles).
 * Every failure is a 400 naming the attribute at fault.
 */
import { z } from "zod";
import type { AttributeDefinition } from "./attribute.js";
import type { ToleranceContext } from "../compat/tolerances.js";
import { badRequest } from "../errors.js";
import type { JsonObject, JsonValue } from "../json.js";

const zString = z.string();
const zBoolean = z.boolean();
const zInteger = z.number().int().finite();
const zDecimal = z.number().finite();
const stringBoolean = /^(true|false)$/i;

/**
 * A JSON object (not an array, not null). Asked on nearly every value a request carries, and mostly
 * of values that are not objects, so it is a plain check: a failing zod parse builds an error
 * object each time, which showed up as several per cent of a PATCH's CPU.
 */
export const isPlainObject = (v: unknown): v is Record<string, unknown> => {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};

export const findByName = <T extends { readonly name: string }>(
  defs: readonly T[] | undefined,
  name: string,
): T | undefined => {
  const n = name.toLowerCase();
  return defs?.find((d) => d.name.toLowerCase() === n);
};

/** Reads a scalar of `def.type`. */
function decodeScalar(def: AttributeDefinition, value: unknown, path: string, tol: ToleranceContext): JsonValue {
  const fail = () => badRequest("invalidValue", `Attribute "${path}" must be of type ${def.type}`);
  switch (def.type) {
    case "boolean": {
      if (zBoolean.safeParse(value).success) return value as boolean;
      if (typeof value === "string" && stringBoolean.test(value) && tol.enabled("stringBooleans")) {
        tol.fire("stringBooleans");
        return value.toLowerCase() === "true";
      }
      throw fail();
    }
    case "integer":
      if (zInteger.safeParse(value).success) return value as number;
      throw fail();
    case "decimal":
      if (zDecimal.safeParse(value).success) return value as number;
      throw fail();
    case "dateTime":
      if (typeof value === "string" && !Number.isNaN(Date.parse(value))) return value;
      throw badRequest("invalidValue", `Attribute "${path}" must be an xsd:dateTime string`);
    case "complex":
      throw fail();
    default:
      if (zString.safeParse(value).success) return value as string;
      throw fail();
  }
}

/** Turns the string forms IdPs send for complex values into objects (tolerances 9 and 10). */
function complexFromString(def: AttributeDefinition, value: string, path: string, tol: ToleranceContext): unknown {
  if (value.trimStart().startsWith("{") && tol.enabled("jsonEncodedRoles")) {
    try {
      const parsed: unknown = JSON.parse(value);
      if (isPlainObject(parsed)) {
        tol.fire("jsonEncodedRoles");
        return parsed;
      }
    } catch {
      // Not JSON after all: fall through to the plain-string reading.
    }
  }
  if (findByName(def.subAttributes, "value") && tol.enabled("managerAsString")) {
    tol.fire("managerAsString");
    return { value };
  }
  throw badRequest("invalidValue", `Attribute "${path}" must be a complex value`);
}

/**
 * Entra sends app roles as `{"value": "{\"id\":…,\"value\":\"Admin\",\"displayName\":\"Admin\"}"}`:
 * the role object JSON-encoded inside `value` (tolerance 10). This unfolds it into sub-attributes,
 * `displayName` read as `display` and the role's own `id` dropped (it names the role, not the value).
 */
export function unfoldEncodedValue(def: AttributeDefinition, element: unknown, tol: ToleranceContext): unknown {
  if (def.type !== "complex" || !isPlainObject(element)) return element;
  const inner = element["value"];
  if (typeof inner !== "string" || !inner.trimStart().startsWith("{") || !tol.enabled("jsonEncodedRoles"))
    return element;
  let parsed: unknown;
  try {
    parsed = JSON.parse(inner);
  } catch {
    return element;
  }
  if (!isPlainObject(parsed)) return element;
  tol.fire("jsonEncodedRoles");
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(parsed)) {
    const sub = findByName(def.subAttributes, key);
    if (sub) out[sub.name] = v;
    else if (key.toLowerCase() === "displayname" && findByName(def.subAttributes, "display")) out["display"] ??= v;
  }
  for (const [key, v] of Object.entries(element)) if (key.toLowerCase() !== "value") out[key] = v;
  return out;
}

/** Reads one complex value's sub-attributes; `undefined` when nothing is left. */
function decodeComplex(
  def: AttributeDefinition,
  raw: unknown,
  path: string,
  tol: ToleranceContext,
): JsonObject | undefined {
  const value = unfoldEncodedValue(def, typeof raw === "string" ? complexFromString(def, raw, path, tol) : raw, tol);
  if (!isPlainObject(value)) throw badRequest("invalidValue", `Attribute "${path}" must be a complex value`);
  const out: JsonObject = {};
  for (const [key, v] of Object.entries(value)) {
    // Microsoft's reference tests send a member's `displayName` for what the schema calls `display`.
    const sub =
      findByName(def.subAttributes, key) ??
      (key.toLowerCase() === "displayname" && value["display"] === undefined
        ? findByName(def.subAttributes, "display")
        : undefined);
    if (!sub) {
      unknownAttribute(`${path}.${key}`, tol);
      continue;
    }
    if (sub.mutability === "readOnly") {
      tol.fire("ignoreUnknownSchemasAndReadOnly");
      continue;
    }
    const decoded = decodeValue(sub, v, `${path}.${sub.name}`, tol);
    if (decoded !== undefined) out[sub.name] = decoded;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** An attribute the schema does not define: skipped and recorded when tolerated, else a 400. */
export function unknownAttribute(path: string, tol: ToleranceContext): void {
  if (tol.enabled("skipUnknownAttributes")) {
    tol.fire("skipUnknownAttributes");
    return;
  }
  throw badRequest("invalidValue", `Unknown attribute "${path}"`);
}

/**
 * Reads a single value of `def` (one element when `def` is multi-valued). `undefined` means absent.
 */
export function decodeSingle(
  def: AttributeDefinition,
  value: unknown,
  path: string,
  tol: ToleranceContext,
): JsonValue | undefined {
  if (value === null || value === undefined) return undefined;
  if (def.type === "complex") return decodeComplex(def, value, path, tol);
  return decodeScalar(def, value, path, tol);
}

/** Reads a whole attribute value. Multi-valued attributes become arrays with one `primary` at most. */
export function decodeValue(
  def: AttributeDefinition,
  value: unknown,
  path: string,
  tol: ToleranceContext,
): JsonValue | undefined {
  if (value === null || value === undefined) return undefined;
  if (!def.multiValued) {
    if (Array.isArray(value)) throw badRequest("invalidValue", `Attribute "${path}" is single-valued`);
    return decodeSingle(def, value, path, tol);
  }
  if (!Array.isArray(value)) throw badRequest("invalidValue", `Attribute "${path}" must be an array`);
  const out: JsonValue[] = [];
  for (const element of value) {
    const decoded = decodeSingle(def, element, path, tol);
    if (decoded !== undefined) out.push(decoded);
  }
  return out.length > 0 ? keepOnePrimary(out) : undefined;
}

/** RFC 7643 §2.4: `primary: true` appears at most once; the first one wins. */
export function keepOnePrimary(values: JsonValue[]): JsonValue[] {
  let seen = false;
  return values.map((v) => {
    if (!isPlainObject(v) || v["primary"] !== true) return v;
    if (!seen) {
      seen = true;
      return v;
    }
    return { ...v, primary: false };
  });
}
