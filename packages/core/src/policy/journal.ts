/**
 * Policy decisions go to the unit of work's one journal (engine/journal.ts); admin calls and the
 * sweep run as their own units of work with a journal of their own, committed with the work and
 * delivered only after commit.
 */
import type { Actor } from "../audit/trail.js";
import { Journal, type EventInTransaction } from "../engine/journal.js";
import type { ScimEvent } from "../events/outbox.js";
import type { ScimLogger } from "../logger.js";
import type { SchemaRegistry } from "../schema/registry.js";
import type { ScimStore } from "../store/types.js";

/** The actor of admin calls: the host itself, not a directory. */
export const HOST_ACTOR: Actor = { directoryId: null, tokenId: null, userAgent: null, requestId: null };

export interface PolicyUnitDeps {
  readonly store: ScimStore;
  readonly registry: SchemaRegistry;
  readonly deliver: (events: ScimEvent[]) => void;
  readonly logger?: ScimLogger | undefined;
  readonly onEventInTransaction?: EventInTransaction | undefined;
}

/**
 * Runs admin work as one unit of work with its own journal, then runs the host's after-commit hooks
 * and hands the events to `deliver` — only once the unit of work has committed.
 */
export async function inPolicyUnit<T>(
  deps: PolicyUnitDeps,
  tenantId: string,
  actor: Actor,
  at: string,
  work: (journal: Journal) => Promise<T>,
): Promise<T> {
  let journal: Journal | undefined;
  let events: ScimEvent[] = [];
  const result = await deps.store.transaction(tenantId, async (tx) => {
    const unit = new Journal(tx, actor, at, deps.registry, [], deps.onEventInTransaction);
    journal = unit;
    const out = await work(unit);
    events = await unit.commit();
    return out;
  });
  await journal?.runAfterCommit((error) =>
    (deps.logger ?? console).error("scimkit: a host hook failed after commit", {
      error: error instanceof Error ? error.message : String(error),
    }),
  );
  deps.deliver(events);
  return result;
}
