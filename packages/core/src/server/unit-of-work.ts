/**
 * One SCIM request = one unit of work. Reads run read-only; writes run the operation, then write its
 * audit entries and outbox events in the same unit of work, then deliver the events after commit.
 * A failed write rolls back everything and leaves one audit entry describing the failure.
 */
import type { ToleranceContext } from "../compat/tolerances.js";
import { toScimError } from "../http/respond.js";
import { writeAudit, type Actor } from "../audit/trail.js";
import { recordChanges } from "../audit/record.js";
import { persistEvents, type EventDispatcher, type NewEvent, type ScimEvent } from "../events/outbox.js";
import type { Filter } from "../filter/ast.js";
import type { EngineSettings, OperationContext } from "../resources/context.js";
import type { SchemaRegistry } from "../schema/registry.js";
import type { ScimStore, StoreTransaction } from "../store/types.js";

/**
 * Extra work a write does inside its unit of work after the operation and before the response is
 * rendered (the policy layer installs these: role recomputation, deprovisioning, exclusions,
 * password handling). It may read `ctx.changes`, write more, push further changes, and persist
 * events with `persistEvents` then hand them to `emit` for delivery after commit. Throwing a
 * ScimError rolls the whole request back.
 */
/**
 * A step every write runs after its operation. Events it `emit`s are persisted after the request's
 * own, so a host reading the outbox sees a cause (`membership.added`) before its effect
 * (`role.changed`).
 */
export type WriteStep = (ctx: OperationContext, actor: Actor, emit: (events: readonly NewEvent[]) => void) => Promise<void>;

/**
 * Asked before a resource is hard-deleted (by DELETE, or by a policy): return "handled" when the
 * hook did something else instead (e.g. kept a tombstone) and recorded its own change.
 */
export type BeforeDelete = (ctx: OperationContext, typeId: string, id: string) => Promise<"proceed" | "handled">;

export interface UnitOfWorkDeps {
  readonly store: ScimStore;
  readonly registry: SchemaRegistry;
  readonly settings: EngineSettings;
  readonly dispatcher: EventDispatcher;
  readonly steps: WriteStep[];
  readonly beforeDelete: BeforeDelete | undefined;
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
}

function context(deps: UnitOfWorkDeps, tx: StoreTransaction, scope: RequestScope): OperationContext {
  const supports = deps.store.capabilities.supportsFilter;
  return {
    tx,
    registry: deps.registry,
    settings: deps.settings,
    tol: scope.tol,
    baseUrl: scope.baseUrl,
    changes: [],
    directoryId: scope.actor.directoryId,
    beforeDelete: deps.beforeDelete,
    supportsFilter: supports ? (f: Filter, t: string) => supports(f, t) : () => true,
  };
}

export function runRead<T>(deps: UnitOfWorkDeps, scope: RequestScope, work: (ctx: OperationContext) => Promise<T>): Promise<T> {
  return deps.store.transaction(scope.tenantId, (tx) => work(context(deps, tx, scope)), { readOnly: true });
}

/**
 * Runs a write: `work`, then the policy steps, then audit and outbox rows, then `render` (so the
 * response shows what the steps made of the change), all in one unit of work.
 */
export async function runWrite<T, R>(
  deps: UnitOfWorkDeps,
  scope: RequestScope,
  work: (ctx: OperationContext) => Promise<T>,
  render: (ctx: OperationContext, result: T) => Promise<R>,
): Promise<R> {
  const pending: ScimEvent[] = [];
  try {
    const result = await deps.store.transaction(scope.tenantId, async (tx) => {
      const ctx = context(deps, tx, scope);
      const done = await work(ctx);
      const effects: NewEvent[] = [];
      for (const step of deps.steps) await step(ctx, scope.actor, (events) => effects.push(...events));
      const at = deps.settings.now().toISOString();
      pending.push(...(await recordChanges(tx, { registry: deps.registry, at, actor: scope.actor, operation: scope.operation, tolerances: scope.tol.fired }, ctx.changes)));
      pending.push(...(await persistEvents(tx, at, effects)));
      return render(ctx, done);
    });
    void deps.dispatcher.deliver(pending);
    return result;
  } catch (error) {
    // The change rolled back; the failure itself is still part of the trail. Anything not a
    // ScimError (a host hook that threw, a store fault) is recorded with the generic detail the
    // client gets, never its message, which might hold anything.
    const failure = toScimError(error);
    await deps.store
      .transaction(scope.tenantId, (tx) =>
        writeAudit(tx, {
          at: deps.settings.now().toISOString(),
          actor: scope.actor,
          operation: scope.operation,
          resourceType: scope.resourceType,
          resourceId: scope.resourceId,
          tolerances: scope.tol.fired,
          outcome: "failure",
          status: failure.status,
          detail: failure.detail,
        }),
      )
      .catch(() => undefined);
    throw error;
  }
}
