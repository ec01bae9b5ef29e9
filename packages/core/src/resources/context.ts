/**
 * What every resource operation works with: the unit of work, the schemas, the request's
 * tolerances, the absolute base URL for `meta.location`, and the list of changes the request made
 * (read afterwards by audit, policy and events, inside the same unit of work).
 */
import type { ToleranceContext } from "../compat/tolerances.js";
import type { Filter } from "../filter/ast.js";
import type { IdGenerator } from "../ids.js";
import type { SchemaRegistry } from "../schema/registry.js";
import type { JsonObject, StoreTransaction } from "../store/types.js";

export interface EngineSettings {
  /** Largest page a list returns (advertised as `filter.maxResults`). */
  readonly maxResults: number;
  /** Keep Group displayName unique per tenant (case-insensitively). */
  readonly uniqueGroupDisplayName: boolean;
  readonly newId: IdGenerator;
  readonly now: () => Date;
}

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
  /** A password the request carried; consumed by the password policy and never logged. */
  readonly password?: string | undefined;
}

export interface OperationContext {
  readonly tx: StoreTransaction;
  readonly registry: SchemaRegistry;
  readonly settings: EngineSettings;
  readonly tol: ToleranceContext;
  /** Absolute SCIM base URL of this request, without a trailing slash. */
  readonly baseUrl: string;
  readonly changes: ResourceChange[];
  /** The directory the request came through; resources it creates remember it. */
  readonly directoryId: string | null;
  /** Asked before a hard delete; "handled" means a policy did something else instead. */
  readonly beforeDelete?: ((ctx: OperationContext, typeId: string, id: string) => Promise<"proceed" | "handled">) | undefined;
  /** The store's declared filter capability: false makes core filter, sort and page in memory. */
  readonly supportsFilter: (filter: Filter, typeId: string) => boolean;
}
