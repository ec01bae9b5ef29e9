/**
 * Effective roles, as a pure function of a user's state: whether they are active, which roles
 * their mapped groups grant, and what they hold now. Kept free of the store so the request path,
 * the admin calls and the dry-run preview all decide the same way.
 */
import type { ResolvedPolicy } from "./options.js";

export type Roles = readonly string[] | null;

export interface RoleInputs {
  readonly active: boolean;
  /** What the user holds now (`null`: SCIM assigns them nothing). */
  readonly current: Roles;
  /** The roles of every mapped group the user is a direct member of, repeats allowed. */
  readonly granted: readonly string[];
}

/**
 * The roles a user should hold.
 * - Inactive: none. A user SCIM never gave a role keeps `null`, so deactivation only takes away
 *   what SCIM granted and never claims a user the host manages itself.
 * - Active in mapped groups: the best-ranked role (single) or all of them in rank order (multi).
 * - Active in no mapped group: the fallback role, or `null` when the host keeps its own value.
 */
export function effectiveRoles(
  policy: Pick<ResolvedPolicy, "mode" | "rank" | "fallbackRole">,
  input: RoleInputs,
): Roles {
  if (!input.active) return input.current === null ? null : [];
  // A mapping to a role that is no longer declared grants nothing.
  const known = [...new Set(input.granted)].filter((r) => policy.rank.has(r));
  known.sort((a, b) => (policy.rank.get(a) ?? 0) - (policy.rank.get(b) ?? 0));
  if (known.length === 0) return policy.fallbackRole === null ? null : [policy.fallbackRole];
  return policy.mode === "single" ? known.slice(0, 1) : known;
}

export function sameRoles(a: Roles, b: Roles): boolean {
  if (a === null || b === null) return a === b;
  return a.length === b.length && a.every((r, i) => r === b[i]);
}

/** Reads `internal.roles` as stored; anything that is not a list of strings counts as unassigned. */
export function storedRoles(internal: Readonly<Record<string, unknown>>): Roles {
  const v = internal["roles"];
  return Array.isArray(v) && v.every((r) => typeof r === "string") ? (v as string[]) : null;
}
