/**
 * Group `members` operations become {@link MemberChange}s, never a read-modify-write of the member
 * list: a group's members are not loaded for a PATCH, so adding one member to a 100,000-member
 * group writes one row. Which ids exist is the engine's business (tolerance 22); here the request
 * is only read.
 */
import { badRequest } from "../errors.js";
import { URN } from "../schema/urns.js";
import { toMemberInputs, type MemberInput } from "../schema/resource-body.js";
import type { AttributeRef } from "../schema/registry.js";
import type { PatchPath } from "./path.js";
import type { PatchOpName, PatchState } from "./types.js";
import { memberIdsOf } from "./value-filter.js";
import { readList } from "./values.js";

function inputs(state: PatchState, ref: AttributeRef, value: unknown): MemberInput[] {
  if (value === null || value === undefined) return [];
  return toMemberInputs(readList(ref.attribute, value, "members", state.tol));
}

/** Removal of the members a `members[filter]` path names: by id when it is a list of ids. */
function removeMatching(state: PatchState, path: Extract<PatchPath, { kind: "filtered" }>): void {
  const ids = memberIdsOf(path.filter);
  state.memberChanges.push(ids ? { op: "remove", ids, filtered: true } : { op: "removeWhere", filter: path.filter });
}

/** True when `path` names the core Group `members` attribute. */
export function isGroupMembers(path: Extract<PatchPath, { kind: "attribute" | "filtered" }>): boolean {
  return !path.ref.extension && path.ref.name === "members" && path.ref.schema === URN.Group;
}

export function applyToMembers(
  state: PatchState,
  op: PatchOpName,
  path: Extract<PatchPath, { kind: "attribute" | "filtered" }>,
  value: unknown,
): void {
  if (path.ref.sub !== undefined || (path.kind === "filtered" && path.sub)) {
    throw badRequest("mutability", "Member sub-attributes are immutable; remove the member and add it again");
  }
  if (path.kind === "filtered") {
    // A member cannot be edited in place, so replacing filtered members removes them and adds the value.
    if (op === "add") throw badRequest("invalidPath", 'Add members with the path "members", not a filtered path');
    removeMatching(state, path);
    if (op === "replace") {
      const added = inputs(state, path.ref, value);
      if (added.length > 0) state.memberChanges.push({ op: "add", members: added });
    }
    return;
  }
  if (op === "add") {
    const added = inputs(state, path.ref, value);
    if (added.length > 0) state.memberChanges.push({ op: "add", members: added });
    return;
  }
  if (op === "replace") {
    if (value === null) return void state.memberChanges.push({ op: "removeAll" });
    const members = inputs(state, path.ref, value);
    if (members.length === 0) state.tol.fire("replaceMembersEmptyClears");
    state.memberChanges.push({ op: "replace", members });
    return;
  }
  if (value === undefined || value === null) return void state.memberChanges.push({ op: "removeAll" });
  // Tolerance 4 (the caller refuses a remove value without it): remove only the listed members.
  state.tol.fire("removeListedMembers");
  const ids = inputs(state, path.ref, value).map((m) => m.value);
  if (ids.length > 0) state.memberChanges.push({ op: "remove", ids: [...new Set(ids)] });
}
