/**
 * Where policy decisions are written down: an audit entry per decision (with the facts that explain
 * it, never a secret) and the host events it implies, all in the unit of work that makes the
 * decision. Events are persisted on {@link PolicyJournal.flush} and delivered only after commit.
 */
import { writeAudit, type Actor } from "../audit/trail.js";
import { persistEvents, type NewEvent, type ScimEvent } from "../events/outbox.js";
import type { ResourceChange } from "../resources/context.js";
import type { JsonValue, ScimStore, StoreTransaction } from "../store/types.js";

/** The actor of admin calls: the host itself, not a directory. */
export const HOST_ACTOR: Actor = { directoryId: null, tokenId: null, userAgent: null, requestId: null };

export interface JournalEntry {
  readonly operation: string;
  readonly resourceType: string | null;
  readonly resourceId: string | null;
  readonly facts: Readonly<Record<string, JsonValue>>;
  /** A resource change the policy itself made (e.g. a sweep's delete), audited with its diff. */
  readonly change?: ResourceChange | undefined;
  readonly status?: number | undefined;
}

export class PolicyJournal {
  readonly #events: NewEvent[] = [];

  constructor(
    readonly tx: StoreTransaction,
    readonly actor: Actor,
    readonly at: string,
  ) {}

  get tenantId(): string {
    return this.tx.tenantId;
  }

  async audit(entry: JournalEntry): Promise<void> {
    await writeAudit(this.tx, {
      at: this.at,
      actor: this.actor,
      operation: entry.operation,
      resourceType: entry.resourceType,
      resourceId: entry.resourceId,
      change: entry.change,
      outcome: "success",
      status: entry.status ?? 200,
      facts: entry.facts,
    });
  }

  event(...events: NewEvent[]): void {
    this.#events.push(...events);
  }

  /** Hands over the queued events unpersisted, for a caller that persists them in its own order. */
  take(): NewEvent[] {
    return this.#events.splice(0);
  }

  /** Persists the queued events in this unit of work and returns them for delivery after commit. */
  async flush(): Promise<ScimEvent[]> {
    const queued = this.#events.splice(0);
    return queued.length === 0 ? [] : persistEvents(this.tx, this.at, queued);
  }
}

/**
 * Runs admin work as one unit of work with its own journal, then hands the events it persisted to
 * `deliver` — only once the unit of work has committed.
 */
export async function inPolicyUnit<T>(
  store: ScimStore,
  tenantId: string,
  actor: Actor,
  at: string,
  deliver: (events: ScimEvent[]) => void,
  work: (journal: PolicyJournal) => Promise<T>,
): Promise<T> {
  let events: ScimEvent[] = [];
  const result = await store.transaction(tenantId, async (tx) => {
    const journal = new PolicyJournal(tx, actor, at);
    const out = await work(journal);
    events = await journal.flush();
    return out;
  });
  deliver(events);
  return result;
}
