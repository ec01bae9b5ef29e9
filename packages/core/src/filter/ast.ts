/**
 * The typed filter AST (RFC 7644 §3.4.2.2). Parsing resolves every attribute path against the
 * schema registry, so a store receives canonical names plus the definition that says how to compare
 * (type, caseExact) and never a raw filter string.
 */
import type { AttributeRef } from "../schema/registry.js";

export type CompareOperator = "eq" | "ne" | "co" | "sw" | "ew" | "gt" | "ge" | "lt" | "le";

/** A comparison literal: JSON string, number, boolean or null. */
export type FilterValue = string | number | boolean | null;

export type Filter =
  /**
   * `attr op value`; `attr.leaf` tells type and case-exactness. For `meta.version` the value is the
   * bare revision ("3"), the client's entity tag `W/"3"` unwrapped (filter/filterable.ts).
   */
  | { readonly kind: "compare"; readonly op: CompareOperator; readonly attr: AttributeRef; readonly value: FilterValue }
  /** `attr pr`: the attribute has a non-empty value. */
  | { readonly kind: "present"; readonly attr: AttributeRef }
  /** Conjunction or disjunction of two or more filters. */
  | { readonly kind: "and" | "or"; readonly filters: readonly Filter[] }
  | { readonly kind: "not"; readonly filter: Filter }
  /**
   * `attr[inner]`: true when one value of the multi-valued `attr` satisfies `inner`. Every
   * reference inside `inner` names `attr` with a `sub` attribute, so it reads the same in isolation.
   * `emails[type eq "work"].value eq "x"` (an Entra form) is normalised to
   * `emails[type eq "work" and value eq "x"]`.
   */
  | { readonly kind: "valuePath"; readonly attr: AttributeRef; readonly filter: Filter };

/** Sort request (RFC 7644 §3.4.2.3). */
export interface Sort {
  readonly by: AttributeRef;
  readonly order: "ascending" | "descending";
}
