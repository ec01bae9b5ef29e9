/**
 * Host events. Each committed change becomes typed events, persisted in the same unit of work (an
 * outbox the host can replay from a cursor after downtime) and delivered to handlers after commit,
 * in order per directory. A failing handler is logged and never touches SCIM state.
 */
import { changedPaths, groupView, userView, type GroupView, type UserView } from "../host/views.js";
import { diffOf, type ResourceChange } from "../resources/change.js";
import type { JsonObject, JsonValue, LogEntry, NewLogEntry } from "../store/types.js";

export type ScimEventType = ScimEvent["type"];

interface EventBase {
  /** A unique id, the same on every delivery and replay: the handler's idempotency key. */
  readonly id: string;
  /** Store-assigned cursor: strictly increasing. */
  readonly seq: number;
  readonly at: string;
  readonly tenantId: string;
  readonly directoryId: string | null;
  /** The id of the bearer token the change came through (never the secret); null for host actions. */
  readonly tokenId: string | null;
  readonly resourceType: string | null;
  readonly resourceId: string | null;
  /** The compact facts earlier versions carried: `diff` for updates, `members`, `roles`. */
  readonly data: Readonly<Record<string, JsonValue>>;
}

/** A user created, updated, deactivated or reactivated: the user as it is after the change. */
export interface UserChangedEvent extends EventBase {
  readonly type: "user.created" | "user.updated" | "user.deactivated" | "user.reactivated";
  readonly user: UserView;
  /** The SCIM attribute paths the change touched (`name.givenName`, `emails`, `active`). */
  readonly changed: readonly string[];
}

/** A user deleted: the user as it last was. */
export interface UserDeletedEvent extends EventBase {
  readonly type: "user.deleted";
  readonly user: UserView;
}

export interface GroupChangedEvent extends EventBase {
  readonly type: "group.created" | "group.updated";
  readonly group: GroupView;
  readonly changed: readonly string[];
}

export interface GroupDeletedEvent extends EventBase {
  readonly type: "group.deleted";
  readonly group: GroupView;
}

/** Members added to or removed from a group (users or nested groups, by id). */
export interface MembershipEvent extends EventBase {
  readonly type: "membership.added" | "membership.removed";
  readonly groupId: string;
  readonly memberIds: readonly string[];
}

export interface RoleChangedEvent extends EventBase {
  readonly type: "role.changed";
  readonly userId: string;
  readonly roles: readonly string[] | null;
  readonly previousRoles: readonly string[] | null;
  readonly reason: string;
}

/** A connection's lifecycle, from the host's admin calls. `facts` never hold a secret. */
export interface DirectoryEvent extends EventBase {
  readonly type: "directory.created" | "directory.updated" | "directory.deleted" | "token.minted" | "token.revoked";
  readonly facts: Readonly<Record<string, JsonValue>>;
}

/** Every event a host can act on, told apart by `type`. */
export type ScimEvent =
  | UserChangedEvent
  | UserDeletedEvent
  | GroupChangedEvent
  | GroupDeletedEvent
  | MembershipEvent
  | RoleChangedEvent
  | DirectoryEvent;

/** An event as its producer makes it, before the journal gives it an id and a cursor. */
export interface NewEvent {
  readonly type: ScimEventType;
  readonly directoryId: string | null;
  readonly resourceType: string | null;
  readonly resourceId: string | null;
  readonly data: Readonly<Record<string, JsonValue>>;
  /** The typed fields of the event's type (user, group, changed, memberIds, …). */
  readonly payload: JsonObject;
}

// A view is built fresh for the row and holds only JSON values (its roles a copy, not the stored
// resource's own array), so it goes into the row as it is rather than copied once more.
const viewJson = (v: UserView | GroupView): JsonObject => v as unknown as JsonObject;

/** The events a change implies, in the order a host should see them. */
export function eventsOf(change: ResourceChange, directoryId: string | null): NewEvent[] {
  const out: NewEvent[] = [];
  if (change.resourceType !== "User" && change.resourceType !== "Group") return out;
  // Each event is one literal with every field named: a literal mixing a spread with its own keys
  // (in either order) is built on V8's slow path, and every write makes these.
  const event = (type: ScimEventType, data: NewEvent["data"], payload: JsonObject): NewEvent => ({
    type,
    data,
    payload,
    directoryId,
    resourceType: change.resourceType,
    resourceId: change.id,
  });
  const isUser = change.resourceType === "User";
  const state = change.after ?? change.before ?? {};
  const creator = change.directoryId ?? null;
  const view = viewJson(
    isUser
      ? userView(change.id, state, change.roles ? [...change.roles] : null, creator)
      : groupView(change.id, state, creator),
  );
  const payload = (changed?: string[]): JsonObject => {
    const p: JsonObject = isUser ? { user: view } : { group: view };
    if (changed !== undefined) p["changed"] = changed;
    return p;
  };
  const kind = isUser ? "user" : "group";
  if (change.operation === "create") {
    out.push(event(`${kind}.created`, {}, payload(changedPaths(diffOf(change)))));
  } else if (change.operation === "delete") {
    out.push(event(`${kind}.deleted`, {}, payload()));
  } else {
    const diff = diffOf(change);
    const wasActive = change.before?.["active"] !== false;
    const isActive = change.after?.["active"] !== false;
    const rest = diff.filter((op) => op["path"] !== "/active");
    const changed = changedPaths(diff);
    if (rest.length > 0)
      out.push(event(`${kind}.updated`, { diff: rest }, payload(changed.filter((p) => p !== "active"))));
    if (isUser && wasActive && !isActive) out.push(event("user.deactivated", {}, payload(["active"])));
    if (isUser && !wasActive && isActive) out.push(event("user.reactivated", {}, payload(["active"])));
  }
  const membership = (
    type: "membership.added" | "membership.removed",
    groupId: string,
    ids: readonly string[],
  ): NewEvent => ({
    directoryId,
    resourceType: "Group",
    resourceId: groupId,
    type,
    data: { members: [...ids] },
    payload: { groupId, memberIds: [...ids] },
  });
  if (change.membersAdded.length > 0) out.push(membership("membership.added", change.id, change.membersAdded));
  if (change.membersRemoved.length > 0) out.push(membership("membership.removed", change.id, change.membersRemoved));
  // A deleted user leaves its groups too: a host mirroring memberships from events must hear it.
  for (const groupId of change.leftGroups ?? []) out.push(membership("membership.removed", groupId, [change.id]));
  return out;
}

/** The outbox row of one event; the journal appends it with the rest of the unit of work's rows. */
export function eventRecord(at: string, id: string, tokenId: string | null, e: NewEvent): NewLogEntry {
  // Object.assign, not `{ ...e.data, type, … }`: V8 builds a literal that opens with a spread and
  // then gains properties on a slow path, and every write makes these rows.
  const data: JsonObject = Object.assign({}, e.data, { type: e.type, id, tokenId, payload: e.payload });
  return { at, directoryId: e.directoryId, resourceType: e.resourceType, resourceId: e.resourceId, data };
}

/** An outbox row → the typed event it was written from. */
export function toEvent(tenantId: string, e: LogEntry): ScimEvent {
  const { type, id, tokenId, payload, ...data } = e.data;
  const typed = payload !== null && typeof payload === "object" && !Array.isArray(payload) ? payload : {};
  // Rows are written by eventRecord alone, so their shape is the event's own.
  return {
    ...typed,
    id: typeof id === "string" ? id : `${tenantId}:${e.seq}`,
    seq: e.seq,
    at: e.at,
    type,
    tenantId,
    directoryId: e.directoryId,
    tokenId: typeof tokenId === "string" ? tokenId : null,
    resourceType: e.resourceType,
    resourceId: e.resourceId,
    data,
  } as unknown as ScimEvent;
}

export type EventHandler = (event: ScimEvent) => void | Promise<void>;

/** Delivers events after commit, one directory's events strictly in order. */
export class EventDispatcher {
  readonly #handlers = new Set<EventHandler>();
  readonly #queues = new Map<string, Promise<void>>();

  constructor(private readonly onHandlerError: (error: unknown, event: ScimEvent) => void) {}

  /** True when some handler would receive a delivery: otherwise a write need not build its events. */
  get listening(): boolean {
    return this.#handlers.size > 0;
  }

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
