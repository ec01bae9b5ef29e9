/**
 * What every block of the suite shares: the store under test, fresh tenant ids, and reads of
 * persisted state that go through the inspector when the host gave one.
 */
import { afterAll, beforeAll, describe } from "vitest";
import type { JsonObject, ScimStore } from "@scimkit/core";
import type {
  LogEntry,
  LogName,
  ResourceWrite,
  StoreRecord,
  StoreTransaction,
  StoredResource,
} from "@scimkit/core/store";
import type { ConformanceOptions, OptionalCapability } from "./options.js";

export interface Harness {
  /** The store under test (available inside tests and hooks). */
  readonly store: () => ScimStore;
  /** A tenant id no other test uses. */
  readonly tenant: (label: string) => string;
  readonly write: <T>(tenantId: string, work: (tx: StoreTransaction) => Promise<T>) => Promise<T>;
  readonly read: <T>(tenantId: string, work: (tx: StoreTransaction) => Promise<T>) => Promise<T>;
  /** Persisted state, read through the inspector when there is one. */
  readonly persisted: {
    resource(tenantId: string, type: string, id: string): Promise<StoredResource | null>;
    memberIds(tenantId: string, groupId: string): Promise<readonly string[]>;
    record(kind: string, tenantId: string, id: string): Promise<StoreRecord | null>;
    logEntries(log: LogName, tenantId: string): Promise<readonly LogEntry[]>;
  };
  /** A unique value for keys that are unique across tenants. */
  readonly unique: (label: string) => string;
}

const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;

export function createHarness(options: ConformanceOptions): Harness {
  let current: ScimStore | undefined;
  let counter = 0;
  beforeAll(async () => {
    current = await options.makeStore();
  });
  afterAll(async () => {
    if (!current) return;
    await options.cleanup?.(current);
    await current.close?.();
  });
  const store = () => {
    if (!current) throw new Error("the store is not ready: makeStore() failed or has not run");
    return current;
  };
  const write: Harness["write"] = (tenantId, work) => store().transaction(tenantId, work);
  const read: Harness["read"] = (tenantId, work) => store().transaction(tenantId, work, { readOnly: true });
  const inspect = options.inspect;
  return {
    store,
    tenant: (label) => `conf-${run}-${label}-${++counter}`,
    unique: (label) => `${label}-${run}-${++counter}`,
    write,
    read,
    persisted: {
      resource: (t, type, id) => (inspect ? inspect.resource(t, type, id) : read(t, (tx) => tx.getResource(type, id))),
      memberIds: async (t, groupId) => {
        if (inspect) return inspect.memberIds(t, groupId);
        const group = await read(t, (tx) => tx.getResource("Group", groupId, { members: true }));
        return group?.members?.map((m) => m.value) ?? [];
      },
      record: (kind, t, id) => (inspect ? inspect.record(kind, t, id) : read(t, (tx) => tx.getRecord(kind, id))),
      logEntries: (log, t) =>
        inspect ? inspect.logEntries(log, t) : read(t, (tx) => tx.readLog(log, { limit: 1_000_000 })),
    },
  };
}

/** A `describe` that is skipped, with the store's reason in its title, when the store leaves `capability` to core. */
export function describeOptional(options: ConformanceOptions, capability: OptionalCapability, body: () => void): void {
  const reason = options.skip?.[capability];
  if (reason !== undefined) describe.skip(`${capability} (skipped: ${reason})`, body);
  else describe(capability, body);
}

const at = (second: number) =>
  `2024-01-01T00:${String(Math.floor(second / 60)).padStart(2, "0")}:${String(second % 60).padStart(2, "0")}.000Z`;

/** A resource to write, with `created`/`lastModified` at second `second` of the suite's clock. */
export function resource(
  type: string,
  id: string,
  attributes: JsonObject,
  options: { second?: number; uniqueKey?: string | null; internal?: JsonObject; version?: number } = {},
): ResourceWrite {
  const stamp = at(options.second ?? 0);
  return {
    id,
    resourceType: type,
    attributes,
    internal: options.internal ?? {},
    uniqueKey:
      options.uniqueKey === undefined
        ? typeof attributes["userName"] === "string"
          ? attributes["userName"].toLowerCase()
          : null
        : options.uniqueKey,
    created: stamp,
    lastModified: stamp,
    version: options.version ?? 1,
  };
}

export const stamp = at;

/** The error's `name`: stores and the suite may load different copies of core, so `instanceof` is not enough. */
export async function rejectionName(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.name : "non-Error thrown";
  }
}
