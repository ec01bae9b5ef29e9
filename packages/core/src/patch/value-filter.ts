/**
 * The bracket part of `attr[filter]` paths: parsed and evaluated by the filter module, plus two
 * readings PATCH needs of a parsed filter: the plain member ids of `members[value eq "a" or …]`
 * (so removing listed members never reads the member list), and the equalities of
 * `emails[type eq "work"]` (so tolerance 7 can create the value the filter describes).
 */
import type { Filter, FilterValue } from "../filter/ast.js";

export { parseValueFilter } from "../filter/parse.js";
export { matchesValue } from "../filter/evaluate.js";

/** The ids named by `value eq "id"` comparisons joined with `or`; undefined for any other filter. */
export function memberIdsOf(filter: Filter): string[] | undefined {
  if (filter.kind === "compare") {
    const named = filter.op === "eq" && filter.attr.sub === "value" && typeof filter.value === "string";
    return named ? [filter.value as string] : undefined;
  }
  if (filter.kind !== "or") return undefined;
  const ids: string[] = [];
  for (const part of filter.filters) {
    const more = memberIdsOf(part);
    if (!more) return undefined;
    ids.push(...more);
  }
  return ids;
}

/**
 * The sub-attribute values a filter made only of `sub eq literal` comparisons joined with `and`
 * pins down, e.g. `{ type: "work" }`; undefined when the filter says anything else.
 */
export function equalitiesOf(filter: Filter): Record<string, FilterValue> | undefined {
  if (filter.kind === "compare") {
    if (filter.op !== "eq" || filter.attr.sub === undefined || filter.value === null) return undefined;
    return { [filter.attr.sub]: filter.value };
  }
  if (filter.kind !== "and") return undefined;
  const out: Record<string, FilterValue> = {};
  for (const part of filter.filters) {
    const more = equalitiesOf(part);
    if (!more) return undefined;
    Object.assign(out, more);
  }
  return out;
}
