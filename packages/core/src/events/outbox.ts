/**
 * Host events. Each committed change becomes typed events, persisted in the same unit of work (an
 * outbox the host can replay from a cursor after downtime) and delivered to handlers after commit,
 * in order per directory. A failing handler is logged and never touches SCIM state.
 */
import { diffOf, type ResourceChange } from "../resources/change.js";
import type { JsonObject, JsonValue, LogEntry, NewLogEntry } from "../store/types.js";

export type ScimEventType =
  | "user.created"
  | "user.updated"
  | "user.deactivated"
  | "user.reactivated"
  | "user.deleted"
  | "group.created"
  | "group.updated"
  | "group.deleted"
  | "membership.added"
  | "membership.removed"
  | "role.changed";

export interface ScimEvent {
  /** Store-assigned cursor: strictly increasing. */
  readonly seq: number;
  readonly at: string;
  readonly type: ScimEventType;
  readonly tenantId: string;
  readonly directoryId: string | null;
  readonly resourceType: string | null;
  readonly resourceId: string | null;
  /** Type-specific facts: `diff` for updates, `members` for membership events, `roles` for role changes. */
  readonly data: Readonly<Record<string, JsonValue>>;
}

export type NewEvent = Omit<ScimEvent, "seq" | "tenantId" | "at">;

/** The events a change implies, in the order a host should see them. */
export function eventsOf(change: ResourceChange, directoryId: string | null): NewEvent[] {
  const base = { directoryId, resourceType: change.resourceType, resourceId: change.id };
  const out: NewEvent[] = [];
  const kind = change.resourceType === "Group" ? "group" : "user";
  if (change.resourceType !== "User" && change.resourceType !== "Group") return out;
  if (change.operation === "create") out.push({ ...base, type: `${kind}.created`, data: {} });
  else if (change.operation === "delete") out.push({ ...base, type: `${kind}.deleted`, data: {} });
  else {
    const diff = diffOf(change);
    const wasActive = change.before?.["active"] !== false;
    const isActive = change.after?.["active"] !== false;
    const rest = diff.filter((op) => op["path"] !== "/active");
    if (rest.length > 0) out.push({ ...base, type: `${kind}.updated`, data: { diff: rest } });
    if (kind === "user" && wasActive && !isActive) out.push({ ...base, type: "user.deactivated", data: {} });
    if (kind === "user" && !wasActive && isActive) out.push({ ...base, type: "user.reactivated", data: {} });
  }
  if (change.membersAdded.length > 0) out.push({ ...base, type: "membership.added", data: { members: [...change.membersAdded] } });
  if (change.membersRemoved.length > 0) out.push({ ...base, type: "membership.removed", data: { members: [...change.membersRemoved] } });
  // A deleted user leaves its groups too: a host mirroring memberships from events must hear it.
  for (const groupId of change.leftGroups ?? []) {
    out.push({ directoryId, resourceType: "Group", resourceId: groupId, type: "membership.removed", data: { members: [change.id] } });
  }
  return out;
}

/** The outbox row of one event; the journal appends it with the rest of the unit of work's rows. */
export function eventRecord(at: string, e: NewEvent): NewLogEntry {
  const data: JsonObject = { type: e.type, ...e.data };
  return { at, directoryId: e.directoryId, resourceType: e.resourceType, resourceId: e.resourceId, data };
}

export function toEvent(tenantId: string, e: LogEntry): ScimEvent {
  const { type, ...data } = e.data;
  return { seq: e.seq, at: e.at, type: type as ScimEventType, tenantId, directoryId: e.directoryId, resourceType: e.resourceType, resourceId: e.resourceId, data };
}

export type EventHandler = (event: ScimEvent) => void | Promise<void>;

/** Delivers events after commit, one directory's events strictly in order. */
export class EventDispatcher {
  readonly #handlers = new Set<EventHandler>();
  readonly #queues = new Map<string, Promise<void>>();

  constructor(private readonly onHandlerError: (error: unknown, event: ScimEvent) => void) {}

  subscribe(handler: EventHandler): () => void {
    this.#handlers.add(handler);
    return () => this.#handlers.delete(handler);
  }

  /** Queues delivery; resolves when these events have been handed to every handler. */
  deliver(events: readonly ScimEvent[]): Promise<void> {
    if (events.length === 0 || this.#handlers.size === 0) return Promise.resolve();
    const key = `${events[0]?.tenantId}\u0000${events[0]?.directoryId ?? ""}`;
    const next = (this.#queues.get(key) ?? Promise.resolve()).then(async () => {
      for (const event of events) {
        for (const handler of this.#handlers) {
          try {
            await handler(event);
          } catch (error) {
            this.onHandlerError(error, event);
          }
        }
      }
    });
    this.#queues.set(key, next);
    void next.finally(() => {
      if (this.#queues.get(key) === next) this.#queues.delete(key);
    });
    return next;
  }
}
