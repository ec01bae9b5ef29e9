/**
 * RFC 7644 §3.5.1: replacing a resource with PUT. Every readWrite attribute takes the value sent;
 * an omitted attribute is cleared, with two exceptions IdPs depend on (tolerance 24): an omitted
 * `active` keeps its value (a PUT that forgets `active` must not deactivate anyone), and a Group PUT
 * without `members` keeps the members (one carrying `members`, even `[]`, replaces them).
 * readOnly values echoed back (`id`, `meta`, `groups`) are ignored. Immutable values must match
 * what is stored; omitted immutable, readOnly and never-returned values are kept (schema/rules.ts).
 */
import { expectedVersion } from "../http/etag.js";
import { ScimError } from "../errors.js";
import { decodeResourceBody } from "../schema/resource-body.js";
import { assertRequired, replacedAttributes } from "../schema/rules.js";
import type { JsonObject, StoredResource } from "../store/types.js";
import type { OperationContext } from "./context.js";
import { snapshotOf } from "./create.js";
import { mapStoreError, resourceNotFound } from "./errors.js";
import { resolveMembers } from "./members.js";
import { uniqueKeyOf } from "./unique-key.js";

export const preconditionFailed = () => new ScimError(412, "The resource has changed since the version given in If-Match");

/** Reads the current resource and checks `If-Match` against it. */
export async function loadForWrite(ctx: OperationContext, typeId: string, id: string, ifMatch: string | null): Promise<StoredResource> {
  const current = await ctx.tx.getResource(typeId, id);
  if (!current) throw resourceNotFound(typeId, id);
  if (expectedVersion(ifMatch, current.version) === -1) throw preconditionFailed();
  return current;
}

export async function replaceResource(ctx: OperationContext, typeId: string, id: string, body: unknown, ifMatch: string | null): Promise<StoredResource> {
  const current = await loadForWrite(ctx, typeId, id, ifMatch);
  const decoded = decodeResourceBody(ctx.registry, typeId, body, ctx.tol);
  const schemas = ctx.registry.resourceType(typeId);
  const attributes: JsonObject = replacedAttributes(schemas, current.attributes, decoded.attributes);
  if (typeId === "User" && attributes["active"] === undefined && current.attributes["active"] !== undefined && ctx.tol.enabled("putKeepsOmittedActive")) {
    ctx.tol.fire("putKeepsOmittedActive");
    attributes["active"] = current.attributes["active"];
  }
  assertRequired(schemas, attributes);
  const now = ctx.settings.now().toISOString();
  let stored: StoredResource;
  try {
    stored = await ctx.tx.replaceResource(
      { ...current, attributes, uniqueKey: uniqueKeyOf(typeId, attributes, ctx.settings), lastModified: now, version: current.version + 1 },
      { expectedVersion: current.version },
    );
  } catch (error) {
    throw mapStoreError(error, typeId);
  }
  let added: readonly string[] = [];
  let removed: readonly string[] = [];
  if (typeId === "Group" && decoded.members !== undefined) {
    const members = await resolveMembers(ctx, id, decoded.members);
    ({ added, removed } = await ctx.tx.replaceMembers(id, members, { modifiedAt: now }));
  }
  ctx.changes.push({
    operation: "replace",
    resourceType: typeId,
    id,
    before: snapshotOf(current),
    after: snapshotOf(stored),
    membersAdded: added,
    membersRemoved: removed,
    password: decoded.password,
  });
  return (await ctx.tx.getResource(typeId, id)) ?? stored;
}
