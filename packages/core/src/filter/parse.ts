/**
 * RFC 7644 §3.4.2.2 filters → the typed AST of `ast.ts`. Three steps: the lexer checks the grammar
 * and swaps paths and values for placeholders; scim2-parse-filter builds the tree (precedence:
 * `not` over `and` over `or`, grouping, value filters); this module resolves every path against the
 * schema registry, checks it may be filtered on (`filterable.ts`) and fits every literal to its
 * attribute. Nothing is ever silently dropped: an unknown or unfilterable attribute or a mismatched
 * value is an error the caller turns into 400 `invalidFilter`.
 */
import { parse as parseStructure, type Filter as RawFilter } from "scim2-parse-filter";
import type { ToleranceContext, ToleranceName } from "../compat/tolerances.js";
import { err, ok, type Result } from "../result.js";
import type { AttributeRef, SchemaRegistry } from "../schema/registry.js";
import type { CompareOperator, Filter } from "./ast.js";
import { checkFilterable, fitVersion } from "./filterable.js";
import { lexFilter, MAX_FILTER_DEPTH, type Lexed } from "./lexer.js";
import { fitLiteral } from "./literal.js";

interface Context {
  readonly registry: SchemaRegistry;
  readonly typeId: string;
  readonly lexed: Lexed;
  readonly tol: ToleranceContext;
  readonly used: Set<ToleranceName>;
  /** A resource query's filter (true) or a PATCH value filter (false); see `checkFilterable`. */
  readonly query: boolean;
}

/**
 * Parses `text` as a filter over resources of `typeId`.
 *
 * @example
 * parseFilter(registry, "User", 'emails[type eq "work"].value eq "a@x.com"', tol)
 * // → valuePath(emails, and(type eq "work", value eq "a@x.com"))
 */
export function parseFilter(
  registry: SchemaRegistry,
  typeId: string,
  text: string,
  tol: ToleranceContext,
): Result<Filter, string> {
  return run(registry, typeId, text, tol, undefined, true);
}

/**
 * Parses the inside of a PATCH value-filter path such as `members[value eq "u1"]`: `text` is
 * `value eq "u1"`, and each name in it is a sub-attribute of `within`.
 */
export function parseValueFilter(
  registry: SchemaRegistry,
  typeId: string,
  within: AttributeRef,
  text: string,
  tol: ToleranceContext,
): Result<Filter, string> {
  if (within.sub !== undefined || within.attribute.type !== "complex") {
    return err(
      `a value filter needs a complex attribute, and "${within.sub ? `${within.name}.${within.sub}` : within.name}" is not one`,
    );
  }
  return run(registry, typeId, text, tol, within, false);
}

function run(
  registry: SchemaRegistry,
  typeId: string,
  text: string,
  tol: ToleranceContext,
  within: AttributeRef | undefined,
  query: boolean,
) {
  const lexed = lexFilter(text);
  if (!lexed.ok) return lexed;
  let raw: RawFilter;
  try {
    raw = parseStructure(lexed.value.text);
  } catch {
    // The lexer has already checked the grammar, so this is a shape it let through (or a stack
    // overflow on a pathological `not not not …`); the client needs no more detail than this.
    return err("invalid filter syntax");
  }
  if (depth(raw, 0) > MAX_FILTER_DEPTH) return err(`filter nests deeper than ${MAX_FILTER_DEPTH} levels`);
  const ctx: Context = { registry, typeId, lexed: lexed.value, tol, used: new Set(), query };
  const result = convert(raw, ctx, within);
  if (result.ok) for (const name of ctx.used) tol.fire(name);
  return result;
}

/** Nesting depth of and/or/not/value filters; stops counting once past the limit. */
function depth(node: RawFilter, at: number): number {
  if (at > MAX_FILTER_DEPTH) return at;
  switch (node.op) {
    case "and":
    case "or":
      return Math.max(at, ...(node as { filters: RawFilter[] }).filters.map((f) => depth(f, at + 1)));
    case "not":
      return depth((node as { filter: RawFilter }).filter, at + 1);
    case "[]":
      return depth((node as { valFilter: RawFilter }).valFilter, at + 1);
    default:
      return at;
  }
}

function convert(node: RawFilter, ctx: Context, within: AttributeRef | undefined): Result<Filter, string> {
  switch (node.op) {
    case "and":
    case "or": {
      const { filters } = node as { filters: RawFilter[] };
      const [first, second] = filters;
      if (
        node.op === "and" &&
        filters.length === 2 &&
        first?.op === "[]" &&
        second &&
        "attrPath" in second &&
        second.attrPath.includes(".")
      ) {
        return subAfterValueFilter(first as ValuePathNode, second, ctx, within);
      }
      const out: Filter[] = [];
      for (const f of filters) {
        const r = convert(f, ctx, within);
        if (!r.ok) return r;
        // `(a and b) and c` is `a and b and c`: one flat list is simpler for every store.
        if (r.value.kind === node.op) out.push(...r.value.filters);
        else out.push(r.value);
      }
      return ok({ kind: node.op, filters: out });
    }
    case "not": {
      const inner = convert((node as { filter: RawFilter }).filter, ctx, within);
      return inner.ok ? ok({ kind: "not", filter: inner.value }) : inner;
    }
    case "[]":
      return valuePath(node as ValuePathNode, ctx, within);
    case "pr": {
      const ref = resolve((node as { attrPath: string }).attrPath, ctx, within);
      return ref.ok ? ok({ kind: "present", attr: ref.value }) : ref;
    }
    default:
      return compare(node as CompareNode, ctx, within);
  }
}

type ValuePathNode = { op: "[]"; attrPath: string; valFilter: RawFilter };
type CompareNode = { op: CompareOperator; attrPath: string; compValue: unknown };

function valuePath(node: ValuePathNode, ctx: Context, within: AttributeRef | undefined): Result<Filter, string> {
  if (within) return err(`value filters cannot be nested (inside "${within.name}[…]")`);
  const ref = resolve(node.attrPath, ctx, undefined);
  if (!ref.ok) return ref;
  if (ref.value.sub !== undefined || ref.value.attribute.type !== "complex") {
    return err(`"${pathText(node.attrPath, ctx)}" is not a complex attribute, so it takes no value filter`);
  }
  const inner = convert(node.valFilter, ctx, ref.value);
  return inner.ok ? ok({ kind: "valuePath", attr: ref.value, filter: inner.value }) : inner;
}

/**
 * `emails[type eq "work"].value eq "x"` (Entra's matching filter): the structural parser hands it
 * over as `emails[…] and <emails>.<value> eq "x"`, which would let two different emails satisfy the
 * two halves. It means one email that is work and has that value, so it becomes one value filter.
 */
function subAfterValueFilter(
  first: ValuePathNode,
  second: RawFilter,
  ctx: Context,
  within: AttributeRef | undefined,
): Result<Filter, string> {
  if (within) return err(`value filters cannot be nested (inside "${within.name}[…]")`);
  if (second.op === "[]") return err('a value filter cannot follow "]."');
  const outer = valuePath(first, ctx, undefined);
  if (!outer.ok || outer.value.kind !== "valuePath") return outer;
  const subPath = (second as { attrPath: string }).attrPath.split(".")[1] ?? "";
  const last = convert({ ...second, attrPath: subPath } as RawFilter, ctx, outer.value.attr);
  if (!last.ok) return last;
  const inner = outer.value.filter;
  const filters = inner.kind === "and" ? [...inner.filters, last.value] : [inner, last.value];
  return ok({ kind: "valuePath", attr: outer.value.attr, filter: { kind: "and", filters } });
}

function compare(node: CompareNode, ctx: Context, within: AttributeRef | undefined): Result<Filter, string> {
  const resolved = resolve(node.attrPath, ctx, within);
  if (!resolved.ok) return resolved;
  let ref = resolved.value;
  const path = pathText(node.attrPath, ctx);
  if (ref.leaf.type === "complex") {
    // RFC 7643 §2.4: a complex multi-valued attribute compared as a whole compares its `value`
    // (`emails eq "a@x.com"`); the same reading serves Entra's legacy `manager eq "<id>"`.
    const value = ref.attribute.subAttributes?.find((a) => a.name === "value");
    if (!value) return err(`attribute "${path}" is complex: compare one of its sub-attributes`);
    ref = { ...ref, sub: value.name, leaf: value };
    const usable = checkFilterable(ref, `${path}.${value.name}`, ctx.query);
    if (!usable.ok) return usable;
  }
  const index = typeof node.compValue === "string" ? Number(node.compValue) : Number.NaN;
  const lit = ctx.lexed.literals[index];
  if (!lit) return err("invalid filter syntax");
  const fitted = fitLiteral(ref.leaf, node.op, lit, path, ctx.tol, ctx.used);
  const value = fitted.ok ? fitVersion(ref, node.op, fitted.value, path) : fitted;
  return value.ok ? ok({ kind: "compare", op: node.op, attr: ref, value: value.value }) : value;
}

/** The client's own spelling of a placeholder path, for error messages. */
function pathText(placeholder: string, ctx: Context): string {
  return placeholder
    .split(".")
    .map((p) => ctx.lexed.paths[Number(p.slice(1))]?.text ?? p)
    .join(".");
}

function resolve(placeholder: string, ctx: Context, within: AttributeRef | undefined): Result<AttributeRef, string> {
  // A dotted placeholder only comes from "]." and is handled by subAfterValueFilter; anywhere else
  // it would read as a plain sub-attribute path and lose the value filter.
  if (placeholder.includes(".")) return err('invalid filter syntax after "]."');
  const text = pathText(placeholder, ctx);
  if (!within) {
    const ref = ctx.registry.resolve(ctx.typeId, text);
    return ref.ok ? checkFilterable(ref.value, text, ctx.query) : ref;
  }
  const lower = text.toLowerCase();
  const leaf = within.attribute.subAttributes?.find((a) => a.name.toLowerCase() === lower);
  if (!leaf) return err(`unknown sub-attribute "${text}" of "${within.name}"`);
  const ref: AttributeRef = {
    schema: within.schema,
    extension: within.extension,
    name: within.name,
    sub: leaf.name,
    attribute: within.attribute,
    leaf,
  };
  return checkFilterable(ref, `${within.extension ? `${within.schema}:` : ""}${within.name}[${text}]`, ctx.query);
}
