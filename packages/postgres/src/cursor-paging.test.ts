/** RFC 9865 cursor paging over HTTP, on PGlite and (when set) the PostgreSQL server: keyset pages in SQL. */
import { runCursorPaging } from "@scimkit/testing";
import { PG_URL, pgliteDatabase, serverDatabase, type TestDatabase } from "../test/databases.js";
import { createPostgresStore } from "./index.js";

function paging(name: string, open: () => Promise<TestDatabase>): void {
  let db: TestDatabase | undefined;
  runCursorPaging({
    name,
    makeStore: async () => {
      db = await open();
      return createPostgresStore({ driver: db.driver, schema: db.schema });
    },
    cleanup: async () => db?.dispose(),
  });
}

paging("postgres on PGlite", () => pgliteDatabase());
const url = PG_URL;
if (url) paging("postgres on a PostgreSQL server (SCIMKIT_TEST_PG_URL)", () => serverDatabase("cursor", url));
