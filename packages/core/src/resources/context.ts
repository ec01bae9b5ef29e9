/**
 * What every resource operation works with: the unit of work, the schemas, the request's
 * tolerances, the absolute base URL for `meta.location`, and the three points where the write
 * pipeline (engine/) joins in: `review` sees a user write before it is written, `beforeDelete`
 * before a resource is removed, and `record` takes each change once it is written.
 */
import type { ToleranceContext } from "../compat/tolerances.js";
import type { Filter, Sort } from "../filter/ast.js";
import type { IdGenerator } from "../ids.js";
import type { SchemaRegistry } from "../schema/registry.js";
import type { ResourceWrite, StoreTransaction, StoredResource } from "../store/types.js";
import type { ResourceChange } from "./change.js";

export type { ChangeOperation, ResourceChange } from "./change.js";

export interface EngineSettings {
  /** Largest page a list returns (advertised as `filter.maxResults`). */
  readonly maxResults: number;
  /** Keep Group displayName unique per tenant (case-insensitively). */
  readonly uniqueGroupDisplayName: boolean;
  readonly newId: IdGenerator;
  readonly now: () => Date;
}

/** A User write as planned, before anything is written: what the policy reviews. */
export interface UserWritePlan {
  readonly operation: "create" | "replace" | "patch";
  /** The user as stored, null for a creation. */
  readonly before: StoredResource | null;
  /** The write the request asks for. */
  readonly next: ResourceWrite;
  /** A password the request carried: consumed by the policy, never stored as an attribute. */
  readonly password: string | undefined;
}

/**
 * What the policy made of a planned user write: the write to make (possibly adjusted: an
 * excluded user kept active, roles and deactivation time set in internal data), and whether the
 * user is then deleted (a directory that deletes on deactivation).
 */
export interface UserVerdict {
  readonly write: ResourceWrite;
  readonly thenDelete: boolean;
}

export interface OperationContext {
  readonly tx: StoreTransaction;
  readonly registry: SchemaRegistry;
  readonly settings: EngineSettings;
  readonly tol: ToleranceContext;
  /** Absolute SCIM base URL of this request, without a trailing slash. */
  readonly baseUrl: string;
  /**
   * When this unit of work happens (ISO 8601): `meta.lastModified` of what it writes and the time
   * of its audit entries and events, one reading of the clock for all of them.
   */
  readonly at: string;
  /** The directory the request came through; resources it creates remember it. */
  readonly directoryId: string | null;
  /** The store's declared filter capability: false makes core filter, sort and page in memory. */
  readonly supportsFilter: (filter: Filter, typeId: string) => boolean;
  /** The store's declared sort capability: false makes core sort and page in memory. */
  readonly supportsSort: (sort: Sort, typeId: string) => boolean;
  /** Reviews a user write before it is written. Reads install none. */
  readonly review?: ((plan: UserWritePlan) => Promise<UserVerdict>) | undefined;
  /** Asked before a hard delete; "handled" means a policy did something else instead. */
  readonly beforeDelete?: ((resource: StoredResource) => Promise<"proceed" | "handled">) | undefined;
  /** Takes a change once it is written, for the journal and the policy. */
  readonly record: (change: ResourceChange) => void;
}
