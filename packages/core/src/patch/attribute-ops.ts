/**
 * `add`, `replace` and `remove` on `attr` and `attr.sub` paths (RFC 7644 §3.5.2.1–3), without a
 * value filter. Single-valued: add and replace both set the value (§3.5.2.1 says an add on a
 * single-valued attribute replaces it); a complex value merges sub-attributes, leaving unnamed ones
 * alone. Multi-valued: add appends what is not already there, replace swaps the whole list.
 */
import { badRequest } from "../errors.js";
import type { AttributeRef } from "../schema/registry.js";
import type { JsonObject, JsonValue } from "../store/types.js";
import { containerOf, label, write } from "./target.js";
import type { PatchOpName, PatchState } from "./types.js";
import {
  asObject,
  covers,
  mergeComplex,
  readList,
  readOne,
  readValue,
  sameElement,
  sameValue,
  settlePrimary,
} from "./values.js";

/** Adds `incoming` to a multi-valued list: an element already there is updated, not duplicated. */
function addElements(ref: AttributeRef, list: readonly JsonValue[], incoming: readonly JsonValue[]): JsonValue[] {
  const out = [...list];
  let winner: JsonValue | undefined;
  for (const item of incoming) {
    const at = out.findIndex((e) => sameElement(ref.attribute, e, item));
    const merged = at === -1 ? item : asObject(item) ? { ...(out[at] as JsonObject), ...(item as JsonObject) } : item;
    if (at === -1) out.push(merged);
    else out[at] = merged;
    if (asObject(merged)?.["primary"] === true) winner = merged;
  }
  return settlePrimary(out, winner);
}

function setWhole(state: PatchState, op: PatchOpName, ref: AttributeRef, value: unknown): void {
  const { attribute: def } = ref;
  const path = label(ref);
  const container = containerOf(state, ref, value !== null) ?? {};
  const current = container[def.name];
  if (def.multiValued) {
    if (value === null) return write(container, def, def.name, undefined, path);
    const incoming = readList(def, value, path, state.tol);
    const list = Array.isArray(current) ? current : [];
    const next = op === "add" ? addElements(ref, list, incoming) : settlePrimary(incoming);
    return write(container, def, def.name, next.length > 0 ? next : undefined, path);
  }
  if (value === null) return write(container, def, def.name, undefined, path);
  const decoded = readOne(def, value, path, state.tol);
  if (def.type === "complex" && typeof value !== "string") {
    // RFC 7644 §3.5.2.3: sub-attributes not named in the value are left unchanged. A string
    // (Entra's manager id, tolerance 9) names a whole new value and replaces it instead.
    const merged = mergeComplex(def, asObject(current), asObject(decoded), value, op === "replace");
    return write(container, def, def.name, Object.keys(merged).length > 0 ? merged : undefined, path);
  }
  if (decoded === undefined) return;
  if (op === "add" && current !== undefined && !sameValue(def, current, decoded))
    state.tol.fire("addSingleValuedAsReplace");
  write(container, def, def.name, decoded, path);
}

/**
 * `remove` on a whole attribute. With a value (tolerance 4, checked by the caller) only what the
 * value names goes: the listed elements of a multi-valued attribute, or a single value when it
 * equals the one given.
 */
function removeWhole(state: PatchState, ref: AttributeRef, value: unknown): void {
  const { attribute: def } = ref;
  const path = label(ref);
  const container = containerOf(state, ref, false);
  const current = container?.[def.name];
  if (!container || current === undefined) return;
  if (value === undefined || value === null) return write(container, def, def.name, undefined, path);
  state.tol.fire("removeListedMembers");
  const given = readValue(def, value, path, state.tol);
  if (given === undefined) return;
  if (def.multiValued && Array.isArray(current) && Array.isArray(given)) {
    const kept = current.filter((e) => !given.some((g) => covers(def, e, g)));
    return write(container, def, def.name, kept.length > 0 ? kept : undefined, path);
  }
  if (covers(def, current, given)) write(container, def, def.name, undefined, path);
}

/** `attr.sub`: the sub-attribute of a single complex value, or of every element of a list. */
function applySub(state: PatchState, op: PatchOpName, ref: AttributeRef, value: unknown): void {
  const { attribute: def, leaf } = ref;
  const path = label(ref, ref.sub);
  const sub = leaf.name;
  const next = op === "remove" || value === null ? undefined : readValue(leaf, value, path, state.tol);
  if (op !== "remove" && value !== null && next === undefined) return;
  const container = containerOf(state, ref, op !== "remove");
  if (!container) return;
  const current = container[def.name];
  if (!def.multiValued) {
    const object: JsonObject = { ...asObject(current) };
    write(object, leaf, sub, next, path);
    return write(container, def, def.name, Object.keys(object).length > 0 ? object : undefined, label(ref));
  }
  const list = Array.isArray(current) ? current : [];
  if (list.length === 0) {
    if (op === "remove") return;
    throw badRequest("noTarget", `"${label(ref)}" has no values to set "${sub}" on`);
  }
  const updated = list.map((element) => {
    const object: JsonObject = { ...asObject(element) };
    write(object, leaf, sub, next, path);
    return object;
  });
  const kept = updated.filter((e) => Object.keys(e).length > 0);
  write(container, def, def.name, kept.length > 0 ? settlePrimary(kept) : undefined, label(ref));
}

/** Applies one operation to an `attr` or `attr.sub` path; `value` is `undefined` when none was sent. */
export function applyToAttribute(state: PatchState, op: PatchOpName, ref: AttributeRef, value: unknown): void {
  if (ref.sub !== undefined) return applySub(state, op, ref, value);
  if (op === "remove") return removeWhole(state, ref, value);
  setWhole(state, op, ref, value);
}
