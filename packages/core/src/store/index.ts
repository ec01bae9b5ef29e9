/**
 * What a store author needs: the store contract, `defineStore` (a small required core; core
 * derives the rest), typed records, the filter and sort AST a store receives, and the helpers that
 * evaluate filters and sorts in memory exactly as core does.
 *
 * @example
 * ```ts
 * import { defineStore, UniquenessError, type TransactionDefinition } from "@scimkit/core/store";
 *
 * export const myStore = () =>
 *   defineStore({
 *     name: "my-store",
 *     transaction: (tenantId, work, { readOnly }) => db.unitOfWork(readOnly, (conn) => work(operations(conn, tenantId))),
 *     findRecordByKey: (kind, key) => db.findRecord(kind, key),
 *   });
 * ```
 *
 * @module @scimkit/core/store
 */
export * from "./types.js";
export {
  defineStore,
  derivedOperations,
  requiredOperations,
  type DerivedOperation,
  type RequiredOperation,
  type RequiredTransaction,
  type StoreDefinition,
  type TransactionDefinition,
} from "./define-store.js";
export { defineRecord, type RecordOperations, type RecordType, type TypedRecord } from "./define-record.js";
export type { Filter, CompareOperator, FilterValue, Sort } from "../filter/ast.js";
export type { AttributeRef } from "../schema/registry.js";
export type { AttributeDefinition, AttributeType } from "../schema/attribute.js";
export { resourceView } from "./view.js";
export { evaluateFilter, sortValue, compareForSort } from "../filter/evaluate.js";
export { filterFromText, sortFromText, URN, type FilterTextOptions } from "./filter-text.js";
export type { ExtensionRegistration } from "../schema/registry.js";
export type { ProfileName } from "../compat/profiles.js";
export { queryInMemory, compareSortKeys, referencesMembers, type InMemoryQuery } from "./in-memory.js";
