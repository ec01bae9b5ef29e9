/**
 * A counting wrapper around any store: it records every call core makes on a unit of work, so a
 * test can pin how many reads and writes each SCIM request costs, on any store.
 */
import type { ScimStore, StoreTransaction } from "../../src/store/index.js";

export interface CountingStore {
  readonly store: ScimStore;
  /** The calls made since the last `reset`, in order, named by method. */
  readonly calls: string[];
  reset(): void;
}

export function countingStore(inner: ScimStore): CountingStore {
  const calls: string[] = [];
  const count = (tx: StoreTransaction): StoreTransaction =>
    new Proxy(tx, {
      get(target, key) {
        const value: unknown = Reflect.get(target, key, target);
        if (typeof value !== "function") return value;
        return (...args: unknown[]) => {
          calls.push(String(key));
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  const store: ScimStore = {
    name: inner.name,
    capabilities: inner.capabilities,
    transaction: (tenantId, work, options) => inner.transaction(tenantId, (tx) => work(count(tx)), options),
    findRecordByKey: (kind, key) => {
      calls.push("findRecordByKey");
      return inner.findRecordByKey(kind, key);
    },
    close: () => inner.close?.() ?? Promise.resolve(),
  };
  return { store, calls, reset: () => void calls.splice(0) };
}
