/**
 * The steps every resource write shares: load the target once (with whatever the answer will
 * show), let the policy review a user write, write the resource once, and record the change.
 */
import { ScimError } from "../errors.js";
import { sameJson } from "../json-diff.js";
import type {
  JsonObject,
  Projection,
  ResourceWrite,
  StoredResource,
  StoreTransaction,
  WriteGuard,
} from "../store/types.js";
import { snapshotOf, type ChangeOperation, type ResourceChange } from "./change.js";
import type { OperationContext, UserVerdict } from "./context.js";
import { expectedVersion } from "./etag.js";
import { mapStoreError, resourceNotFound } from "./errors.js";
import { creatorOf, rolesOf } from "../host/views.js";

/** What the answer to a write shows, so the one read before the write loads it. */
export interface AnswerNeeds {
  /** A Group's members. */
  readonly members: boolean;
  /** A User's groups. */
  readonly groups: boolean;
}

export const NO_ANSWER: AnswerNeeds = { members: false, groups: false };

export const preconditionFailed = () =>
  new ScimError(412, "The resource has changed since the version given in If-Match");

/** Reads the current resource (the write's one read) and checks `If-Match` against it. */
export async function loadForWrite(
  ctx: OperationContext,
  typeId: string,
  id: string,
  ifMatch: string | null,
  needs: AnswerNeeds,
): Promise<StoredResource> {
  const projection: Projection | undefined =
    typeId === "Group" && needs.members
      ? { members: true }
      : typeId === "User" && needs.groups
        ? { groups: true }
        : undefined;
  const current = await ctx.tx.getResource(typeId, id, projection);
  if (!current) throw resourceNotFound(typeId, id);
  if (expectedVersion(ifMatch, current.version) === -1) throw preconditionFailed();
  return current;
}

/**
 * The next revision of a stored resource: its identity and internal data, the new attributes. Named
 * field by field rather than spread from a copy: every PUT and PATCH builds one.
 */
export function revisionOf(
  current: StoredResource,
  attributes: JsonObject,
  uniqueKey: string | null,
  lastModified: string,
  version: number,
): ResourceWrite {
  return {
    id: current.id,
    resourceType: current.resourceType,
    attributes,
    internal: current.internal,
    uniqueKey,
    created: current.created,
    lastModified,
    version,
  };
}

/** Lets the policy review a user write; other writes pass as planned. */
export async function reviewed(
  ctx: OperationContext,
  operation: "create" | "replace" | "patch",
  before: StoredResource | null,
  next: ResourceWrite,
  password: string | undefined,
): Promise<UserVerdict> {
  if (next.resourceType !== "User" || !ctx.review) return { write: next, thenDelete: false };
  return ctx.review({ operation, before, next, password });
}

/** True when the write changes something stored: attributes, internal data or the unique key. */
export function changesStored(current: StoredResource, next: ResourceWrite): boolean {
  return (
    current.uniqueKey !== next.uniqueKey ||
    !sameJson(current.attributes, next.attributes) ||
    !sameJson(current.internal, next.internal)
  );
}

export async function storeCall<T>(typeId: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw mapStoreError(error, typeId);
  }
}

export function changeOf(
  operation: ChangeOperation,
  before: StoredResource | null,
  after: Pick<StoredResource, "id" | "attributes" | "resourceType" | "internal"> | null,
  members: { readonly added?: readonly string[]; readonly removed?: readonly string[] } = {},
): ResourceChange {
  const subject = (after ?? before) as Pick<StoredResource, "id" | "resourceType" | "internal">;
  // Every field named in the literal, none spread in first: V8 builds an object that starts with a
  // spread and then gains properties on a slow path (microseconds for this one, on every write).
  return {
    operation,
    resourceType: subject.resourceType,
    id: subject.id,
    before: before && snapshotOf(before),
    after: after && snapshotOf(after),
    membersAdded: members.added ?? [],
    membersRemoved: members.removed ?? [],
    directoryId: creatorOf(subject.internal),
    roles: subject.resourceType === "User" ? rolesOf(subject.internal) : undefined,
  };
}

/**
 * Deletes a stored resource at `at` and returns its change, with the groups a User leaves by going
 * (from the resource when it was read with them, else one membership read). Each of those groups
 * changed: its membership is removed first, moving its version and lastModified, so its ETag
 * changes and a conditional GET of it does not answer 304 with a stale member list.
 */
export async function deleteStored(
  tx: StoreTransaction,
  resource: StoredResource,
  at: string,
  guard?: WriteGuard,
): Promise<ResourceChange> {
  const type = resource.resourceType;
  const groups = type === "User" ? (resource.groups ?? (await tx.groupsOf([resource.id])).get(resource.id) ?? []) : [];
  for (const g of groups) {
    const group = await tx.getResource("Group", g.groupId);
    if (group) await tx.removeMembers(group.id, [resource.id], { modifiedAt: at, version: group.version + 1 });
  }
  await tx.deleteResource(type, resource.id, guard);
  return { ...changeOf("delete", resource, null), leftGroups: groups.map((g) => g.groupId) };
}
