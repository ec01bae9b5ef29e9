/**
 * In-memory filter evaluation over the client-visible JSON of a resource (`store/view.ts`), and the
 * sort key for `sortBy`. A filter is compiled once into closures (cached per AST object), so the
 * per-candidate cost is reading values and comparing them: no regex, no literal re-parsing.
 */
import type { AttributeRef } from "../schema/registry.js";
import type { JsonObject, JsonValue } from "../json.js";
import type { Filter } from "./ast.js";
import { isPresent, valueTest } from "./compare.js";

export { compareForSort } from "./compare.js";

type Test<T> = (target: T) => boolean;

const onResource = new WeakMap<Filter, Test<JsonObject>>();
const onElement = new WeakMap<Filter, Test<JsonValue>>();

/**
 * True when the resource `view` satisfies `filter` (RFC 7644 §3.4.2.2). A comparison on a
 * multi-valued attribute is true when any value satisfies it; `ne` is also true when the attribute
 * has no value at all.
 *
 * @example
 * evaluateFilter(parsed, resourceView(stored))
 */
export function evaluateFilter(filter: Filter, view: JsonObject): boolean {
  let test = onResource.get(filter);
  if (!test) onResource.set(filter, (test = compileResource(filter)));
  return test(view);
}

/**
 * True when one value of a multi-valued attribute satisfies the inner filter of a value path
 * (`type eq "work"` in `emails[type eq "work"]`); what PATCH uses to pick its targets. A plain
 * string element is read as its own `value`.
 */
export function matchesValue(filter: Filter, element: JsonValue): boolean {
  let test = onElement.get(filter);
  if (!test) onElement.set(filter, (test = compileElement(filter)));
  return test(element);
}

/**
 * The value `sortBy` orders `view` by: for a multi-valued attribute, the value of its primary
 * element, else of its first (RFC 7644 §3.4.2.3). Undefined when there is none.
 */
export function sortValue(ref: AttributeRef, view: JsonObject): JsonValue | undefined {
  const top = readTop(view, ref);
  let el: JsonValue | undefined = top;
  if (Array.isArray(top)) {
    el = top[0];
    for (const v of top) {
      if (isObject(v) && v["primary"] === true) {
        el = v;
        break;
      }
    }
  }
  const v = el === undefined || el === null ? undefined : pick(el, ref.sub);
  return v === null ? undefined : v;
}

const isObject = (v: JsonValue | undefined): v is JsonObject =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function readTop(view: JsonObject, ref: AttributeRef): JsonValue | undefined {
  if (!ref.extension) return view[ref.name];
  const ext = view[ref.schema];
  return isObject(ext) ? ext[ref.name] : undefined;
}

/**
 * The compared part of one attribute value: `sub` of a complex value, or for a path without a
 * sub-attribute its `value` (RFC 7643 §2.4). A plain value stands for its own `value`.
 */
function pick(el: JsonValue, sub: string | undefined): JsonValue | undefined {
  if (isObject(el)) return el[sub ?? "value"];
  return sub === undefined || sub === "value" ? el : undefined;
}

/** True when some value `ref` names in `view` passes `test` (null and absent values never do). */
function someValue(view: JsonObject, ref: AttributeRef, test: Test<JsonValue>): boolean {
  const top = readTop(view, ref);
  if (top === undefined || top === null) return false;
  if (Array.isArray(top)) {
    for (const el of top) {
      if (el === null) continue;
      const v = pick(el, ref.sub);
      if (v !== undefined && v !== null && test(v)) return true;
    }
    return false;
  }
  const v = pick(top, ref.sub);
  return v !== undefined && v !== null && test(v);
}

const always: Test<JsonValue> = () => true;

function compileResource(filter: Filter): Test<JsonObject> {
  switch (filter.kind) {
    case "and": {
      const parts = filter.filters.map(compileResource);
      return (view) => parts.every((p) => p(view));
    }
    case "or": {
      const parts = filter.filters.map(compileResource);
      return (view) => parts.some((p) => p(view));
    }
    case "not": {
      const inner = compileResource(filter.filter);
      return (view) => !inner(view);
    }
    case "present": {
      const ref = filter.attr;
      if (ref.sub === undefined) return (view) => isPresent(readTop(view, ref));
      return (view) => someValue(view, ref, isPresent);
    }
    case "valuePath": {
      const ref = filter.attr;
      const inner = compileElement(filter.filter);
      return (view) => {
        const top = readTop(view, ref);
        if (Array.isArray(top)) return top.some(inner);
        return top !== undefined && top !== null && inner(top);
      };
    }
    case "compare": {
      const { attr: ref, op, value } = filter;
      if (value === null) {
        return op === "eq" ? (view) => !someValue(view, ref, always) : (view) => someValue(view, ref, always);
      }
      const test = valueTest(ref.leaf, op, value);
      // `ne` holds for any value that differs, and for an attribute with no value at all.
      if (op === "ne") return (view) => !someValue(view, ref, always) || someValue(view, ref, test);
      return (view) => someValue(view, ref, test);
    }
  }
}

function compileElement(filter: Filter): Test<JsonValue> {
  switch (filter.kind) {
    case "and": {
      const parts = filter.filters.map(compileElement);
      return (el) => parts.every((p) => p(el));
    }
    case "or": {
      const parts = filter.filters.map(compileElement);
      return (el) => parts.some((p) => p(el));
    }
    case "not": {
      const inner = compileElement(filter.filter);
      return (el) => !inner(el);
    }
    case "present": {
      const sub = filter.attr.sub;
      return (el) => isPresent(pick(el, sub));
    }
    case "valuePath":
      // The parser never nests value filters (RFC 7644's grammar has none).
      return () => false;
    case "compare": {
      const { attr: ref, op, value } = filter;
      const sub = ref.sub;
      if (value === null) {
        return (el) => {
          const v = el === null ? undefined : pick(el, sub);
          return (v === undefined || v === null) === (op === "eq");
        };
      }
      const test = valueTest(ref.leaf, op, value);
      return (el) => {
        const v = el === null ? undefined : pick(el, sub);
        if (v === undefined || v === null) return op === "ne";
        return test(v);
      };
    }
  }
}
