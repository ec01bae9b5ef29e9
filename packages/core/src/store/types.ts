/**
 * The store contract. One resource-generic interface that a SQL database can implement natively:
 * every operation runs inside a unit of work bound to one tenant; filters, sorting, paging, counts
 * and membership changes are evaluated by the store; audit and event rows are written in the same
 * unit of work as the change they describe.
 *
 * Core owns identifiers, timestamps and versions; the store owns persistence, indexes, uniqueness
 * and atomicity.
 */
import type { Filter, Sort } from "../filter/ast.js";

import type { JsonObject, JsonValue } from "../json.js";
import type { FeedStore, GlobalLogQuery, TenantLogEntry } from "./feed.js";

export type { JsonObject, JsonValue } from "../json.js";
export type {
  FeedBatch,
  FeedLease,
  FeedOutcome,
  FeedStore,
  FeedTenantLag,
  GlobalLogQuery,
  ParkedEvent,
  TenantLogEntry,
} from "./feed.js";

/** The type of a SCIM resource: `User`, `Group`, or a host-defined type id. */
export type ResourceTypeId = string;

/** A resource as stored: its attributes in canonical form, with meta kept apart. */
export interface StoredResource {
  readonly id: string;
  readonly resourceType: ResourceTypeId;
  /**
   * Client-visible attributes in canonical case: core attributes at the top level, extension
   * attributes under their schema URN. Never holds `id`, `meta`, `schemas`, Group `members` or
   * User `groups`: those are derived.
   */
  readonly attributes: JsonObject;
  /** Server-side data the client never sees (password hash, policy state, tombstones). */
  readonly internal: JsonObject;
  /** The value the store keeps unique per tenant and type (e.g. lower-cased userName), if any. */
  readonly uniqueKey: string | null;
  readonly created: string;
  readonly lastModified: string;
  /** Monotonic revision, bumped by every write including membership changes. */
  readonly version: number;
  /** Present only when the read asked for members (Groups). */
  readonly members?: readonly Member[] | undefined;
  /** Present only when the read asked for the groups a resource belongs to directly (Users). */
  readonly groups?: readonly Membership[] | undefined;
}

/** What core hands the store to create or replace a resource. */
export type ResourceWrite = Omit<StoredResource, "members" | "groups">;

/** A Group member. */
export interface Member {
  /** Id of a User or Group in the same tenant. */
  readonly value: string;
  readonly type: "User" | "Group";
  /** The display value the IdP sent or core derived, kept so reads need no join. */
  readonly display?: string | undefined;
}

/** One Group a resource belongs to, for the User's read-only `groups` attribute. */
export interface Membership {
  readonly groupId: string;
  readonly display?: string | undefined;
}

/** Which parts of a resource a read must load. Members are the only costly part. */
export interface Projection {
  /** Load Group members. @default false */
  readonly members?: boolean | undefined;
  /** Load the groups the resource belongs to directly (a User's `groups`). @default false */
  readonly groups?: boolean | undefined;
}

/**
 * A listing. Without `sort`, results come in creation order: `created` ascending, then `id`
 * ascending for resources created in the same millisecond, so paging is stable.
 */
export interface StoreQuery {
  readonly filter?: Filter | undefined;
  /** Ties in the sorted attribute (and resources without it, which sort last) keep creation order. */
  readonly sort?: Sort | undefined;
  /** 1-based index of the first result. */
  readonly startIndex: number;
  /** Maximum number of results; 0 asks for the total only. */
  readonly count: number;
  readonly projection?: Projection | undefined;
  /**
   * A keyset position (cursor paging): the results start right after this position in the
   * query's order, and `startIndex` is then 1. The order is the sort key (missing values last),
   * then `created`, then `id`, so the position names one place even when the resource it was taken
   * from has since changed or gone. `total` still counts every match, before and after it.
   * A store built with `defineStore` that does not declare `supportsKeyset` never sees it.
   */
  readonly after?: KeysetPosition | undefined;
  /**
   * The other way (a `previousCursor`): the last `count` matches before this position, returned in
   * the query's order. Never given together with `after`; same capability.
   */
  readonly before?: KeysetPosition | undefined;
}

/** Where the previous page ended: the sort keys of its last resource, as they were then. */
export interface KeysetPosition {
  /**
   * The sort attribute's value at that resource, as core's `sortValue` reads it from the
   * client-visible view; absent when it had none (or when the query has no sort).
   */
  readonly value?: JsonValue | undefined;
  readonly created: string;
  readonly id: string;
}

export interface QueryResult {
  readonly resources: readonly StoredResource[];
  /** Number of matches before paging. */
  readonly total: number;
}

/** Options for a write guarded by the version the client saw (`If-Match`). */
export interface WriteGuard {
  /** Fail with a {@link VersionConflictError} when the stored version differs. */
  readonly expectedVersion?: number | undefined;
}

/**
 * Options for a membership change: the group's new `lastModified` and `version`, which the store
 * sets as given (core owns versions; the store bumps nothing), and an optional version guard.
 */
export interface MembershipWrite extends WriteGuard {
  readonly modifiedAt: string;
  readonly version: number;
}

/** A small admin record (directory, token, role mapping, exclusion …). */
export interface StoreRecord {
  readonly id: string;
  /** A value unique per kind across all tenants, for lookups before the tenant is known (e.g. a token hash). */
  readonly key?: string | null | undefined;
  readonly data: JsonObject;
}

/** Append-only logs kept in the same unit of work as the change. */
export type LogName = "audit" | "events";

export interface LogEntry {
  /** Assigned by the store: strictly increasing per store, usable as a cursor. */
  readonly seq: number;
  readonly at: string;
  readonly directoryId: string | null;
  readonly resourceType: string | null;
  readonly resourceId: string | null;
  readonly data: JsonObject;
}

export type NewLogEntry = Omit<LogEntry, "seq">;

export interface LogQuery {
  /** Only entries with `seq` greater than this cursor. */
  readonly after?: number | undefined;
  /** Only entries with `seq` smaller than this cursor (paging back from the newest). */
  readonly before?: number | undefined;
  /** `descending` returns the newest entries first (the first `limit` from the end). @default "ascending" */
  readonly order?: "ascending" | "descending" | undefined;
  readonly directoryId?: string | undefined;
  readonly resourceType?: string | undefined;
  readonly resourceId?: string | undefined;
  /**
   * Inclusive from, exclusive to. Core passes both in `Date#toISOString()` form (UTC, milliseconds),
   * the form entries are stamped in, so comparing them as strings is correct.
   */
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  readonly limit: number;
}

/** Everything a request may do, bound to one tenant. */
export interface StoreTransaction {
  readonly tenantId: string;
  /**
   * Optional: the store's own handle on this unit of work (e.g. its SQL executor), so a host's
   * in-transaction hook can write its own tables in the same transaction. Each store documents
   * what it is and offers a typed accessor (`postgresExecutor(tx)` in `@scimkit/postgres`).
   */
  readonly native?: unknown;

  getResource(type: ResourceTypeId, id: string, projection?: Projection): Promise<StoredResource | null>;
  /** Throws {@link UniquenessError} when `uniqueKey` is taken in this tenant and type. */
  createResource(resource: ResourceWrite): Promise<StoredResource>;
  /**
   * Replaces attributes, internal data, uniqueKey, lastModified and version of an existing resource.
   * Throws (any error; core answers 404 or 500 as the case may be) when it does not exist.
   */
  replaceResource(resource: ResourceWrite, guard?: WriteGuard): Promise<StoredResource>;
  /** Deletes the resource and every membership row that names it (as group or as member). */
  deleteResource(type: ResourceTypeId, id: string, guard?: WriteGuard): Promise<boolean>;
  queryResources(type: ResourceTypeId, query: StoreQuery): Promise<QueryResult>;

  /**
   * Adds members not yet present; existing ones are left as they are. Returns the ids added. Throws
   * when the group does not exist (core checks it first, so this only guards a store's own invariants).
   */
  addMembers(groupId: string, members: readonly Member[], write: MembershipWrite): Promise<readonly string[]>;
  /** Removes the listed member ids when present. Returns the ids removed. */
  removeMembers(groupId: string, memberIds: readonly string[], write: MembershipWrite): Promise<readonly string[]>;
  /** Makes the member list exactly `members`. Returns what was added and removed. */
  replaceMembers(
    groupId: string,
    members: readonly Member[],
    write: MembershipWrite,
  ): Promise<{ readonly added: readonly string[]; readonly removed: readonly string[] }>;
  /** Of `memberIds`, those that are members of `groupId`: a point lookup, never a full member read. */
  hasMembers(groupId: string, memberIds: readonly string[]): Promise<readonly string[]>;
  /** The groups each of `memberIds` belongs to directly. */
  groupsOf(memberIds: readonly string[]): Promise<ReadonlyMap<string, readonly Membership[]>>;
  /** Of `ids`, those that exist as resources of `type` in this tenant. */
  existing(type: ResourceTypeId, ids: readonly string[]): Promise<readonly string[]>;

  getRecord(kind: string, id: string): Promise<StoreRecord | null>;
  /** Inserts or replaces. Throws {@link UniquenessError} when `key` belongs to another record of this kind. */
  putRecord(kind: string, record: StoreRecord): Promise<void>;
  deleteRecord(kind: string, id: string): Promise<boolean>;
  listRecords(kind: string): Promise<readonly StoreRecord[]>;

  /** Appends an entry and returns the `seq` the store assigned to it. */
  appendLog(log: LogName, entry: NewLogEntry): Promise<number>;
  /**
   * Appends several entries, in order, and returns the `seq` of each. Core writes a unit of work's
   * whole journal with one call; a store without it gets one `appendLog` per entry.
   */
  appendLogs?(entries: readonly { readonly log: LogName; readonly entry: NewLogEntry }[]): Promise<readonly number[]>;
  readLog(log: LogName, query: LogQuery): Promise<readonly LogEntry[]>;
}

/**
 * What a store evaluates itself. Core evaluates the rest in memory. A store built with
 * `defineStore` that leaves a capability out has core evaluate all of it; a store object written
 * by hand that leaves one out is trusted with everything.
 */
export interface StoreCapabilities {
  /**
   * True when the store evaluates `filter` natively (with sort and paging). When false, core asks
   * for the candidates without that filter and filters, sorts and pages them itself.
   * @default every filter (none, with `defineStore`)
   */
  readonly supportsFilter?: ((filter: Filter, type: ResourceTypeId) => boolean) | undefined;
  /**
   * True when the store orders results by `sort` natively (then paging too). When false, core asks
   * for every match in the default order and sorts and pages them itself.
   * @default every sort (none, with `defineStore`)
   */
  readonly supportsSort?: ((sort: Sort, type: ResourceTypeId) => boolean) | undefined;
  /**
   * True when the store starts a page at `query.after`, or ends one at `query.before`, itself (a
   * keyset `WHERE`). When false, core lists every match without them and finds the position in
   * memory: correct, but it reads every match for every page.
   * @default true (false, with `defineStore`)
   */
  readonly supportsKeyset?: boolean | undefined;
}

export interface ScimStore {
  /** A short name for logs and error messages. */
  readonly name: string;
  readonly capabilities: StoreCapabilities;
  /**
   * Runs `work` as one unit of work for `tenantId`: committed when it resolves, rolled back
   * entirely when it throws. `readOnly` units may skip write locks.
   *
   * Writes to one tenant must behave as if serialized: a unit never sees another's uncommitted
   * changes, and log `seq`s become visible in increasing order (a unit that drew seq 7 must not
   * commit after one that drew seq 8, or a reader paging with `after` would skip 7). Gaps in `seq`
   * (from rolled-back units) are allowed. A store may run units of different tenants, or writes to
   * different rows, in parallel when it keeps those guarantees (e.g. row locks plus a sequence
   * read at commit).
   *
   * A store may run `work` again after rolling an attempt back (a lock conflict, a deadlock):
   * core builds everything a unit decides inside `work`, so a retry starts afresh. Host hooks that
   * run inside the unit may see an attempt that is then rolled back.
   */
  transaction<T>(
    tenantId: string,
    work: (tx: StoreTransaction) => Promise<T>,
    options?: { readonly readOnly?: boolean },
  ): Promise<T>;
  /** Finds a record by its cross-tenant `key` (e.g. a token hash) together with its tenant. */
  findRecordByKey(
    kind: string,
    key: string,
  ): Promise<{ readonly tenantId: string; readonly record: StoreRecord } | null>;
  /**
   * Optional: reads one log across every tenant, in `seq` order, entries with `seq` above `after`,
   * at most `limit`. A safe cursor like a tenant's own `readLog`: a reader paging with `after`
   * must never skip an entry. So a store that commits different tenants' units in parallel (where
   * seq 7 of one tenant may become visible after seq 8 of another) returns entries only up to the
   * first `seq` it cannot yet vouch for, and may return fewer than `limit` while more exist.
   * Without it, `scim.events.readAll` is unavailable, and so is the event feed unless `feed` is given.
   */
  readLogAll?(log: LogName, query: GlobalLogQuery): Promise<readonly TenantLogEntry[]>;
  /**
   * Optional: cursors and leases of the event feed's consumer groups, kept natively. Without it,
   * core derives them from `readLogAll` and records of kind `feed.<group>` written in each tenant's
   * units of work, which is correct wherever a tenant's write units are serialized (as this
   * contract requires), and polls by reading the log across tenants.
   */
  readonly feed?: FeedStore | undefined;
  /** Releases connections or files. */
  close?(): Promise<void>;
}

/** Thrown by a store when a unique key is already taken. Core answers 409 `uniqueness`. */
export class UniquenessError extends Error {
  override readonly name = "UniquenessError";
  constructor(readonly key: string) {
    super("a resource with the same unique value already exists");
  }
}

/**
 * Thrown by a store when its backend cannot be reached (connection refused or lost, the database
 * restarting, the pool exhausted) and the unit of work wrote nothing. Core answers 503 with
 * `Retry-After`, so the IdP sends the request again instead of recording a failure.
 */
export class StoreUnavailableError extends Error {
  override readonly name = "StoreUnavailableError";
  constructor(message = "the store is unavailable", options?: { readonly cause?: unknown }) {
    super(message, options);
  }
}

/** Thrown by a store when a guarded write finds another version. Core answers 412. */
export class VersionConflictError extends Error {
  override readonly name = "VersionConflictError";
  constructor() {
    super("the resource has been modified since the version given");
  }
}
