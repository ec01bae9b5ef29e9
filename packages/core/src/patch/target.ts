/**
 * Where an attribute lives in the canonical attributes (core at the top level, extension attributes
 * under their URN key) and the RFC 7644 §3.5.2 mutability rules every operation checks before it
 * writes: readOnly never changes, immutable only goes from unassigned to a value, and a required
 * attribute is never unassigned (all three answer 400 `mutability`).
 */
import { badRequest } from "../errors.js";
import type { AttributeDefinition } from "../schema/attribute.js";
import type { AttributeRef } from "../schema/registry.js";
import type { JsonObject, JsonValue } from "../store/types.js";
import type { PatchState } from "./types.js";
import { asObject, sameValue } from "./values.js";

/** The attribute's path as a client would write it, for error details. */
export function label(ref: AttributeRef, sub?: string): string {
  const base = ref.extension ? `${ref.schema}:${ref.name}` : ref.name;
  return sub ? `${base}.${sub}` : base;
}

/** The object holding `ref`'s attribute; the extension object is created when `create` is set. */
export function containerOf(state: PatchState, ref: AttributeRef, create: boolean): JsonObject | undefined {
  if (!ref.extension) return state.attributes;
  const existing = asObject(state.attributes[ref.schema]);
  if (existing || !create) return existing;
  const fresh: JsonObject = {};
  state.attributes[ref.schema] = fresh;
  return fresh;
}

export function assertWritable(ref: AttributeRef): void {
  if (ref.attribute.mutability === "readOnly" || ref.leaf.mutability === "readOnly") {
    throw badRequest("mutability", `Attribute "${label(ref, ref.sub)}" is readOnly`);
  }
}

/** Throws unless `def` may go from `current` to `next` (`undefined` = unassigned). */
export function assertChange(
  def: AttributeDefinition,
  current: JsonValue | undefined,
  next: JsonValue | undefined,
  path: string,
): void {
  if (next === undefined && def.required && current !== undefined) {
    throw badRequest("mutability", `Attribute "${path}" is required and cannot be removed`);
  }
  if (def.mutability === "immutable" && current !== undefined && !sameValue(def, current, next)) {
    throw badRequest("mutability", `Attribute "${path}" is immutable and already has a value`);
  }
}

/** Sets or (with `undefined`) unassigns `key` of `container` after the mutability checks. */
export function write(
  container: JsonObject,
  def: AttributeDefinition,
  key: string,
  next: JsonValue | undefined,
  path: string,
): void {
  assertChange(def, container[key], next, path);
  if (next === undefined) delete container[key];
  else container[key] = next;
}
