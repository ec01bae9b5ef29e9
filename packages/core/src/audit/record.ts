/**
 * Writes down what a unit of work changed: per resource change, an audit entry and the outbox rows
 * of its events, both showing only client-visible values. SCIM writes and a directory's deletion
 * record their changes through this one path.
 */
import { eventsOf, persistEvents, type ScimEvent } from "../events/outbox.js";
import type { ResourceChange } from "../resources/context.js";
import type { SchemaRegistry } from "../schema/registry.js";
import type { StoreTransaction } from "../store/types.js";
import { writeAudit, type Actor } from "./trail.js";
import { visibleChange } from "./visible.js";

export interface ChangeRecord {
  readonly registry: SchemaRegistry;
  readonly at: string;
  readonly actor: Actor;
  readonly operation: string;
  readonly tolerances?: readonly string[] | undefined;
}

/** Returns the persisted events, in seq order, for delivery after commit. */
export async function recordChanges(tx: StoreTransaction, record: ChangeRecord, changes: readonly ResourceChange[]): Promise<ScimEvent[]> {
  const { registry, at, actor, operation, tolerances } = record;
  const events: ScimEvent[] = [];
  for (const made of changes) {
    const change = visibleChange(registry, made);
    const status = change.operation === "create" ? 201 : change.operation === "delete" ? 204 : 200;
    await writeAudit(tx, { at, actor, operation, change, tolerances, outcome: "success", status });
    events.push(...(await persistEvents(tx, at, eventsOf(change, actor.directoryId))));
  }
  return events;
}
