/**
 * The whole-resource rules of RFC 7643 §2.2 and §7 that a POST or PUT body must satisfy once it is
 * decoded, read from the definitions of the core schema and every registered extension:
 *
 * - `required`: a required extension (RFC 7643 §6 `schemaExtensions[].required`) must be present;
 *   a required attribute of the core schema or of a present extension must have a value, and so
 *   must a required sub-attribute of every complex value present. readOnly attributes are the
 *   server's to assign, so they are never demanded from the client.
 * - host value checks: an extension registered with `validate` (`defineExtension` derives it from a
 *   zod schema) has its value checked once decoded; a refusal is 400 `invalidValue` naming the
 *   attribute. `assertRequired` runs them for POST and PUT, PATCH planning for what a PATCH changed.
 * - PUT (RFC 7644 §3.5.1): an `immutable` value already set must be sent unchanged (400
 *   `mutability` otherwise). What the client omits and could not have sent back is kept rather
 *   than cleared: immutable values (they may not be unassigned), values it can never read
 *   (`returned: "never"`, writeOnly: a GET-then-PUT would otherwise wipe them), and readOnly ones.
 */
import { badRequest } from "../errors.js";
import { sameJson } from "../json-diff.js";
import type { JsonObject, JsonValue } from "../json.js";
import type { AttributeDefinition } from "./attribute.js";
import { findByName, isPlainObject } from "./codec.js";
import type { ResourceTypeSchemas } from "./registry.js";
import { isHidden } from "./returned.js";

const asObject = (v: JsonValue | undefined): JsonObject | undefined =>
  isPlainObject(v) ? (v as JsonObject) : undefined;

/** Each level of attributes: the core schema at the top, each extension under its URN key. */
function levels(
  t: ResourceTypeSchemas,
): { readonly prefix: string; readonly key: string | undefined; readonly defs: readonly AttributeDefinition[] }[] {
  return [
    { prefix: "", key: undefined, defs: t.core.attributes },
    ...t.extensions.map((e) => ({ prefix: `${e.id}:`, key: e.id, defs: e.attributes })),
  ];
}

const demanded = (def: AttributeDefinition) => def.required && def.mutability !== "readOnly";

/**
 * Throws 400 invalidValue naming the first required extension, attribute or sub-attribute missing,
 * then the first extension value its host check refuses (see `assertExtensionValues`).
 */
export function assertRequired(t: ResourceTypeSchemas, attributes: JsonObject): void {
  for (const ext of t.type.schemaExtensions) {
    if (ext.required && attributes[ext.schema] === undefined) {
      throw badRequest("invalidValue", `Extension "${ext.schema}" is required`);
    }
  }
  for (const level of levels(t)) {
    const container = level.key === undefined ? attributes : asObject(attributes[level.key]);
    if (container) assertLevel(level.defs, container, level.prefix);
  }
  assertExtensionValues(t, attributes);
}

/**
 * Runs the host checks of the extensions present in `attributes` (the attributes about to be
 * stored) and throws 400 invalidValue naming the attribute of the first refusal. With `before` (the
 * stored attributes, for a PATCH) an extension whose value did not change is not checked again, so
 * a value stored before its check was tightened does not block unrelated changes.
 */
export function assertExtensionValues(t: ResourceTypeSchemas, attributes: JsonObject, before?: JsonObject): void {
  if (!t.checks || t.checks.size === 0) return;
  for (const [urn, check] of t.checks) {
    const value = asObject(attributes[urn]);
    if (!value) continue;
    if (before !== undefined && sameJson(before[urn], value)) continue;
    const problem = check(value);
    if (!problem) continue;
    const path = problem.attribute === "" ? urn : `${urn}:${problem.attribute}`;
    throw badRequest("invalidValue", `Attribute "${path}" is invalid: ${problem.message}`);
  }
}

function assertLevel(defs: readonly AttributeDefinition[], container: JsonObject, prefix: string): void {
  for (const def of defs) {
    const value = container[def.name];
    if (value === undefined) {
      if (demanded(def)) throw badRequest("invalidValue", `Attribute "${prefix}${def.name}" is required`);
      continue;
    }
    const required = def.subAttributes?.filter(demanded) ?? [];
    if (required.length === 0) continue;
    for (const element of Array.isArray(value) ? value : [value]) {
      const obj = asObject(element);
      const missing = obj && required.find((sub) => obj[sub.name] === undefined);
      if (missing) throw badRequest("invalidValue", `Attribute "${prefix}${def.name}.${missing.name}" is required`);
    }
  }
}

/** Equality by the definition: strings case-insensitively unless caseExact; lists in any order. */
function same(def: AttributeDefinition | undefined, a: JsonValue, b: JsonValue): boolean {
  if (typeof a === "string" && typeof b === "string")
    return def?.caseExact ? a === b : a.toLowerCase() === b.toLowerCase();
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return false;
    const left = [...b];
    return a.every((x) => {
      const i = left.findIndex((y) => same(def, x, y));
      return i >= 0 && left.splice(i, 1).length === 1;
    });
  }
  const objA = asObject(a);
  const objB = asObject(b);
  if (objA && objB) {
    const keys = new Set([...Object.keys(objA), ...Object.keys(objB)]);
    return [...keys].every((k) => {
      const x = objA[k];
      const y = objB[k];
      return x === undefined || y === undefined ? x === y : same(findByName(def?.subAttributes, k), x, y);
    });
  }
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Kept from the stored resource when a PUT leaves it out (see the module comment). */
const keptWhenOmitted = (def: AttributeDefinition) =>
  def.mutability === "immutable" || def.mutability === "readOnly" || isHidden(def);

/**
 * Applies the PUT rules of one level in place on `next`: checks immutable values against `current`
 * and carries omitted values over. Sub-attributes are followed into single-valued complex values
 * only: the elements of a multi-valued attribute have no identity that survives a PUT, so there is
 * no stored element to hold a new one to.
 */
function replaceLevel(
  defs: readonly AttributeDefinition[],
  current: JsonObject,
  next: JsonObject,
  prefix: string,
): void {
  for (const def of defs) {
    const before = current[def.name];
    if (before === undefined) continue;
    const after = next[def.name];
    const path = `${prefix}${def.name}`;
    if (after === undefined) {
      if (keptWhenOmitted(def)) next[def.name] = before;
      else if (def.type === "complex" && !def.multiValued) keepSubs(def, before, next);
      continue;
    }
    if (def.mutability === "immutable" && !same(def, before, after)) {
      throw badRequest("mutability", `Attribute "${path}" is immutable and already has a value`);
    }
    const beforeObj = asObject(before);
    const afterObj = asObject(after);
    if (def.type === "complex" && !def.multiValued && def.subAttributes && beforeObj && afterObj) {
      const copy = { ...afterObj };
      replaceLevel(def.subAttributes, beforeObj, copy, `${path}.`);
      next[def.name] = copy;
    }
  }
}

/** A single-valued complex attribute the PUT left out: its sub-attributes that must stay, stay. */
function keepSubs(def: AttributeDefinition, before: JsonValue, next: JsonObject): void {
  const obj = asObject(before);
  if (!obj || !def.subAttributes) return;
  const kept: JsonObject = {};
  for (const sub of def.subAttributes) {
    const v = obj[sub.name];
    if (v !== undefined && keptWhenOmitted(sub)) kept[sub.name] = v;
  }
  if (Object.keys(kept).length > 0) next[def.name] = kept;
}

/**
 * The attributes a PUT stores: `next` (the decoded body) after the immutability check, with what
 * must survive an omission carried over from `current`. Throws 400 `mutability` on a changed
 * immutable value, before anything is written.
 */
export function replacedAttributes(t: ResourceTypeSchemas, current: JsonObject, next: JsonObject): JsonObject {
  const out: JsonObject = { ...next };
  for (const level of levels(t)) {
    if (level.key === undefined) {
      replaceLevel(level.defs, current, out, level.prefix);
      continue;
    }
    const before = asObject(current[level.key]);
    if (!before) continue;
    const after = { ...(asObject(out[level.key]) ?? {}) };
    replaceLevel(level.defs, before, after, level.prefix);
    if (Object.keys(after).length > 0) out[level.key] = after;
  }
  return out;
}
