/**
 * The journal of one unit of work: every audit entry and event it produces, whoever produces them
 * (a SCIM write, the policy's decisions, an admin call, the sweep, a directory's deletion), kept in
 * memory while the work runs and appended in one go just before commit. So a change and its entries
 * commit or roll back together, and the store sees one append per unit of work, not one per row.
 *
 * Rows go down in the order a reader expects: the decisions behind a change, then each change's
 * audit entry and events, then the events the policy derived from them (a cause before its effect).
 */
import { randomUUID } from "node:crypto";
import { auditRecord, type Actor, type AuditWrite } from "../audit/trail.js";
import { visibleChange } from "../audit/visible.js";
import { eventRecord, eventsOf, toEvent, type NewEvent, type ScimEvent } from "../events/outbox.js";
import { copyJson } from "../json-diff.js";
import type { ResourceChange } from "../resources/change.js";
import type { SchemaRegistry } from "../schema/registry.js";
import type { JsonValue, LogName, NewLogEntry, StoreTransaction } from "../store/types.js";

export interface JournalEntry {
  readonly operation: string;
  readonly resourceType: string | null;
  readonly resourceId: string | null;
  readonly facts: Readonly<Record<string, JsonValue>>;
  /** A resource change the entry explains (e.g. a sweep's delete), audited with its difference. */
  readonly change?: ResourceChange | undefined;
  readonly status?: number | undefined;
}

/** A host hook the journal runs once the unit of work has committed. */
export type AfterCommit = () => void | Promise<void>;

/**
 * An event handler that runs inside the unit of work, after its events are written and before it
 * commits, with its transaction: a host mirroring users into its own tables of the same database
 * writes them atomically with the change (a throw rolls the whole unit back).
 */
export type EventInTransaction = (event: ScimEvent, tx: StoreTransaction) => void | Promise<void>;

const statusOf = (change: ResourceChange) =>
  change.operation === "create" ? 201 : change.operation === "delete" ? 204 : 200;

export class Journal {
  readonly #decisions: AuditWrite[] = [];
  readonly #changes: { readonly change: ResourceChange; readonly operation: string }[] = [];
  readonly #derived: NewEvent[] = [];
  readonly #afterCommit: AfterCommit[] = [];

  constructor(
    readonly tx: StoreTransaction,
    readonly actor: Actor,
    readonly at: string,
    private readonly registry: SchemaRegistry,
    /** The request's tolerance list, which keeps filling while the request runs. */
    private readonly tolerances: readonly string[] = [],
    private readonly onEventInTransaction?: EventInTransaction | undefined,
  ) {}

  get tenantId(): string {
    return this.tx.tenantId;
  }

  /** A decision or an admin action, with the facts that explain it (never a secret). */
  audit(entry: JournalEntry): void {
    this.#decisions.push({
      at: this.at,
      actor: this.actor,
      operation: entry.operation,
      resourceType: entry.resourceType,
      resourceId: entry.resourceId,
      change: entry.change && visibleChange(this.registry, entry.change),
      outcome: "success",
      status: entry.status ?? 200,
      facts: entry.facts,
    });
  }

  /** A request that failed and rolled back: its entry carries the status and the client's detail. */
  failure(f: {
    operation: string;
    resourceType: string | null;
    resourceId: string | null;
    status: number;
    detail: string | null;
  }): void {
    this.#decisions.push({
      at: this.at,
      actor: this.actor,
      operation: f.operation,
      resourceType: f.resourceType,
      resourceId: f.resourceId,
      tolerances: this.tolerances,
      outcome: "failure",
      status: f.status,
      detail: f.detail,
    });
  }

  /** A resource change, audited under `operation` with the events it implies. */
  change(change: ResourceChange, operation: string): void {
    this.#changes.push({ change: visibleChange(this.registry, change), operation });
  }

  /** Events derived from the changes (a role change), delivered after theirs. */
  event(...events: NewEvent[]): void {
    this.#derived.push(...events);
  }

  /** A host hook to run after commit; it never runs if the unit of work rolls back. */
  afterCommit(hook: AfterCommit): void {
    this.#afterCommit.push(hook);
  }

  /**
   * Appends every row in one call and returns the events, with their cursors, for delivery. With
   * `deliver: false` (nobody subscribed) and no in-transaction handler, the rows are written but
   * no delivered event is built: a write pays for the outbox row only.
   */
  async commit(options: { readonly deliver: boolean } = { deliver: true }): Promise<ScimEvent[]> {
    const rows: { log: LogName; entry: NewLogEntry }[] = [];
    const eventRow = (e: NewEvent) =>
      rows.push({ log: "events", entry: eventRecord(this.at, randomUUID(), this.actor.tokenId, e) });
    for (const d of this.#decisions) rows.push({ log: "audit", entry: auditRecord(d) });
    for (const { change, operation } of this.#changes) {
      const status = statusOf(change);
      rows.push({
        log: "audit",
        entry: auditRecord({
          at: this.at,
          actor: this.actor,
          operation,
          change,
          tolerances: this.tolerances,
          outcome: "success",
          status,
        }),
      });
      for (const e of eventsOf(change, this.actor.directoryId)) eventRow(e);
    }
    for (const e of this.#derived) eventRow(e);
    if (rows.length === 0) return [];
    const seqs = await appendAll(this.tx, rows);
    if (!options.deliver && !this.onEventInTransaction) return [];
    // Delivered events are built from their rows, exactly as a replay will read them, each from a
    // copy: a handler may change what it is handed, and the store may keep the rows themselves.
    const out: ScimEvent[] = [];
    rows.forEach((row, i) => {
      const seq = seqs[i];
      if (row.log === "events" && seq !== undefined)
        out.push(toEvent(this.tenantId, { ...row.entry, data: copyJson(row.entry.data), seq }));
    });
    if (this.onEventInTransaction) for (const event of out) await this.onEventInTransaction(event, this.tx);
    return out;
  }

  /** Runs the hooks queued for after commit, in order; a failing hook is reported, never rethrown. */
  async runAfterCommit(onError: (error: unknown) => void): Promise<void> {
    for (const hook of this.#afterCommit.splice(0)) {
      try {
        await hook();
      } catch (error) {
        onError(error);
      }
    }
  }
}

/** One append of many rows: the store's batch method when it has one. */
async function appendAll(
  tx: StoreTransaction,
  rows: readonly { log: LogName; entry: NewLogEntry }[],
): Promise<readonly number[]> {
  if (tx.appendLogs) return tx.appendLogs(rows);
  const seqs: number[] = [];
  for (const row of rows) seqs.push(await tx.appendLog(row.log, row.entry));
  return seqs;
}
