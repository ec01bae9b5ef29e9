/**
 * The audit trail: one entry per SCIM change and per admin action, written in the same unit of work
 * as the change (no change without its entry, no entry without its change; engine/journal.ts
 * appends them). Entries name the
 * directory and token id (never the secret), the IdP's user agent and request id, the operation, the
 * before/after difference as JSON Patch (RFC 6902, via fast-json-patch), the tolerances that fired
 * and the outcome. Passwords never reach an entry: they are not attributes.
 */
import { ScimConfigError } from "../errors.js";
import { diffOf, type ResourceChange } from "../resources/change.js";
import type { AuditOperation } from "./operations.js";
import type { JsonObject, JsonValue, LogEntry, LogQuery, NewLogEntry, StoreTransaction } from "../store/types.js";

/** A person acting through the host's admin pages, as the host identifies them. */
export interface Person {
  readonly id: string;
  readonly name?: string | null | undefined;
  readonly email?: string | null | undefined;
}

/** Who made a change. */
export interface Actor {
  readonly directoryId: string | null;
  readonly tokenId: string | null;
  readonly userAgent: string | null;
  readonly requestId: string | null;
  /** The person behind an admin call (`scim.directories.as(person)`, `scim.policy.as(person)`). */
  readonly person?: Person | null | undefined;
}

export interface AuditEntry {
  readonly seq: number;
  readonly at: string;
  readonly directoryId: string | null;
  readonly tokenId: string | null;
  readonly userAgent: string | null;
  readonly requestId: string | null;
  /** The person behind an admin call; null for IdP requests and unattributed host calls. */
  readonly person: Person | null;
  /** What was done: a SCIM write (`"create User"`), a directory admin call, or a policy decision. */
  readonly operation: AuditOperation;
  readonly resourceType: string | null;
  readonly resourceId: string | null;
  /** RFC 6902 operations turning `before` into `after`. */
  readonly diff: readonly JsonObject[];
  readonly before: JsonObject | null;
  readonly after: JsonObject | null;
  readonly membersAdded: readonly string[];
  readonly membersRemoved: readonly string[];
  readonly tolerances: readonly string[];
  readonly outcome: "success" | "failure";
  readonly status: number;
  readonly detail: string | null;
  /** Free-form facts for admin actions and policy decisions (never secrets). */
  readonly facts: Readonly<Record<string, JsonValue>>;
}

export interface AuditWrite {
  readonly at: string;
  readonly actor: Actor;
  /**
   * An {@link AuditOperation}. Typed as a string because the journal passes through what its
   * callers name; each caller checks its own names against the union (`satisfies`).
   */
  readonly operation: AuditOperation | string;
  readonly resourceType?: string | null | undefined;
  readonly resourceId?: string | null | undefined;
  readonly change?: ResourceChange | undefined;
  readonly tolerances?: readonly string[] | undefined;
  readonly outcome: "success" | "failure";
  readonly status: number;
  readonly detail?: string | null | undefined;
  readonly facts?: Readonly<Record<string, JsonValue>> | undefined;
}

/** The log row of one audit entry; the journal appends it with the rest of the unit of work's rows. */
export function auditRecord(w: AuditWrite): NewLogEntry {
  const c = w.change;
  const data: JsonObject = {
    tokenId: w.actor.tokenId,
    userAgent: w.actor.userAgent,
    requestId: w.actor.requestId,
    person: w.actor.person
      ? { id: w.actor.person.id, name: w.actor.person.name ?? null, email: w.actor.person.email ?? null }
      : null,
    operation: w.operation,
    diff: c ? diffOf(c) : [],
    before: c?.before ?? null,
    after: c?.after ?? null,
    membersAdded: [...(c?.membersAdded ?? [])],
    membersRemoved: [...(c?.membersRemoved ?? [])],
    tolerances: [...(w.tolerances ?? [])],
    outcome: w.outcome,
    status: w.status,
    detail: w.detail ?? null,
    facts: { ...(w.facts ?? {}) },
  };
  return {
    at: w.at,
    directoryId: w.actor.directoryId,
    resourceType: w.resourceType ?? c?.resourceType ?? null,
    resourceId: w.resourceId ?? c?.id ?? null,
    data,
  };
}

export function toAuditEntry(e: LogEntry): AuditEntry {
  const d = e.data as unknown as Omit<AuditEntry, "seq" | "at" | "directoryId" | "resourceType" | "resourceId">;
  return {
    ...d,
    person: d.person ?? null,
    seq: e.seq,
    at: e.at,
    directoryId: e.directoryId,
    resourceType: e.resourceType,
    resourceId: e.resourceId,
  };
}

/**
 * Entries are stamped with `Date#toISOString()` (UTC, milliseconds), so a bound compares as an
 * instant only in that same form: `T10:00:00Z` or `T11:00:00+01:00` must first become
 * `T10:00:00.000Z`. A bound that is no date at all is a caller's mistake, not an empty result.
 */
function instant(bound: string | undefined, name: string): string | undefined {
  if (bound === undefined) return undefined;
  const ms = Date.parse(bound);
  if (Number.isNaN(ms)) throw new ScimConfigError(`audit query: ${name} must be an ISO 8601 date-time, got "${bound}"`);
  return new Date(ms).toISOString();
}

/** Reads audit entries, oldest first, by resource, directory and time range; page with `after`. */
export async function readAudit(tx: StoreTransaction, query: LogQuery): Promise<AuditEntry[]> {
  const from = instant(query.from, "from");
  const to = instant(query.to, "to");
  return (await tx.readLog("audit", { ...query, from, to })).map(toAuditEntry);
}
