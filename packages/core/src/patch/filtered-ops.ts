/**
 * Operations on `attr[filter]` and `attr[filter].sub` paths (RFC 7644 §3.5.2): replace and add
 * change the matched values (or their sub-attribute), remove drops them (or their sub-attribute),
 * and a filter that matches nothing is 400 `noTarget` — except where Entra needs otherwise:
 * tolerance 7 creates the value the filter describes, tolerance 8 makes removing `[…].value` drop
 * the matched values whole, and tolerance 9 treats the single-valued `manager` as a list of one.
 */
import { badRequest } from "../errors.js";
import type { Filter } from "../filter/ast.js";
import { findByName } from "../schema/codec.js";
import type { AttributeRef } from "../schema/registry.js";
import type { JsonObject, JsonValue } from "../store/types.js";
import { containerOf, label, write } from "./target.js";
import type { PatchOpName, PatchState } from "./types.js";
import { equalitiesOf, matchesValue } from "./value-filter.js";
import { asObject, mergeComplex, readOne, readValue, sameValue, settlePrimary } from "./values.js";

export interface FilteredPath {
  readonly ref: AttributeRef;
  readonly filter: Filter;
  readonly sub?: AttributeRef | undefined;
}

const noTarget = (path: FilteredPath) =>
  badRequest("noTarget", `No value of "${label(path.ref)}" matches the filter in the path`);

/** A matched element after add/replace: the sub-attribute set, or the value's sub-attributes merged. */
function updated(
  state: PatchState,
  op: PatchOpName,
  path: FilteredPath,
  element: JsonObject,
  value: unknown,
): JsonObject {
  const { ref, sub } = path;
  if (sub) {
    const out = { ...element };
    const where = label(ref, sub.leaf.name);
    write(
      out,
      sub.leaf,
      sub.leaf.name,
      value === null ? undefined : readValue(sub.leaf, value, where, state.tol),
      where,
    );
    return out;
  }
  const decoded = asObject(readOne(ref.attribute, value, label(ref), state.tol));
  return mergeComplex(ref.attribute, element, decoded, value, op === "replace");
}

/**
 * Tolerance 7: Entra writes `emails[type eq "work"].value` for a user with no work email and means
 * "create it". Possible only when the filter pins sub-attributes with `eq`; the new value is primary
 * when no other value is, as Entra expects of the email it manages.
 */
function created(
  state: PatchState,
  op: PatchOpName,
  path: FilteredPath,
  list: readonly JsonValue[],
  value: unknown,
): JsonObject | undefined {
  const pinned = state.tol.enabled("createMissingFilteredValue") ? equalitiesOf(path.filter) : undefined;
  if (!pinned || value === null) return undefined;
  state.tol.fire("createMissingFilteredValue");
  const element = updated(state, op, path, { ...pinned }, value);
  const hasPrimary = findByName(path.ref.attribute.subAttributes, "primary") !== undefined;
  if (hasPrimary && element["primary"] === undefined && !list.some((e) => asObject(e)?.["primary"] === true))
    element["primary"] = true;
  return element;
}

/** `manager[value eq "id"]` (tolerance 9, allowed by the path parser only then): a list of at most one. */
function applySingle(state: PatchState, op: PatchOpName, path: FilteredPath, value: unknown): void {
  state.tol.fire("managerAsString");
  const { ref } = path;
  const container = containerOf(state, ref, false);
  const current = asObject(container?.[ref.name]);
  const matched = current !== undefined && matchesValue(path.filter, current);
  if (op === "remove") {
    if (!container || !matched) return;
    const next = path.sub ? { ...current } : undefined;
    if (next && path.sub) delete next[path.sub.leaf.name];
    return write(
      container,
      ref.attribute,
      ref.name,
      next && Object.keys(next).length > 0 ? next : undefined,
      label(ref),
    );
  }
  if (!container || !matched) throw noTarget(path);
  const next = updated(state, op, path, current, value);
  write(container, ref.attribute, ref.name, Object.keys(next).length > 0 ? next : undefined, label(ref));
}

/** Tolerance 8: removing `attr[filter].value` drops the matched values (those equal to `value`, if given). */
function removeWholeMatches(
  state: PatchState,
  path: FilteredPath,
  list: readonly JsonValue[],
  matches: ReadonlySet<number>,
  value: unknown,
): JsonValue[] {
  state.tol.fire("removeFilteredSubValue");
  const leaf = path.sub?.leaf;
  const given =
    value === undefined || value === null || !leaf
      ? undefined
      : readValue(leaf, value, label(path.ref, leaf.name), state.tol);
  return list.filter(
    (e, i) => !(matches.has(i) && (given === undefined || sameValue(leaf, asObject(e)?.["value"], given))),
  );
}

export function applyFiltered(state: PatchState, op: PatchOpName, path: FilteredPath, value: unknown): void {
  const { ref, sub } = path;
  if (!ref.attribute.multiValued) return applySingle(state, op, path, value);
  const container = containerOf(state, ref, op !== "remove");
  const list: JsonValue[] =
    container && Array.isArray(container[ref.name]) ? [...(container[ref.name] as JsonValue[])] : [];
  const matches = new Set(
    list.flatMap((e, i) => (asObject(e) && matchesValue(path.filter, e as JsonObject) ? [i] : [])),
  );
  let next: JsonValue[];
  let winner: JsonValue | undefined;
  if (op === "remove") {
    if (sub?.leaf.name === "value" && state.tol.enabled("removeFilteredSubValue")) {
      next = removeWholeMatches(state, path, list, matches, value);
    } else {
      if (matches.size === 0) throw noTarget(path);
      next = list.flatMap((e, i) => {
        if (!matches.has(i)) return [e];
        if (!sub) return [];
        const out = { ...(e as JsonObject) };
        write(out, sub.leaf, sub.leaf.name, undefined, label(ref, sub.leaf.name));
        return Object.keys(out).length > 0 ? [out] : [];
      });
    }
  } else if (matches.size === 0) {
    const element = created(state, op, path, list, value);
    if (!element) throw noTarget(path);
    next = [...list, element];
    winner = element;
  } else if (value === null && !sub) {
    // RFC 7643 §2.5: replacing the matched values with null unassigns them.
    next = list.filter((_, i) => !matches.has(i));
  } else {
    next = list.map((e, i) => (matches.has(i) ? updated(state, op, path, e as JsonObject, value) : e));
    winner = next.find((e, i) => matches.has(i) && asObject(e)?.["primary"] === true);
  }
  if (!container) return;
  write(container, ref.attribute, ref.name, next.length > 0 ? settlePrimary(next, winner) : undefined, label(ref));
}
