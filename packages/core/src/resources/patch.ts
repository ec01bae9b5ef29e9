/**
 * RFC 7644 §3.5.2: PATCH. The PATCH engine plans the change from the stored attributes alone; this
 * applies the plan in the request's unit of work: attributes in one write (after the policy's
 * review, for a User), members through the store's membership operations, so adding one member to
 * a 100,000-member group writes one row and reads none of the others. Every member operation,
 * including a removal by a member filter, is handled here.
 */
import { badRequest } from "../errors.js";
import { matchesValue } from "../filter/evaluate.js";
import { planPatch, type MemberChange } from "../patch/index.js";
import type { Member, MembershipWrite, StoredResource } from "../store/types.js";
import type { OperationContext } from "./context.js";
import { resolveMembers } from "./members.js";
import { uniqueKeyOf } from "./unique-key.js";
import {
  changeOf,
  changesStored,
  deleteStored,
  loadForWrite,
  reviewed,
  storeCall,
  revisionOf,
  type AnswerNeeds,
} from "./write.js";

/** Net member ids added and removed by the request, and the member list when it was read. */
class MemberTally {
  readonly added = new Set<string>();
  readonly removed = new Set<string>();
  /** Whether any membership operation changed the group (the store then moved its version). */
  touched = false;
  constructor(readonly list: Map<string, Member> | null) {}

  add(ids: readonly string[], members: readonly Member[]): void {
    const byId = this.list ? new Map(members.map((m) => [m.value, m])) : null;
    if (ids.length > 0) this.touched = true;
    for (const id of ids) {
      if (!this.removed.delete(id)) this.added.add(id);
      const m = byId?.get(id);
      if (m) this.list?.set(id, m);
    }
  }

  remove(ids: readonly string[]): void {
    if (ids.length > 0) this.touched = true;
    for (const id of ids) {
      if (!this.added.delete(id)) this.removed.add(id);
      this.list?.delete(id);
    }
  }
}

async function applyMemberChange(
  ctx: OperationContext,
  groupId: string,
  change: MemberChange,
  write: MembershipWrite,
  tally: MemberTally,
): Promise<void> {
  // A member filter that matches no member is `noTarget` (RFC 7644 §3.5.2.3); IdP profiles take it
  // as the mirror of re-adding a member, since an IdP retrying a removal meets exactly this.
  const matched = (ids: readonly string[]) => {
    if (ids.length > 0) return ids;
    if (!ctx.tol.enabled("idempotentMemberAddAndSkipUnknown"))
      throw badRequest("noTarget", "No member matches the filter of the members path");
    ctx.tol.fire("idempotentMemberAddAndSkipUnknown");
    return ids;
  };
  switch (change.op) {
    case "add": {
      const members = await resolveMembers(ctx, groupId, change.members);
      return tally.add(await ctx.tx.addMembers(groupId, members, write), members);
    }
    case "remove": {
      const gone = await ctx.tx.removeMembers(groupId, change.ids, write);
      return tally.remove(change.filtered ? matched(gone) : gone);
    }
    case "removeAll":
    case "replace": {
      const members = change.op === "replace" ? await resolveMembers(ctx, groupId, change.members) : [];
      const r = await ctx.tx.replaceMembers(groupId, members, write);
      tally.remove(r.removed);
      return tally.add(r.added, members);
    }
    case "removeWhere": {
      // Only a member filter that is not a plain list of ids needs the member list.
      const list = tally.list
        ? [...tally.list.values()]
        : ((await ctx.tx.getResource("Group", groupId, { members: true }))?.members ?? []);
      const ids = list
        .filter((m) =>
          matchesValue(change.filter, {
            value: m.value,
            type: m.type,
            ...(m.display !== undefined ? { display: m.display } : {}),
          }),
        )
        .map((m) => m.value);
      return tally.remove(matched(ids.length > 0 ? await ctx.tx.removeMembers(groupId, ids, write) : []));
    }
  }
}

/**
 * Applies a PATCH; returns the resource as it now stands (with the members or groups `needs`
 * asked for), or null when the policy then deleted it.
 */
export async function patchResource(
  ctx: OperationContext,
  typeId: string,
  id: string,
  body: unknown,
  ifMatch: string | null,
  needs: AnswerNeeds,
): Promise<StoredResource | null> {
  const current = await loadForWrite(ctx, typeId, id, ifMatch, needs);
  const planned = planPatch(ctx.registry, { typeId, id, attributes: current.attributes }, body, ctx.tol);
  if (!planned.ok) throw planned.error;
  const plan = planned.value;
  const now = ctx.at;
  const version = current.version + 1;
  const next = revisionOf(current, plan.attributes, uniqueKeyOf(typeId, plan.attributes, ctx.settings), now, version);
  const verdict = await reviewed(ctx, "patch", current, next, plan.password);
  if (verdict.thenDelete) {
    // The directory deletes users it deactivates: the deactivation is recorded, then the deletion.
    ctx.record(changeOf("patch", current, verdict.write));
    ctx.record(await storeCall(typeId, () => deleteStored(ctx.tx, current, now, { expectedVersion: current.version })));
    return null;
  }
  let stored: StoredResource = current;
  if (changesStored(current, verdict.write)) {
    stored = await storeCall(typeId, () => ctx.tx.replaceResource(verdict.write, { expectedVersion: current.version }));
  }
  const tally = new MemberTally(current.members ? new Map(current.members.map((m) => [m.value, m])) : null);
  if (typeId === "Group" && plan.memberChanges.length > 0) {
    const write = { modifiedAt: now, version };
    for (const change of plan.memberChanges) await applyMemberChange(ctx, id, change, write, tally);
    // Membership operations that changed something moved the group's version and lastModified too.
    if (stored === current && tally.touched) stored = { ...current, version, lastModified: now };
  }
  ctx.record(changeOf("patch", current, stored, { added: [...tally.added], removed: [...tally.removed] }));
  // Object.assign, not a literal opening with `...stored`: V8 builds a spread followed by new
  // properties on a slow path, and this runs for every PATCH.
  return Object.assign({}, stored, {
    members: tally.list ? [...tally.list.values()] : undefined,
    groups: current.groups,
  });
}
