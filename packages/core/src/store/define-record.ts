/**
 * Typed admin records: a record kind paired with the zod schema of its data, read and written
 * through any unit of work's record operations. Reads validate what the store returns, so a record
 * of the wrong shape fails loudly where it is read instead of travelling on as a wrong type.
 */
import type { z } from "zod";
import type { JsonObject } from "../json.js";
import type { ScimStore, StoreRecord, StoreTransaction } from "./types.js";

/** The record operations a typed record reads and writes through. */
export type RecordOperations = Pick<StoreTransaction, "getRecord" | "putRecord" | "deleteRecord" | "listRecords">;

/** A stored record with its data typed. */
export interface TypedRecord<T> {
  readonly id: string;
  /** The record's cross-tenant unique key, if it has one. */
  readonly key: string | null;
  readonly value: T;
}

export interface RecordType<T extends JsonObject> {
  readonly kind: string;
  /** Validates stored data; throws when it does not have the record's shape. */
  parse(data: JsonObject): T;
  get(tx: RecordOperations, id: string): Promise<T | null>;
  /** Every record of this kind in the unit of work's tenant, with ids and keys. */
  list(tx: RecordOperations): Promise<TypedRecord<T>[]>;
  /** Inserts or replaces. A record written without `key` has none afterwards. */
  put(
    tx: RecordOperations,
    record: { readonly id: string; readonly key?: string | null | undefined; readonly value: T },
  ): Promise<void>;
  delete(tx: RecordOperations, id: string): Promise<boolean>;
  /** The record holding `key` across all tenants, with its tenant. */
  findByKey(
    store: Pick<ScimStore, "findRecordByKey">,
    key: string,
  ): Promise<{ readonly tenantId: string; readonly record: TypedRecord<T> } | null>;
}

/**
 * Pairs a record kind with the schema of its data.
 *
 * @example
 * const mapping = defineRecord("role-mapping", z.object({ groupId: z.string(), role: z.string() }));
 * await mapping.put(tx, { id: "m-1", value: { groupId: "g-1", role: "admin" } });
 * const m = await mapping.get(tx, "m-1"); // { groupId: string; role: string } | null
 */
export function defineRecord<T extends JsonObject>(kind: string, schema: z.ZodType<T>): RecordType<T> {
  const parse = (data: JsonObject): T => {
    const result = schema.safeParse(data);
    if (result.success) return result.data;
    const issues = result.error.issues.map((i) => `${i.path.join(".") || "data"} ${i.message}`).join("; ");
    throw new Error(`a stored "${kind}" record does not have the expected shape: ${issues}`);
  };
  const typed = (r: StoreRecord): TypedRecord<T> => ({ id: r.id, key: r.key ?? null, value: parse(r.data) });
  return {
    kind,
    parse,
    async get(tx, id) {
      const found = await tx.getRecord(kind, id);
      return found ? parse(found.data) : null;
    },
    async list(tx) {
      return (await tx.listRecords(kind)).map(typed);
    },
    put(tx, record) {
      return tx.putRecord(kind, { id: record.id, key: record.key ?? null, data: record.value });
    },
    delete(tx, id) {
      return tx.deleteRecord(kind, id);
    },
    async findByKey(store, key) {
      const found = await store.findRecordByKey(kind, key);
      return found ? { tenantId: found.tenantId, record: typed(found.record) } : null;
    },
  };
}
