/** RFC 7644 §3.3: creating a resource. */
import { decodeResourceBody } from "../schema/resource-body.js";
import { assertRequired } from "../schema/rules.js";
import type { JsonObject, Member, StoredResource } from "../store/types.js";
import type { OperationContext } from "./context.js";
import { resolveMembers } from "./members.js";
import { uniqueKeyOf } from "./unique-key.js";
import { changeOf, reviewed, storeCall } from "./write.js";

/** Creates the resource and returns it as written, with its members (a Group) or no groups (a User). */
export async function createResource(ctx: OperationContext, typeId: string, body: unknown): Promise<StoredResource> {
  const decoded = decodeResourceBody(ctx.registry, typeId, body, ctx.tol);
  const attributes: JsonObject = { ...decoded.attributes };
  // A user created without `active` is active: every IdP treats a new account as enabled.
  if (typeId === "User" && attributes["active"] === undefined) attributes["active"] = true;
  assertRequired(ctx.registry.resourceType(typeId), attributes);
  const now = ctx.at;
  const id = ctx.settings.newId();
  const planned = {
    id,
    resourceType: typeId,
    attributes,
    internal: ctx.directoryId !== null ? { directoryId: ctx.directoryId } : {},
    uniqueKey: uniqueKeyOf(typeId, attributes, ctx.settings),
    created: now,
    lastModified: now,
    version: 1,
  };
  const { write } = await reviewed(ctx, "create", null, planned, decoded.password);
  const stored = await storeCall(typeId, () => ctx.tx.createResource(write));
  let members: readonly Member[] = [];
  let added: readonly string[] = [];
  if (typeId === "Group" && decoded.members && decoded.members.length > 0) {
    members = await resolveMembers(ctx, id, decoded.members);
    // Version 1 still: a group created with members is one creation.
    added = await ctx.tx.addMembers(id, members, { modifiedAt: now, version: 1 });
  }
  ctx.record(changeOf("create", null, stored, { added }));
  // Object.assign, not a literal opening with `...stored`: V8 builds that on a slow path.
  if (typeId === "Group") return Object.assign({}, stored, { members });
  return typeId === "User" ? Object.assign({}, stored, { groups: [] }) : stored;
}
