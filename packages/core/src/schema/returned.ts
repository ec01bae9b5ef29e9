/**
 * RFC 7643 §7 `returned` and `writeOnly`, read from the attribute definitions of each resource type
 * (core and host-registered extensions alike) rather than from attribute names. Each rule set is
 * compiled once per resource type, so rendering a resource only visits the attributes a rule names.
 */
import type { JsonObject, JsonValue } from "../json.js";
import type { AttributeDefinition } from "./attribute.js";
import { isPlainObject } from "./codec.js";
import type { ResourceTypeSchemas } from "./registry.js";

/**
 * Never shown to a client: `returned: "never"`, or writeOnly, whose values "SHALL NOT be returned"
 * whatever `returned` says (RFC 7643 §7).
 */
export const isHidden = (def: AttributeDefinition): boolean =>
  def.returned === "never" || def.mutability === "writeOnly";

/** Shown only when the client names it in `attributes` (RFC 7643 §7 `returned: "request"`). */
export const isOnRequest = (def: AttributeDefinition): boolean => def.returned === "request" && !isHidden(def);

/** What to take out of one level: a whole attribute, or (a map) some of its sub-attributes. */
type Rules = ReadonlyMap<string, "drop" | Rules>;

/** The rules for a resource: top-level names, and each extension's under its URN key. */
type TypeRules = ReadonlyMap<string, "drop" | Rules>;

function compileLevel(defs: readonly AttributeDefinition[], drop: (def: AttributeDefinition) => boolean): Rules {
  const rules = new Map<string, "drop" | Rules>();
  for (const def of defs) {
    if (drop(def)) {
      rules.set(def.name, "drop");
      continue;
    }
    const subs = def.subAttributes ? compileLevel(def.subAttributes, drop) : undefined;
    if (subs && subs.size > 0) rules.set(def.name, subs);
  }
  return rules;
}

function compileType(t: ResourceTypeSchemas, drop: (def: AttributeDefinition) => boolean): TypeRules {
  const rules = new Map(compileLevel(t.core.attributes, drop));
  for (const ext of t.extensions) {
    const inner = compileLevel(ext.attributes, drop);
    if (inner.size > 0) rules.set(ext.id, inner);
  }
  return rules;
}

/** Keyed by the registry's own resource-type entry, so each registry compiles its rules once. */
const hiddenRules = new WeakMap<ResourceTypeSchemas, TypeRules>();
const requestRules = new WeakMap<ResourceTypeSchemas, TypeRules>();

function rulesOf(
  cache: WeakMap<ResourceTypeSchemas, TypeRules>,
  t: ResourceTypeSchemas,
  drop: (def: AttributeDefinition) => boolean,
): TypeRules {
  let rules = cache.get(t);
  if (!rules) cache.set(t, (rules = compileType(t, drop)));
  return rules;
}

/** `obj` without what `rules` drop; the same object when nothing had to go (no copy per resource). */
function strip(obj: JsonObject, rules: Rules): JsonObject {
  let out: JsonObject | undefined;
  for (const [name, rule] of rules) {
    const value = obj[name];
    if (value === undefined) continue;
    const kept = rule === "drop" ? undefined : stripValue(value, rule);
    if (kept === value) continue;
    out ??= { ...obj };
    if (kept === undefined) delete out[name];
    else out[name] = kept;
  }
  return out ?? obj;
}

/** A complex value (or list of them) without dropped sub-attributes; undefined once nothing is left. */
function stripValue(value: JsonValue, rules: Rules): JsonValue | undefined {
  const one = (v: JsonValue): JsonValue | undefined => {
    if (!isPlainObject(v)) return v;
    const o = strip(v as JsonObject, rules);
    return o === v || Object.keys(o).length > 0 ? o : undefined;
  };
  if (!Array.isArray(value)) return one(value);
  const list = value.map(one);
  if (list.every((v, i) => v === value[i])) return value;
  const kept = list.filter((v): v is JsonValue => v !== undefined);
  return kept.length > 0 ? kept : undefined;
}

/** The attributes a client may ever see: without `returned: "never"` and writeOnly values. */
export function withoutHidden(t: ResourceTypeSchemas, attributes: JsonObject): JsonObject {
  return strip(attributes, rulesOf(hiddenRules, t, isHidden));
}

/** A rendered resource without the `returned: "request"` attributes, for a response that did not name them. */
export function withoutOnRequest(t: ResourceTypeSchemas, resource: JsonObject): JsonObject {
  return strip(resource, rulesOf(requestRules, t, isOnRequest));
}
