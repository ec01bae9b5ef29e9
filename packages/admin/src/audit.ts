/**
 * Attribution and the activity log. Core audits each admin call it serves (with the directory, or
 * the host, as actor); it takes no person. So every mutating admin call appends one `admin.*` entry
 * of its own to the tenant's audit trail naming who did it, what they asked, the outcome and, where
 * the API knows them, the state before and after. The activity log reads the trail newest first.
 */
import type { AuditEntry, JsonObject, JsonValue, ScimServer } from "@scimkit/core";

/** The person behind an admin call, as the host's `authorize` names them. */
export interface AdminActor {
  /** The host's id for the person (a user id, an email, a service name). */
  readonly id: string;
  readonly name?: string | undefined;
  readonly email?: string | undefined;
}

/** What a handler tells the audit about the call it served. */
export interface AuditNote {
  readonly directoryId?: string | null | undefined;
  readonly resourceType?: string | null | undefined;
  readonly resourceId?: string | null | undefined;
  readonly before?: JsonObject | null | undefined;
  readonly after?: JsonObject | null | undefined;
  readonly facts?: Readonly<Record<string, JsonValue>> | undefined;
}

export interface AdminEntry extends AuditNote {
  readonly at: string;
  readonly actor: AdminActor;
  readonly requestId: string;
  readonly userAgent: string | null;
  readonly operation: string;
  readonly outcome: "success" | "failure";
  readonly status: number;
  readonly detail: string | null;
}

const pointer = (key: string) => `/${key.replace(/~/g, "~0").replace(/\//g, "~1")}`;
const same = (a: JsonValue | undefined, b: JsonValue | undefined) => JSON.stringify(a) === JSON.stringify(b);

/** RFC 6902 operations turning `before` into `after`, at the top level (the admin objects are flat). */
export function shallowDiff(before: JsonObject | null, after: JsonObject | null): JsonObject[] {
  const b = before ?? {};
  const a = after ?? {};
  const ops: JsonObject[] = [];
  for (const key of Object.keys(b)) if (!(key in a)) ops.push({ op: "remove", path: pointer(key) });
  for (const [key, value] of Object.entries(a)) {
    if (!(key in b)) ops.push({ op: "add", path: pointer(key), value });
    else if (!same(b[key], value)) ops.push({ op: "replace", path: pointer(key), value });
  }
  return ops;
}

export function actorJson(actor: AdminActor): JsonObject {
  return {
    id: actor.id,
    ...(actor.name !== undefined ? { name: actor.name } : {}),
    ...(actor.email !== undefined ? { email: actor.email } : {}),
  };
}

/**
 * Appends one entry, in the row shape core's audit trail reads back (`scim.audit` returns it like
 * any other entry), in its own unit of work after the call's.
 */
export async function appendAdminEntry(scim: ScimServer, tenantId: string, e: AdminEntry): Promise<void> {
  const before = e.before ?? null;
  const after = e.after ?? null;
  const data: JsonObject = {
    tokenId: null,
    userAgent: e.userAgent,
    requestId: e.requestId,
    operation: e.operation,
    diff: before === null && after === null ? [] : shallowDiff(before, after),
    before,
    after,
    membersAdded: [],
    membersRemoved: [],
    tolerances: [],
    outcome: e.outcome,
    status: e.status,
    detail: e.detail,
    facts: { ...(e.facts ?? {}), actor: actorJson(e.actor) },
  };
  await scim.store.transaction(tenantId, async (tx) => {
    await tx.appendLog("audit", {
      at: e.at,
      directoryId: e.directoryId ?? null,
      resourceType: e.resourceType ?? null,
      resourceId: e.resourceId ?? null,
      data,
    });
  });
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

const text = (v: JsonValue | undefined): string | null => (typeof v === "string" ? v : null);

function actorOf(e: AuditEntry): ActivityActor {
  const a = e.facts["actor"];
  if (a !== null && typeof a === "object" && !Array.isArray(a) && typeof a["id"] === "string") {
    return { type: "admin", id: a["id"], name: text(a["name"]), email: text(a["email"]) };
  }
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

const PAGE = 1000;

/**
 * The newest `limit` matching entries, newest first. Core reads the trail oldest first and filters
 * by directory, resource and time only, so this pages through the range forward and keeps the last
 * `limit` matches; `nextBefore` is set when older matches remain.
 */
export async function readActivity(
  scim: ScimServer,
  tenantId: string,
  q: ActivityQuery,
): Promise<{ items: ActivityEntry[]; nextBefore: number | null }> {
  const ops = q.operations ?? [];
  const matchesOperation = (op: string) =>
    ops.length === 0 || ops.some((o) => (o.endsWith(".*") ? op.startsWith(o.slice(0, -1)) : op === o));
  const kept: AuditEntry[] = [];
  let matched = 0;
  let after: number | undefined;
  for (;;) {
    const page = await scim.audit(tenantId, {
      after,
      directoryId: q.directoryId,
      resourceType: q.resourceType,
      resourceId: q.resourceId,
      from: q.from,
      to: q.to,
      limit: PAGE,
    });
    let done = page.length < PAGE;
    for (const e of page) {
      if (q.before !== undefined && e.seq >= q.before) {
        done = true;
        break;
      }
      if (!matchesOperation(e.operation)) continue;
      matched += 1;
      kept.push(e);
      if (kept.length > q.limit) kept.shift();
    }
    const last = page[page.length - 1];
    if (done || last === undefined) break;
    after = last.seq;
  }
  const items = kept.reverse().map(toActivity);
  const oldest = items[items.length - 1];
  return { items, nextBefore: matched > q.limit && oldest !== undefined ? oldest.seq : null };
}
