/**
 * A resource change as a request made it: what the journal turns into an audit entry and events,
 * and what the policy reads to decide whose roles to recompute.
 */
import { jsonDiff } from "../json-diff.js";
import type { JsonObject, StoredResource } from "../store/types.js";

export type ChangeOperation = "create" | "replace" | "patch" | "delete";

/** One resource change made by a request, recorded for audit, policy and events. */
export interface ResourceChange {
  readonly operation: ChangeOperation;
  readonly resourceType: string;
  readonly id: string;
  /** Client-visible attributes before and after (without members); null when absent. */
  readonly before: JsonObject | null;
  readonly after: JsonObject | null;
  /** Group member ids added and removed. */
  readonly membersAdded: readonly string[];
  readonly membersRemoved: readonly string[];
  /** For a deleted User: the groups it was a member of, which the store left with it. */
  readonly leftGroups?: readonly string[] | undefined;
  /** For a User: the roles it holds after the change (before it, for a deletion). */
  readonly roles?: readonly string[] | null | undefined;
  /** The directory that created the resource, as it remembers. */
  readonly directoryId?: string | null | undefined;
}

/** Client-visible attributes for change records (before/after), with externalId and id. */
export const snapshotOf = (r: Pick<StoredResource, "id" | "attributes">): JsonObject =>
  Object.assign({ id: r.id }, r.attributes);

// The audit entry and the events of one change need the same difference: compute it once.
const diffs = new WeakMap<ResourceChange, JsonObject[]>();

/** The RFC 6902 difference a change made (memoised per change, which is never mutated). */
export function diffOf(change: ResourceChange): JsonObject[] {
  let diff = diffs.get(change);
  if (!diff) diffs.set(change, (diff = jsonDiff(change.before ?? {}, change.after ?? {})));
  return diff;
}
