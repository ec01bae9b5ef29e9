/**
 * One worker process of the multi-process membership test: adds its members to one group with
 * `count` concurrent units of work, each adding one member of its own and one shared by all
 * workers, and prints the ids each add reported as added. Like core, each unit reads the group and
 * gives it the next version, so a lost update would show as a lower final version.
 *
 * Usage: node --conditions=source --import tsx test/member-adder.ts <url> <schema> <tenant> <group> <worker> <count>
 */
import pg from "pg";
import { createPgDriver, createPostgresStore } from "../src/index.js";

const [url, schema, tenant, groupId, worker, count] = process.argv.slice(2);
if (!url || !schema || !tenant || !groupId || worker === undefined || !count) throw new Error("missing arguments");

const pool = new pg.Pool({ connectionString: url, max: 10 });
const store = createPostgresStore({ driver: createPgDriver(pool), schema });
const adds = Array.from({ length: Number(count) }, (_, i) =>
  store.transaction(tenant, async (tx) => {
    const group = await tx.getResource("Group", groupId);
    if (!group) throw new Error(`group ${groupId} does not exist`);
    return tx.addMembers(
      groupId,
      [
        { value: `w${worker}-m${i}`, type: "User" },
        { value: `shared-${i % 50}`, type: "User" },
      ],
      { modifiedAt: new Date().toISOString(), version: group.version + 1 },
    );
  }),
);
const added = (await Promise.all(adds)).flat();
await pool.end();
process.stdout.write(JSON.stringify(added));
