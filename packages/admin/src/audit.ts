/**
 * The activity log: the tenant's audit trail, newest first. Admin calls reach core through
 * `directories.as(person)` and `policy.as(person)`, so core's own entries for them (written in the
 * same unit of work as the change) name the person; the log shows them as the admin's.
 */
import type { AuditEntry, JsonObject, JsonValue, ScimServer } from "@scimkit/core";

/** The person behind an admin call, as the host's `authorize` names them. */
export interface AdminActor {
  /** The host's id for the person (a user id, an email, a service name). */
  readonly id: string;
  readonly name?: string | undefined;
  readonly email?: string | undefined;
}

/** Who an activity entry is attributed to. */
export type ActivityActor =
  | { readonly type: "admin"; readonly id: string; readonly name: string | null; readonly email: string | null }
  | {
      readonly type: "connection";
      readonly connectionId: string | null;
      readonly tokenId: string | null;
      readonly userAgent: string | null;
    }
  | { readonly type: "system" };

/** One entry of the activity log. */
export interface ActivityEntry {
  readonly seq: number;
  readonly at: string;
  readonly operation: string;
  readonly actor: ActivityActor;
  readonly connectionId: string | null;
  readonly resourceType: string | null;
  readonly resourceId: string | null;
  readonly outcome: "success" | "failure";
  readonly status: number;
  readonly detail: string | null;
  /** RFC 6902 operations turning `before` into `after`. */
  readonly diff: readonly JsonObject[];
  readonly before: JsonObject | null;
  readonly after: JsonObject | null;
  readonly membersAdded: readonly string[];
  readonly membersRemoved: readonly string[];
  /** The compatibility tolerances that shaped the request. */
  readonly tolerances: readonly string[];
  readonly facts: Readonly<Record<string, JsonValue>>;
}

function actorOf(e: AuditEntry): ActivityActor {
  if (e.person !== null)
    return { type: "admin", id: e.person.id, name: e.person.name ?? null, email: e.person.email ?? null };
  if (e.tokenId !== null)
    return { type: "connection", connectionId: e.directoryId, tokenId: e.tokenId, userAgent: e.userAgent };
  return { type: "system" };
}

export function toActivity(e: AuditEntry): ActivityEntry {
  return {
    seq: e.seq,
    at: e.at,
    operation: e.operation,
    actor: actorOf(e),
    connectionId: e.directoryId,
    resourceType: e.resourceType,
    resourceId: e.resourceId,
    outcome: e.outcome,
    status: e.status,
    detail: e.detail,
    diff: e.diff,
    before: e.before,
    after: e.after,
    membersAdded: e.membersAdded,
    membersRemoved: e.membersRemoved,
    tolerances: e.tolerances,
    facts: e.facts,
  };
}

export interface ActivityQuery {
  readonly directoryId?: string | undefined;
  readonly resourceType?: string | undefined;
  readonly resourceId?: string | undefined;
  /** Exact operation names, or prefixes written `user.*`. */
  readonly operations?: readonly string[] | undefined;
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  /** Only entries older than this `seq` (the previous page's `nextBefore`). */
  readonly before?: number | undefined;
  readonly limit: number;
}

/**
 * The newest `limit` matching entries, newest first. Core reads the trail newest first and filters
 * by directory, resource and time; operations are matched here, so with an operation filter it
 * reads on past entries that do not match. `nextBefore` is set when older matches remain.
 */
export async function readActivity(
  scim: ScimServer,
  tenantId: string,
  q: ActivityQuery,
): Promise<{ items: ActivityEntry[]; nextBefore: number | null }> {
  const ops = q.operations ?? [];
  const matchesOperation = (op: string) =>
    ops.length === 0 || ops.some((o) => (o.endsWith(".*") ? op.startsWith(o.slice(0, -1)) : op === o));
  const page = ops.length === 0 ? q.limit + 1 : 500;
  const kept: AuditEntry[] = [];
  let more = false;
  let before = q.before;
  reading: for (;;) {
    const entries = await scim.audit(tenantId, {
      order: "descending",
      before,
      directoryId: q.directoryId,
      resourceType: q.resourceType,
      resourceId: q.resourceId,
      from: q.from,
      to: q.to,
      limit: page,
    });
    for (const e of entries) {
      if (!matchesOperation(e.operation)) continue;
      if (kept.length === q.limit) {
        more = true;
        break reading;
      }
      kept.push(e);
    }
    const last = entries[entries.length - 1];
    if (entries.length < page || last === undefined) break;
    before = last.seq;
  }
  const items = kept.map(toActivity);
  const oldest = items[items.length - 1];
  return { items, nextBefore: more && oldest !== undefined ? oldest.seq : null };
}
