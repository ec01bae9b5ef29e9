import { runStoreConformance } from "@scimkit/testing";
import { PG_URL, pgliteDatabase, serverDatabase, type TestDatabase } from "../test/databases.js";
import { sqlInspector } from "../test/inspector.js";
import { createPostgresStore } from "./index.js";

/** Wires one database into the conformance kit; the inspector reads the same tables directly. */
function conformance(name: string, open: () => Promise<TestDatabase>): void {
  let db: TestDatabase | undefined;
  runStoreConformance({
    name,
    makeStore: async () => {
      db = await open();
      return createPostgresStore({ driver: db.driver, schema: db.schema });
    },
    inspect: {
      resource: (...a) => inspector().resource(...a),
      memberIds: (...a) => inspector().memberIds(...a),
      record: (...a) => inspector().record(...a),
      logEntries: (...a) => inspector().logEntries(...a),
    },
    cleanup: async () => db?.dispose(),
  });
  const inspector = () => {
    if (!db) throw new Error("database not open");
    return sqlInspector(db.driver, db.schema);
  };
}

conformance("postgres on PGlite", () => pgliteDatabase());
const url = PG_URL;
if (url) conformance("postgres on a PostgreSQL server (SCIMKIT_TEST_PG_URL)", () => serverDatabase("conformance", url));
