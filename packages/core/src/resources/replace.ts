/**
 * RFC 7644 §3.5.1: replacing a resource with PUT. Every readWrite attribute takes the value sent;
 * an omitted attribute is cleared, with two exceptions IdPs depend on (tolerance 24): an omitted
 * `active` keeps its value (a PUT that forgets `active` must not deactivate anyone), and a Group PUT
 * without `members` keeps the members (one carrying `members`, even `[]`, replaces them).
 * readOnly values echoed back (`id`, `meta`, `groups`) are ignored. Immutable values must match
 * what is stored; omitted immutable, readOnly and never-returned values are kept (schema/rules.ts).
 */
import { decodeResourceBody } from "../schema/resource-body.js";
import { assertRequired, replacedAttributes } from "../schema/rules.js";
import type { JsonObject, Member, StoredResource } from "../store/types.js";
import type { OperationContext } from "./context.js";
import { resolveMembers } from "./members.js";
import { uniqueKeyOf } from "./unique-key.js";
import { changeOf, deleteStored, loadForWrite, reviewed, storeCall, revisionOf, type AnswerNeeds } from "./write.js";

/** Replaces the resource; returns it as written, or null when the policy then deleted it. */
export async function replaceResource(
  ctx: OperationContext,
  typeId: string,
  id: string,
  body: unknown,
  ifMatch: string | null,
  needs: AnswerNeeds,
): Promise<StoredResource | null> {
  const current = await loadForWrite(ctx, typeId, id, ifMatch, needs);
  const decoded = decodeResourceBody(ctx.registry, typeId, body, ctx.tol);
  const schemas = ctx.registry.resourceType(typeId);
  const attributes: JsonObject = replacedAttributes(schemas, current.attributes, decoded.attributes);
  if (
    typeId === "User" &&
    attributes["active"] === undefined &&
    current.attributes["active"] !== undefined &&
    ctx.tol.enabled("putKeepsOmittedActive")
  ) {
    ctx.tol.fire("putKeepsOmittedActive");
    attributes["active"] = current.attributes["active"];
  }
  assertRequired(schemas, attributes);
  const now = ctx.at;
  const version = current.version + 1;
  const planned = revisionOf(current, attributes, uniqueKeyOf(typeId, attributes, ctx.settings), now, version);
  const verdict = await reviewed(ctx, "replace", current, planned, decoded.password);
  if (verdict.thenDelete) {
    // The directory deletes users it deactivates: the deactivation is recorded, then the deletion.
    ctx.record(changeOf("replace", current, verdict.write));
    ctx.record(await storeCall(typeId, () => deleteStored(ctx.tx, current, now, { expectedVersion: current.version })));
    return null;
  }
  const stored = await storeCall(typeId, () =>
    ctx.tx.replaceResource(verdict.write, { expectedVersion: current.version }),
  );
  let added: readonly string[] = [];
  let removed: readonly string[] = [];
  let members: readonly Member[] | undefined = current.members;
  if (typeId === "Group" && decoded.members !== undefined) {
    members = await resolveMembers(ctx, id, decoded.members);
    ({ added, removed } = await ctx.tx.replaceMembers(id, members, { modifiedAt: now, version }));
  }
  ctx.record(changeOf("replace", current, stored, { added, removed }));
  return { ...stored, members, groups: current.groups };
}
