/**
 * What a PATCH request plans: the resource's attributes after every operation, the Group member
 * changes in request order, and a password when one was set. Planning is pure; the engine applies
 * the plan in the request's unit of work.
 */
import type { ToleranceContext } from "../compat/tolerances.js";
import type { Filter } from "../filter/ast.js";
import type { MemberInput } from "../schema/resource-body.js";
import type { SchemaRegistry } from "../schema/registry.js";
import type { JsonObject } from "../store/types.js";

/** One change to a Group's members, applied through the store's membership operations. */
export type MemberChange =
  | { readonly op: "add"; readonly members: readonly MemberInput[] }
  /** `filtered`: the ids came from a `members[…]` path, which must match a member (RFC 7644 §3.5.2.3). */
  | { readonly op: "remove"; readonly ids: readonly string[]; readonly filtered?: boolean | undefined }
  | { readonly op: "removeAll" }
  | { readonly op: "replace"; readonly members: readonly MemberInput[] }
  /** Only for member filters that are not a plain list of `value eq "id"` comparisons. */
  | { readonly op: "removeWhere"; readonly filter: Filter };

export interface PatchPlan {
  /** The resource's canonical attributes after every operation. */
  readonly attributes: JsonObject;
  /** Group member changes in request order; never the whole list unless the request replaces it. */
  readonly memberChanges: readonly MemberChange[];
  /** Set when an operation wrote `password`; it never appears in `attributes`. */
  readonly password?: string | undefined;
}

/** The resource a PATCH applies to, as stored (attributes only: Group members are never loaded). */
export interface PatchTarget {
  readonly typeId: string;
  readonly id: string;
  readonly attributes: JsonObject;
}

/** The three RFC 7644 §3.5.2 operations. */
export type PatchOpName = "add" | "remove" | "replace";

/** Mutable working state of one planning run; discarded whole when an operation fails. */
export interface PatchState {
  readonly registry: SchemaRegistry;
  readonly typeId: string;
  readonly targetId: string;
  readonly tol: ToleranceContext;
  /**
   * The target's attributes, copied one level down: operations set and unassign keys of this object
   * and of the extension objects in it (see `containerOf`), and build every changed value anew, so
   * values they leave alone are shared with the stored resource and never written to.
   */
  readonly attributes: JsonObject;
  readonly memberChanges: MemberChange[];
  password: string | undefined;
}
