/**
 * The write pipeline. One SCIM request is one unit of work:
 *
 *   operation plans the change → the policy reviews it → each resource is written once →
 *   the journal appends every audit entry and event → commit → hooks → events delivered
 *
 * and the answer is rendered from what was written, outside the unit of work, with no read after
 * the write. Reads run read-only. A failed write rolls everything back and leaves one audit entry
 * describing the failure.
 *
 * What a host may rely on: an event handler or an after-commit hook sees only committed changes,
 * and a throwing one never fails the request (it is reported to the logger). Work that must be
 * atomic with the change gets the transaction explicitly (the policy's in-transaction hooks).
 */
import type { Actor } from "../audit/trail.js";
import type { ToleranceContext } from "../compat/tolerances.js";
import { toScimError, unavailable } from "../errors.js";
import type { EventDispatcher, ScimEvent } from "../events/outbox.js";
import type { ScimLogger } from "../logger.js";
import type { ResourceChange } from "../resources/change.js";
import type { EngineSettings, OperationContext, UserVerdict, UserWritePlan } from "../resources/context.js";
import type { SchemaRegistry } from "../schema/registry.js";
import type { ScimStore, StoreTransaction, StoredResource } from "../store/types.js";
import { inSpan, tracedTransaction, type TracerLike } from "../telemetry/tracing.js";
import { Journal, type EventInTransaction } from "./journal.js";
import { isoTime } from "../time.js";

/**
 * The policy's part in one write request, made fresh for each (so no state outlives a request):
 * it reviews user writes before they are written, decides about deletions, hears each change as it
 * is written, and finishes with what the changes imply for others (roles of a group's members).
 * Its decisions go to the request's journal.
 */
export interface RequestReview {
  review(plan: UserWritePlan): Promise<UserVerdict>;
  beforeDelete(resource: StoredResource): Promise<"proceed" | "handled">;
  changed(change: ResourceChange): void;
  finish(): Promise<void>;
}

export interface WritePolicy {
  begin(journal: Journal, ctx: Pick<OperationContext, "settings" | "directoryId">): RequestReview;
}

export interface UnitOfWorkDeps {
  readonly store: ScimStore;
  readonly registry: SchemaRegistry;
  readonly settings: EngineSettings;
  readonly dispatcher: EventDispatcher;
  readonly policy: WritePolicy | undefined;
  readonly logger: ScimLogger;
  /** The host's OpenTelemetry tracer, if any. */
  readonly tracer?: TracerLike | undefined;
  /** The host's event handler that runs inside each unit of work, if any. */
  readonly onEventInTransaction?: EventInTransaction | undefined;
}

export interface RequestScope {
  readonly tenantId: string;
  readonly actor: Actor;
  readonly tol: ToleranceContext;
  readonly baseUrl: string;
  readonly operation: string;
  /** The resource a write is aimed at, so even its failure can be found by resource. */
  readonly resourceType?: string | undefined;
  readonly resourceId?: string | undefined;
  /** When (`performance.now()`) the request's time is up: a write still running then rolls back. */
  readonly deadline?: number | undefined;
}

/**
 * The scope of one operation within a request. Every field is named, not spread: a literal opening
 * with `...scope` and adding the aim takes a slow path in V8, and every write builds one.
 */
export function scopeFor(
  scope: RequestScope,
  operation: string,
  resourceType: string | undefined = scope.resourceType,
  resourceId: string | undefined = scope.resourceId,
): RequestScope {
  return {
    tenantId: scope.tenantId,
    actor: scope.actor,
    tol: scope.tol,
    baseUrl: scope.baseUrl,
    operation,
    resourceType,
    resourceId,
    deadline: scope.deadline,
  };
}

const always = () => true;

function baseContext(
  deps: UnitOfWorkDeps,
  tx: StoreTransaction,
  scope: RequestScope,
  record: (change: ResourceChange) => void,
  at: string,
): OperationContext {
  const { supportsFilter, supportsSort } = deps.store.capabilities;
  return {
    tx,
    registry: deps.registry,
    settings: deps.settings,
    tol: scope.tol,
    baseUrl: scope.baseUrl,
    at,
    directoryId: scope.actor.directoryId,
    supportsFilter: supportsFilter ? (f, t) => supportsFilter(f, t) : always,
    supportsSort: supportsSort ? (s, t) => supportsSort(s, t) : always,
    record,
  };
}

const ignore = () => undefined;

export function runRead<T>(
  deps: UnitOfWorkDeps,
  scope: RequestScope,
  work: (ctx: OperationContext) => Promise<T>,
): Promise<T> {
  return inSpan(deps.tracer, "scim.unit_of_work", { "scim.read_only": true }, () =>
    deps.store.transaction(
      scope.tenantId,
      (tx) => work(baseContext(deps, tracedTransaction(deps.tracer, tx), scope, ignore, isoTime(deps.settings.now()))),
      { readOnly: true },
    ),
  );
}

/** Runs a write request through the pipeline; `work` returns what the answer is rendered from. */
export async function runWrite<T>(
  deps: UnitOfWorkDeps,
  scope: RequestScope,
  work: (ctx: OperationContext) => Promise<T>,
): Promise<T> {
  let journal: Journal | undefined;
  let events: ScimEvent[] = [];
  let result: T;
  try {
    result = await inSpan(deps.tracer, "scim.unit_of_work", { "scim.read_only": false }, () =>
      deps.store.transaction(scope.tenantId, async (store) => {
        const tx = tracedTransaction(deps.tracer, store);
        const unit = new Journal(
          tx,
          scope.actor,
          isoTime(deps.settings.now()),
          deps.registry,
          scope.tol.fired,
          deps.onEventInTransaction,
        );
        journal = unit;
        const base = { settings: deps.settings, directoryId: scope.actor.directoryId };
        const review = deps.policy?.begin(unit, base);
        const record = (change: ResourceChange) => {
          unit.change(change, scope.operation);
          review?.changed(change);
        };
        const ctx: OperationContext = review
          ? Object.assign(baseContext(deps, tx, scope, record, unit.at), {
              review: (plan: UserWritePlan) => review.review(plan),
              beforeDelete: (r: StoredResource) => review.beforeDelete(r),
            })
          : baseContext(deps, tx, scope, record, unit.at);
        const done = await work(ctx);
        await review?.finish();
        // Past its deadline the write rolls back rather than commit late: a 503 then tells the truth
        // (nothing was written) and the IdP's retry is safe.
        if (scope.deadline !== undefined && performance.now() > scope.deadline)
          throw unavailable("The request took longer than its deadline; nothing was written", 1);
        events = await unit.commit({ deliver: deps.dispatcher.listening });
        return done;
      }),
    );
  } catch (error) {
    await recordFailure(deps, scope, error);
    throw error;
  }
  await journal?.runAfterCommit((error) =>
    deps.logger.error("scimkit: a host hook failed after commit", {
      error: error instanceof Error ? error.message : String(error),
    }),
  );
  void deps.dispatcher.deliver(events);
  return result;
}

/**
 * The change rolled back; the failure itself is still part of the trail. Anything not a ScimError
 * (a host hook that threw, a store fault) is recorded with the generic detail the client gets,
 * never its message, which might hold anything.
 */
async function recordFailure(deps: UnitOfWorkDeps, scope: RequestScope, error: unknown): Promise<void> {
  const failure = toScimError(error);
  await deps.store
    .transaction(scope.tenantId, async (tx) => {
      const unit = new Journal(tx, scope.actor, isoTime(deps.settings.now()), deps.registry, scope.tol.fired);
      unit.failure({
        operation: scope.operation,
        resourceType: scope.resourceType ?? null,
        resourceId: scope.resourceId ?? null,
        status: failure.status,
        detail: failure.detail,
      });
      await unit.commit();
    })
    .catch(() => undefined);
}
