/**
 * RFC 7644 §3.5.2: PATCH. The PATCH engine plans the change from the stored attributes alone; this
 * applies the plan in the request's unit of work. Member changes go through the store's membership
 * operations, so adding one member to a 100,000-member group writes one row and reads none of the
 * others.
 */
import { badRequest } from "../errors.js";
import { jsonDiff } from "../json-diff.js";
import { matchesValue } from "../filter/evaluate.js";
import { planPatch, type MemberChange } from "../patch/index.js";
import type { JsonObject, StoredResource } from "../store/types.js";
import type { OperationContext } from "./context.js";
import { snapshotOf } from "./create.js";
import { mapStoreError } from "./errors.js";
import { resolveMembers } from "./members.js";
import { loadForWrite } from "./replace.js";
import { uniqueKeyOf } from "./unique-key.js";

async function applyMemberChange(ctx: OperationContext, groupId: string, change: MemberChange, at: string, added: Set<string>, removed: Set<string>): Promise<void> {
  const write = { modifiedAt: at };
  const note = (a: readonly string[], r: readonly string[]) => {
    for (const id of a) removed.delete(id) || added.add(id);
    for (const id of r) added.delete(id) || removed.add(id);
  };
  // A member filter that matches no member is `noTarget` (RFC 7644 §3.5.2.3); IdP profiles take it
  // as the mirror of re-adding a member, since an IdP retrying a removal meets exactly this.
  const matched = (ids: readonly string[]) => {
    if (ids.length > 0) return ids;
    if (!ctx.tol.enabled("idempotentMemberAddAndSkipUnknown")) throw badRequest("noTarget", "No member matches the filter of the members path");
    ctx.tol.fire("idempotentMemberAddAndSkipUnknown");
    return ids;
  };
  switch (change.op) {
    case "add":
      return note(await ctx.tx.addMembers(groupId, await resolveMembers(ctx, groupId, change.members), write), []);
    case "remove": {
      const gone = await ctx.tx.removeMembers(groupId, change.ids, write);
      return note([], change.filtered ? matched(gone) : gone);
    }
    case "removeAll": {
      const r = await ctx.tx.replaceMembers(groupId, [], write);
      return note(r.added, r.removed);
    }
    case "replace": {
      const r = await ctx.tx.replaceMembers(groupId, await resolveMembers(ctx, groupId, change.members), write);
      return note(r.added, r.removed);
    }
    case "removeWhere": {
      // Only a member filter that is not a plain list of ids needs the member list.
      const group = await ctx.tx.getResource("Group", groupId, { members: true });
      const ids = (group?.members ?? [])
        .filter((m) => matchesValue(change.filter, { value: m.value, type: m.type, ...(m.display !== undefined ? { display: m.display } : {}) }))
        .map((m) => m.value);
      return note([], matched(ids.length > 0 ? await ctx.tx.removeMembers(groupId, ids, write) : []));
    }
  }
}

export async function patchResource(ctx: OperationContext, typeId: string, id: string, body: unknown, ifMatch: string | null): Promise<StoredResource> {
  const current = await loadForWrite(ctx, typeId, id, ifMatch);
  const planned = planPatch(ctx.registry, { typeId, id, attributes: current.attributes }, body, ctx.tol);
  if (!planned.ok) throw planned.error;
  const plan = planned.value;
  const now = ctx.settings.now().toISOString();
  let stored = current;
  const attributes: JsonObject = plan.attributes;
  if (jsonDiff(current.attributes, attributes).length > 0) {
    try {
      stored = await ctx.tx.replaceResource(
        { ...current, attributes, uniqueKey: uniqueKeyOf(typeId, attributes, ctx.settings), lastModified: now, version: current.version + 1 },
        { expectedVersion: current.version },
      );
    } catch (error) {
      throw mapStoreError(error, typeId);
    }
  }
  const added = new Set<string>();
  const removed = new Set<string>();
  if (typeId === "Group") {
    for (const change of plan.memberChanges) await applyMemberChange(ctx, id, change, now, added, removed);
  }
  ctx.changes.push({
    operation: "patch",
    resourceType: typeId,
    id,
    before: snapshotOf(current),
    after: snapshotOf(stored),
    membersAdded: [...added],
    membersRemoved: [...removed],
    password: plan.password,
  });
  return (await ctx.tx.getResource(typeId, id)) ?? stored;
}
