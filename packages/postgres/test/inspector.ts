/**
 * The conformance kit's inspector for the PostgreSQL store: plain SELECTs on the tables, so the
 * suite checks what was written without trusting the store's own reads.
 */
import type { LogName } from "@scimkit/core/store";
import type { StoreInspector } from "@scimkit/testing";
import type { SqlDriver } from "../src/index.js";

const text = (v: unknown) => String(v);
const maybe = (v: unknown) => (v === null || v === undefined ? null : String(v));

export function sqlInspector(driver: SqlDriver, schema: string): StoreInspector {
  const s = `"${schema}"`;
  return {
    async resource(tenantId, type, id) {
      const res = await driver.query(
        `SELECT id, type, attributes, internal, unique_key, created, last_modified, version FROM ${s}.resources WHERE tenant = $1 AND type = $2 AND id = $3`,
        [tenantId, type, id],
      );
      const row = res.rows[0];
      if (!row) return null;
      return {
        id: text(row["id"]),
        resourceType: text(row["type"]),
        attributes: row["attributes"] as never,
        internal: row["internal"] as never,
        uniqueKey: maybe(row["unique_key"]),
        created: text(row["created"]),
        lastModified: text(row["last_modified"]),
        version: Number(row["version"]),
      };
    },
    async memberIds(tenantId, groupId) {
      const res = await driver.query(`SELECT member_id FROM ${s}.members WHERE tenant = $1 AND group_id = $2`, [
        tenantId,
        groupId,
      ]);
      return res.rows.map((r) => text(r["member_id"]));
    },
    async record(kind, tenantId, id) {
      const res = await driver.query(
        `SELECT id, key, data FROM ${s}.records WHERE kind = $1 AND tenant = $2 AND id = $3`,
        [kind, tenantId, id],
      );
      const row = res.rows[0];
      return row ? { id: text(row["id"]), key: maybe(row["key"]), data: row["data"] as never } : null;
    },
    async logEntries(log: LogName, tenantId) {
      const res = await driver.query(
        `SELECT seq, at, directory_id, resource_type, resource_id, data FROM ${s}.logs WHERE log = $1 AND tenant = $2 ORDER BY seq`,
        [log, tenantId],
      );
      return res.rows.map((r) => ({
        seq: Number(r["seq"]),
        at: text(r["at"]),
        directoryId: maybe(r["directory_id"]),
        resourceType: maybe(r["resource_type"]),
        resourceId: maybe(r["resource_id"]),
        data: r["data"] as never,
      }));
    },
  };
}
