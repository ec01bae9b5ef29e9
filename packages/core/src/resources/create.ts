/** RFC 7644 §3.3: creating a resource. */
import { decodeResourceBody } from "../schema/resource-body.js";
import { assertRequired } from "../schema/rules.js";
import type { JsonObject, StoredResource } from "../store/types.js";
import type { OperationContext } from "./context.js";
import { mapStoreError } from "./errors.js";
import { resolveMembers } from "./members.js";
import { uniqueKeyOf } from "./unique-key.js";

/** Client-visible attributes for change records (before/after), with externalId and id. */
export const snapshotOf = (r: StoredResource): JsonObject => ({ id: r.id, ...r.attributes });

export async function createResource(ctx: OperationContext, typeId: string, body: unknown): Promise<StoredResource> {
  const decoded = decodeResourceBody(ctx.registry, typeId, body, ctx.tol);
  const attributes: JsonObject = { ...decoded.attributes };
  // A user created without `active` is active: every IdP treats a new account as enabled.
  if (typeId === "User" && attributes["active"] === undefined) attributes["active"] = true;
  assertRequired(ctx.registry.resourceType(typeId), attributes);
  const now = ctx.settings.now().toISOString();
  const id = ctx.settings.newId();
  let stored: StoredResource;
  try {
    stored = await ctx.tx.createResource({
      id,
      resourceType: typeId,
      attributes,
      internal: ctx.directoryId !== null ? { directoryId: ctx.directoryId } : {},
      uniqueKey: uniqueKeyOf(typeId, attributes, ctx.settings),
      created: now,
      lastModified: now,
      version: 1,
    });
  } catch (error) {
    throw mapStoreError(error, typeId);
  }
  let added: readonly string[] = [];
  if (typeId === "Group" && decoded.members && decoded.members.length > 0) {
    const members = await resolveMembers(ctx, id, decoded.members);
    added = await ctx.tx.addMembers(id, members, { modifiedAt: now });
  }
  ctx.changes.push({
    operation: "create",
    resourceType: typeId,
    id,
    before: null,
    after: snapshotOf(stored),
    membersAdded: added,
    membersRemoved: [],
    password: decoded.password,
  });
  return (await ctx.tx.getResource(typeId, id)) ?? stored;
}
