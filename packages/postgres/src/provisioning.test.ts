/** The seeds' provisioning scenarios, end to end over HTTP, on PGlite and (when set) the server. */
import { runProvisioningScenarios } from "@scimkit/testing";
import { PG_URL, pgliteDatabase, serverDatabase, type TestDatabase } from "../test/databases.js";
import { createPostgresStore } from "./index.js";

function scenarios(name: string, open: () => Promise<TestDatabase>): void {
  let db: TestDatabase | undefined;
  runProvisioningScenarios({
    name,
    makeStore: async () => {
      db = await open();
      return createPostgresStore({ driver: db.driver, schema: db.schema });
    },
    cleanup: async () => db?.dispose(),
  });
}

scenarios("postgres on PGlite", () => pgliteDatabase());
const url = PG_URL;
if (url) scenarios("postgres on a PostgreSQL server (SCIMKIT_TEST_PG_URL)", () => serverDatabase("provisioning", url));
