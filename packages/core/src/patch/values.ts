/**
 * Value helpers for PATCH: reading operation values through the shared codec (so types, string
 * booleans, null-as-absent, manager-as-string and JSON-encoded roles behave exactly as in POST and
 * PUT), comparing values by their definitions, keeping one `primary`, and dropping what became
 * empty (RFC 7643 §2.5: unassigned, null and empty are the same state).
 */
import type { ToleranceContext } from "../compat/tolerances.js";
import type { AttributeDefinition } from "../schema/attribute.js";
import { decodeSingle, decodeValue, findByName, isPlainObject } from "../schema/codec.js";
import type { JsonObject, JsonValue } from "../store/types.js";

export const asObject = (value: JsonValue | undefined): JsonObject | undefined =>
  isPlainObject(value) ? (value as JsonObject) : undefined;

/** Reads one value (one element of a multi-valued attribute); `undefined` means absent. */
export function readOne(
  def: AttributeDefinition,
  value: unknown,
  path: string,
  tol: ToleranceContext,
): JsonValue | undefined {
  return decodeSingle(def, value, path, tol);
}

/**
 * Reads the values for a multi-valued attribute. A lone value is read as a one-element list: the
 * meaning is unambiguous, and the Microsoft test suite adds a member as a bare value.
 */
export function readList(def: AttributeDefinition, value: unknown, path: string, tol: ToleranceContext): JsonValue[] {
  const list = Array.isArray(value) ? value : [value];
  const decoded = decodeValue(def, list, path, tol);
  return Array.isArray(decoded) ? decoded : [];
}

/** Reads a whole attribute value (list or single). */
export function readValue(
  def: AttributeDefinition,
  value: unknown,
  path: string,
  tol: ToleranceContext,
): JsonValue | undefined {
  return def.multiValued ? readList(def, value, path, tol) : readOne(def, value, path, tol);
}

/** Equality as the definition says to compare: strings case-insensitively unless `caseExact`. */
export function sameValue(
  def: AttributeDefinition | undefined,
  a: JsonValue | undefined,
  b: JsonValue | undefined,
): boolean {
  if (typeof a === "string" && typeof b === "string") {
    return def?.caseExact ? a === b : a.toLowerCase() === b.toLowerCase();
  }
  const objA = asObject(a);
  const objB = asObject(b);
  if (objA && objB) {
    const keys = new Set([...Object.keys(objA), ...Object.keys(objB)]);
    return [...keys].every((k) => sameValue(findByName(def?.subAttributes, k), objA[k], objB[k]));
  }
  return JSON.stringify(a) === JSON.stringify(b);
}

/** True when every sub-attribute `given` carries has the same value in `existing`. */
export function covers(def: AttributeDefinition, existing: JsonValue, given: JsonValue): boolean {
  const objE = asObject(existing);
  const objG = asObject(given);
  if (!objE || !objG) return sameValue(def, existing, given);
  return Object.entries(objG).every(([k, v]) => sameValue(findByName(def.subAttributes, k), objE[k], v));
}

/**
 * True when `b` is the same element of a multi-valued attribute as `a`, so an `add` updates it
 * instead of adding a duplicate: same `value` (and same `type` when both say one) for attributes
 * with a `value` sub-attribute, otherwise equal throughout.
 */
export function sameElement(def: AttributeDefinition, a: JsonValue, b: JsonValue): boolean {
  const objA = asObject(a);
  const objB = asObject(b);
  if (!objA || !objB || objA["value"] === undefined || objB["value"] === undefined) return sameValue(def, a, b);
  const sub = (name: string) => findByName(def.subAttributes, name);
  if (!sameValue(sub("value"), objA["value"], objB["value"])) return false;
  return objA["type"] === undefined || objB["type"] === undefined || sameValue(sub("type"), objA["type"], objB["type"]);
}

/**
 * RFC 7643 §2.4: `primary: true` at most once. The value this operation made primary wins;
 * otherwise the first one does. Others get `primary: false`, as the codec does for request bodies.
 */
export function settlePrimary(list: JsonValue[], winner?: JsonValue): JsonValue[] {
  const primaryOf = (v: JsonValue) => asObject(v)?.["primary"] === true;
  const chosen = winner !== undefined && primaryOf(winner) ? winner : list.find(primaryOf);
  return list.map((v) => (v !== chosen && primaryOf(v) ? { ...(v as JsonObject), primary: false } : v));
}

/** Merges sub-attributes into a complex value; with `nullClears`, a `null` in `raw` removes that sub. */
export function mergeComplex(
  def: AttributeDefinition,
  current: JsonObject | undefined,
  decoded: JsonObject | undefined,
  raw: unknown,
  nullClears: boolean,
): JsonObject {
  const out: JsonObject = { ...current, ...decoded };
  if (nullClears && isPlainObject(raw)) {
    for (const [key, v] of Object.entries(raw)) {
      const sub = findByName(def.subAttributes, key);
      if (v === null && sub) delete out[sub.name];
    }
  }
  return out;
}

/**
 * Drops empty lists, empty complex values and empty extension objects: they mean "unassigned".
 * Edits `object` itself; a nested object that needs pruning is replaced by a pruned copy, never
 * edited, since it may be shared with the stored resource.
 */
export function prune(object: JsonObject, depth = 2): void {
  for (const [key, value] of Object.entries(object)) {
    const next = pruned(value, depth);
    if (next === undefined) delete object[key];
    else if (next !== value) object[key] = next;
  }
}

/** `value` without its empty parts: the same value when nothing is empty, undefined when all is. */
function pruned(value: JsonValue, depth: number): JsonValue | undefined {
  if (Array.isArray(value)) {
    const kept = value.filter((v) => !(asObject(v) && Object.keys(v as JsonObject).length === 0));
    return kept.length === 0 ? undefined : kept.length === value.length ? value : kept;
  }
  const inner = asObject(value);
  if (!inner) return value;
  let copy: JsonObject | undefined;
  if (depth > 1) {
    for (const [key, v] of Object.entries(inner)) {
      const next = pruned(v, depth - 1);
      if (next === v) continue;
      copy ??= { ...inner };
      if (next === undefined) delete copy[key];
      else copy[key] = next;
    }
  }
  const out = copy ?? inner;
  return Object.keys(out).length === 0 ? undefined : out;
}
